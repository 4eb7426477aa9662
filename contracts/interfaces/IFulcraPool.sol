// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

import {AssetConfig, AssetRisk, Market, ListingParams} from "./IPoolTypes.sol";
import {AccountHealth, LiquidationConfig, LiquidationPreview, MarketInfo} from "./IPoolTypes.sol";
import {IPoolErrors} from "./IPoolErrors.sol";
import {IPoolEvents} from "./IPoolEvents.sol";

// The pool's whole API, declared once. The pool is three contracts at one address (as Compound's Comet and
// CometExt): `Pool` holds the hot paths and forwards every other call from its fallback, by `delegatecall`, to
// `PoolExt` (governance, roles, operators), which forwards what it does not know the same way to `PoolViews` (the
// views); all run in the pool's storage. `IFulcraPoolBase`, `IFulcraPoolExt` and `IFulcraPoolViews` are what each
// implements, and `IFulcraPool` — their union — is the one type every consumer (periphery contracts, tests, scripts,
// the keeper) binds the pool's address to. test/core/api.test.ts checks that the union equals the merged ABI of the
// three contracts, selector for selector, event for event, error for error.

/// @title IFulcraPoolBase
/// @notice The part of the Fulcra pool implemented by `Pool` itself: the user entry points (lend, borrow, repay,
/// liquidate, settle bad debt) and ERC-3156 flash loans.
/// @dev Accounts are `(owner, subId)`: an owner has 2^96 independent borrower accounts. An account holds up to
/// `MAX_COLLATERALS` collateral assets (never lent out) and at most one debt asset. Rounding always favours the pool.
/// Tokens must be plain ERC-20s: inbound transfers are checked by balance delta (fee-on-transfer tokens revert) and
/// rebasing tokens are not to be listed. Every function that moves tokens is guarded by one reentrancy lock
/// (`Reentrancy()`). Consider using `IFulcraPool` instead of this interface.
interface IFulcraPoolBase is IERC3156FlashLender, IPoolErrors, IPoolEvents {
    // ---------------------------------------------------------------- extension

    /// @notice The extension (`PoolExt`) holding governance and views, reached from the pool's fallback by
    /// `delegatecall`, so that its functions run in the pool's storage and emit the pool's events.
    /// @return The `PoolExt` deployment the pool forwards to (immutable).
    function EXTENSION() external view returns (address);

    // ---------------------------------------------------------------- lenders

    /// @notice Supplies `assets` (or the assets worth `shares`) of `asset` for `onBehalf`, who earns interest.
    /// @dev Exactly one of `assets` and `shares` must be non-zero. Shares are minted rounded down, assets pulled
    /// rounded up (the caller must have approved them). Paused by the guardian's supply pause; bounded by the supply
    /// cap.
    /// @param asset A listed asset.
    /// @param assets The assets to supply, or 0 to mint `shares`.
    /// @param shares The supply shares to mint, or 0 to supply `assets`.
    /// @param onBehalf Who owns the supply shares.
    /// @return assetsSupplied The assets pulled from the caller.
    /// @return sharesMinted The supply shares minted to `onBehalf`.
    function supply(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf
    ) external returns (uint256 assetsSupplied, uint256 sharesMinted);

    /// @notice Withdraws `assets` (or the assets worth `shares`) of `onBehalf`'s supply to `receiver`.
    /// @dev Exactly one of `assets` and `shares` must be non-zero. Shares are burnt rounded up, assets paid rounded
    /// down. The caller must be `onBehalf` or an operator with full authorization (`setAuthorization`). Never
    /// paused: lenders can always leave, liquidity permitting (`InsufficientLiquidity` when the cash is lent out).
    /// @param asset A listed asset.
    /// @param assets The assets to withdraw, or 0 to burn `shares`.
    /// @param shares The supply shares to burn, or 0 to withdraw `assets`.
    /// @param onBehalf The lender.
    /// @param receiver Who receives the assets.
    /// @return assetsWithdrawn The assets sent to `receiver`.
    /// @return sharesBurnt The supply shares burnt.
    function withdraw(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256 assetsWithdrawn, uint256 sharesBurnt);

    // ---------------------------------------------------------------- borrowers

    /// @notice Adds `assets` of collateral `asset` to account `(owner, subId)`. Only the owner or an operator it
    /// authorized for that account may add: a stranger could otherwise fill its collateral slots, attach an asset
    /// it means to borrow, or attach an asset whose feed it expects to fail. Never paused.
    /// @dev The asset must be collateral (LT above 0), not the account's debt asset, and within its collateral cap;
    /// a new asset takes one of the account's `MAX_COLLATERALS` slots. The assets are pulled from the caller.
    /// @param asset A listed collateral asset.
    /// @param assets The amount to add.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    function supplyCollateral(address asset, uint256 assets, address owner, uint96 subId) external;

    /// @notice Withdraws `assets` of collateral `asset` (type(uint256).max: all of it) from `(owner, subId)` to
    /// `receiver`. The account must stay within its borrowing power (LTV), every price it needs trusted; inside the
    /// callback of a `repayAndCall` on the same account it may instead end no less healthy than before that repay
    /// (deleveraging a position that a price move took above its LTV).
    /// @dev The caller must be the owner or an operator authorized for the account. Never paused.
    /// @param asset The collateral asset.
    /// @param assets The amount to withdraw, or type(uint256).max for all of it.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param receiver Who receives the collateral.
    /// @return withdrawn The amount withdrawn.
    function withdrawCollateral(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external returns (uint256 withdrawn);

    /// @notice Borrows `assets` of `asset` against the collateral of `(owner, subId)`, sent to `receiver`.
    /// @dev Debt shares are minted rounded up. The account may hold one debt asset at a time, must stay within its
    /// LTV (every price it needs trusted), and its debt must reach the asset's minimum borrow. Refused while the
    /// asset's borrows are paused or not allowed, or while its circuit breaker (or that of a collateral of the
    /// account) is on. A borrow ends the account's close-out (`isCloseOut`). The caller must be the owner or an
    /// operator authorized for the account.
    /// @param asset A listed borrowable asset.
    /// @param assets The amount to borrow.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param receiver Who receives the borrowed assets.
    /// @return shares The debt shares minted.
    function borrow(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external returns (uint256 shares);

    /// @notice Repays `assets` of `(owner, subId)`'s debt in `asset`; type(uint256).max repays all of it.
    /// Anyone may repay for anyone; never paused.
    /// @dev Debt shares are burnt rounded down for a partial repay; a full repay pulls the debt rounded up. The
    /// assets are pulled from the caller.
    /// @param asset The account's debt asset.
    /// @param assets The amount to repay, or type(uint256).max for the whole debt.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @return assetsRepaid The assets repaid (pulled from the caller).
    /// @return sharesBurnt The debt shares burnt.
    function repay(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId
    ) external returns (uint256 assetsRepaid, uint256 sharesBurnt);

    /// @notice As `repay`, but calls `IFulcraRepayCallback(msg.sender).onFulcraRepay(assets, data)` after the debt is
    /// reduced and before the pool pulls the assets, with the pool unlocked: the caller may pay from what it does
    /// there (withdraw the account's collateral and swap it). Inside the callback the repaid account may withdraw
    /// collateral beyond its LTV as long as its health ends no lower than before this repay. Never paused: margin
    /// close and decrease go through here, without a flash loan.
    /// @dev A `repayAndCall` inside another's callback reverts `Reentrancy()`.
    /// @param asset The account's debt asset.
    /// @param assets The amount to repay, or type(uint256).max for the whole debt.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param data Passed to the callback as is.
    /// @return assetsRepaid The assets repaid (pulled from the caller after the callback).
    /// @return sharesBurnt The debt shares burnt.
    function repayAndCall(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        bytes calldata data
    ) external returns (uint256 assetsRepaid, uint256 sharesBurnt);

    // ---------------------------------------------------------------- liquidation

    /// @notice Liquidates `(owner, subId)`, whose health factor is below 1: repays up to `maxRepay` of its debt
    /// (type(uint256).max: as much as allowed) and seizes `collateralAsset` worth the repaid value plus a bonus.
    /// @dev Permissionless. Partial by design: the repay is capped at what brings the account's health back to the
    /// target, unless health is below the full-liquidation level or what would remain is dust. The bonus rises from
    /// the asset's base to its maximum as health falls, and never exceeds the account's equity. Collateral whose
    /// price cannot be trusted counts as zero; the seized collateral and the debt must be priced. An insolvent account
    /// has the debt its collateral cannot repay at the maximum bonus written off first (`BadDebt`) and is then
    /// liquidated at the maximum bonus; when its collateral runs out (or only dust worth less than the debt is left)
    /// with debt left, the dust goes to the protocol (`DustSwept`) and the rest is covered from reserves, then written
    /// off against lenders. With non-empty `data`, the caller gets
    /// `IFulcraLiquidateCallback.onFulcraLiquidate(repaid, seized, data)` after the collateral is sent and before the
    /// debt is pulled (flash liquidation). Works while supply and borrow are paused and while the circuit breaker is
    /// on.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param collateralAsset The collateral to seize (one the account holds).
    /// @param maxRepay The most debt assets to repay; a repay below the allowed one reverts `LiquidationLeavesDust`
    /// if it would leave debt or collateral worth less than the dust value.
    /// @param minSeized The least collateral `receiver` accepts, net of the protocol fee (slippage guard).
    /// @param receiver Who receives the seized collateral.
    /// @param data Empty, or passed to the caller's `onFulcraLiquidate`.
    /// @return repaid The debt assets repaid (pulled from the caller).
    /// @return seized The collateral sent to `receiver`.
    function liquidate(
        address owner,
        uint96 subId,
        address collateralAsset,
        uint256 maxRepay,
        uint256 minSeized,
        address receiver,
        bytes calldata data
    ) external returns (uint256 repaid, uint256 seized);

    /// @notice Books the known loss of an insolvent account `(owner, subId)` without waiting for a liquidator:
    /// permissionless. Insolvent means every price the account needs is trusted and its collateral is worth less
    /// than its debt. With only dust collateral left (worth less than the dust value) the dust goes to the
    /// protocol's liquidation fees and the whole debt is written off; otherwise the debt its collateral cannot repay
    /// at the maximum bonus is written off, and the rest is left for liquidators (at the maximum bonus: the account
    /// is in close-out).
    /// @dev Reverts `NotInsolvent` for a solvent account, and with the feed's own error when a price it needs is
    /// not trusted (solvency unknown).
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @return writtenOff Debt assets written off.
    function settleBadDebt(address owner, uint96 subId) external returns (uint256 writtenOff);

    // ---------------------------------------------------------------- flash loans (ERC-3156)

    /// @inheritdoc IERC3156FlashLender
    /// @dev Lends from the pool's whole balance of a listed asset (collateral included: it is back before the
    /// transaction ends). The fee (`flashFee`) is pulled with the principal and credited to the asset's reserves. The
    /// balance is checked around the loan, so a token that takes a fee on transfer cannot shortchange the pool. A
    /// flash loan inside a flash loan reverts `Reentrancy()`; the borrower may use the pool's other entry points
    /// during its callback. Refused while the guardian paused the asset's flash loans (`FlashPaused`).
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external override returns (bool);

    /// @inheritdoc IERC3156FlashLender
    /// @dev The pool's whole balance of a listed asset; 0 for an unlisted asset or while its flash loans are paused.
    function maxFlashLoan(address token) external view override returns (uint256);

    /// @inheritdoc IERC3156FlashLender
    /// @dev `amount` times the asset's flash fee in bps, rounded up. Reverts `UnsupportedToken` for an unlisted asset.
    function flashFee(address token, uint256 amount) external view override returns (uint256);
}

/// @title IFulcraPoolExt
/// @notice The part of the Fulcra pool implemented by `PoolExt` (reached through the pool's fallback, in the pool's
/// storage): governance, access control, operator grants and the protocol's bounds.
/// @dev Roles: DEFAULT_ADMIN grants the others (the timelock); RISK_ADMIN lists assets and sets parameters (the
/// timelock); RISK_ENGINE moves LTV and LT within bounds and trips the circuit breaker; GUARDIAN pauses and trips
/// the breaker; TREASURY withdraws reserves and liquidation fees. Basis points (bps) are 1/10,000; WAD is 1e18.
/// Consider using `IFulcraPool` instead of this interface.
interface IFulcraPoolExt is IAccessControl, IERC165, IPoolErrors, IPoolEvents {
    // ---------------------------------------------------------------- roles

    /// @notice Lists assets and changes risk parameters. Held by the timelock.
    /// @return The role id, keccak256("RISK_ADMIN_ROLE").
    function RISK_ADMIN_ROLE() external view returns (bytes32);

    /// @notice The volatility-driven risk engine: moves LTV and (ramped) LT within governance's profile, trips the
    /// circuit breaker.
    /// @return The role id, keccak256("RISK_ENGINE_ROLE").
    function RISK_ENGINE_ROLE() external view returns (bytes32);

    /// @notice Pauses and unpauses supply, borrow and flash loans per asset, and trips the circuit breaker. Cannot
    /// touch repay, collateral, withdrawals or liquidation.
    /// @return The role id, keccak256("GUARDIAN_ROLE").
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice Withdraws protocol reserves and liquidation fees (never more than those).
    /// @return The role id, keccak256("TREASURY_ROLE").
    function TREASURY_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------- bounds

    /// @notice The highest liquidation threshold governance or the risk engine may set.
    /// @return 9,700 bps.
    function MAX_LT() external view returns (uint256);

    /// @notice LTV must stay this far below LT, so that a max-LTV borrow is not liquidatable on the next tick.
    /// @return 100 bps.
    function MIN_LTV_LT_GAP() external view returns (uint256);

    /// @notice The highest share of interest that may go to reserves.
    /// @return 5,000 bps.
    function MAX_RESERVE_FACTOR() external view returns (uint256);

    /// @notice The highest base rate of the rate model (annual).
    /// @return 10,000 bps.
    function MAX_BASE_RATE() external view returns (uint256);

    /// @notice The highest slope below the kink (annual).
    /// @return 20,000 bps.
    function MAX_SLOPE1() external view returns (uint256);

    /// @notice The highest slope above the kink (annual).
    /// @return 60,000 bps.
    function MAX_SLOPE2() external view returns (uint256);

    /// @notice The lowest kink (optimal utilization).
    /// @return 1,000 bps.
    function MIN_KINK() external view returns (uint256);

    /// @notice The highest kink (optimal utilization).
    /// @return 9,900 bps.
    function MAX_KINK() external view returns (uint256);

    /// @notice The shortest feed heartbeat accepted.
    /// @return 60 seconds.
    function MIN_HEARTBEAT() external view returns (uint256);

    /// @notice The longest feed heartbeat accepted.
    /// @return 7 days, in seconds.
    function MAX_HEARTBEAT() external view returns (uint256);

    /// @notice The highest flash-loan fee.
    /// @return 100 bps.
    function MAX_FLASH_FEE() external view returns (uint256);

    /// @notice The most collateral assets one account may hold.
    /// @return 8.
    function MAX_COLLATERALS() external view returns (uint256);

    /// @notice The highest maximum liquidation bonus.
    /// @return 2,000 bps.
    function MAX_BONUS() external view returns (uint256);

    /// @notice The highest share of a liquidation bonus the protocol may keep.
    /// @return 5,000 bps.
    function MAX_PROTOCOL_SHARE() external view returns (uint256);

    /// @notice Fastest the risk engine may lower a liquidation threshold: 2 percentage points per hour.
    /// @return 200 bps per hour.
    function MAX_RAMP_BPS_PER_HOUR() external view returns (uint256);

    /// @notice The bonus climbs from base to max as health falls from 1 to 1 - BONUS_RAMP.
    /// @return 0.1e18 (WAD).
    function BONUS_RAMP() external view returns (uint256);

    // ---------------------------------------------------------------- governance

    /// @notice Accrues interest on `asset` up to now. Anyone may call; every entry point does it anyway.
    /// @param asset A listed asset.
    function accrueInterest(address asset) external;

    /// @notice Lists `asset` with its oracle, risk, rate-model and cap parameters, and deploys its ERC-4626 vault.
    /// @dev RISK_ADMIN (the timelock). Caps are absolute token amounts (0 forbids; type(uint128).max is unlimited).
    /// The token's decimals and the feed's decimals fix the price scale; tokens must be plain ERC-20s. The
    /// liquidation incentive starts at a 1 % base and an 8 % maximum bonus (less if LT·(1 + bonus) would reach 1),
    /// with a 10 % protocol share.
    /// @param asset The token (not zero, not listed yet).
    /// @param p Feed and bounds, LTV and LT, borrowable, reserve factor, rate model, caps and minimum borrow.
    /// @return vault The asset's ERC-4626 vault.
    function listAsset(address asset, ListingParams calldata p) external returns (address vault);

    /// @notice Replaces the price feed of `asset` (RISK_ADMIN).
    /// @param asset A listed asset.
    /// @param feed A Chainlink-style AggregatorV3 feed (not zero).
    /// @param heartbeat Seconds after which an answer is stale, in [MIN_HEARTBEAT, MAX_HEARTBEAT].
    /// @param minAnswer Answers at or below it are rejected (at least 0). Stored as a decimal float with a 24-bit
    /// mantissa, rounded up (`assetRisk` and `OracleSet` give the stored bound).
    /// @param maxAnswer Answers at or above it are rejected (above `minAnswer`, also once stored: rounded down).
    function setOracle(address asset, address feed, uint24 heartbeat, int96 minAnswer, int96 maxAnswer) external;

    /// @notice Sets the LTV and liquidation threshold of `asset` as collateral, at once (RISK_ADMIN: the timelock's
    /// delay is the users' notice). Any running LT ramp is replaced. LT 0 (with LTV 0) makes the asset
    /// non-collateral.
    /// @param asset A listed asset.
    /// @param ltv The new LTV (bps), at least MIN_LTV_LT_GAP below `lt`.
    /// @param lt The new liquidation threshold (bps), at most `maxLtFor(asset)`.
    function setCollateralParams(address asset, uint16 ltv, uint16 lt) external;

    /// @notice Applies the risk engine's parameters for `asset`: `ltv` at once (new borrows and withdrawals are the
    /// strict side), the liquidation threshold toward `ltTarget` — upward at once, downward no faster than
    /// `rampBpsPerHour` (itself at most MAX_RAMP_BPS_PER_HOUR), so no position is pushed under water by a jump.
    /// @dev RISK_ENGINE. The engine keeps within governance's profile; the pool enforces the hard bounds and the ramp
    /// whatever the engine asks. Reverts `NotCollateral` for an asset with LT 0.
    /// @param asset A listed collateral asset.
    /// @param ltv The new LTV (bps), at least MIN_LTV_LT_GAP below `ltTarget`.
    /// @param ltTarget The liquidation threshold to head to (bps), above 0 and at most `maxLtFor(asset)`.
    /// @param rampBpsPerHour The fastest downward move, in (0, MAX_RAMP_BPS_PER_HOUR].
    function applyRiskParams(address asset, uint16 ltv, uint16 ltTarget, uint16 rampBpsPerHour) external;

    /// @notice Trips or resets the circuit breaker of `asset`: while on, nobody can borrow the asset or borrow
    /// against it; repay, adding collateral, withdrawals and liquidation keep working (RISK_ENGINE or GUARDIAN).
    /// @param asset A listed asset.
    /// @param active Whether the breaker is on.
    function setCircuitBreaker(address asset, bool active) external;

    /// @notice Sets the liquidation incentive of `asset` as collateral (RISK_ADMIN). The maximum bonus must leave
    /// LT·(1 + bonus) below 1 (for the higher of the LT anchor and its target), or liquidating would lower health
    /// instead of restoring it.
    /// @param asset A listed asset.
    /// @param baseBonus The bonus at health just below 1 (bps), at most `maxBonus`.
    /// @param maxBonus The bonus at health 1 - BONUS_RAMP and below (bps), at most MAX_BONUS.
    /// @param protocolShare The share of the bonus the protocol keeps as liquidation fees (bps), at most
    /// MAX_PROTOCOL_SHARE.
    function setLiquidationParams(address asset, uint16 baseBonus, uint16 maxBonus, uint16 protocolShare) external;

    /// @notice Sets the protocol-wide liquidation settings (RISK_ADMIN): the health a partial liquidation restores
    /// (1.01–1.25), the health below which a position may be closed in full (0.80–0.99), and the dust value
    /// (at most 1,000 USD) under which what remains may be closed in full.
    /// @param targetHealth WAD, in [1.01e18, 1.25e18].
    /// @param fullLiquidationHealth WAD, in [0.8e18, 0.99e18].
    /// @param dustValue 18-decimal USD, at most 1,000e18.
    function setLiquidationGlobals(uint64 targetHealth, uint64 fullLiquidationHealth, uint128 dustValue) external;

    /// @notice Sets the kinked rate model of `asset`, after accruing at the old one (RISK_ADMIN).
    /// @param asset A listed asset.
    /// @param baseRate Annual rate at 0 % utilization (bps), at most MAX_BASE_RATE.
    /// @param slope1 Annual rate added between 0 % and the kink (bps), at most MAX_SLOPE1.
    /// @param slope2 Annual rate added between the kink and 100 % (bps), at most MAX_SLOPE2.
    /// @param kink The optimal utilization (bps), in [MIN_KINK, MAX_KINK].
    function setRateModel(address asset, uint16 baseRate, uint16 slope1, uint16 slope2, uint16 kink) external;

    /// @notice Sets the share of interest that goes to reserves, after accruing at the old one (RISK_ADMIN).
    /// @param asset A listed asset.
    /// @param reserveFactor The share (bps), at most MAX_RESERVE_FACTOR.
    function setReserveFactor(address asset, uint16 reserveFactor) external;

    /// @notice Sets the caps and minimum borrow of `asset` (RISK_ADMIN). Lowering a cap never touches positions;
    /// it only refuses growth above it.
    /// @param asset A listed asset.
    /// @param supplyCap The most total supply (0 forbids; type(uint128).max is unlimited).
    /// @param borrowCap The most total borrows.
    /// @param collateralCap The most total collateral.
    /// @param minBorrow The least debt an account may have after a borrow.
    function setCaps(
        address asset,
        uint128 supplyCap,
        uint128 borrowCap,
        uint128 collateralCap,
        uint128 minBorrow
    ) external;

    /// @notice Allows or forbids new borrows of `asset` (RISK_ADMIN). Existing debt is unaffected.
    /// @param asset A listed asset.
    /// @param borrowable Whether it may be borrowed.
    function setBorrowable(address asset, bool borrowable) external;

    /// @notice Sets the flash-loan fee of `asset` in bps, at most MAX_FLASH_FEE (RISK_ADMIN).
    /// @param asset A listed asset.
    /// @param feeBps The fee (bps), credited to the asset's reserves.
    function setFlashFee(address asset, uint16 feeBps) external;

    /// @notice Pauses or resumes supply and borrow of `asset` (GUARDIAN). Repay (with or without callback), adding
    /// collateral, withdrawals, liquidation and flash loans (`setFlashPause`) are not affected.
    /// @param asset A listed asset.
    /// @param supplyPaused Whether supplies are paused.
    /// @param borrowPaused Whether borrows are paused.
    function setPause(address asset, bool supplyPaused, bool borrowPaused) external;

    /// @notice Pauses or resumes flash loans of `asset` (GUARDIAN). Separate from the borrow pause, and no exit
    /// depends on it: margin close uses `repayAndCall`, flash liquidation the liquidation callback.
    /// @param asset A listed asset.
    /// @param paused Whether flash loans of it are paused.
    function setFlashPause(address asset, bool paused) external;

    /// @notice Withdraws `assets` of the liquidation fees collected in `asset` to `receiver` (TREASURY). These are
    /// the protocol's share of liquidation bonuses and swept dust, held apart from lenders' and borrowers' books.
    /// @param asset A listed asset.
    /// @param assets The amount, at most the fees collected.
    /// @param receiver Who receives them.
    function withdrawLiquidationFees(address asset, uint256 assets, address receiver) external;

    /// @notice Withdraws `assets` of the protocol's reserves in `asset` to `receiver` (TREASURY). Reserves are supply
    /// shares the protocol owns: it can never take more than those, nor cash that borrowers owe lenders.
    /// @param asset A listed asset.
    /// @param assets The amount, at most what the reserve shares are worth and the cash not lent out.
    /// @param receiver Who receives them.
    function withdrawReserves(address asset, uint256 assets, address receiver) external;

    // ---------------------------------------------------------------- limits

    /// @notice The largest liquidation threshold the pool accepts for `asset` now (bps): MAX_LT, or less when the
    /// asset's maximum liquidation bonus requires LT·(1 + maxBonus) < 1 (else liquidating would lower health instead
    /// of restoring it).
    /// @dev `setCollateralParams` and `applyRiskParams` refuse a higher LT (`InvalidRiskParams`); the risk engine
    /// caps its targets here. It moves with `setLiquidationParams`.
    /// @param asset The asset.
    /// @return The bound (bps).
    function maxLtFor(address asset) external view returns (uint256);

    // ---------------------------------------------------------------- operators

    /// @notice Lets `operator` act for all of the caller's accounts and lender positions (withdraw, borrow,
    /// withdraw collateral, supply collateral), or revokes it.
    /// @param operator The operator (not zero).
    /// @param authorized Whether it may act for the caller.
    function setAuthorization(address operator, bool authorized) external;

    /// @notice Lets `operator` act only for the caller's accounts whose sub-account id satisfies
    /// `subId & subIdMask == subIdPrefix` (supply and withdraw collateral, borrow): e.g. mask all ones for a single
    /// sub-account, or the margin router's prefix and mask for its positions. Never lender positions. A zero mask
    /// (with a zero prefix) revokes. Independent of `setAuthorization`, which grants every account.
    /// @param operator The operator (not zero).
    /// @param subIdPrefix The sub-account id bits required; no bit outside `subIdMask` (`InvalidScope`).
    /// @param subIdMask The sub-account id bits compared.
    function setAuthorizationScope(address operator, uint96 subIdPrefix, uint96 subIdMask) external;

    // ---------------------------------------------------------------- views

    /// @notice The views' contract (`PoolViews`), reached from `PoolExt`'s fallback by `delegatecall`, so that its
    /// functions read the pool's storage. `PoolExt` deploys it in its constructor.
    /// @return The `PoolViews` deployment the extension forwards to (immutable).
    function VIEWS() external view returns (address);
}
/// @title IFulcraPoolViews
/// @notice The part of the Fulcra pool implemented by `PoolViews` (reached from `PoolExt`'s fallback, in the pool's
/// storage): the storage getters and every read-only view of markets, accounts, prices and liquidations.
/// @dev Views that price read the feeds as the pool does; those that accrue compute interest up to the current block
/// without writing it. Consider using `IFulcraPool` instead of this interface.
interface IFulcraPoolViews is IPoolErrors, IPoolEvents {
    /// @notice Health of `(owner, subId)` at current prices with interest up to now, by the liquidation rule:
    /// collateral whose price cannot be trusted counts as zero (in every field). Reverts if the debt asset's feed is
    /// unusable.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @return h Collateral value, borrowing power (LTV-weighted), liquidation value (LT-weighted) and debt value in
    /// 18-decimal USD, and the health factor (WAD; max uint without debt).
    function accountHealth(address owner, uint96 subId) external view returns (AccountHealth memory h);

    /// @notice Whether `(owner, subId)` is in close-out: a shortfall was booked on it, so its liquidations pay the
    /// maximum bonus (capped by its equity) until its next borrow.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @return Whether the account is in close-out.
    function isCloseOut(address owner, uint96 subId) external view returns (bool);

    /// @notice The sub-accounts of `owner` that `operator` may act for: those with `subId & mask == prefix`
    /// (mask 0: none, beyond a full `isAuthorized`).
    /// @param owner The authorizing owner.
    /// @param operator The operator.
    /// @return prefix The sub-account id bits required.
    /// @return mask The sub-account id bits compared (0: no scope).
    function authorizationScope(address owner, address operator) external view returns (uint96 prefix, uint96 mask);

    /// @notice Asset address by 1-based id.
    /// @param id The asset id (1 to `assetCount`).
    /// @return The asset (zero for an unused id).
    function assetById(uint256 id) external view returns (address);

    /// @notice Number of listed assets (also the last id).
    /// @return The count.
    function assetCount() external view returns (uint256);

    /// @notice Lender supply shares of `user` in `asset` (see `supplyBalance` for the assets they are worth).
    /// @param asset The asset.
    /// @param user The lender.
    /// @return The shares.
    function supplyShares(address asset, address user) external view returns (uint256);

    /// @notice Whether `operator` may act for all of `owner`'s accounts and lender positions (`setAuthorization`).
    /// @param owner The authorizing owner.
    /// @param operator The operator.
    /// @return Whether it is authorized.
    function isAuthorized(address owner, address operator) external view returns (bool);

    /// @notice Protocol-wide liquidation settings (`setLiquidationGlobals`).
    /// @return targetHealth The health a partial liquidation restores (WAD).
    /// @return fullLiquidationHealth The health below which a position may be closed in full (WAD).
    /// @return dustValue The value under which what remains may be closed in full (18-decimal USD).
    function liquidationGlobals()
        external
        view
        returns (uint64 targetHealth, uint64 fullLiquidationHealth, uint128 dustValue);

    /// @notice Deploys the per-asset ERC-4626 vault at listing (created by the pool's constructor).
    /// @return The `VaultDeployer`.
    function vaultDeployer() external view returns (address);

    /// @notice Liquidation incentive of `asset`.
    /// @param asset The asset.
    /// @return Base bonus, maximum bonus and protocol share (bps).
    function liquidationConfig(address asset) external view returns (LiquidationConfig memory);

    /// @notice The configuration slot of `asset` (feed, heartbeat, flags, id, LTV, LT anchor).
    /// @param asset The asset.
    /// @return The configuration (all zero for an unlisted asset: `id` 0).
    function assetConfig(address asset) external view returns (AssetConfig memory);

    /// @notice Oracle bounds and LT ramp state of `asset`.
    /// @param asset The asset.
    /// @return The feed's answer bounds as stored (rounded inward), the LT target, and the ramp's start and speed.
    function assetRisk(address asset) external view returns (AssetRisk memory);

    /// @notice Caps, minimum borrow, total collateral and vault of `asset`.
    /// @param asset The asset.
    /// @return supplyCap The most total supply.
    /// @return borrowCap The most total borrows.
    /// @return collateralCap The most total collateral.
    /// @return minBorrow The least debt an account may have after a borrow.
    /// @return totalCollateral The collateral of the asset held by all accounts.
    /// @return vault The asset's ERC-4626 vault.
    function assetLimits(
        address asset
    )
        external
        view
        returns (
            uint256 supplyCap,
            uint256 borrowCap,
            uint256 collateralCap,
            uint256 minBorrow,
            uint256 totalCollateral,
            address vault
        );

    /// @notice The stored market of `asset` (as of its last accrual).
    /// @param asset The asset.
    /// @return Supply and borrow totals, reserve shares, last update, reserve factor and rate model.
    function market(address asset) external view returns (Market memory);

    /// @notice The market of `asset` with interest accrued up to now, as the next transaction would see it.
    /// @param asset The asset.
    /// @return m The market, accrued to this block.
    function expectedMarket(address asset) external view returns (Market memory m);

    /// @notice Current borrow rate of `asset` per second (WAD), at the accrued state.
    /// @param asset The asset.
    /// @return The rate per second (WAD).
    function borrowRate(address asset) external view returns (uint256);

    /// @notice Integrator summary of `asset`'s market, interest accrued to now: totals, utilization, rates per
    /// second and as APY (continuously compounded, WAD), reserves, total collateral and liquidation fees.
    /// @param asset The asset.
    /// @return info The summary.
    function marketInfo(address asset) external view returns (MarketInfo memory info);

    /// @notice Assets `user` could withdraw from its supply of `asset` with interest up to now (rounded down).
    /// @param asset The asset.
    /// @param user The lender.
    /// @return The assets its supply shares are worth.
    function supplyBalance(address asset, address user) external view returns (uint256);

    /// @notice The price of one unit of `asset` in 18-decimal USD, scaled by 1e18 (value = amount * price / 1e18).
    /// Reverts like the pool does on a bad feed answer.
    /// @param asset A listed asset.
    /// @return The price.
    function price(address asset) external view returns (uint256);

    /// @notice The liquidation threshold of `asset` now (bps), with any ramp applied.
    /// @param asset The asset.
    /// @return The effective liquidation threshold (bps).
    function effectiveLt(address asset) external view returns (uint256);

    /// @notice Collateral of `(owner, subId)` in `asset`.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param asset The collateral asset.
    /// @return The amount the account holds (0 if none).
    function collateralOf(address owner, uint96 subId, address asset) external view returns (uint256);

    /// @notice The account `(owner, subId)`: its debt asset (0 if none), debt shares, debt with interest up to now
    /// (rounded up), and its collateral assets and amounts.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @return debtAsset The debt asset (zero without debt).
    /// @return borrowShares The account's debt shares.
    /// @return debt The debt with interest up to now, rounded up.
    /// @return collateralAssets The collateral assets, in the account's list order.
    /// @return collateralAmounts Their amounts, in the same order.
    function accountOf(
        address owner,
        uint96 subId
    )
        external
        view
        returns (
            address debtAsset,
            uint256 borrowShares,
            uint256 debt,
            address[] memory collateralAssets,
            uint256[] memory collateralAmounts
        );

    /// @notice `accountHealth(owners[i], subIds[i]).healthFactor` for every i, computed identically, but with each
    /// asset's price, effective LT and accrued debt totals read once per call instead of once per account (for
    /// keeper scans: tens of thousands of accounts a block). Collateral without a trusted price counts as zero; an
    /// unusable debt feed gives 0 instead of reverting the batch; an account without debt gets max uint.
    /// @param owners Account owners.
    /// @param subIds Sub-account ids, same length as `owners`.
    /// @return healths Health factors (WAD).
    function healthFactors(
        address[] calldata owners,
        uint96[] calldata subIds
    ) external view returns (uint256[] memory healths);

    /// @notice What liquidating `(owner, subId)` against `collateralAsset` with an unlimited repay would do now:
    /// the same computation `liquidate` runs, on the state accrued to this block. Reverts like the pool on an
    /// unusable feed.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param collateralAsset The collateral to seize; one the account does not hold reports health only.
    /// @return p Health factor, debt asset and debt, and whether it is liquidatable, with the largest repay, the
    /// collateral seized, the protocol fee and the bonus.
    function previewLiquidation(
        address owner,
        uint96 subId,
        address collateralAsset
    ) external view returns (LiquidationPreview memory p);
}

/// @title IFulcraPool
/// @notice The Fulcra pool's whole API at its one address: `IFulcraPoolBase` (implemented by `Pool`),
/// `IFulcraPoolExt` (implemented by `PoolExt`, reached through Pool's fallback) and `IFulcraPoolViews` (implemented by
/// `PoolViews`, reached through PoolExt's fallback), with every error (`IPoolErrors`) and event (`IPoolEvents`). The
/// type every consumer of the pool uses.
interface IFulcraPool is IFulcraPoolBase, IFulcraPoolExt, IFulcraPoolViews {
    /// @notice The role that grants and revokes every other role (OpenZeppelin AccessControl). Held by the timelock.
    /// @dev Declared here rather than in `IFulcraPoolExt`: OpenZeppelin's `AccessControl`, which the extension
    /// inherits, defines it as a public constant, and a public state variable cannot implement a function of another
    /// base, so an `IFulcraPoolExt` declaring it could not be inherited next to `AccessControl`.
    /// @return 0x00.
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
}
