// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {Market, ListingParams} from "../interfaces/IPoolTypes.sol";
import {LiquidationGlobals} from "../interfaces/IPoolTypes.sol";
import {MathLib, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {IPoolErrors} from "../interfaces/IPoolErrors.sol";
import {IPoolEvents} from "../interfaces/IPoolEvents.sol";
import {IFulcraPoolExt} from "../interfaces/IFulcraPool.sol";
import {PoolCore} from "./PoolCore.sol";
import {PoolViews} from "./PoolViews.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title PoolExt
/// @notice Governance and views of the Fulcra pool. Deployed once and reached only through the pool's fallback
/// (`delegatecall`): every function here reads and writes the pool's storage and emits the pool's events. Called
/// directly, it has no roles and no assets, so every guarded function reverts.
contract PoolExt is AccessControl, PoolCore, IFulcraPoolExt {
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

    /// @inheritdoc IFulcraPoolExt
    function accrueInterest(address asset) external {
        Asset storage a = _assets[asset];
        if (a.risk.flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();
        _accrue(a, asset);
    }

    // ================================================================ governance

    /// @inheritdoc IFulcraPoolExt
    function listAsset(
        address asset,
        ListingParams calldata p
    ) external onlyRole(RISK_ADMIN_ROLE) returns (address vault) {
        if (asset == address(0)) revert IPoolErrors.ZeroAddress();
        Asset storage a = _assets[asset];
        if (a.risk.flags & FLAG_LISTED != 0) revert IPoolErrors.AssetAlreadyListed();
        uint256 id = _assetCount + 1;
        if (id > type(uint8).max) revert IPoolErrors.TooManyAssets();
        _validateRisk(p.ltv, p.lt);
        _validateRateModel(p.baseRate, p.slope1, p.slope2, p.kink);
        if (p.reserveFactor > MAX_RESERVE_FACTOR) revert IPoolErrors.InvalidReserveFactor();

        _assetCount = id;
        _assetById[id] = asset;
        RiskSlot storage ls = a.risk;
        // safe: id ≤ 255, checked above.
        (ls.flags, ls.id, ls.ltv, ls.lt, ls.ltTarget) = (
            FLAG_LISTED | (p.borrowable ? FLAG_BORROWABLE : 0),
            uint8(id),
            p.ltv,
            p.lt,
            p.lt
        );
        // A default incentive the threshold allows: 1 % base, up to 8 % (less if LT·(1 + bonus) would reach 1).
        uint16 maxBonus = uint16(_maxBonusFor(p.lt).min(800)); // safe: ≤ 800
        (ls.baseBonus, ls.maxBonus, ls.protocolShare) = (uint16(uint256(maxBonus).min(100)), maxBonus, 1_000);
        _copyGlobals(ls, _liquidationGlobals);
        _setOracle(asset, a, p.feed, p.heartbeat, p.minAnswer, p.maxAnswer);
        Market storage m = a.market;
        m.lastUpdate = uint40(block.timestamp); // safe: until the year 36812
        m.reserveFactor = p.reserveFactor;
        m.baseRate = p.baseRate;
        m.slope1 = p.slope1;
        m.slope2 = p.slope2;
        m.kink = p.kink;
        a.supplyCap = p.supplyCap;
        a.borrowCap = p.borrowCap;
        a.collateralCap = p.collateralCap;
        a.collateralSlotMarker = 1;
        a.minBorrow = p.minBorrow;
        vault = VaultDeployer(_vaultDeployer).deploy(asset);
        a.vault = vault;

        emit IPoolEvents.AssetListed(asset, uint8(id), vault); // safe: id ≤ 255
        emit IPoolEvents.CollateralParamsSet(asset, 0, p.ltv, 0, p.lt);
        emit IPoolEvents.RateModelSet(asset, p.baseRate, p.slope1, p.slope2, p.kink);
        emit IPoolEvents.ReserveFactorSet(asset, 0, p.reserveFactor);
        emit IPoolEvents.CapsSet(asset, p.supplyCap, p.borrowCap, p.collateralCap, p.minBorrow);
        emit IPoolEvents.BorrowableSet(asset, p.borrowable);
        emit IPoolEvents.LiquidationParamsSet(asset, a.risk.baseBonus, maxBonus, 1_000);
    }

    /// @inheritdoc IFulcraPoolExt
    function setOracle(
        address asset,
        address feed,
        uint24 heartbeat,
        int96 minAnswer,
        int96 maxAnswer
    ) external onlyRole(RISK_ADMIN_ROLE) {
        _setOracle(asset, _listed(asset), feed, heartbeat, minAnswer, maxAnswer);
    }

    /// @inheritdoc IFulcraPoolExt
    function setCollateralParams(address asset, uint16 ltv, uint16 lt) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        _validateRisk(ltv, lt);
        if (lt != 0 && lt > _maxLtFor(a.risk.maxBonus)) revert IPoolErrors.InvalidRiskParams();
        RiskSlot storage c = a.risk;
        uint256 ltNow = _effectiveLt(c);
        emit IPoolEvents.CollateralParamsSet(asset, c.ltv, ltv, ltNow, lt);
        c.ltv = ltv;
        _moveLt(a, ltNow, lt, MAX_RAMP_BPS_PER_HOUR);
    }

    /// @inheritdoc IFulcraPoolExt
    function applyRiskParams(
        address asset,
        uint16 ltv,
        uint16 ltTarget,
        uint16 rampBpsPerHour
    ) external onlyRole(RISK_ENGINE_ROLE) {
        Asset storage a = _listed(asset);
        RiskSlot storage c = a.risk;
        if (c.lt == 0) revert IPoolErrors.NotCollateral();
        _validateRisk(ltv, ltTarget);
        if (ltTarget == 0 || ltTarget > _maxLtFor(a.risk.maxBonus)) revert IPoolErrors.InvalidRiskParams();
        if (rampBpsPerHour == 0 || rampBpsPerHour > MAX_RAMP_BPS_PER_HOUR) revert IPoolErrors.InvalidRiskParams();
        uint256 ltNow = _effectiveLt(c);
        emit IPoolEvents.RiskParamsApplied(asset, c.ltv, ltv, ltNow, ltTarget, rampBpsPerHour);
        c.ltv = ltv;
        _moveLt(a, ltNow, ltTarget, rampBpsPerHour);
    }

    /// @inheritdoc IFulcraPoolExt
    function setCircuitBreaker(address asset, bool active) external {
        if (!hasRole(RISK_ENGINE_ROLE, msg.sender) && !hasRole(GUARDIAN_ROLE, msg.sender)) {
            revert IPoolErrors.Unauthorized();
        }
        RiskSlot storage c = _listed(asset).risk;
        c.flags = active ? c.flags | FLAG_BREAKER : c.flags & ~FLAG_BREAKER;
        emit IPoolEvents.CircuitBreakerSet(asset, active);
    }

    /// @inheritdoc IFulcraPoolExt
    function setLiquidationParams(
        address asset,
        uint16 baseBonus,
        uint16 maxBonus,
        uint16 protocolShare
    ) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        uint256 lt = uint256(a.risk.lt).max(a.risk.ltTarget);
        if (
            baseBonus > maxBonus ||
            maxBonus > MAX_BONUS ||
            protocolShare > MAX_PROTOCOL_SHARE ||
            (lt != 0 && lt > _maxLtFor(maxBonus))
        ) revert IPoolErrors.InvalidLiquidationParams();
        RiskSlot storage ls = a.risk;
        (ls.baseBonus, ls.maxBonus, ls.protocolShare) = (baseBonus, maxBonus, protocolShare);
        emit IPoolEvents.LiquidationParamsSet(asset, baseBonus, maxBonus, protocolShare);
    }

    /// @inheritdoc IFulcraPoolExt
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
        ) revert IPoolErrors.InvalidLiquidationParams();
        LiquidationGlobals memory g = LiquidationGlobals(targetHealth, fullLiquidationHealth, dustValue);
        _liquidationGlobals = g;
        uint256 count = _assetCount;
        for (uint256 id = 1; id <= count; ++id) _copyGlobals(_assets[_assetById[id]].risk, g);
        emit IPoolEvents.LiquidationGlobalsSet(targetHealth, fullLiquidationHealth, dustValue);
    }

    /// @dev Writes the protocol-wide liquidation settings into an asset's liquidation slot (the copy liquidations
    /// read, so they touch one slot for their collateral). Validated multiples of 1e14 and 1e12: exact.
    function _copyGlobals(RiskSlot storage ls, LiquidationGlobals memory g) internal {
        // safe: validated ranges: ≤ 12,500 and ≤ 9,900 bps, ≤ 1e9 units of 1e12 USD (uint48: 2.8e14).
        ls.targetHealthBps = uint16(g.targetHealth / 1e14);
        ls.fullLiquidationHealthBps = uint16(g.fullLiquidationHealth / 1e14);
        ls.dustValueE12 = uint48(g.dustValue / 1e12);
    }

    function _moveLt(Asset storage a, uint256 ltNow, uint256 target, uint256 rate) internal {
        RiskSlot storage r = a.risk;
        // safe: both LTs ≤ MAX_LT (validated), the rate ≤ MAX_RAMP_BPS_PER_HOUR; uint32 seconds last until 2106.
        r.lt = uint16(target >= ltNow ? target : ltNow);
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

    /// @inheritdoc IFulcraPoolExt
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
        emit IPoolEvents.RateModelSet(asset, baseRate, slope1, slope2, kink);
    }

    /// @inheritdoc IFulcraPoolExt
    function setReserveFactor(address asset, uint16 reserveFactor) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        if (reserveFactor > MAX_RESERVE_FACTOR) revert IPoolErrors.InvalidReserveFactor();
        _accrue(a, asset);
        emit IPoolEvents.ReserveFactorSet(asset, a.market.reserveFactor, reserveFactor);
        a.market.reserveFactor = reserveFactor;
    }

    /// @inheritdoc IFulcraPoolExt
    function setCaps(
        address asset,
        uint128 supplyCap,
        uint128 borrowCap,
        uint128 collateralCap,
        uint128 minBorrow
    ) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _listed(asset);
        (a.supplyCap, a.borrowCap, a.collateralCap, a.minBorrow) = (supplyCap, borrowCap, collateralCap, minBorrow);
        emit IPoolEvents.CapsSet(asset, supplyCap, borrowCap, collateralCap, minBorrow);
    }

    /// @inheritdoc IFulcraPoolExt
    function setBorrowable(address asset, bool borrowable) external onlyRole(RISK_ADMIN_ROLE) {
        RiskSlot storage c = _listed(asset).risk;
        c.flags = borrowable ? c.flags | FLAG_BORROWABLE : c.flags & ~FLAG_BORROWABLE;
        emit IPoolEvents.BorrowableSet(asset, borrowable);
    }

    /// @inheritdoc IFulcraPoolExt
    function setFlashFee(address asset, uint16 feeBps) external onlyRole(RISK_ADMIN_ROLE) {
        if (feeBps > MAX_FLASH_FEE) revert IPoolErrors.InvalidFlashFee();
        RiskSlot storage c = _listed(asset).risk;
        emit IPoolEvents.FlashFeeSet(asset, c.flashFee, feeBps);
        c.flashFee = feeBps;
    }

    /// @inheritdoc IFulcraPoolExt
    function setPause(address asset, bool supplyPaused, bool borrowPaused) external onlyRole(GUARDIAN_ROLE) {
        RiskSlot storage c = _listed(asset).risk;
        uint8 flags = c.flags & ~(FLAG_SUPPLY_PAUSED | FLAG_BORROW_PAUSED);
        if (supplyPaused) flags |= FLAG_SUPPLY_PAUSED;
        if (borrowPaused) flags |= FLAG_BORROW_PAUSED;
        c.flags = flags;
        emit IPoolEvents.PauseSet(asset, supplyPaused, borrowPaused);
    }

    /// @inheritdoc IFulcraPoolExt
    function setFlashPause(address asset, bool paused) external onlyRole(GUARDIAN_ROLE) {
        RiskSlot storage c = _listed(asset).risk;
        c.flags = paused ? c.flags | FLAG_FLASH_PAUSED : c.flags & ~FLAG_FLASH_PAUSED;
        emit IPoolEvents.FlashPauseSet(asset, paused);
    }

    /// @inheritdoc IFulcraPoolExt
    function withdrawLiquidationFees(
        address asset,
        uint256 assets,
        address receiver
    ) external onlyRole(TREASURY_ROLE) lock {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        Asset storage a = _listed(asset);
        if (assets > a.liquidationFees) revert IPoolErrors.InsufficientReserves();
        a.liquidationFees -= uint120(assets); // safe: ≤ the fees, checked above
        emit IPoolEvents.LiquidationFeesWithdrawn(asset, receiver, assets);
        IERC20(asset).safeTransfer(receiver, assets);
    }

    /// @inheritdoc IFulcraPoolExt
    function withdrawReserves(address asset, uint256 assets, address receiver) external onlyRole(TREASURY_ROLE) lock {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        Asset storage a = _listed(asset);
        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 shares = assets.toSharesUp(totalAssets, m.totalSupplyShares);
        if (shares > m.reserveShares) revert IPoolErrors.InsufficientReserves();
        if (assets > totalAssets || m.totalBorrowAssets > totalAssets - assets)
            revert IPoolErrors.InsufficientLiquidity();
        // safe: shares ≤ reserve shares and assets ≤ the total, both checked above.
        m.reserveShares -= uint128(shares);
        m.totalSupplyShares -= uint128(shares);
        m.totalSupplyAssets = uint128(totalAssets - assets);
        emit IPoolEvents.ReservesWithdrawn(asset, receiver, assets, shares);
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
        if (feed == address(0)) revert IPoolErrors.ZeroAddress();
        if (heartbeat < MIN_HEARTBEAT || heartbeat > MAX_HEARTBEAT || minAnswer < 0 || maxAnswer <= minAnswer) {
            revert IPoolErrors.InvalidOracleConfig();
        }
        uint256 scale = 36;
        uint256 tokenDecimals = IERC20Metadata(asset).decimals();
        uint256 feedDecimals = AggregatorV3Interface(feed).decimals();
        if (tokenDecimals + feedDecimals > scale) revert IPoolErrors.UnsupportedDecimals();
        // The bounds are stored as decimal floats, rounded inward: an answer is never trusted beyond them.
        // safe: both bounds are ≥ 0 (checked above).
        uint32 minF = _toBound(uint96(minAnswer), true);
        uint32 maxF = _toBound(uint96(maxAnswer), false);
        if (_bound(maxF) <= _bound(minF)) revert IPoolErrors.InvalidOracleConfig();
        PriceSlot storage c = a.price;
        // safe: the scale is ≤ 36 (checked above); the floats fit 32 bits by construction (`_toBound`).
        (c.feed, c.heartbeat, c.scaleExp, c.minAnswer, c.maxAnswer) = (
            feed,
            heartbeat,
            uint8(scale - tokenDecimals - feedDecimals),
            minF,
            maxF
        );
        // safe: min < max ≤ the int96 maximum once rounded (checked above; max only rounds down).
        emit IPoolEvents.OracleSet(asset, feed, heartbeat, int96(_bound(minF)), int96(_bound(maxF)));
    }

    /// @dev `v` as a decimal float `m · 10^e` with m < 2^24 (low 24 bits) and e in the high 8 bits, rounded up or
    /// down. `v` < 2^96, so e ≤ 22.
    function _toBound(uint256 v, bool up) internal pure returns (uint32) {
        uint256 e;
        while (v > 0xffffff) {
            v = up ? (v + 9) / 10 : v / 10;
            ++e;
        }
        return uint32((e << 24) | v); // safe: v < 2^24 and e ≤ 22
    }

    function _validateRisk(uint256 ltv, uint256 lt) internal pure {
        // lt == 0 (with ltv == 0) marks an asset that cannot be collateral.
        if (lt > MAX_LT || (lt != 0 && ltv + MIN_LTV_LT_GAP > lt) || (lt == 0 && ltv != 0)) {
            revert IPoolErrors.InvalidRiskParams();
        }
    }

    function _validateRateModel(uint256 baseRate, uint256 slope1, uint256 slope2, uint256 kink) internal pure {
        if (
            baseRate > MAX_BASE_RATE || slope1 > MAX_SLOPE1 || slope2 > MAX_SLOPE2 || kink < MIN_KINK || kink > MAX_KINK
        ) revert IPoolErrors.InvalidRateModel();
    }

    // ================================================================ operators

    /// @inheritdoc IFulcraPoolExt
    function setAuthorization(address operator, bool authorized) external {
        if (operator == address(0)) revert IPoolErrors.ZeroAddress();
        _isAuthorized[msg.sender][operator] = authorized;
        emit IPoolEvents.SetAuthorization(msg.sender, operator, authorized);
    }

    /// @inheritdoc IFulcraPoolExt
    function setAuthorizationScope(address operator, uint96 subIdPrefix, uint96 subIdMask) external {
        if (operator == address(0)) revert IPoolErrors.ZeroAddress();
        if (subIdPrefix & ~subIdMask != 0) revert IPoolErrors.InvalidScope();
        _scopes[msg.sender][operator] = (uint256(subIdPrefix) << 96) | subIdMask;
        emit IPoolEvents.SetAuthorizationScope(msg.sender, operator, subIdPrefix, subIdMask);
    }

    /// @inheritdoc IFulcraPoolExt
    function maxLtFor(address asset) external view returns (uint256) {
        return _maxLtFor(_assets[asset].risk.maxBonus).min(MAX_LT);
    }
}
