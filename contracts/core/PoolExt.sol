// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {AssetConfig, AssetRisk, Market, Account, ListingParams} from "../interfaces/IPoolTypes.sol";
import {MarketInfo, LiquidationConfig, LiquidationGlobals} from "../interfaces/IPoolTypes.sol";
import {LiquidationPreview} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";
import {EventsLib} from "../libraries/EventsLib.sol";
import {PoolStorage} from "./PoolStorage.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title PoolExt
/// @notice Governance and views of the Fulcra pool. Deployed once and reached only through the pool's fallback
/// (`delegatecall`): every function here reads and writes the pool's storage and emits the pool's events. Called
/// directly, it has no roles and no assets, so every guarded function reverts.
contract PoolExt is PoolStorage {
    using SafeERC20 for IERC20;
    using MathLib for uint256;
    using SharesMathLib for uint256;

    /// @notice Accrues interest on `asset` up to now. Anyone may call; every entry point does it anyway.
    function accrueInterest(address asset) external {
        Asset storage a = _assets[asset];
        if (a.config.flags & FLAG_LISTED == 0) revert ErrorsLib.AssetNotListed();
        _accrue(a, asset);
    }

    // ================================================================ governance

    /// @notice Lists `asset` with its oracle, risk, rate-model and cap parameters, and deploys its ERC-4626 vault.
    /// @dev RISK_ADMIN (the timelock). Caps are absolute token amounts (0 forbids; type(uint128).max is unlimited).
    /// The token's decimals and the feed's decimals fix the price scale; tokens must be plain ERC-20s.
    /// @return vault The asset's ERC-4626 vault.
    function listAsset(
        address asset,
        ListingParams calldata p
    ) external onlyRole(RISK_ADMIN_ROLE) returns (address vault) {
        if (asset == address(0)) revert ErrorsLib.ZeroAddress();
        Asset storage a = _assets[asset];
        if (a.config.flags & FLAG_LISTED != 0) revert ErrorsLib.AssetAlreadyListed();
        uint256 id = assetCount + 1;
        if (id > type(uint8).max) revert ErrorsLib.TooManyAssets();
        _validateRisk(p.ltv, p.lt);
        _validateRateModel(p.baseRate, p.slope1, p.slope2, p.kink);
        if (p.reserveFactor > MAX_RESERVE_FACTOR) revert ErrorsLib.InvalidReserveFactor();

        assetCount = id;
        assetById[id] = asset;
        a.config = AssetConfig({
            feed: address(0),
            heartbeat: 0,
            scaleExp: 0,
            flags: FLAG_LISTED | (p.borrowable ? FLAG_BORROWABLE : 0),
            id: uint8(id),
            ltv: p.ltv,
            lt: p.lt,
            flashFee: 0
        });
        a.risk.ltTarget = p.lt;
        // A default incentive the threshold allows: 1 % base, up to 8 % (less if LT·(1 + bonus) would reach 1).
        uint16 maxBonus = uint16(_maxBonusFor(p.lt).min(800));
        a.liquidation = LiquidationConfig({
            baseBonus: uint16(uint256(maxBonus).min(100)),
            maxBonus: maxBonus,
            protocolShare: 1_000
        });
        _setOracle(asset, a, p.feed, p.heartbeat, p.minAnswer, p.maxAnswer);
        Market storage m = a.market;
        m.lastUpdate = uint40(block.timestamp);
        m.reserveFactor = p.reserveFactor;
        m.baseRate = p.baseRate;
        m.slope1 = p.slope1;
        m.slope2 = p.slope2;
        m.kink = p.kink;
        a.supplyCap = p.supplyCap;
        a.borrowCap = p.borrowCap;
        a.collateralCap = p.collateralCap;
        a.minBorrow = p.minBorrow;
        vault = VaultDeployer(vaultDeployer).deploy(asset);
        a.vault = vault;

        emit EventsLib.AssetListed(asset, uint8(id), vault);
        emit EventsLib.CollateralParamsSet(asset, 0, p.ltv, 0, p.lt);
        emit EventsLib.RateModelSet(asset, p.baseRate, p.slope1, p.slope2, p.kink);
        emit EventsLib.ReserveFactorSet(asset, 0, p.reserveFactor);
        emit EventsLib.CapsSet(asset, p.supplyCap, p.borrowCap, p.collateralCap, p.minBorrow);
        emit EventsLib.BorrowableSet(asset, p.borrowable);
        emit EventsLib.LiquidationParamsSet(asset, a.liquidation.baseBonus, maxBonus, 1_000);
    }

    /// @notice Replaces the price feed of `asset` (RISK_ADMIN).
    function setOracle(
        address asset,
        address feed,
        uint24 heartbeat,
        int96 minAnswer,
        int96 maxAnswer
    ) external onlyRole(RISK_ADMIN_ROLE) {
        _setOracle(asset, _listed(asset), feed, heartbeat, minAnswer, maxAnswer);
    }

    /// @notice Sets the LTV and liquidation threshold of `asset` as collateral, at once (RISK_ADMIN: the timelock's
    /// delay is the users' notice). Any running LT ramp is replaced.
    function setCollateralParams(address asset, uint16 ltv, uint16 lt) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        _validateRisk(ltv, lt);
        if (lt != 0 && lt > _maxLtFor(a.liquidation.maxBonus)) revert ErrorsLib.InvalidRiskParams();
        AssetConfig storage c = a.config;
        uint256 ltNow = _effectiveLt(c, a.risk);
        emit EventsLib.CollateralParamsSet(asset, c.ltv, ltv, ltNow, lt);
        c.ltv = ltv;
        _moveLt(a, ltNow, lt, MAX_RAMP_BPS_PER_HOUR);
    }

    /// @notice Applies the risk engine's parameters for `asset`: `ltv` at once (new borrows and withdrawals are the
    /// strict side), the liquidation threshold toward `ltTarget` — upward at once, downward no faster than
    /// `rampBpsPerHour` (itself at most MAX_RAMP_BPS_PER_HOUR), so no position is pushed under water by a jump.
    /// @dev RISK_ENGINE. The engine keeps within governance's profile; the pool enforces the hard bounds and the ramp
    /// whatever the engine asks.
    function applyRiskParams(
        address asset,
        uint16 ltv,
        uint16 ltTarget,
        uint16 rampBpsPerHour
    ) external onlyRole(RISK_ENGINE_ROLE) {
        Asset storage a = _listed(asset);
        AssetConfig storage c = a.config;
        if (c.lt == 0) revert ErrorsLib.NotCollateral();
        _validateRisk(ltv, ltTarget);
        if (ltTarget == 0 || ltTarget > _maxLtFor(a.liquidation.maxBonus)) revert ErrorsLib.InvalidRiskParams();
        if (rampBpsPerHour == 0 || rampBpsPerHour > MAX_RAMP_BPS_PER_HOUR) revert ErrorsLib.InvalidRiskParams();
        uint256 ltNow = _effectiveLt(c, a.risk);
        emit EventsLib.RiskParamsApplied(asset, c.ltv, ltv, ltNow, ltTarget, rampBpsPerHour);
        c.ltv = ltv;
        _moveLt(a, ltNow, ltTarget, rampBpsPerHour);
    }

    /// @notice Trips or resets the circuit breaker of `asset`: while on, nobody can borrow the asset or borrow
    /// against it; repay, adding collateral, withdrawals and liquidation keep working (RISK_ENGINE or GUARDIAN).
    function setCircuitBreaker(address asset, bool active) external {
        if (!hasRole(RISK_ENGINE_ROLE, msg.sender) && !hasRole(GUARDIAN_ROLE, msg.sender)) {
            revert ErrorsLib.Unauthorized();
        }
        AssetConfig storage c = _listed(asset).config;
        c.flags = active ? c.flags | FLAG_BREAKER : c.flags & ~FLAG_BREAKER;
        emit EventsLib.CircuitBreakerSet(asset, active);
    }

    /// @notice Sets the liquidation incentive of `asset` as collateral (RISK_ADMIN). The maximum bonus must leave
    /// LT·(1 + bonus) below 1, or liquidating would lower health instead of restoring it.
    function setLiquidationParams(
        address asset,
        uint16 baseBonus,
        uint16 maxBonus,
        uint16 protocolShare
    ) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        uint256 lt = uint256(a.config.lt).max(a.risk.ltTarget);
        if (
            baseBonus > maxBonus ||
            maxBonus > MAX_BONUS ||
            protocolShare > MAX_PROTOCOL_SHARE ||
            (lt != 0 && lt > _maxLtFor(maxBonus))
        ) revert ErrorsLib.InvalidLiquidationParams();
        a.liquidation = LiquidationConfig(baseBonus, maxBonus, protocolShare);
        emit EventsLib.LiquidationParamsSet(asset, baseBonus, maxBonus, protocolShare);
    }

    /// @notice Sets the protocol-wide liquidation settings (RISK_ADMIN): the health a partial liquidation restores
    /// (1.01–1.25), the health below which a position may be closed in full (0.80–0.99), and the dust value
    /// (at most 1,000 USD) under which what remains may be closed in full.
    function setLiquidationGlobals(
        uint64 targetHealth,
        uint64 fullLiquidationHealth,
        uint128 dustValue
    ) external onlyRole(RISK_ADMIN_ROLE) {
        if (
            targetHealth < 1.01e18 ||
            targetHealth > 1.25e18 ||
            fullLiquidationHealth < 0.8e18 ||
            fullLiquidationHealth > 0.99e18 ||
            dustValue > 1_000e18
        ) revert ErrorsLib.InvalidLiquidationParams();
        liquidationGlobals = LiquidationGlobals(targetHealth, fullLiquidationHealth, dustValue);
        emit EventsLib.LiquidationGlobalsSet(targetHealth, fullLiquidationHealth, dustValue);
    }

    /// @notice Liquidation incentive of `asset`.
    function liquidationConfig(address asset) external view returns (LiquidationConfig memory) {
        return _assets[asset].liquidation;
    }

    /// @dev Moves the LT from `ltNow` toward `target`: at once upward, at `rate` bps/hour downward.
    function _moveLt(Asset storage a, uint256 ltNow, uint256 target, uint256 rate) internal {
        AssetRisk storage r = a.risk;
        a.config.lt = uint16(target >= ltNow ? target : ltNow);
        r.ltTarget = uint16(target);
        r.rampStart = uint32(block.timestamp);
        r.rampBpsPerHour = uint16(rate);
    }

    /// @dev Largest bonus with LT·(1 + bonus) < 1 for `lt`.
    function _maxBonusFor(uint256 lt) internal pure returns (uint256) {
        return lt == 0 ? MAX_BONUS : (BPS * BPS - 1) / lt - BPS;
    }

    /// @dev Largest LT with LT·(1 + maxBonus) < 1.
    function _maxLtFor(uint256 maxBonus) internal pure returns (uint256) {
        return (BPS * BPS - 1) / (BPS + maxBonus);
    }

    /// @notice Sets the kinked rate model of `asset`, after accruing at the old one (RISK_ADMIN).
    function setRateModel(
        address asset,
        uint16 baseRate,
        uint16 slope1,
        uint16 slope2,
        uint16 kink
    ) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        _validateRateModel(baseRate, slope1, slope2, kink);
        _accrue(a, asset);
        Market storage m = a.market;
        (m.baseRate, m.slope1, m.slope2, m.kink) = (baseRate, slope1, slope2, kink);
        emit EventsLib.RateModelSet(asset, baseRate, slope1, slope2, kink);
    }

    /// @notice Sets the share of interest that goes to reserves, after accruing at the old one (RISK_ADMIN).
    function setReserveFactor(address asset, uint16 reserveFactor) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        if (reserveFactor > MAX_RESERVE_FACTOR) revert ErrorsLib.InvalidReserveFactor();
        _accrue(a, asset);
        emit EventsLib.ReserveFactorSet(asset, a.market.reserveFactor, reserveFactor);
        a.market.reserveFactor = reserveFactor;
    }

    /// @notice Sets the caps and minimum borrow of `asset` (RISK_ADMIN). Lowering a cap never touches positions;
    /// it only refuses growth above it.
    function setCaps(
        address asset,
        uint128 supplyCap,
        uint128 borrowCap,
        uint128 collateralCap,
        uint128 minBorrow
    ) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        (a.supplyCap, a.borrowCap, a.collateralCap, a.minBorrow) = (supplyCap, borrowCap, collateralCap, minBorrow);
        emit EventsLib.CapsSet(asset, supplyCap, borrowCap, collateralCap, minBorrow);
    }

    /// @notice Allows or forbids new borrows of `asset` (RISK_ADMIN). Existing debt is unaffected.
    function setBorrowable(address asset, bool borrowable) external onlyRole(RISK_ADMIN_ROLE) {
        AssetConfig storage c = _listed(asset).config;
        c.flags = borrowable ? c.flags | FLAG_BORROWABLE : c.flags & ~FLAG_BORROWABLE;
        emit EventsLib.BorrowableSet(asset, borrowable);
    }

    /// @notice Sets the flash-loan fee of `asset` in bps, at most MAX_FLASH_FEE (RISK_ADMIN).
    function setFlashFee(address asset, uint16 feeBps) external onlyRole(RISK_ADMIN_ROLE) {
        if (feeBps > MAX_FLASH_FEE) revert ErrorsLib.InvalidFlashFee();
        AssetConfig storage c = _listed(asset).config;
        emit EventsLib.FlashFeeSet(asset, c.flashFee, feeBps);
        c.flashFee = feeBps;
    }

    /// @notice Pauses or resumes supply and borrow of `asset` (GUARDIAN). Repay (with or without callback), adding
    /// collateral, withdrawals, liquidation and flash loans (`setFlashPause`) are not affected.
    function setPause(address asset, bool supplyPaused, bool borrowPaused) external onlyRole(GUARDIAN_ROLE) {
        AssetConfig storage c = _listed(asset).config;
        uint8 flags = c.flags & ~(FLAG_SUPPLY_PAUSED | FLAG_BORROW_PAUSED);
        if (supplyPaused) flags |= FLAG_SUPPLY_PAUSED;
        if (borrowPaused) flags |= FLAG_BORROW_PAUSED;
        c.flags = flags;
        emit EventsLib.PauseSet(asset, supplyPaused, borrowPaused);
    }

    /// @notice Pauses or resumes flash loans of `asset` (GUARDIAN). Separate from the borrow pause, and no exit
    /// depends on it: margin close uses `repayAndCall`, flash liquidation the liquidation callback.
    function setFlashPause(address asset, bool paused) external onlyRole(GUARDIAN_ROLE) {
        AssetConfig storage c = _listed(asset).config;
        c.flags = paused ? c.flags | FLAG_FLASH_PAUSED : c.flags & ~FLAG_FLASH_PAUSED;
        emit EventsLib.FlashPauseSet(asset, paused);
    }

    /// @notice Withdraws `assets` of the liquidation fees collected in `asset` to `receiver` (TREASURY). These are
    /// the protocol's share of liquidation bonuses, held apart from lenders' and borrowers' books.
    function withdrawLiquidationFees(
        address asset,
        uint256 assets,
        address receiver
    ) external onlyRole(TREASURY_ROLE) lock {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();
        Asset storage a = _listed(asset);
        if (assets > a.liquidationFees) revert ErrorsLib.InsufficientReserves();
        a.liquidationFees -= uint128(assets);
        emit EventsLib.LiquidationFeesWithdrawn(asset, receiver, assets);
        IERC20(asset).safeTransfer(receiver, assets);
    }

    /// @notice Withdraws `assets` of the protocol's reserves in `asset` to `receiver` (TREASURY). Reserves are supply
    /// shares the protocol owns: it can never take more than those, nor cash that borrowers owe lenders.
    function withdrawReserves(address asset, uint256 assets, address receiver) external onlyRole(TREASURY_ROLE) lock {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();
        Asset storage a = _listed(asset);
        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 shares = assets.toSharesUp(totalAssets, m.totalSupplyShares);
        if (shares > m.reserveShares) revert ErrorsLib.InsufficientReserves();
        if (assets > totalAssets || m.totalBorrowAssets > totalAssets - assets)
            revert ErrorsLib.InsufficientLiquidity();
        m.reserveShares -= uint128(shares);
        m.totalSupplyShares -= uint128(shares);
        m.totalSupplyAssets = uint128(totalAssets - assets);
        emit EventsLib.ReservesWithdrawn(asset, receiver, assets, shares);
        IERC20(asset).safeTransfer(receiver, assets);
    }

    function _setOracle(
        address asset,
        Asset storage a,
        address feed,
        uint24 heartbeat,
        int96 minAnswer,
        int96 maxAnswer
    ) internal {
        if (feed == address(0)) revert ErrorsLib.ZeroAddress();
        if (heartbeat < MIN_HEARTBEAT || heartbeat > MAX_HEARTBEAT || minAnswer < 0 || maxAnswer <= minAnswer) {
            revert ErrorsLib.InvalidOracleConfig();
        }
        uint256 scale = 36;
        uint256 tokenDecimals = IERC20Metadata(asset).decimals();
        uint256 feedDecimals = AggregatorV3Interface(feed).decimals();
        if (tokenDecimals + feedDecimals > scale) revert ErrorsLib.UnsupportedDecimals();
        AssetConfig storage c = a.config;
        (c.feed, c.heartbeat, c.scaleExp) = (feed, heartbeat, uint8(scale - tokenDecimals - feedDecimals));
        (a.risk.minAnswer, a.risk.maxAnswer) = (minAnswer, maxAnswer);
        emit EventsLib.OracleSet(asset, feed, heartbeat, minAnswer, maxAnswer);
    }

    function _validateRisk(uint256 ltv, uint256 lt) internal pure {
        // lt == 0 (with ltv == 0) marks an asset that cannot be collateral.
        if (lt > MAX_LT || (lt != 0 && ltv + MIN_LTV_LT_GAP > lt) || (lt == 0 && ltv != 0)) {
            revert ErrorsLib.InvalidRiskParams();
        }
    }

    function _validateRateModel(uint256 baseRate, uint256 slope1, uint256 slope2, uint256 kink) internal pure {
        if (
            baseRate > MAX_BASE_RATE || slope1 > MAX_SLOPE1 || slope2 > MAX_SLOPE2 || kink < MIN_KINK || kink > MAX_KINK
        ) revert ErrorsLib.InvalidRateModel();
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
        info.liquidationFees = _assets[asset].liquidationFees;
    }

    /// @notice Assets `user` could withdraw from its supply of `asset` with interest up to now (rounded down).
    function supplyBalance(address asset, address user) external view returns (uint256) {
        Market memory m = expectedMarket(asset);
        return supplyShares[asset][user].toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
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
        uint256 count = acc.collateralCount;
        uint256 pos = _positionOf(acc.collateralIds, count, _assets[asset].config.id);
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
            debtAsset = assetById[acc.debtId];
            borrowShares = acc.borrowShares;
            Market memory m = expectedMarket(debtAsset);
            debt = borrowShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        }
        uint256 count = acc.collateralCount;
        collateralAssets = new address[](count);
        collateralAmounts = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            collateralAssets[i] = assetById[(uint256(acc.collateralIds) >> (8 * i)) & 0xff];
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
        HealthInputs[] memory inputs = new HealthInputs[](assetCount + 1);
        healths = new uint256[](owners.length);
        for (uint256 i; i < owners.length; ++i) {
            healths[i] = _batchHealth(_accounts[_key(owners[i], subIds[i])], inputs);
        }
    }

    /// @dev Health of `acc` from the cached per-asset inputs (0 if one it needs is unpriceable). Reads the cache
    /// by reference: no memory is allocated per account, so a batch's cost stays linear in its length.
    function _batchHealth(Account storage acc, HealthInputs[] memory inputs) internal view returns (uint256) {
        uint256 ids = acc.collateralIds;
        uint256 count = acc.collateralCount;
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
        address asset = assetById[id];
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
        p.debtAsset = assetById[debtId];
        Asset storage d = _assets[p.debtAsset];
        Asset storage c = _assets[collateralAsset];
        LiquidationState memory s;
        s.count = acc.collateralCount;
        s.pos = _positionOf(acc.collateralIds, s.count, c.config.id);
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

    /// @notice The largest liquidation threshold the pool accepts for `asset` now (bps): MAX_LT, or less when the
    /// asset's maximum liquidation bonus requires LT·(1 + maxBonus) < 1.
    function maxLtFor(address asset) external view returns (uint256) {
        return _maxLtFor(_assets[asset].liquidation.maxBonus).min(MAX_LT);
    }
}
