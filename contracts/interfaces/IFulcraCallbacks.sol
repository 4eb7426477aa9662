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

/// @title IFulcraRepayCallback
/// @notice Implemented by a caller of `repayAndCall` that pays the debt from what it does in the callback (for
/// example: withdraw collateral, swap it into the debt asset) instead of holding the debt asset beforehand.
interface IFulcraRepayCallback {
    /// @notice Called by the pool during `repayAndCall`, after the debt was reduced and before the pool pulls
    /// `assets` of the debt asset from the caller. The pool is unlocked meanwhile, and the repaid account may
    /// withdraw collateral beyond its LTV as long as its health ends no lower than before the repay.
    /// @param assets Debt assets the pool will pull from the caller when this returns.
    /// @param data The `data` passed to `repayAndCall`.
    function onFulcraRepay(uint256 assets, bytes calldata data) external;
}
