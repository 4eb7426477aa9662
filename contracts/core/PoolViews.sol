// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {AssetConfig, AssetRisk, Market, Account, AccountHealth} from "../interfaces/IPoolTypes.sol";
import {MarketInfo, LiquidationConfig, LiquidationGlobals, LiquidationPreview} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";
import {PoolCore} from "./PoolCore.sol";
import {RolesLayout} from "./RolesLayout.sol";

/// @title PoolViews
/// @notice The pool's read-only views, reached by `delegatecall` from `PoolExt`'s fallback (itself reached from
/// `Pool`'s): every function here reads the pool's storage. Called directly it sees an empty pool.
contract PoolViews is RolesLayout, PoolCore {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    // ================================================================ storage getters

    /// @notice Asset address by 1-based id (0 if none).
    function assetById(uint256 id) external view returns (address) {
        return _assetById[id];
    }

    /// @notice Number of listed assets (also the last id).
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @notice Supply shares of `user` in `asset`.
    function supplyShares(address asset, address user) external view returns (uint256) {
        return _supplyShares[asset][user];
    }

    /// @notice Whether `operator` may act for all of `owner`'s accounts and lender positions.
    function isAuthorized(address owner, address operator) external view returns (bool) {
        return _isAuthorized[owner][operator];
    }

    /// @notice Protocol-wide liquidation settings.
    function liquidationGlobals()
        external
        view
        returns (uint64 targetHealth, uint64 fullLiquidationHealth, uint128 dustValue)
    {
        LiquidationGlobals memory g = _liquidationGlobals;
        return (g.targetHealth, g.fullLiquidationHealth, g.dustValue);
    }

    /// @notice The deployer of the per-asset ERC-4626 vaults.
    function vaultDeployer() external view returns (address) {
        return _vaultDeployer;
    }

    /// @notice Liquidation incentive of `asset`.
    function liquidationConfig(address asset) external view returns (LiquidationConfig memory) {
        LiquidationSlot storage ls = _assets[asset].liquidation;
        return LiquidationConfig(ls.baseBonus, ls.maxBonus, ls.protocolShare);
    }

    /// @dev Moves the LT from `ltNow` toward `target`: at once upward, at `rate` bps/hour downward.
    // ================================================================ accounts

    /// @notice Health of `(owner, subId)` at current prices with interest up to now, by the liquidation rule:
    /// collateral whose price cannot be trusted counts as zero (in every field). Reverts if the debt asset's feed is
    /// unusable.
    function accountHealth(address owner, uint96 subId) external view returns (AccountHealth memory h) {
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        for (uint256 i; i < count; ++i) {
            Asset storage a = _assets[_assetById[(ids >> (8 * i)) & 0xff]];
            uint256 p = _trustedPriceOrZero(a.config, a.risk);
            uint256 v = _collateralAt(acc, i).mulDivDown(p, WAD);
            h.collateralValue += v;
            h.borrowingPower += v.bpsDown(a.config.ltv);
            h.liquidationValue += v.bpsDown(_effectiveLt(a.config, a.risk));
        }
        if (acc.debtId != 0) {
            address debtAsset = _assetById[acc.debtId];
            Market memory m = _assets[debtAsset].market;
            uint256 dt = block.timestamp - m.lastUpdate;
            if (dt != 0 && m.totalBorrowAssets != 0) {
                (uint256 interest, , ) = _pendingInterest(m, dt);
                m.totalBorrowAssets += uint128(interest);
            }
            uint256 debt = uint256(acc.borrowShares).toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
            h.debtValue = debt.mulDivUp(_price(_assets[debtAsset]), WAD);
        }
        h.healthFactor = h.debtValue == 0 ? type(uint256).max : h.liquidationValue.mulDivDown(WAD, h.debtValue);
    }

    /// @notice Whether `(owner, subId)` is in close-out: a shortfall was booked on it, so its liquidations pay the
    /// maximum bonus (capped by its equity) until its next borrow.
    function isCloseOut(address owner, uint96 subId) external view returns (bool) {
        return _isCloseOut(_accounts[_key(owner, subId)]);
    }

    /// @notice The sub-accounts of `owner` that `operator` may act for: those with `subId & mask == prefix`
    /// (mask 0: none, beyond a full `isAuthorized`).
    function authorizationScope(address owner, address operator) external view returns (uint96 prefix, uint96 mask) {
        uint256 scope = _scopes[owner][operator];
        return (uint96(scope >> 96), uint96(scope));
    }

    // ================================================================ views

    /// @notice The configuration slot of `asset` (feed, heartbeat, flags, id, LTV, LT anchor).
    function assetConfig(address asset) external view returns (AssetConfig memory) {
        return _assets[asset].config;
    }

    /// @notice Oracle bounds and LT ramp state of `asset`.
    function assetRisk(address asset) external view returns (AssetRisk memory) {
        return _assets[asset].risk;
    }

    /// @notice Caps, minimum borrow, total collateral and vault of `asset`.
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

    /// @notice The stored market of `asset` (as of its last accrual).
    function market(address asset) external view returns (Market memory) {
        return _assets[asset].market;
    }

    /// @notice The market of `asset` with interest accrued up to now, as the next transaction would see it.
    function expectedMarket(address asset) public view returns (Market memory m) {
        m = _assets[asset].market;
        uint256 dt = block.timestamp - m.lastUpdate;
        if (dt != 0 && m.totalBorrowAssets != 0) {
            (uint256 interest, uint256 feeShares, ) = _pendingInterest(m, dt);
            m.totalBorrowAssets += uint128(interest);
            m.totalSupplyAssets += uint128(interest);
            m.totalSupplyShares += uint128(feeShares);
            m.reserveShares += uint128(feeShares);
        }
        m.lastUpdate = uint40(block.timestamp);
    }

    /// @notice Current borrow rate of `asset` per second (WAD), at the accrued state.
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

    /// @notice Integrator summary of `asset`'s market, interest accrued to now: totals, utilization, rates per
    /// second and as APY (continuously compounded, WAD), reserves and total collateral.
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
        info.liquidationFees = _assets[asset].liquidation.fees;
    }

    /// @notice Assets `user` could withdraw from its supply of `asset` with interest up to now (rounded down).
    function supplyBalance(address asset, address user) external view returns (uint256) {
        Market memory m = expectedMarket(asset);
        return _supplyShares[asset][user].toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @notice The price of one unit of `asset` in 18-decimal USD, scaled by 1e18 (value = amount * price / 1e18).
    /// Reverts like the pool does on a bad feed answer.
    function price(address asset) external view returns (uint256) {
        return _price(_listed(asset));
    }

    /// @notice The liquidation threshold of `asset` now (bps), with any ramp applied.
    function effectiveLt(address asset) external view returns (uint256) {
        Asset storage a = _assets[asset];
        return _effectiveLt(a.config, a.risk);
    }

    /// @notice Collateral of `(owner, subId)` in `asset`.
    function collateralOf(address owner, uint96 subId, address asset) external view returns (uint256) {
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 pos = _positionOf(_ids(acc, count), count, _assets[asset].config.id);
        return pos == count ? 0 : _collateralAt(acc, pos);
    }

    /// @notice The account `(owner, subId)`: its debt asset (0 if none), debt shares, debt with interest up to now
    /// (rounded up), and its collateral assets and amounts.
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
    ) external view returns (uint256[] memory healths) {
        if (owners.length != subIds.length) revert ErrorsLib.InconsistentInput();
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
            h.lt = _effectiveLt(a.config, a.risk);
            Market memory m = expectedMarket(asset);
            (h.totalBorrowAssets, h.totalBorrowShares) = (m.totalBorrowAssets, m.totalBorrowShares);
            h.state = 1;
        } catch {
            h.state = 2;
        }
    }

    /// @notice What liquidating `(owner, subId)` against `collateralAsset` with an unlimited repay would do now:
    /// the same computation `liquidate` runs, on the state accrued to this block. Reverts like the pool on an
    /// unusable feed.
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
        s.pos = _positionOf(_ids(acc, s.count), s.count, c.config.id);
        Market memory m = expectedMarket(p.debtAsset);
        if (s.pos == s.count || c.config.id == 0) {
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
        p.protocolFee = (s.seized - s.seized.mulDivUp(BPS, BPS + s.bonus)).bpsDown(c.liquidation.protocolShare);
    }
}
