// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

uint256 constant WAD = 1e18;
uint256 constant BPS = 10_000;

/// @title MathLib
/// @notice Fixed-point helpers whose names say which way they round. Overflow reverts (checked arithmetic): amounts
/// are bounded by uint128 storage and prices by the oracle bounds, so products stay far below 2^256.
library MathLib {
    /// @dev (x * y) / d rounded down.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y) / d;
    }

    /// @dev (x * y) / d rounded up.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + (d - 1)) / d;
    }

    /// @dev x * y / WAD rounded down.
    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y) / WAD;
    }

    /// @dev x * WAD / y rounded down.
    function wDivDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * WAD) / y;
    }

    /// @dev x * bps / 10_000 rounded down.
    function bpsDown(uint256 x, uint256 bps) internal pure returns (uint256) {
        return (x * bps) / BPS;
    }

    /// @dev x * bps / 10_000 rounded up.
    function bpsUp(uint256 x, uint256 bps) internal pure returns (uint256) {
        return (x * bps + (BPS - 1)) / BPS;
    }

    /// @dev min(x, y).
    function min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @dev max(x, y).
    function max(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x : y;
    }

    /// @dev x - y, floored at zero.
    function zeroFloorSub(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x - y : 0;
    }
}
