// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IFulcraLiquidateCallback
/// @notice Implemented by a liquidator that wants the seized collateral before it pays (flash liquidation).
interface IFulcraLiquidateCallback {
    /// @notice Called by the pool during `liquidate`, after the collateral was sent to the receiver and before the
    /// pool pulls `repaidAssets` of the debt asset from the caller. The pool is locked meanwhile.
    /// @param repaidAssets Debt assets the pool will pull from the liquidator when this returns.
    /// @param seizedAssets Collateral sent to the liquidation's receiver.
    /// @param data The `data` passed to `liquidate`.
    function onFulcraLiquidate(uint256 repaidAssets, uint256 seizedAssets, bytes calldata data) external;
}
