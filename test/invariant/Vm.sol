// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The few Foundry cheatcodes the invariant campaign uses (no forge-std dependency).
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function warp(uint256 newTimestamp) external;
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function label(address account, string calldata newLabel) external;
    function getCode(string calldata artifactPath) external view returns (bytes memory creationBytecode);
    function writeLine(string calldata path, string calldata data) external;
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory value);
    function toString(uint256 value) external pure returns (string memory);
    function envOr(string calldata name, bool defaultValue) external view returns (bool value);
    function revertToStateAndDelete(uint256 snapshotId) external returns (bool success);
    function snapshotState() external returns (uint256 snapshotId);
    function revertToState(uint256 snapshotId) external returns (bool success);
    function deleteStateSnapshot(uint256 snapshotId) external returns (bool success);
    function expectRevert(bytes4 revertData) external;
}

/// @dev The cheatcode address every Foundry EVM answers at.
Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
