// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Makes OpenZeppelin's TimelockController available as an artifact to the risk-engine governance tests.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title RiskTimelock
/// @notice OpenZeppelin's TimelockController under a local name, for tests of governance through the timelock.
contract RiskTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
