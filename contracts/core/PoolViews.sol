// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AssetConfig, AssetRisk, Market, Account, AccountHealth} from "../interfaces/IPoolTypes.sol";
import {MarketInfo, LiquidationConfig, LiquidationGlobals, LiquidationPreview} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {IPoolErrors} from "../interfaces/IPoolErrors.sol";
import {IFulcraPoolViews} from "../interfaces/IFulcraPool.sol";
import {PoolCore} from "./PoolCore.sol";
import {RolesLayout} from "./RolesLayout.sol";

/// @title PoolViews
/// @notice The pool's read-only views, reached by `delegatecall` from `PoolExt`'s fallback (itself reached from
/// `Pool`'s): every function here reads the pool's storage. Called directly it sees an empty pool.
contract PoolViews is RolesLayout, PoolCore, IFulcraPoolViews {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    // ================================================================ storage getters

    /// @inheritdoc IFulcraPoolViews
    function assetById(uint256 id) external view returns (address) {
        return _assetById[id];
    }

    /// @inheritdoc IFulcraPoolViews
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @inheritdoc IFulcraPoolViews
    function supplyShares(address asset, address user) external view returns (uint256) {
        return _supplyShares[asset][user];
    }

    /// @inheritdoc IFulcraPoolViews
    function isAuthorized(address owner, address operator) external view returns (bool) {
        return _isAuthorized[owner][operator];
    }

    /// @inheritdoc IFulcraPoolViews
    function liquidationGlobals()
        external
        view
        returns (uint64 targetHealth, uint64 fullLiquidationHealth, uint128 dustValue)
    {
        LiquidationGlobals memory g = _liquidationGlobals;
        return (g.targetHealth, g.fullLiquidationHealth, g.dustValue);
    }

    /// @inheritdoc IFulcraPoolViews
    function vaultDeployer() external view returns (address) {
        return _vaultDeployer;
    }

    /// @inheritdoc IFulcraPoolViews
    function liquidationConfig(address asset) external view returns (LiquidationConfig memory) {
        RiskSlot storage ls = _assets[asset].risk;
        return LiquidationConfig(ls.baseBonus, ls.maxBonus, ls.protocolShare);
    }

    /// @dev Moves the LT from `ltNow` toward `target`: at once upward, at `rate` bps/hour downward.
    // ================================================================ accounts

    /// @inheritdoc IFulcraPoolViews
    function accountHealth(address owner, uint96 subId) external view returns (AccountHealth memory h) {
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        for (uint256 i; i < count; ++i) {
            Asset storage a = _assets[_assetById[(ids >> (8 * i)) & 0xff]];
            uint256 p = _trustedPriceOrZero(a.price);
            uint256 v = _collateralAt(acc, i).mulDivDown(p, WAD);
            h.collateralValue += v;
            h.borrowingPower += v.bpsDown(a.risk.ltv);
            h.liquidationValue += v.bpsDown(_effectiveLt(a.risk));
        }
        if (acc.debtId != 0) {
            address debtAsset = _assetById[acc.debtId];
            Market memory m = _assets[debtAsset].market;
            uint256 dt = block.timestamp - m.lastUpdate;
            if (dt != 0 && m.totalBorrowAssets != 0) {
                (uint256 interest, , ) = _pendingInterest(m, dt);
                m.totalBorrowAssets += uint128(interest); // safe: capped by `_pendingInterest`, as in `_accrue`
            }
            uint256 debt = uint256(acc.borrowShares).toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
            h.debtValue = debt.mulDivUp(_price(_assets[debtAsset]), WAD);
        }
        h.healthFactor = h.debtValue == 0 ? type(uint256).max : h.liquidationValue.mulDivDown(WAD, h.debtValue);
    }

    /// @inheritdoc IFulcraPoolViews
    function isCloseOut(address owner, uint96 subId) external view returns (bool) {
        return _isCloseOut(_accounts[_key(owner, subId)]);
    }

    /// @inheritdoc IFulcraPoolViews
    function authorizationScope(address owner, address operator) external view returns (uint96 prefix, uint96 mask) {
        uint256 scope = _scopes[owner][operator];
        return (uint96(scope >> 96), uint96(scope)); // safe: two 96-bit fields by design
    }

    // ================================================================ views

    /// @inheritdoc IFulcraPoolViews
    function assetConfig(address asset) external view returns (AssetConfig memory) {
        PriceSlot memory p = _assets[asset].price;
        RiskSlot memory r = _assets[asset].risk;
        return AssetConfig(p.feed, p.heartbeat, p.scaleExp, r.flags, r.id, r.ltv, r.lt, r.flashFee);
    }

    /// @inheritdoc IFulcraPoolViews
    function assetRisk(address asset) external view returns (AssetRisk memory) {
        PriceSlot memory p = _assets[asset].price;
        RiskSlot memory r = _assets[asset].risk;
        // The bounds as stored (rounded inward when set). safe: both fit int96 (`PoolExt._setOracle` checks it).
        return
            AssetRisk(
                int96(_bound(p.minAnswer)),
                int96(_bound(p.maxAnswer)),
                r.ltTarget,
                r.rampStart,
                r.rampBpsPerHour
            );
    }

    /// @inheritdoc IFulcraPoolViews
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
        )
    {
        Asset storage a = _assets[asset];
        return (a.supplyCap, a.borrowCap, a.collateralCap, a.minBorrow, a.totalCollateral, a.vault);
    }

    /// @inheritdoc IFulcraPoolViews
    function market(address asset) external view returns (Market memory) {
        return _assets[asset].market;
    }

    /// @inheritdoc IFulcraPoolViews
    function expectedMarket(address asset) public view returns (Market memory m) {
        m = _assets[asset].market;
        uint256 dt = block.timestamp - m.lastUpdate;
        if (dt != 0 && m.totalBorrowAssets != 0) {
            (uint256 interest, uint256 feeShares, ) = _pendingInterest(m, dt);
            // safe: capped by `_pendingInterest`, as in `_accrue`.
            m.totalBorrowAssets += uint128(interest);
            m.totalSupplyAssets += uint128(interest);
            m.totalSupplyShares += uint128(feeShares);
            m.reserveShares += uint128(feeShares);
        }
        m.lastUpdate = uint40(block.timestamp); // safe: until the year 36812
    }

    /// @inheritdoc IFulcraPoolViews
    function borrowRate(address asset) external view returns (uint256) {
        Market memory m = expectedMarket(asset);
        return
            InterestRateLib.borrowRatePerSecond(
                InterestRateLib.utilization(m.totalBorrowAssets, m.totalSupplyAssets),
                m.baseRate,
                m.slope1,
                m.slope2,
                m.kink
            );
    }

    /// @inheritdoc IFulcraPoolViews
    function marketInfo(address asset) external view returns (MarketInfo memory info) {
        Market memory m = expectedMarket(asset);
        info.totalSupplyAssets = m.totalSupplyAssets;
        info.totalBorrowAssets = m.totalBorrowAssets;
        info.utilization = InterestRateLib.utilization(m.totalBorrowAssets, m.totalSupplyAssets);
        info.borrowRatePerSecond = InterestRateLib.borrowRatePerSecond(
            info.utilization,
            m.baseRate,
            m.slope1,
            m.slope2,
            m.kink
        );
        uint256 supplyRate = info.borrowRatePerSecond.wMulDown(info.utilization).bpsDown(BPS - m.reserveFactor);
        info.supplyRatePerSecond = supplyRate;
        info.borrowApy = InterestRateLib.compoundedGrowth(info.borrowRatePerSecond, 365 days);
        info.supplyApy = InterestRateLib.compoundedGrowth(supplyRate, 365 days);
        info.reserves = uint256(m.reserveShares).toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
        info.totalCollateral = _assets[asset].totalCollateral;
        info.liquidationFees = _assets[asset].liquidationFees;
    }

    /// @inheritdoc IFulcraPoolViews
    function supplyBalance(address asset, address user) external view returns (uint256) {
        Market memory m = expectedMarket(asset);
        return _supplyShares[asset][user].toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @inheritdoc IFulcraPoolViews
    function price(address asset) external view returns (uint256) {
        return _price(_listed(asset));
    }

    /// @inheritdoc IFulcraPoolViews
    function effectiveLt(address asset) external view returns (uint256) {
        Asset storage a = _assets[asset];
        return _effectiveLt(a.risk);
    }

    /// @inheritdoc IFulcraPoolViews
    function collateralOf(address owner, uint96 subId, address asset) external view returns (uint256) {
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 pos = _positionOf(_ids(acc, count), count, _assets[asset].risk.id);
        return pos == count ? 0 : _collateralAt(acc, pos);
    }

    /// @inheritdoc IFulcraPoolViews
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
        )
    {
        Account storage acc = _accounts[_key(owner, subId)];
        if (acc.debtId != 0) {
            debtAsset = _assetById[acc.debtId];
            borrowShares = acc.borrowShares;
            Market memory m = expectedMarket(debtAsset);
            debt = borrowShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        }
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        collateralAssets = new address[](count);
        collateralAmounts = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            collateralAssets[i] = _assetById[(ids >> (8 * i)) & 0xff];
            collateralAmounts[i] = _collateralAt(acc, i);
        }
    }

    /// @dev One asset's inputs to health, read once per `healthFactors` batch.
    struct HealthInputs {
        uint8 state; // 0 not read yet, 1 usable, 2 feed unusable
        uint256 price;
        uint256 lt; // effective LT, bps
        uint256 totalBorrowAssets; // accrued to now
        uint256 totalBorrowShares;
    }

    /// @inheritdoc IFulcraPoolViews
    function healthFactors(
        address[] calldata owners,
        uint96[] calldata subIds
    ) external view returns (uint256[] memory healths) {
        if (owners.length != subIds.length) revert IPoolErrors.InconsistentInput();
        HealthInputs[] memory inputs = new HealthInputs[](_assetCount + 1);
        healths = new uint256[](owners.length);
        for (uint256 i; i < owners.length; ++i) {
            healths[i] = _batchHealth(_accounts[_key(owners[i], subIds[i])], inputs);
        }
    }

    /// @dev Health of `acc` from the cached per-asset inputs (0 if one it needs is unpriceable). Reads the cache
    /// by reference: no memory is allocated per account, so a batch's cost stays linear in its length.
    function _batchHealth(Account storage acc, HealthInputs[] memory inputs) internal view returns (uint256) {
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        uint256 liquidationValue;
        for (uint256 i; i < count; ++i) {
            HealthInputs memory c = inputs[(ids >> (8 * i)) & 0xff];
            if (c.state == 0) _loadHealthInputs(c, (ids >> (8 * i)) & 0xff);
            // The liquidation rule: collateral without a trusted price counts as zero.
            if (c.state != 1) continue;
            // As _collateralValuesB: value rounded down, then LT-weighted rounded down.
            liquidationValue += _collateralAt(acc, i).mulDivDown(c.price, WAD).bpsDown(c.lt);
        }
        uint256 debtId = acc.debtId;
        if (debtId == 0) return type(uint256).max;
        HealthInputs memory d = inputs[debtId];
        if (d.state == 0) _loadHealthInputs(d, debtId);
        if (d.state != 1) return 0;
        // As accountHealth: debt and its value rounded up (against the borrower). A debt id implies borrow shares
        // (repay and liquidation clear it with the last share), and a usable price is positive, so debtValue >= 1.
        uint256 debtValue = uint256(acc.borrowShares).toAssetsUp(d.totalBorrowAssets, d.totalBorrowShares).mulDivUp(
            d.price,
            WAD
        );
        return liquidationValue.mulDivDown(WAD, debtValue);
    }

    /// @dev Fills `h` (a cache entry, in place) with asset `id`'s price, effective LT and accrued debt totals.
    function _loadHealthInputs(HealthInputs memory h, uint256 id) internal view {
        address asset = _assetById[id];
        Asset storage a = _assets[asset];
        // The pool's own price view (through the fallback), so an unusable feed is caught here, not in the batch.
        try this.price(asset) returns (uint256 p) {
            h.price = p;
            h.lt = _effectiveLt(a.risk);
            Market memory m = expectedMarket(asset);
            (h.totalBorrowAssets, h.totalBorrowShares) = (m.totalBorrowAssets, m.totalBorrowShares);
            h.state = 1;
        } catch {
            h.state = 2;
        }
    }

    /// @inheritdoc IFulcraPoolViews
    function previewLiquidation(
        address owner,
        uint96 subId,
        address collateralAsset
    ) external view returns (LiquidationPreview memory p) {
        Account storage acc = _accounts[_key(owner, subId)];
        p.healthFactor = type(uint256).max;
        uint256 debtId = acc.debtId;
        if (debtId == 0) return p;
        p.debtAsset = _assetById[debtId];
        Asset storage d = _assets[p.debtAsset];
        Asset storage c = _assets[collateralAsset];
        LiquidationState memory s;
        s.count = _count(acc);
        s.pos = _positionOf(_ids(acc, s.count), s.count, c.risk.id);
        Market memory m = expectedMarket(p.debtAsset);
        if (s.pos == s.count || c.risk.id == 0) {
            // Not a collateral of this account: report health only.
            (, uint256 ltValue, ) = _liquidationValues(acc);
            p.debt = uint256(acc.borrowShares).toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
            p.healthFactor = ltValue.mulDivDown(WAD, p.debt.mulDivUp(_price(d), WAD));
            return p;
        }
        _assessLiquidation(acc, m.totalBorrowAssets, m.totalBorrowShares, d, c, s);
        p.healthFactor = s.health;
        p.debt = s.debt;
        if (s.health >= WAD) return p;
        p.liquidatable = true;
        p.maxRepay = s.repayAssets;
        p.seized = s.seized;
        p.bonusBps = s.bonus;
        p.protocolFee = (s.seized - s.seized.mulDivUp(BPS, BPS + s.bonus)).bpsDown(c.risk.protocolShare);
    }
}
