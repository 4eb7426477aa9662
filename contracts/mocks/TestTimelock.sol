// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title TestTimelock
/// @notice OpenZeppelin's TimelockController, unchanged, compiled into the project so tests (and scripts) can deploy
/// it as the holder of the pool's DEFAULT_ADMIN and RISK_ADMIN roles.
contract TestTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation.
    /// @param proposers Accounts that may schedule (and cancel).
    /// @param executors Accounts that may execute (address(0): anyone).
    /// @param admin Optional admin of the timelock itself (address(0): none, the timelock administers itself).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
