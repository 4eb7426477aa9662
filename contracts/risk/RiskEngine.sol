// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {AssetConfig, AssetRisk} from "../interfaces/IPoolTypes.sol";

/// @title RiskEngine
/// @notice Turns each collateral asset's measured volatility into its collateral parameters. In calm markets
/// (volatility at or below the profile's reference) the asset gets the calm profile's LTV and liquidation threshold;
/// above it both fall linearly with volatility down to their floors. The pool applies the LTV at once (new borrows
/// are the strict side) and walks the LT down no faster than the profile's ramp, so existing borrowers get time to
/// react and one spike does not set off a cascade. Above a volatility ceiling, or right after a single-update price
/// move beyond a bound, the circuit breaker halts new borrows of and against the asset until it calms.
///
/// "Warn via LTV, liquidate via LT gradually, and only before the move": the LTV and the breaker (which only affect
/// new borrows) follow the larger of the oracle's short and long volatility estimates, so they react within hours;
/// the LT (which liquidates existing positions) follows the long estimate (or the larger one, with
/// `LT_FOLLOWS_FAST`) at the ramp's pace. The profile's `ltHold` flags can stop it from tightening while the breaker
/// is on or while the short estimate is below the long one (the storm is passing), and `RELEASE_ON_BREAKER` returns
/// it to the calm LT while the breaker is on and for `RELEASE_WINDOW` after it lifts: the tightening is pre-emptive,
/// done while markets are still liquid; during the move itself no position is held to a stricter threshold than a
/// static market's, so the move does not liquidate accounts a static market would spare.
/// @dev `update` is permissionless: whoever calls it, the engine only ever moves parameters inside the profile that
/// governance (through the timelock) set, and the pool enforces the LT ramp itself.
contract RiskEngine is AccessControl {
    /// @notice Sets profiles and modes. Held by the timelock.
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    uint256 internal constant WAD = 1e18;
    /// @notice Slopes are expressed in bps of LTV/LT lost per VOL_STEP of volatility above the reference.
    uint256 public constant VOL_STEP = 0.1e18;
    uint256 public constant MAX_LT = 9_700;
    uint256 public constant MIN_GAP = 100;
    uint256 public constant MAX_SLOPE = 2_000;
    uint256 public constant MAX_RAMP = 200;
    uint256 public constant MIN_REF_VOL = 0.05e18;
    uint256 public constant MAX_REF_VOL = 3e18;
    uint256 public constant MAX_BREAKER_VOL = 10e18;
    uint256 public constant MIN_BREAKER_MOVE = 0.02e18;
    uint256 public constant MAX_BREAKER_MOVE = 1e18;
    uint256 public constant MAX_COOLDOWN = 7 days;
    /// @notice The breaker lifts only once volatility is back under this share of the ceiling (hysteresis).
    uint256 public constant LIFT_RATIO_BPS = 9_000;
    /// @notice `ltHold` flag: the LT does not tighten while the circuit breaker is on.
    uint8 public constant HOLD_ON_BREAKER = 1;
    /// @notice `ltHold` flag: the LT does not tighten while the short volatility estimate is below the long one.
    uint8 public constant HOLD_WHEN_EASING = 2;
    /// @notice `ltHold` flag: the LT follows the larger of the two estimates (default: the long one only).
    uint8 public constant LT_FOLLOWS_FAST = 4;
    /// @notice `ltHold` flag: while the breaker is on, and for RELEASE_WINDOW after it lifts, the LT target is the
    /// calm LT (`ltMax`): the pool raises the LT at once, and the ramp resumes from there only after the window.
    uint8 public constant RELEASE_ON_BREAKER = 8;
    /// @notice How long after the circuit breaker lifts the LT stays released (`RELEASE_ON_BREAKER`): the aftermath
    /// of a crash is as volatile as its run-up, and tightening into it would liquidate the accounts that survived.
    uint256 public constant RELEASE_WINDOW = 12 hours;
    /// @notice All `ltHold` flags together.
    uint8 public constant MAX_LT_HOLD = 15;

    /// @notice Governance's profile for one collateral asset.
    struct Profile {
        uint16 ltvMax; // calm-market LTV, bps
        uint16 ltMax; // calm-market LT, bps
        uint16 ltvMin; // floors
        uint16 ltMin;
        uint16 ltvSlope; // bps of LTV lost per 10 % of volatility above refVol
        uint16 ltSlope; // bps of LT lost per 10 % of volatility above refVol
        uint16 rampBpsPerHour; // fastest downward LT move
        uint32 cooldown; // seconds a big single move keeps the breaker on
        uint64 refVol; // WAD, annualized
        uint64 breakerVol; // WAD, annualized ceiling
        uint64 breakerMove; // WAD, absolute log return of one update
        bool dynamic; // false: static mode, parameters stay as governance set them in the pool
        uint8 ltHold; // HOLD_ON_BREAKER | HOLD_WHEN_EASING | LT_FOLLOWS_FAST | RELEASE_ON_BREAKER
    }

    /// @notice What the engine last applied, written with each `RiskUpdated` (the pool's own LTV and LT target are
    /// the reference for detecting changes; `breaker` is the engine's own last decision).
    struct State {
        uint16 ltv;
        uint16 ltTarget;
        bool breaker;
        uint64 vol;
        uint40 updatedAt;
        uint40 breakerLiftedAt; // when the engine last lifted the breaker (0: never)
    }

    enum Regime {
        Static,
        Calm,
        Elevated,
        Breaker
    }

    IFulcraPool public immutable POOL;
    IVolatilityOracle public immutable ORACLE;

    mapping(address => Profile) internal _profiles;
    mapping(address => State) public state;

    error ZeroAddress();
    error InvalidProfile();
    error NoProfile();
    error AssetNotListed();
    error LtAboveLiquidationBound(uint256 ltMax, uint256 bound);

    event ProfileSet(address indexed asset, Profile profile);
    event ModeSet(address indexed asset, bool dynamic);
    /// @notice Emitted on every update that changed something: old and new LTV and LT target, and the volatility
    /// and regime behind them.
    event RiskUpdated(
        address indexed asset,
        uint256 volatility,
        uint256 oldLtv,
        uint256 newLtv,
        uint256 oldLtTarget,
        uint256 newLtTarget,
        bool breaker,
        Regime regime
    );

    /// @param pool The Fulcra pool (this engine needs its RISK_ENGINE_ROLE).
    /// @param oracle The volatility oracle.
    /// @param admin DEFAULT_ADMIN_ROLE holder (the timelock).
    constructor(IFulcraPool pool, IVolatilityOracle oracle, address admin) {
        if (address(pool) == address(0) || address(oracle) == address(0) || admin == address(0)) {
            revert ZeroAddress();
        }
        POOL = pool;
        ORACLE = oracle;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets `asset`'s profile (RISK_ADMIN, through the timelock), validated against hard bounds.
    /// The asset must be listed in the pool, the calm LT must leave room for its maximum liquidation bonus there
    /// (LT·(1 + maxBonus) < 1: at most the pool's `maxLtFor(asset)`), and a dynamic profile needs the asset listed in
    /// the volatility oracle. Switching the profile to static lifts the engine's circuit breaker, as `setMode` does.
    function setProfile(address asset, Profile calldata p) external onlyRole(RISK_ADMIN_ROLE) {
        if (asset == address(0)) revert ZeroAddress();
        if (
            p.ltMax > MAX_LT ||
            p.ltMin > p.ltMax ||
            p.ltvMin > p.ltvMax ||
            p.ltMin == 0 ||
            uint256(p.ltvMax) + MIN_GAP > p.ltMax ||
            uint256(p.ltvMin) + MIN_GAP > p.ltMin ||
            p.ltvSlope > MAX_SLOPE ||
            p.ltSlope > MAX_SLOPE ||
            p.rampBpsPerHour == 0 ||
            p.rampBpsPerHour > MAX_RAMP ||
            p.refVol < MIN_REF_VOL ||
            p.refVol > MAX_REF_VOL ||
            p.breakerVol <= p.refVol ||
            p.breakerVol > MAX_BREAKER_VOL ||
            p.breakerMove < MIN_BREAKER_MOVE ||
            p.breakerMove > MAX_BREAKER_MOVE ||
            p.cooldown > MAX_COOLDOWN ||
            p.ltHold > MAX_LT_HOLD
        ) revert InvalidProfile();
        if (POOL.assetConfig(asset).id == 0) revert AssetNotListed();
        uint256 bound = POOL.maxLtFor(asset);
        if (p.ltMax > bound) revert LtAboveLiquidationBound(p.ltMax, bound);
        if (p.dynamic) ORACLE.volatility(asset); // reverts for an asset the oracle does not know
        _profiles[asset] = p;
        emit ProfileSet(asset, p);
        if (!p.dynamic) _liftIfStatic(asset);
    }

    /// @notice Switches `asset` between dynamic mode and static mode (RISK_ADMIN). In static mode the engine leaves
    /// the pool's parameters alone (the baseline Aave/Compound behaviour) and lifts its own circuit breaker.
    function setMode(address asset, bool dynamic) external onlyRole(RISK_ADMIN_ROLE) {
        Profile storage p = _profiles[asset];
        if (p.ltMax == 0) revert NoProfile();
        if (dynamic) ORACLE.volatility(asset); // reverts for an asset the oracle does not know
        p.dynamic = dynamic;
        emit ModeSet(asset, dynamic);
        if (!dynamic) _liftIfStatic(asset);
    }

    // ---------------------------------------------------------------- keepers

    /// @notice Refreshes `asset`'s volatility and applies the parameters it implies. Permissionless and idempotent:
    /// a call that changes nothing emits nothing. Returns whether parameters changed. In static mode (or without a
    /// profile) it only refreshes the oracle and leaves the pool alone.
    /// @dev Changes are detected against the pool's own LTV and LT target, not a cache, so parameters governance set
    /// directly on the pool (or while the asset was static) are brought back to the profile at the next update. The
    /// circuit breaker is compared with the engine's own last decision, so a guardian's manual trip is not undone
    /// while the engine has nothing new to say.
    function update(address asset) public returns (bool changed) {
        Profile memory p = _profiles[asset];
        if (!p.dynamic) {
            if (p.ltMax != 0) ORACLE.update(asset);
            return false;
        }
        ORACLE.update(asset);
        uint256 vol = ORACLE.volatility(asset);
        uint256 fastVol = ORACLE.fastVolatility(asset);
        // The borrow side (LTV, breaker) reads the larger estimate; the LT the long one unless LT_FOLLOWS_FAST.
        uint256 signal = fastVol > vol ? fastVol : vol;
        (uint16 ltv, ) = _targets(p, signal);
        (, uint16 lt) = _targets(p, p.ltHold & LT_FOLLOWS_FAST != 0 ? signal : vol);
        State memory s = state[asset];
        bool breaker = _breaker(p, signal, s.breaker, asset);

        AssetConfig memory c = POOL.assetConfig(asset);
        uint256 oldLtv = c.ltv;
        AssetRisk memory r = POOL.assetRisk(asset);
        // An asset governance made non-collateral (LT 0, or LT heading to 0 after `setCollateralParams(0, 0)`) keeps
        // only the breaker (it still halts borrows of it): the engine does not undo the retirement, and the pool's
        // refusal must not block a keeper's batch.
        bool collateral = c.lt != 0 && r.ltTarget != 0;
        uint40 liftedAt = s.breaker && !breaker ? uint40(block.timestamp) : s.breakerLiftedAt;
        if (collateral && p.ltHold & RELEASE_ON_BREAKER != 0 && _released(breaker, liftedAt)) {
            // Released: the calm LT, raised at once by the pool.
            lt = p.ltMax;
        } else if (collateral && _holdLt(p, breaker, fastVol < vol)) {
            // Hold: the LT may rise but not fall below where it stands now (the ramp stops there).
            uint256 ltNow = POOL.effectiveLt(asset);
            if (lt < ltNow) lt = uint16(ltNow);
        }
        if (collateral && lt > c.lt) {
            // A raise (release, or calmer markets): governance may have raised the asset's maximum liquidation bonus
            // since the profile was set, and the pool refuses an LT above `maxLtFor`. Cap it there rather than
            // revert: a revert here would block every asset of a keeper's batch, breaker trips included. (An LT at or
            // below the pool's anchor already satisfies the rule.)
            uint256 bound = POOL.maxLtFor(asset);
            if (lt > bound) {
                lt = uint16(bound);
                if (uint256(ltv) + MIN_GAP > lt) ltv = uint16(lt - MIN_GAP);
            }
        }
        if (collateral && (ltv != oldLtv || lt != r.ltTarget || p.rampBpsPerHour != r.rampBpsPerHour)) {
            POOL.applyRiskParams(asset, ltv, lt, p.rampBpsPerHour);
            changed = true;
        }
        if (breaker != s.breaker) {
            POOL.setCircuitBreaker(asset, breaker);
            changed = true;
        }
        if (changed) {
            state[asset] = State(ltv, lt, breaker, uint64(signal), uint40(block.timestamp), liftedAt);
            emit RiskUpdated(asset, signal, oldLtv, ltv, r.ltTarget, lt, breaker, _regime(p, signal, breaker));
        }
    }

    /// @notice `update` for several assets; returns how many changed.
    function updateMany(address[] calldata assets) external returns (uint256 changedCount) {
        for (uint256 i; i < assets.length; ++i) {
            if (update(assets[i])) ++changedCount;
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice `asset`'s profile.
    function profile(address asset) external view returns (Profile memory) {
        return _profiles[asset];
    }

    /// @notice Target LTV and LT for a volatility `vol` (WAD) under `asset`'s profile.
    function targetsFor(address asset, uint256 vol) external view returns (uint16 ltv, uint16 lt) {
        return _targets(_profiles[asset], vol);
    }

    /// @notice Everything a risk dashboard shows for `asset`: volatility, the pool's LTV and LT now, the LT target,
    /// the regime, and seconds until the LT ramp completes.
    function status(
        address asset
    )
        external
        view
        returns (
            uint256 volatility,
            uint256 ltvNow,
            uint256 ltNow,
            uint256 ltTarget,
            Regime regime,
            uint256 rampSecondsLeft
        )
    {
        Profile memory p = _profiles[asset];
        volatility = ORACLE.volatility(asset);
        AssetConfig memory c = POOL.assetConfig(asset);
        AssetRisk memory r = POOL.assetRisk(asset);
        ltvNow = c.ltv;
        ltNow = POOL.effectiveLt(asset);
        ltTarget = r.ltTarget < c.lt ? r.ltTarget : c.lt;
        uint256 fastVol = ORACLE.fastVolatility(asset);
        regime = p.dynamic
            ? _regime(p, fastVol > volatility ? fastVol : volatility, state[asset].breaker)
            : Regime.Static;
        if (ltNow > ltTarget && r.rampBpsPerHour != 0) {
            rampSecondsLeft = ((ltNow - ltTarget) * 1 hours + r.rampBpsPerHour - 1) / r.rampBpsPerHour;
        }
    }

    // ---------------------------------------------------------------- internals

    /// @dev Static mode never keeps a breaker the engine tripped.
    function _liftIfStatic(address asset) internal {
        if (state[asset].breaker) {
            state[asset].breaker = false;
            POOL.setCircuitBreaker(asset, false);
        }
    }

    /// @dev Linear fall from the calm profile above `refVol`, floored; LTV kept at least MIN_GAP below LT. The drops
    /// are rounded up: the protocol's side (a lower LTV and LT), never more lenient than the exact line.
    function _targets(Profile memory p, uint256 vol) internal pure returns (uint16 ltv, uint16 lt) {
        uint256 excess = vol > p.refVol ? vol - p.refVol : 0;
        uint256 ltvDrop = (excess * p.ltvSlope + VOL_STEP - 1) / VOL_STEP;
        uint256 ltDrop = (excess * p.ltSlope + VOL_STEP - 1) / VOL_STEP;
        uint256 ltvT = ltvDrop + p.ltvMin >= p.ltvMax ? p.ltvMin : p.ltvMax - ltvDrop;
        uint256 ltT = ltDrop + p.ltMin >= p.ltMax ? p.ltMin : p.ltMax - ltDrop;
        if (ltvT + MIN_GAP > ltT) ltvT = ltT - MIN_GAP;
        return (uint16(ltvT), uint16(ltT));
    }

    /// @dev Whether the LT must not tighten now under the profile's `ltHold` flags.
    function _holdLt(Profile memory p, bool breaker, bool easing) internal pure returns (bool) {
        return (breaker && p.ltHold & HOLD_ON_BREAKER != 0) || (easing && p.ltHold & HOLD_WHEN_EASING != 0);
    }

    /// @dev Whether the LT is released to its calm value: the breaker is on, or lifted less than RELEASE_WINDOW ago.
    function _released(bool breaker, uint40 liftedAt) internal view returns (bool) {
        return breaker || (liftedAt != 0 && block.timestamp < uint256(liftedAt) + RELEASE_WINDOW);
    }

    /// @dev Trips above the ceiling or within `cooldown` of a move beyond `breakerMove`; once on, lifts only below
    /// LIFT_RATIO of the ceiling and after the cooldown.
    function _breaker(Profile memory p, uint256 vol, bool on, address asset) internal view returns (bool) {
        (uint256 move, uint256 movedAt) = ORACLE.lastMove(asset);
        bool recentShock = move >= p.breakerMove && block.timestamp < movedAt + p.cooldown;
        if (vol >= p.breakerVol || recentShock) return true;
        if (on) return vol * 10_000 >= uint256(p.breakerVol) * LIFT_RATIO_BPS;
        return false;
    }

    function _regime(Profile memory p, uint256 vol, bool breaker) internal pure returns (Regime) {
        if (breaker) return Regime.Breaker;
        return vol > p.refVol ? Regime.Elevated : Regime.Calm;
    }
}
