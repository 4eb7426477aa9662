// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";

/// @title MockVolatilityOracle
/// @notice A volatility oracle whose readings are pushed by a test or simulation driver, for local networks only.
/// `update` is a no-op that reports no change.
contract MockVolatilityOracle is IVolatilityOracle {
    struct Reading {
        uint256 volatility;
        uint256 move;
        uint256 movedAt;
    }

    mapping(address => Reading) internal _readings;

    /// @notice A reading was pushed for `asset`.
    event ReadingSet(address indexed asset, uint256 volatility, uint256 move, uint256 movedAt);

    /// @notice Sets `asset`'s volatility (WAD, annualized) and its last move (WAD absolute log return) dated now.
    /// Anyone may push: test oracle.
    function setReading(address asset, uint256 volatility_, uint256 move) external {
        _readings[asset] = Reading(volatility_, move, block.timestamp);
        emit ReadingSet(asset, volatility_, move, block.timestamp);
    }

    /// @inheritdoc IVolatilityOracle
    function update(address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IVolatilityOracle
    function volatility(address asset) external view returns (uint256) {
        return _readings[asset].volatility;
    }

    /// @inheritdoc IVolatilityOracle
    /// @dev The mock has one reading: the short estimate equals it.
    function fastVolatility(address asset) external view returns (uint256) {
        return _readings[asset].volatility;
    }

    /// @inheritdoc IVolatilityOracle
    function lastMove(address asset) external view returns (uint256 absLogReturnWad, uint256 timestamp) {
        Reading memory r = _readings[asset];
        return (r.move, r.movedAt);
    }
}
