// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Market, Account, LiquidationGlobals} from "../interfaces/IPoolTypes.sol";

/// @title PoolStorage
/// @notice The pool's storage layout and nothing else (Comet's CometStorage). `Pool`, `PoolExt` and `PoolViews` all
/// inherit it after exactly one slot of role data (OpenZeppelin AccessControl's `_roles` in `PoolExt`, its mirror
/// `RolesLayout` in the other two), so the extensions, reached by `delegatecall`, see the pool's storage exactly.
abstract contract PoolStorage {
    struct Asset {
        // Pricing the asset reads `price` alone; weighing it as collateral and liquidating it read `risk` too.
        PriceSlot price;
        RiskSlot risk;
        Market market;
        // Fields are paired by the operation that reads them: borrow reads cap and minimum together; a liquidation
        // writes the collateral total and the protocol's liquidation fees in this asset (collateral outside the
        // books, claimable by the treasury) in one slot; a deposit of collateral reads its cap beside the supply cap.
        uint128 borrowCap;
        uint128 minBorrow;
        uint128 totalCollateral;
        uint120 liquidationFees;
        // Set to 1 at listing and never cleared, so that the collateral slot is never empty: a first deposit of
        // collateral rewrites it (2,900 gas) instead of filling an empty slot (20,000).
        uint8 collateralSlotMarker;
        uint128 supplyCap;
        uint128 collateralCap;
        address vault;
    }

    /// @dev Everything needed to price the asset, in one slot (the public view is `AssetConfig` + `AssetRisk`). The
    /// feed's clamp bounds are decimal floats `m · 10^e` (m: low 24 bits, e: high 8 bits), rounded inward when set
    /// (`minAnswer` up, `maxAnswer` down), so an answer is never trusted beyond the bounds governance gave.
    struct PriceSlot {
        address feed; // Chainlink AggregatorV3Interface
        uint24 heartbeat; // max age of a feed answer, seconds
        uint8 scaleExp; // price(1e18 USD per token unit, scaled 1e18) = answer * 10^scaleExp
        uint32 minAnswer; // answers at or below are rejected
        uint32 maxAnswer; // answers at or above are rejected
    }

    /// @dev The rest of the hot configuration, one slot: flags, id, LTV/LT and the LT ramp (as `AssetConfig` and
    /// `AssetRisk`), the flash fee, and what a liquidation reads about its collateral: the incentive
    /// (`LiquidationConfig`) and a copy of the protocol-wide settings (`LiquidationGlobals`, kept equal by
    /// `setLiquidationGlobals`, in bps and in units of 1e12 USD).
    struct RiskSlot {
        uint8 flags; // FLAG_* bits
        uint8 id; // 1-based asset id (0 = none), used in packed account collateral lists
        uint16 ltv; // bps
        uint16 lt; // liquidation threshold (ramp anchor), bps
        uint16 flashFee; // bps
        uint16 ltTarget; // where the LT is heading; equals `lt` when no ramp is running
        uint32 rampStart; // when the LT started moving from `lt` toward `ltTarget`
        uint16 rampBpsPerHour; // max downward speed of the LT
        uint16 baseBonus;
        uint16 maxBonus;
        uint16 protocolShare;
        uint16 targetHealthBps;
        uint16 fullLiquidationHealthBps;
        uint48 dustValueE12;
    }

    mapping(address => Asset) internal _assets;
    /// @dev Asset address by 1-based id.
    mapping(uint256 => address) internal _assetById;
    /// @dev Number of listed assets (also the last id).
    uint256 internal _assetCount;
    /// @dev Lender supply shares: asset => lender => shares.
    mapping(address => mapping(address => uint256)) internal _supplyShares;
    mapping(bytes32 => Account) internal _accounts;
    /// @dev owner => operator => may act for all of owner's accounts and lender positions.
    mapping(address => mapping(address => bool)) internal _isAuthorized;
    /// @dev Protocol-wide liquidation settings.
    LiquidationGlobals internal _liquidationGlobals;
    /// @dev Deploys the per-asset ERC-4626 vault at listing (created by the pool's constructor).
    address internal _vaultDeployer;
    /// @dev owner => operator => (subIdPrefix << 96 | subIdMask): the operator may act for the owner's accounts whose
    /// `subId & mask == prefix` (never for lender positions). Zero: no scope.
    mapping(address => mapping(address => uint256)) internal _scopes;
}
