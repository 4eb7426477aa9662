// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title EventsLib
/// @notice Every state change of the pool, with what an indexer or keeper needs to rebuild it without calls.
/// Accounts are `(owner, subId)`; both are emitted, `owner` indexed.
library EventsLib {
    event Supply(
        address indexed asset,
        address indexed caller,
        address indexed onBehalf,
        uint256 assets,
        uint256 shares
    );
    event Withdraw(
        address indexed asset,
        address caller,
        address indexed onBehalf,
        address indexed receiver,
        uint256 assets,
        uint256 shares
    );
    event SupplyCollateral(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        uint256 assets
    );
    event WithdrawCollateral(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        address receiver,
        uint256 assets
    );
    event Borrow(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        address receiver,
        uint256 assets,
        uint256 shares
    );
    event Repay(
        address indexed asset,
        address caller,
        address indexed owner,
        uint96 indexed subId,
        uint256 assets,
        uint256 shares
    );
    event AccrueInterest(address indexed asset, uint256 borrowRatePerSecond, uint256 interest, uint256 reserveShares);
    /// @notice `caller` had `amount` of `asset` lent to `receiver` for one transaction, for `fee` (to reserves).
    /// `receiver` is not indexed (caller and asset are, as in Morpho Blue's event): one topic less per flash loan.
    event FlashLoan(
        address receiver,
        address indexed caller,
        address indexed asset,
        uint256 amount,
        uint256 fee
    );
    /// @notice `repaid` debt of `(owner, subId)` in `debtAsset` was repaid by `caller`, who received `seized` of
    /// `collateralAsset` (of which `protocolFee` went to that asset's reserves instead), at health `healthFactor`.
    event Liquidate(
        address indexed owner,
        uint96 indexed subId,
        address indexed caller,
        address debtAsset,
        address collateralAsset,
        uint256 repaid,
        uint256 repaidShares,
        uint256 seized,
        uint256 protocolFee,
        uint256 bonusBps,
        uint256 healthFactor
    );
    /// @notice `debt` of `(owner, subId)` in `asset` was written off: the account was insolvent (its collateral, at
    /// trusted oracle prices, worth less than its debt) when a liquidation or `settleBadDebt` found it, or its
    /// collateral ran out. `coveredByReserves` was paid from the asset's reserves and `socialized` written off
    /// against lenders (the supply share price fell).
    event BadDebt(
        address indexed asset,
        address indexed owner,
        uint96 indexed subId,
        uint256 debt,
        uint256 coveredByReserves,
        uint256 socialized
    );
    event SetAuthorization(address indexed owner, address indexed operator, bool authorized);
    /// @notice `operator` may act for the accounts of `owner` whose sub-account id satisfies
    /// `subId & subIdMask == subIdPrefix` (a zero mask revokes the scope).
    event SetAuthorizationScope(address indexed owner, address indexed operator, uint96 subIdPrefix, uint96 subIdMask);
    /// @notice An insolvent account's `amount` of dust collateral `asset` went to the protocol's liquidation fees
    /// when its debt was written off (nobody would liquidate it profitably).
    event DustSwept(address indexed owner, uint96 indexed subId, address indexed asset, uint256 amount);
    /// @notice The guardian paused or resumed flash loans of `asset`.
    event FlashPauseSet(address indexed asset, bool paused);

    event AssetListed(address indexed asset, uint8 id, address vault);
    event OracleSet(address indexed asset, address feed, uint256 heartbeat, int256 minAnswer, int256 maxAnswer);
    event CollateralParamsSet(address indexed asset, uint256 oldLtv, uint256 newLtv, uint256 oldLt, uint256 newLt);
    event RateModelSet(address indexed asset, uint256 baseBps, uint256 slope1Bps, uint256 slope2Bps, uint256 kinkBps);
    event ReserveFactorSet(address indexed asset, uint256 oldReserveFactor, uint256 newReserveFactor);
    event CapsSet(
        address indexed asset,
        uint256 supplyCap,
        uint256 borrowCap,
        uint256 collateralCap,
        uint256 minBorrow
    );
    event BorrowableSet(address indexed asset, bool borrowable);
    event PauseSet(address indexed asset, bool supplyPaused, bool borrowPaused);
    event FlashFeeSet(address indexed asset, uint256 oldFeeBps, uint256 newFeeBps);
    event LiquidationParamsSet(address indexed asset, uint256 baseBonus, uint256 maxBonus, uint256 protocolShare);
    event LiquidationGlobalsSet(uint256 targetHealth, uint256 fullLiquidationHealth, uint256 dustValue);
    /// @notice The risk engine moved `asset`'s LTV at once and started the LT toward `ltTarget` at `rampBpsPerHour`
    /// from `ltNow`.
    event RiskParamsApplied(
        address indexed asset,
        uint256 oldLtv,
        uint256 newLtv,
        uint256 ltNow,
        uint256 ltTarget,
        uint256 rampBpsPerHour
    );
    event CircuitBreakerSet(address indexed asset, bool active);
    event LiquidationFeesWithdrawn(address indexed asset, address indexed receiver, uint256 assets);
    event ReservesWithdrawn(address indexed asset, address indexed receiver, uint256 assets, uint256 shares);
}
