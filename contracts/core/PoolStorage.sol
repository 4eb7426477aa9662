// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AssetConfig, AssetRisk, Market, Account} from "../interfaces/IPoolTypes.sol";
import {LiquidationGlobals} from "../interfaces/IPoolTypes.sol";

/// @title PoolStorage
/// @notice The pool's storage layout and nothing else (Comet's CometStorage). `Pool`, `PoolExt` and `PoolViews` all
/// inherit it after exactly one slot of role data (OpenZeppelin AccessControl's `_roles` in `PoolExt`, its mirror
/// `RolesLayout` in the other two), so the extensions, reached by `delegatecall`, see the pool's storage exactly.
abstract contract PoolStorage {
    struct Asset {
        AssetConfig config;
        AssetRisk risk;
        Market market;
        // Fields are paired by the operation that reads them: borrow reads cap and minimum together; a deposit of
        // collateral reads and writes the running total next to its cap.
        uint128 borrowCap;
        uint128 minBorrow;
        uint128 totalCollateral;
        uint128 collateralCap;
        uint128 supplyCap;
        address vault;
        // Everything a liquidation reads and writes about its collateral, in one slot.
        LiquidationSlot liquidation;
    }

    /// @dev The seized collateral's liquidation slot: its incentive (`LiquidationConfig`), a copy of the protocol-wide
    /// settings (`LiquidationGlobals`, kept equal by `setLiquidationGlobals`, in bps and in units of 1e12 USD) and the
    /// protocol's liquidation fees in this asset (collateral outside the books, claimable by the treasury).
    struct LiquidationSlot {
        uint16 baseBonus;
        uint16 maxBonus;
        uint16 protocolShare;
        uint16 targetHealthBps;
        uint16 fullLiquidationHealthBps;
        uint48 dustValueE12;
        uint128 fees;
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
