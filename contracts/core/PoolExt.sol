// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {AssetConfig, AssetRisk, Market, Account, ListingParams} from "../interfaces/IPoolTypes.sol";
import {MarketInfo, LiquidationConfig, LiquidationGlobals} from "../interfaces/IPoolTypes.sol";
import {LiquidationPreview} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";
import {EventsLib} from "../libraries/EventsLib.sol";
import {PoolCore} from "./PoolCore.sol";
import {PoolViews} from "./PoolViews.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title PoolExt
/// @notice Governance and views of the Fulcra pool. Deployed once and reached only through the pool's fallback
/// (`delegatecall`): every function here reads and writes the pool's storage and emits the pool's events. Called
/// directly, it has no roles and no assets, so every guarded function reverts.
contract PoolExt is AccessControl, PoolCore {
    using SafeERC20 for IERC20;
    using MathLib for uint256;
    using SharesMathLib for uint256;

    /// @notice Lists assets and changes risk parameters. Held by the timelock.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    /// @notice The volatility-driven risk engine: moves LTV and (ramped) LT within governance's profile, trips the
    /// circuit breaker.
    bytes32 public constant RISK_ENGINE_ROLE = keccak256("RISK_ENGINE_ROLE");
    /// @notice Pauses and unpauses supply and borrow per asset. Cannot touch repay, collateral or withdrawals.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Withdraws protocol reserves (never more than the reserves).
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");

    uint256 public constant MAX_LT = 9_700;
    /// @notice LTV must stay this far below LT, so that a max-LTV borrow is not liquidatable on the next tick.
    uint256 public constant MIN_LTV_LT_GAP = 100;
    uint256 public constant MAX_RESERVE_FACTOR = 5_000;
    uint256 public constant MAX_BASE_RATE = 10_000;
    uint256 public constant MAX_SLOPE1 = 20_000;
    uint256 public constant MAX_SLOPE2 = 60_000;
    uint256 public constant MIN_KINK = 1_000;
    uint256 public constant MAX_KINK = 9_900;
    uint256 public constant MIN_HEARTBEAT = 60;
    uint256 public constant MAX_HEARTBEAT = 7 days;
    uint256 public constant MAX_FLASH_FEE = 100;
    uint256 public constant MAX_COLLATERALS = MAX_COLLATERAL_ASSETS;
    uint256 public constant MAX_BONUS = 2_000;
    uint256 public constant MAX_PROTOCOL_SHARE = 5_000;
    /// @notice Fastest the risk engine may lower a liquidation threshold: 2 percentage points per hour.
    uint256 public constant MAX_RAMP_BPS_PER_HOUR = 200;
    /// @notice The bonus climbs from base to max as health falls from 1 to 1 - BONUS_RAMP.
    uint256 public constant BONUS_RAMP = BONUS_RAMP_WAD;

    /// @notice The read-only half of the pool's API; called by `delegatecall` from this contract's fallback.
    address public immutable VIEWS;

    /// @dev Deploys its `PoolViews`, so a pool is still deployed as `Pool(admin, new PoolExt())`.
    constructor() {
        VIEWS = address(new PoolViews());
    }

    /// @notice Forwards every other call to `PoolViews`, in the pool's storage context (this code runs by the pool's
    /// `delegatecall`).
    // solhint-disable-next-line no-complex-fallback, payable-fallback
    fallback() external {
        address views = VIEWS;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), views, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

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
        uint256 id = _assetCount + 1;
        if (id > type(uint8).max) revert ErrorsLib.TooManyAssets();
        _validateRisk(p.ltv, p.lt);
        _validateRateModel(p.baseRate, p.slope1, p.slope2, p.kink);
        if (p.reserveFactor > MAX_RESERVE_FACTOR) revert ErrorsLib.InvalidReserveFactor();

        _assetCount = id;
        _assetById[id] = asset;
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
        LiquidationSlot storage ls = a.liquidation;
        (ls.baseBonus, ls.maxBonus, ls.protocolShare) = (uint16(uint256(maxBonus).min(100)), maxBonus, 1_000);
        _copyGlobals(ls, _liquidationGlobals);
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
        vault = VaultDeployer(_vaultDeployer).deploy(asset);
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
        LiquidationSlot storage ls = a.liquidation;
        (ls.baseBonus, ls.maxBonus, ls.protocolShare) = (baseBonus, maxBonus, protocolShare);
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
            dustValue > 1_000e18 ||
            // Each asset's liquidation slot keeps them in bps and in units of 1e12 USD.
            targetHealth % 1e14 != 0 ||
            fullLiquidationHealth % 1e14 != 0 ||
            dustValue % 1e12 != 0
        ) revert ErrorsLib.InvalidLiquidationParams();
        LiquidationGlobals memory g = LiquidationGlobals(targetHealth, fullLiquidationHealth, dustValue);
        _liquidationGlobals = g;
        uint256 count = _assetCount;
        for (uint256 id = 1; id <= count; ++id) _copyGlobals(_assets[_assetById[id]].liquidation, g);
        emit EventsLib.LiquidationGlobalsSet(targetHealth, fullLiquidationHealth, dustValue);
    }

    /// @dev Writes the protocol-wide liquidation settings into an asset's liquidation slot (the copy liquidations
    /// read, so they touch one slot for their collateral). Validated multiples of 1e14 and 1e12: exact.
    function _copyGlobals(LiquidationSlot storage ls, LiquidationGlobals memory g) internal {
        ls.targetHealthBps = uint16(g.targetHealth / 1e14);
        ls.fullLiquidationHealthBps = uint16(g.fullLiquidationHealth / 1e14);
        ls.dustValueE12 = uint48(g.dustValue / 1e12);
    }

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
        if (assets > a.liquidation.fees) revert ErrorsLib.InsufficientReserves();
        a.liquidation.fees -= uint128(assets);
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

    // ================================================================ operators

    /// @notice Lets `operator` act for all of the caller's accounts and lender positions (withdraw, borrow,
    /// withdraw collateral), or revokes it.
    function setAuthorization(address operator, bool authorized) external {
        if (operator == address(0)) revert ErrorsLib.ZeroAddress();
        _isAuthorized[msg.sender][operator] = authorized;
        emit EventsLib.SetAuthorization(msg.sender, operator, authorized);
    }

    /// @notice Lets `operator` act only for the caller's accounts whose sub-account id satisfies
    /// `subId & subIdMask == subIdPrefix` (supply and withdraw collateral, borrow): e.g. mask all ones for a single
    /// sub-account, or the margin router's prefix and mask for its positions. Never lender positions. A zero mask
    /// (with a zero prefix) revokes. Independent of `setAuthorization`, which grants every account.
    function setAuthorizationScope(address operator, uint96 subIdPrefix, uint96 subIdMask) external {
        if (operator == address(0)) revert ErrorsLib.ZeroAddress();
        if (subIdPrefix & ~subIdMask != 0) revert ErrorsLib.InvalidScope();
        _scopes[msg.sender][operator] = (uint256(subIdPrefix) << 96) | subIdMask;
        emit EventsLib.SetAuthorizationScope(msg.sender, operator, subIdPrefix, subIdMask);
    }

    /// @notice The largest liquidation threshold the pool accepts for `asset` now (bps): MAX_LT, or less when the
    /// asset's maximum liquidation bonus requires LT·(1 + maxBonus) < 1.
    function maxLtFor(address asset) external view returns (uint256) {
        return _maxLtFor(_assets[asset].liquidation.maxBonus).min(MAX_LT);
    }
}
