// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPoolLiquidate
/// @notice The pool's liquidation entry point, as liquidators (FlashLiquidator, keepers' contracts) call it.
interface IPoolLiquidate {
    /// @notice Liquidates `(owner, subId)` (health below 1): repays up to `maxRepay` of its debt and seizes
    /// `collateralAsset`; with non-empty `data` the caller gets `onFulcraLiquidate` before the repay is pulled.
    function liquidate(
        address owner,
        uint96 subId,
        address collateralAsset,
        uint256 maxRepay,
        uint256 minSeized,
        address receiver,
        bytes calldata data
    ) external returns (uint256 repaid, uint256 seized);
}
