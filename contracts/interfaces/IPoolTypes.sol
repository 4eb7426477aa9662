// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Hot per-asset configuration, one storage slot: everything needed to price the asset and weigh it as
/// collateral in a health check.
struct AssetConfig {
    address feed; // Chainlink AggregatorV3Interface
    uint24 heartbeat; // max age of a feed answer, seconds
    uint8 scaleExp; // price(1e18 USD per token unit, scaled 1e18) = answer * 10^scaleExp
    uint8 flags; // FLAG_* bits
    uint8 id; // 1-based asset id (0 = none), used in packed account collateral lists
    uint16 ltv; // max loan-to-value for new borrows and collateral withdrawals, bps
    uint16 lt; // liquidation threshold (ramp anchor), bps
    uint16 flashFee; // flash-loan fee, bps, paid to reserves
}

/// @notice Oracle bounds and the liquidation-threshold ramp, one storage slot.
struct AssetRisk {
    int96 minAnswer; // answers at or below are rejected (Chainlink clamps there)
    int96 maxAnswer; // answers at or above are rejected
    uint16 ltTarget; // where the LT is heading; equals `lt` when no ramp is running
    uint32 rampStart; // when the LT started moving from `lt` toward `ltTarget`
    uint16 rampBpsPerHour; // max downward speed of the LT
}

/// @notice Liquidation incentive of an asset used as collateral, one storage slot.
struct LiquidationConfig {
    uint16 baseBonus; // bonus at a health factor just below 1, bps
    uint16 maxBonus; // bonus once the health factor is BONUS_RAMP below 1, bps
    uint16 protocolShare; // share of the bonus that goes to the collateral asset's reserves, bps
}

/// @notice Protocol-wide liquidation settings, one storage slot.
struct LiquidationGlobals {
    uint64 targetHealth; // a partial liquidation may bring health up to this (WAD), e.g. 1.05e18
    uint64 fullLiquidationHealth; // below this health a position may be closed in full (WAD), e.g. 0.95e18
    uint128 dustValue; // debt or collateral left below this value (18-dec USD) may be closed in full
}

/// @notice Lending-market accounting, three storage slots.
/// @dev totalSupplyAssets / totalSupplyShares: what lenders are owed and the supply shares that represent it
/// (reserves included); totalBorrowAssets / totalBorrowShares: what borrowers owe, accrued to `lastUpdate`, and
/// the debt shares; slope1 / slope2: annual bps added per unit of utilization below / above `kink`.
struct Market {
    uint128 totalSupplyAssets;
    uint128 totalSupplyShares;
    uint128 totalBorrowAssets;
    uint128 totalBorrowShares;
    uint128 reserveShares; // supply shares owned by the protocol (its reserves)
    uint40 lastUpdate;
    uint16 reserveFactor; // bps of interest that goes to reserves
    uint16 baseRate; // kinked rate model, annual bps
    uint16 slope1;
    uint16 slope2;
    uint16 kink; // optimal utilization, bps
}

/// @notice A borrower account `(owner, subId)`. The head slot holds everything an account with one collateral is:
/// the first collateral's id and amount, the debt asset and its shares (Morpho Blue's position slot, for a pool of
/// many assets). A first deposit of collateral writes that one slot, a first borrow writes it again (a non-zero slot,
/// 2,900 gas instead of 20,000), and a health check of a one-collateral account reads one account slot. Further
/// collateral ids and amounts live in the next slots, read only when the account has more than one.
struct Account {
    // slot 0: the head
    uint112 collateral0; // every collateral amount of an account is bounded by type(uint112).max (5.2e33 units)
    uint8 collateralId0; // asset id of the first collateral (0 = none)
    uint8 meta; // bits 0-3: number of collateral assets (at most 8); bit 7: close-out (see `isCloseOut`)
    uint120 borrowShares; // 1.3e36 shares: 1.3e30 assets at the 1e6 share scale
    uint8 debtId; // 0 = no debt
    // slot 1: ids of the collateral at positions 1-7, in list order, and the second amount
    uint56 collateralIdsRest;
    uint128 collateral1;
    // slots 2-4
    uint128[6] collateralMore;
}

/// @notice Everything needed to list an asset.
/// @dev feed, heartbeat, minAnswer, maxAnswer: as in AssetRisk and AssetConfig (the Chainlink feed, its maximum age
/// in seconds and the exclusive bounds of an accepted answer); ltv, lt: loan-to-value and liquidation threshold, bps;
/// borrowable: whether the asset can be borrowed (else collateral or supply only); reserveFactor, baseRate, slope1,
/// slope2, kink: the rate model, as in Market; supplyCap, borrowCap, collateralCap: totals in the asset's units
/// (type(uint128).max for none); minBorrow: the smallest debt an account may open or leave, in the asset's units.
struct ListingParams {
    address feed;
    uint24 heartbeat;
    int96 minAnswer;
    int96 maxAnswer;
    uint16 ltv;
    uint16 lt;
    bool borrowable;
    uint16 reserveFactor;
    uint16 baseRate;
    uint16 slope1;
    uint16 slope2;
    uint16 kink;
    uint128 supplyCap;
    uint128 borrowCap;
    uint128 collateralCap;
    uint128 minBorrow;
}

/// @notice A health snapshot of an account, values in 18-decimal USD.
struct AccountHealth {
    uint256 collateralValue; // unweighted
    uint256 borrowingPower; // LTV-weighted
    uint256 liquidationValue; // LT-weighted
    uint256 debtValue;
    uint256 healthFactor; // liquidationValue / debtValue (WAD), max uint when no debt
}

/// @notice What `liquidate(owner, subId, collateralAsset, max, ...)` would do now (interest accrued to now).
/// @dev debtAsset: the account's debt asset; liquidatable: health below 1 (or a close-out); bonusBps: the bonus at
/// this health factor.
struct LiquidationPreview {
    uint256 healthFactor; // WAD; max uint without debt
    address debtAsset;
    uint256 debt; // rounded up
    bool liquidatable;
    uint256 maxRepay; // debt assets the liquidator would pay
    uint256 seized; // collateral taken from the account (the liquidator gets seized - protocolFee)
    uint256 protocolFee;
    uint256 bonusBps;
}

/// @notice Market summary for integrators (amounts in the asset's units, rates in WAD).
/// @dev utilization: borrows / supply (WAD); *RatePerSecond: the current per-second rates; *Apy: the same
/// compounded over a year; reserves: the protocol's supply shares in assets; totalCollateral: the asset posted as
/// collateral (not lent out).
struct MarketInfo {
    uint256 totalSupplyAssets;
    uint256 totalBorrowAssets;
    uint256 utilization;
    uint256 borrowRatePerSecond;
    uint256 supplyRatePerSecond;
    uint256 borrowApy;
    uint256 supplyApy;
    uint256 reserves;
    uint256 totalCollateral;
    uint256 liquidationFees; // protocol's share of liquidation bonuses, claimable by the treasury
}
