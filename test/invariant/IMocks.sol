// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The campaign drives the pool through contracts/interfaces/IFulcraPool.sol, the pool's one API declaration; these
// are the test contracts it deploys from Hardhat's artifacts besides the pool.

/// @notice The test token (contracts/mocks/MockERC20.sol).
interface IMockERC20 {
    function mint(address to, uint256 amount) external;
    function approve(address spender, uint256 amount) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function decimals() external view returns (uint8);
}

/// @notice The movable Chainlink-style feed (contracts/mocks/MockPriceFeed.sol).
interface IMockPriceFeed {
    function setAnswer(int256 answer) external;
    function setAnswerAt(int256 answer, uint256 updatedAt) external;
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}
