// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ErrorsLib
/// @notice Every way a Fulcra pool call can fail. Inputs are validated before any state changes, so a revert with
/// one of these errors leaves the protocol untouched.
library ErrorsLib {
    // ---- inputs
    error ZeroAddress();
    error ZeroAmount();
    error InconsistentInput();
    error ZeroShares();
    error AmountTooLarge();
    // ---- listing and parameters
    error AssetNotListed();
    error AssetAlreadyListed();
    error TooManyAssets();
    error UnsupportedDecimals();
    error InvalidRiskParams();
    error InvalidRateModel();
    error InvalidReserveFactor();
    error InvalidOracleConfig();
    error InvalidFlashFee();
    // ---- state
    error Unauthorized();
    error SupplyPaused();
    error BorrowPaused();
    error NotBorrowable();
    error NotCollateral();
    error SupplyCapExceeded();
    error BorrowCapExceeded();
    error CollateralCapExceeded();
    error BelowMinBorrow();
    error InsufficientLiquidity();
    error InsufficientBalance();
    error InsufficientCollateral();
    error InsufficientReserves();
    error TooManyCollaterals();
    error DebtAssetMismatch();
    error CollateralIsDebtAsset();
    error NoDebt();
    error RepayExceedsDebt();
    error TransferAmountMismatch();
    error HealthyAccount();
    error NotAccountCollateral();
    error SlippageExceeded();
    error LiquidationLeavesDust();
    error CircuitBreakerActive();
    error InvalidLiquidationParams();
    /// @notice `settleBadDebt` on an account whose collateral still covers its debt.
    error NotInsolvent();
    /// @notice An operator scope with a zero mask, or a prefix with bits outside its mask.
    error InvalidScope();
    // ---- oracle
    error NonPositivePrice();
    error PriceAtBound();
    error StalePrice();
    error IncompleteRound();
    // ---- flash loans
    error FlashLoanCallbackFailed();
    error UnsupportedToken();
    /// @notice The guardian paused flash loans of this asset.
    error FlashPaused();
    // ---- reentrancy
    error Reentrancy();
}
