// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPoolEvents
/// @notice Every state change of the pool, with what an indexer or keeper needs to rebuild it without calls.
/// Accounts are `(owner, subId)`; both are emitted, `owner` indexed. Both halves of the pool's API inherit this
/// interface, so a client bound to `IFulcraPool` decodes every event the pool emits, whichever half emitted it. The
/// pool emits them qualified (`emit IPoolEvents.Supply(...)`).
/// @dev The role events (`RoleGranted`, `RoleRevoked`, `RoleAdminChanged`) come from OpenZeppelin's
/// `IAccessControl`, which `IFulcraPoolExt` extends. Amounts are in the asset's units; values in 18-decimal USD.
interface IPoolEvents {
    // ---- lenders and borrowers

    /// @notice `caller` supplied `assets` of `asset` for `onBehalf`, who received `shares` supply shares.
    /// @param asset The supplied asset.
    /// @param caller Who paid the assets.
    /// @param onBehalf Who owns the supply shares.
    /// @param assets Assets pulled from `caller`.
    /// @param shares Supply shares minted to `onBehalf`.
    event Supply(
        address indexed asset,
        address indexed caller,
        address indexed onBehalf,
        uint256 assets,
        uint256 shares
    );

    /// @notice `caller` withdrew `assets` of `onBehalf`'s supply of `asset` to `receiver`, burning `shares`.
    /// @param asset The withdrawn asset.
    /// @param caller The lender or its operator.
    /// @param onBehalf The lender whose shares were burnt.
    /// @param receiver Who received the assets.
    /// @param assets Assets sent to `receiver`.
    /// @param shares Supply shares burnt.
    event Withdraw(
        address indexed asset,
        address caller,
        address indexed onBehalf,
        address indexed receiver,
        uint256 assets,
        uint256 shares
    );

    /// @notice `caller` added `assets` of collateral `asset` to account `(owner, subId)`.
    /// @param asset The collateral asset.
    /// @param caller The owner or its operator, who paid the assets.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param assets Collateral added.
    event SupplyCollateral(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        uint256 assets
    );

    /// @notice `caller` withdrew `assets` of collateral `asset` from `(owner, subId)` to `receiver`.
    /// @param asset The collateral asset.
    /// @param caller The owner or its operator.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param receiver Who received the collateral.
    /// @param assets Collateral withdrawn.
    event WithdrawCollateral(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        address receiver,
        uint256 assets
    );

    /// @notice `caller` borrowed `assets` of `asset` against `(owner, subId)`, sent to `receiver`.
    /// @param asset The borrowed asset (the account's debt asset).
    /// @param caller The owner or its operator.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param receiver Who received the borrowed assets.
    /// @param assets Assets borrowed.
    /// @param shares Debt shares minted to the account (rounded up).
    event Borrow(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        address receiver,
        uint256 assets,
        uint256 shares
    );

    /// @notice `caller` repaid `assets` of `(owner, subId)`'s debt in `asset` (by `repay` or `repayAndCall`).
    /// @param asset The debt asset.
    /// @param caller Who paid (anyone may repay for anyone).
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param assets Assets repaid.
    /// @param shares Debt shares burnt.
    event Repay(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        uint256 assets,
        uint256 shares
    );

    /// @notice Interest accrued on `asset`'s market since its last update (emitted only when there was debt).
    /// @param asset The market's asset.
    /// @param borrowRatePerSecond The borrow rate that produced it (WAD per second).
    /// @param interest Interest added to total borrows and total supply.
    /// @param reserveShares Supply shares minted to the reserves (the reserve factor's cut).
    event AccrueInterest(address indexed asset, uint256 borrowRatePerSecond, uint256 interest, uint256 reserveShares);

    /// @notice `caller` flash-borrowed `amount` of `asset` for `receiver` and paid back `amount + fee`.
    /// @param receiver The ERC-3156 borrower called back (not indexed: one log topic less; caller and asset are).
    /// @param caller The loan's initiator.
    /// @param asset The lent asset.
    /// @param amount The principal.
    /// @param fee The fee, credited to the asset's reserves.
    event FlashLoan(address receiver, address indexed caller, address indexed asset, uint256 amount, uint256 fee);

    // ---- liquidation and bad debt

    /// @notice `repaid` debt of `(owner, subId)` in `debtAsset` was repaid by `caller`, who received `seized` of
    /// `collateralAsset` (of which `protocolFee` went to that asset's liquidation fees instead).
    /// @dev The health factor before the liquidation and the effective bonus are not logged (issue #16: two words of
    /// log data, 0.5k gas): `previewLiquidation` at the previous block gives both.
    /// @param owner The liquidated account's owner.
    /// @param subId The liquidated account's sub-account id.
    /// @param caller The liquidator (it paid `repaid`).
    /// @param debtAsset The account's debt asset.
    /// @param collateralAsset The seized collateral asset.
    /// @param repaid Debt assets repaid.
    /// @param repaidShares Debt shares burnt.
    /// @param seized Collateral taken from the account, protocol fee included.
    /// @param protocolFee The protocol's share of the bonus, kept by the pool as liquidation fees.
    event Liquidate(
        address indexed owner,
        uint96 indexed subId,
        address indexed caller,
        address debtAsset,
        address collateralAsset,
        uint256 repaid,
        uint256 repaidShares,
        uint256 seized,
        uint256 protocolFee
    );

    /// @notice `debt` of `(owner, subId)` in `asset` was written off: the account was insolvent (its collateral, at
    /// trusted oracle prices, worth less than its debt) when a liquidation or `settleBadDebt` found it, or its
    /// collateral ran out. `coveredByReserves` was paid from the asset's reserves and `socialized` written off
    /// against lenders (the supply share price fell).
    /// @param asset The debt asset.
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param debt Debt assets written off.
    /// @param coveredByReserves The part the asset's reserves paid.
    /// @param socialized The part lenders lost.
    event BadDebt(
        address indexed asset,
        address indexed owner,
        uint96 indexed subId,
        uint256 debt,
        uint256 coveredByReserves,
        uint256 socialized
    );

    /// @notice An insolvent account's `amount` of dust collateral `asset` went to the protocol's liquidation fees
    /// when its debt was written off (nobody would liquidate it profitably).
    /// @param owner The account's owner.
    /// @param subId The account's sub-account id.
    /// @param asset The swept collateral asset.
    /// @param amount Collateral moved to the asset's liquidation fees.
    event DustSwept(address indexed owner, uint96 indexed subId, address indexed asset, uint256 amount);

    // ---- operators

    /// @notice `owner` let `operator` act for all of its accounts and lender positions, or revoked it.
    /// @param owner The authorizing owner.
    /// @param operator The operator.
    /// @param authorized Whether `operator` may now act for `owner`.
    event SetAuthorization(address indexed owner, address indexed operator, bool authorized);

    /// @notice `operator` may act for the accounts of `owner` whose sub-account id satisfies
    /// `subId & subIdMask == subIdPrefix` (a zero mask revokes the scope).
    /// @param owner The authorizing owner.
    /// @param operator The operator.
    /// @param subIdPrefix The sub-account id bits the scope requires.
    /// @param subIdMask The sub-account id bits the scope compares.
    event SetAuthorizationScope(address indexed owner, address indexed operator, uint96 subIdPrefix, uint96 subIdMask);

    // ---- governance

    /// @notice The guardian paused or resumed flash loans of `asset`.
    /// @param asset The asset.
    /// @param paused Whether flash loans of it are now paused.
    event FlashPauseSet(address indexed asset, bool paused);

    /// @notice `asset` was listed with id `id` and its ERC-4626 vault deployed at `vault`.
    /// @param asset The listed asset.
    /// @param id Its 1-based asset id.
    /// @param vault Its ERC-4626 vault.
    event AssetListed(address indexed asset, uint8 id, address vault);

    /// @notice `asset`'s price feed and its bounds were set.
    /// @param asset The asset.
    /// @param feed The Chainlink-style feed.
    /// @param heartbeat Seconds after which an answer is stale.
    /// @param minAnswer Answers at or below it are rejected (the aggregator's clamp), as stored (rounded up).
    /// @param maxAnswer Answers at or above it are rejected, as stored (rounded down).
    event OracleSet(address indexed asset, address feed, uint256 heartbeat, int256 minAnswer, int256 maxAnswer);

    /// @notice Governance set `asset`'s LTV and liquidation threshold (`listAsset`, `setCollateralParams`).
    /// @param asset The asset.
    /// @param oldLtv The LTV before (bps; 0 at listing).
    /// @param newLtv The LTV now (bps).
    /// @param oldLt The effective liquidation threshold before, ramp applied (bps; 0 at listing).
    /// @param newLt The new liquidation threshold (bps).
    event CollateralParamsSet(address indexed asset, uint256 oldLtv, uint256 newLtv, uint256 oldLt, uint256 newLt);

    /// @notice `asset`'s kinked rate model was set.
    /// @param asset The asset.
    /// @param baseBps The rate at zero utilization (bps per year).
    /// @param slope1Bps The rate added from zero to the kink (bps per year).
    /// @param slope2Bps The rate added from the kink to full utilization (bps per year).
    /// @param kinkBps The kink's utilization (bps).
    event RateModelSet(address indexed asset, uint256 baseBps, uint256 slope1Bps, uint256 slope2Bps, uint256 kinkBps);

    /// @notice `asset`'s reserve factor changed.
    /// @param asset The asset.
    /// @param oldReserveFactor The share of interest that went to reserves before (bps).
    /// @param newReserveFactor The share now (bps).
    event ReserveFactorSet(address indexed asset, uint256 oldReserveFactor, uint256 newReserveFactor);

    /// @notice `asset`'s caps and minimum borrow were set (absolute amounts in the asset's units).
    /// @param asset The asset.
    /// @param supplyCap The most total supply.
    /// @param borrowCap The most total borrows.
    /// @param collateralCap The most total collateral.
    /// @param minBorrow The least debt an account may have after a borrow.
    event CapsSet(
        address indexed asset,
        uint256 supplyCap,
        uint256 borrowCap,
        uint256 collateralCap,
        uint256 minBorrow
    );

    /// @notice New borrows of `asset` were allowed or forbidden.
    /// @param asset The asset.
    /// @param borrowable Whether it may now be borrowed.
    event BorrowableSet(address indexed asset, bool borrowable);

    /// @notice The guardian paused or resumed supplies and borrows of `asset`.
    /// @param asset The asset.
    /// @param supplyPaused Whether supplies are now paused.
    /// @param borrowPaused Whether borrows are now paused.
    event PauseSet(address indexed asset, bool supplyPaused, bool borrowPaused);

    /// @notice `asset`'s flash-loan fee changed.
    /// @param asset The asset.
    /// @param oldFeeBps The fee before (bps).
    /// @param newFeeBps The fee now (bps).
    event FlashFeeSet(address indexed asset, uint256 oldFeeBps, uint256 newFeeBps);

    /// @notice `asset`'s liquidation incentive as collateral was set.
    /// @param asset The asset.
    /// @param baseBonus The bonus at health just below 1 (bps).
    /// @param maxBonus The bonus at health 1 - BONUS_RAMP and below (bps).
    /// @param protocolShare The share of the bonus kept as liquidation fees (bps).
    event LiquidationParamsSet(address indexed asset, uint256 baseBonus, uint256 maxBonus, uint256 protocolShare);

    /// @notice The protocol-wide liquidation settings were set.
    /// @param targetHealth The health a partial liquidation restores (WAD).
    /// @param fullLiquidationHealth The health below which a position may be closed in full (WAD).
    /// @param dustValue The value under which what remains may be closed in full (18-decimal USD).
    event LiquidationGlobalsSet(uint256 targetHealth, uint256 fullLiquidationHealth, uint256 dustValue);

    /// @notice The risk engine moved `asset`'s LTV at once and started the LT toward `ltTarget` at `rampBpsPerHour`
    /// from `ltNow`.
    /// @param asset The asset.
    /// @param oldLtv The LTV before (bps).
    /// @param newLtv The LTV now (bps).
    /// @param ltNow The effective liquidation threshold when the ramp starts (bps).
    /// @param ltTarget The liquidation threshold the ramp heads to (bps; upward moves are immediate).
    /// @param rampBpsPerHour The fastest the threshold falls (bps per hour).
    event RiskParamsApplied(
        address indexed asset,
        uint256 oldLtv,
        uint256 newLtv,
        uint256 ltNow,
        uint256 ltTarget,
        uint256 rampBpsPerHour
    );

    /// @notice The circuit breaker of `asset` was tripped or reset (risk engine or guardian).
    /// @param asset The asset.
    /// @param active Whether new borrows of and against it are now halted.
    event CircuitBreakerSet(address indexed asset, bool active);

    /// @notice The treasury withdrew `assets` of the liquidation fees collected in `asset` to `receiver`.
    /// @param asset The asset.
    /// @param receiver Who received them.
    /// @param assets Amount withdrawn.
    event LiquidationFeesWithdrawn(address indexed asset, address indexed receiver, uint256 assets);

    /// @notice The treasury withdrew `assets` of the protocol's reserves in `asset` to `receiver`, burning `shares`
    /// of the reserves' supply shares.
    /// @param asset The asset.
    /// @param receiver Who received them.
    /// @param assets Amount withdrawn.
    /// @param shares Reserve supply shares burnt.
    event ReservesWithdrawn(address indexed asset, address indexed receiver, uint256 assets, uint256 shares);
}
