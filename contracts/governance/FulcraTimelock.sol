// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title FulcraTimelock
/// @notice OpenZeppelin's TimelockController, unchanged: every governance action on the pool, the risk engine and
/// the margin router is scheduled here and executes only after `minDelay`, which is the users' notice period.
/// @dev Declared so that Hardhat compiles the OZ contract into this project's artifacts (the deploy script and
/// hardhat-verify need an artifact). No logic is added.
contract FulcraTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and execution.
    /// @param proposers Accounts that may schedule and cancel (a multisig in production).
    /// @param executors Accounts that may execute (address(0) in the list: anyone).
    /// @param admin Optional bootstrap admin (address(0): the timelock administers itself).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
