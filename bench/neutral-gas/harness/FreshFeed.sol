// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
/// contracts/common/MockFeed.sol with updatedAt = block.timestamp (Fulcra rejects stale answers). One SLOAD per query.
contract FreshFeed {
    int256 public latestAnswer;
    uint8 public constant decimals = 8;
    constructor(int256 a) { latestAnswer = a; }
    function setAnswer(int256 a) external { latestAnswer = a; }
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, latestAnswer, block.timestamp, block.timestamp, 1);
    }
}
