// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolErrors} from "../interfaces/IPoolErrors.sol";

/// @title SafeCastLib
/// @notice Checked narrowing casts for the pool's packed storage: each reverts
/// `IPoolErrors.SafeCastOverflow(bits, value)` instead of silently dropping the high bits (Solidity's explicit casts
/// truncate). Casts that a check just before already bounds, or that mask by design, stay plain casts with a
/// `// safe:` comment saying why.
library SafeCastLib {
    /// @dev `x` as a uint128; reverts `SafeCastOverflow(128, x)` if it does not fit.
    function toUint128(uint256 x) internal pure returns (uint128) {
        if (x > type(uint128).max) revert IPoolErrors.SafeCastOverflow(128, x);
        return uint128(x);
    }

    /// @dev `x` as a uint120; reverts `SafeCastOverflow(120, x)` if it does not fit.
    function toUint120(uint256 x) internal pure returns (uint120) {
        if (x > type(uint120).max) revert IPoolErrors.SafeCastOverflow(120, x);
        return uint120(x);
    }

    /// @dev `x` as a uint112; reverts `SafeCastOverflow(112, x)` if it does not fit.
    function toUint112(uint256 x) internal pure returns (uint112) {
        if (x > type(uint112).max) revert IPoolErrors.SafeCastOverflow(112, x);
        return uint112(x);
    }
}
