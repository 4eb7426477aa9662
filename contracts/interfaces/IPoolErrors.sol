// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPoolErrors
/// @notice Every way a Fulcra pool call can fail. Inputs are validated before any state changes, so a revert with
/// one of these errors leaves the protocol untouched. Both halves of the pool's API (`IFulcraPoolBase`,
/// `IFulcraPoolExt`) inherit this interface, so a client bound to `IFulcraPool` decodes every error the pool raises,
/// whichever half raised it. The pool raises them qualified (`revert IPoolErrors.ZeroAmount()`).
/// @dev The access-control errors (`AccessControlUnauthorizedAccount`, `AccessControlBadConfirmation`) come from
/// OpenZeppelin's `IAccessControl`, which `IFulcraPoolExt` extends.
interface IPoolErrors {
    // ---- inputs

    /// @notice A required address (receiver, owner, operator, feed, admin, extension, listed asset) is zero.
    error ZeroAddress();

    /// @notice A required amount is zero: `assets` of a collateral, borrow, repay, flash-loan or treasury call, or
    /// `maxRepay` of a liquidation.
    error ZeroAmount();

    /// @notice The inputs contradict each other: both or neither of `assets` and `shares` given to `supply` or
    /// `withdraw`, or `owners` and `subIds` of different lengths given to `healthFactors`.
    error InconsistentInput();

    /// @notice The amount converts to zero shares at the current share price (a supply too small to mint a share,
    /// or a partial repay too small to burn a debt share).
    error ZeroShares();

    /// @notice The operation would overflow the pool's packed accounting: a market's share total above uint128 or an
    /// account's debt shares above uint120.
    error AmountTooLarge();

    /// @notice A value does not fit the packed storage field it was to be written to (`SafeCastLib`): the pool
    /// reverts rather than store it truncated. Reached only by totals at the edge of their range (e.g. a flash-loan
    /// fee credited to a market whose supply total has saturated at uint128).
    /// @param bits The field's width in bits.
    /// @param value The value that does not fit.
    error SafeCastOverflow(uint256 bits, uint256 value);

    // ---- listing and parameters

    /// @notice The asset is not listed in the pool.
    error AssetNotListed();

    /// @notice `listAsset` on an asset that is already listed.
    error AssetAlreadyListed();

    /// @notice `listAsset` when 255 assets are listed already (asset ids are one byte).
    error TooManyAssets();

    /// @notice The token's decimals plus the feed's decimals exceed 36, the pool's price scale.
    error UnsupportedDecimals();

    /// @notice An LTV or liquidation threshold outside the pool's bounds: LT above `MAX_LT` or above the asset's
    /// liquidation bound (LT·(1 + maxBonus) < 1, see `maxLtFor`), LTV not at least `MIN_LTV_LT_GAP` below LT, an LTV
    /// on a non-collateral asset (LT 0), or (from the risk engine) a zero LT target or a ramp of 0 or above
    /// `MAX_RAMP_BPS_PER_HOUR`.
    error InvalidRiskParams();

    /// @notice A rate model outside the bounds: base rate above `MAX_BASE_RATE`, slopes above `MAX_SLOPE1` /
    /// `MAX_SLOPE2`, or a kink outside [`MIN_KINK`, `MAX_KINK`].
    error InvalidRateModel();

    /// @notice A reserve factor above `MAX_RESERVE_FACTOR`.
    error InvalidReserveFactor();

    /// @notice A feed configuration outside the bounds: heartbeat outside [`MIN_HEARTBEAT`, `MAX_HEARTBEAT`], a
    /// negative `minAnswer`, or `maxAnswer` not above `minAnswer`.
    error InvalidOracleConfig();

    /// @notice A flash-loan fee above `MAX_FLASH_FEE`.
    error InvalidFlashFee();

    // ---- state

    /// @notice The caller may not act for this account: it is neither the owner nor an operator of the owner
    /// (`setAuthorization`, or `setAuthorizationScope` covering the sub-account); or, for `setCircuitBreaker`, it
    /// holds neither RISK_ENGINE_ROLE nor GUARDIAN_ROLE.
    error Unauthorized();

    /// @notice The guardian paused supplies of this asset (`setPause`).
    error SupplyPaused();

    /// @notice The guardian paused borrows of this asset (`setPause`).
    error BorrowPaused();

    /// @notice The asset is not borrowable (`setBorrowable`).
    error NotBorrowable();

    /// @notice The asset cannot be collateral (its liquidation threshold is 0).
    error NotCollateral();

    /// @notice The supply would take the asset's total supply above its supply cap.
    error SupplyCapExceeded();

    /// @notice The borrow would take the asset's total borrows above its borrow cap.
    error BorrowCapExceeded();

    /// @notice The deposit would take the asset's total collateral above its collateral cap.
    error CollateralCapExceeded();

    /// @notice The account's debt after the borrow would be below the asset's minimum borrow.
    error BelowMinBorrow();

    /// @notice The pool does not hold enough of the asset: a withdrawal or borrow would take cash that borrowers
    /// owe lenders, or a flash loan asks for more than the pool's balance.
    error InsufficientLiquidity();

    /// @notice The withdrawal asks for more supply shares than the lender holds.
    error InsufficientBalance();

    /// @notice The account does not hold that much of the collateral, or after the operation it would be above its
    /// LTV (borrowing power below its debt) and not deleveraging inside a `repayAndCall`.
    error InsufficientCollateral();

    /// @notice The treasury asks for more than the protocol's reserves or liquidation fees in the asset.
    error InsufficientReserves();

    /// @notice The account already holds `MAX_COLLATERALS` collateral assets.
    error TooManyCollaterals();

    /// @notice The account already has debt in another asset (one debt asset per account), or the repay is in an
    /// asset other than its debt's.
    error DebtAssetMismatch();

    /// @notice The account would hold the same asset as collateral and as debt.
    error CollateralIsDebtAsset();

    /// @notice The account has no debt to repay, liquidate or settle.
    error NoDebt();

    /// @notice The repay is larger than the account's debt (repay type(uint256).max to repay all of it).
    error RepayExceedsDebt();

    /// @notice The pool's balance did not change by the amount transferred: a fee-on-transfer or otherwise
    /// non-standard token, or a flash borrower that did not pay back principal and fee.
    error TransferAmountMismatch();

    /// @notice The account's health factor is at least 1: it cannot be liquidated.
    error HealthyAccount();

    /// @notice The liquidation names a collateral asset the account does not hold.
    error NotAccountCollateral();

    /// @notice The liquidation would send the receiver less collateral than `minSeized` (net of the protocol fee),
    /// or would seize nothing.
    error SlippageExceeded();

    /// @notice The liquidator capped its repay so that the account would be left with debt or collateral worth less
    /// than the dust value, which nobody would liquidate profitably afterwards.
    error LiquidationLeavesDust();

    /// @notice The circuit breaker of the asset (or of a collateral backing the borrow) is on: no new borrows of it
    /// or against it.
    error CircuitBreakerActive();

    /// @notice Liquidation parameters outside the bounds: a base bonus above the maximum bonus, a maximum bonus above
    /// `MAX_BONUS` or one that would leave LT·(1 + maxBonus) ≥ 1, a protocol share above `MAX_PROTOCOL_SHARE`, or
    /// liquidation globals outside their ranges (`setLiquidationGlobals`).
    error InvalidLiquidationParams();

    /// @notice `settleBadDebt` on an account whose collateral still covers its debt.
    error NotInsolvent();

    /// @notice `setAuthorizationScope` with a prefix that has bits outside its mask (a zero mask with a non-zero
    /// prefix included; a zero mask with a zero prefix revokes).
    error InvalidScope();

    // ---- oracle

    /// @notice The feed answered zero or a negative price.
    error NonPositivePrice();

    /// @notice The feed's answer is at or beyond the asset's `minAnswer` / `maxAnswer` (a clamped aggregator).
    error PriceAtBound();

    /// @notice The feed's round is incomplete (no update time, or answered in an earlier round).
    error IncompleteRound();

    /// @notice The feed's answer is older than the asset's heartbeat (or dated in the future).
    error StalePrice();

    // ---- flash loans

    /// @notice The flash borrower's `onFlashLoan` did not return the ERC-3156 success value.
    error FlashLoanCallbackFailed();

    /// @notice `flashLoan` or `flashFee` for a token that is not listed in the pool.
    error UnsupportedToken();

    /// @notice The guardian paused flash loans of this asset.
    error FlashPaused();

    // ---- reentrancy

    /// @notice A call re-entered the pool while it was locked: a token-moving entry point during another, a flash
    /// loan inside a flash loan, or a `repayAndCall` inside another's callback.
    error Reentrancy();

    // ---- tokens

    /// @notice A token transfer failed (it reverted without a reason or returned false). Raised by OpenZeppelin's
    /// `SafeERC20`, which the pool moves tokens with; declared here so that clients decode it.
    error SafeERC20FailedOperation(address token);
}
