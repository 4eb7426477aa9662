// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVolatilityOracle
/// @notice What the risk engine reads from the volatility oracle.
interface IVolatilityOracle {
    /// @notice Updates `asset`'s estimate from its feed if the minimum interval has passed and the feed moved to a
    /// new round; returns whether it updated. Never reverts for "too soon".
    /// @param asset A listed asset.
    /// @return updated Whether a new observation was recorded.
    function update(address asset) external returns (bool updated);

    /// @notice Annualized realized volatility of `asset` (WAD, 1e18 = 100 %).
    /// @param asset A listed asset.
    /// @return vol The long-horizon estimate (WAD).
    function volatility(address asset) external view returns (uint256 vol);

    /// @notice Short-horizon estimate of `asset`'s annualized volatility (WAD): same returns as `volatility`, shorter
    /// half-life, so it reacts within hours to a regime change (and forgets it as fast).
    /// @param asset A listed asset.
    /// @return vol The short-horizon estimate (WAD).
    function fastVolatility(address asset) external view returns (uint256 vol);

    /// @notice Absolute log return of `asset`'s largest single update within its shock window (WAD), and when that
    /// update happened. (A later, smaller move does not replace it until the window has passed, so calling `update`
    /// again cannot hide a shock.)
    /// @param asset A listed asset.
    /// @return absLogReturnWad The move's absolute log return (WAD).
    /// @return timestamp When the update that recorded it happened.
    function lastMove(address asset) external view returns (uint256 absLogReturnWad, uint256 timestamp);
}
