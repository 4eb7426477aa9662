// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {WAD, BPS} from "./MathLib.sol";

/// @title InterestRateLib
/// @notice Kinked (two-slope) utilization rate model and continuous compounding.
/// @dev Rates are stored as annual rates in basis points (0.01 % resolution is all governance needs and lets the
/// whole model share one storage slot with the market's accounting). Interest compounds continuously:
/// growth = e^(rate * dt) - 1, computed with Solady's `expWad`, so the result does not depend on how often a market
/// is touched — one accrual over a year equals 31,536,000 accruals of one second.
library InterestRateLib {
    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /// @notice Borrow rate per second (WAD) at utilization `util` (WAD) for the given model.
    /// @param baseBps Rate at 0 % utilization, annual, in bps.
    /// @param slope1Bps Rate added between 0 % and the kink, annual, in bps.
    /// @param slope2Bps Rate added between the kink and 100 %, annual, in bps.
    /// @param kinkBps The optimal utilization, in bps (strictly between 0 and 10,000).
    function borrowRatePerSecond(
        uint256 util,
        uint256 baseBps,
        uint256 slope1Bps,
        uint256 slope2Bps,
        uint256 kinkBps
    ) internal pure returns (uint256) {
        uint256 kink = kinkBps * (WAD / BPS);
        uint256 annualBps;
        if (util <= kink) {
            annualBps = baseBps * WAD + (slope1Bps * util * WAD) / kink;
        } else {
            uint256 excess = util > WAD ? WAD - kink : util - kink;
            annualBps = (baseBps + slope1Bps) * WAD + (slope2Bps * excess * WAD) / (WAD - kink);
        }
        // annualBps is scaled by WAD: divide by BPS to get a WAD rate, then by the year.
        return annualBps / (BPS * SECONDS_PER_YEAR);
    }

    /// @notice e^(ratePerSecond * dt) - 1 in WAD: the growth factor of debt over `dt` seconds, rounded down by
    /// expWad's own precision (error below 1e-18 relative).
    function compoundedGrowth(uint256 ratePerSecond, uint256 dt) internal pure returns (uint256) {
        uint256 x = ratePerSecond * dt;
        // expWad overflows above ~135.3e18; a market untouched for decades at the maximum rate saturates instead.
        if (x > 130e18) x = 130e18;
        return uint256(FixedPointMathLib.expWad(int256(x))) - WAD;
    }

    /// @notice Utilization (WAD) of a market: borrowed / supplied, 0 when nothing is supplied.
    function utilization(uint256 totalBorrow, uint256 totalSupply) internal pure returns (uint256) {
        if (totalSupply == 0) return 0;
        return (totalBorrow * WAD) / totalSupply;
    }
}
