// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";

/// @title VolatilityOracle
/// @notice On-chain realized volatility per asset, from the asset's Chainlink feed. The estimator is an exponentially
/// weighted moving average of the variance *rate* (squared log return per unit time), so that irregular update
/// intervals are handled exactly:
///
///     r      = ln(P_t / P_prev)                       (log return between two feed rounds, dt = their time apart)
///     decay  = 2^(-dt / halfLife) = exp(-dt·ln2 / halfLife)
///     var'   = decay·var + (1 - decay)·r²·YEAR / dt   (annualized variance rate, WAD)
///     vol    = sqrt(var')                             (annualized volatility, WAD: 1e18 = 100 %)
///
/// For dt ≪ halfLife the weight 1 - decay ≈ dt·ln2/halfLife, so a return r adds ≈ ln2·r²/halfLife whatever the
/// sampling interval: updating more often does not weigh a move more. Logarithms and exponentials are Solady's
/// `lnWad`/`expWad`, the square root Solady's `sqrt`.
///
/// Two estimates run side by side on the same returns: the long one (`volatility`, half-life `halfLife`, e.g. a
/// day) and a short one (`fastVolatility`, half-life `fastHalfLife`, e.g. a few hours). The long one is stable and
/// drives the liquidation threshold; the short one reacts within hours to a regime change and warns new borrowers
/// (the engine's LTV follows the larger of the two). Until governance sets a shorter `fastHalfLife` both are equal.
/// @dev `update` is permissionless and never reverts for "too soon", for a feed round that did not change or for a
/// bad feed answer: it returns false (bad answers also emit `FeedRejected`) and leaves the state untouched. The
/// feed is configured here per asset by ORACLE_ADMIN (the timelock), independently of the pool, so that a pool feed
/// change cannot silently splice two price series into one bogus return (`setFeed` restarts the price baseline).
/// Reads are one storage slot.
contract VolatilityOracle is IVolatilityOracle, AccessControl {
    using FixedPointMathLib for uint256;

    /// @notice Lists assets and sets their estimator parameters. Held by the timelock.
    bytes32 public constant ORACLE_ADMIN_ROLE = keccak256("ORACLE_ADMIN_ROLE");

    uint256 internal constant WAD = 1e18;
    /// @notice ln(2) in WAD.
    uint256 internal constant LN2_WAD = 693_147_180_559_945_309;
    /// @notice Seconds per year used to annualize (365 days).
    uint256 public constant YEAR = 365 days;

    uint256 public constant MIN_HALF_LIFE = 1 hours;
    /// @notice Shortest half-life of the short estimate: 15 minutes (below that one return dominates it).
    uint256 public constant MIN_FAST_HALF_LIFE = 15 minutes;
    uint256 public constant MAX_HALF_LIFE = 90 days;
    uint256 public constant MIN_UPDATE_INTERVAL = 1 minutes;
    uint256 public constant MAX_UPDATE_INTERVAL = 1 days;
    uint256 public constant MIN_MAX_AGE = 1 minutes;
    uint256 public constant MAX_MAX_AGE = 7 days;
    uint256 public constant MAX_SHOCK_WINDOW = 7 days;
    /// @notice Volatility is capped at 1,000 % (and the variance at its square).
    uint256 public constant MAX_VOL = 10e18;
    uint256 internal constant MAX_VARIANCE = (MAX_VOL * MAX_VOL) / WAD;

    /// @notice Estimator parameters of one asset, one storage slot.
    struct Config {
        address feed; // Chainlink AggregatorV3Interface
        uint24 halfLife; // seconds
        uint24 minInterval; // seconds between accepted updates (block time)
        uint24 maxAge; // answers older than this are stale, seconds
        uint24 shockWindow; // how long the largest single move is remembered, seconds
    }

    /// @notice What the risk engine reads, one storage slot.
    struct Observation {
        uint64 vol; // annualized volatility, WAD
        uint64 peakMove; // largest absolute log return of one update within the shock window, WAD
        uint40 peakAt; // when it happened (block time of the update)
        uint40 updatedAt; // block time of the last accepted update
        uint40 feedTime; // `updatedAt` of the feed round last used (0: no price baseline yet)
        bool listed;
    }

    /// @notice The estimator's running state, one storage slot.
    struct Estimate {
        int128 logPrice; // ln(answer) of the last round used, WAD
        uint128 variance; // annualized variance rate, WAD
    }

    /// @notice The short estimate, one storage slot: same returns, its own half-life.
    struct Fast {
        uint24 halfLife; // seconds
        uint64 vol; // annualized volatility, WAD
        uint128 variance; // annualized variance rate, WAD
    }

    /// @notice Why a feed answer was not used.
    enum Rejection {
        FeedReverted,
        NonPositive,
        IncompleteRound,
        Stale,
        FromFuture
    }

    mapping(address => Config) internal _configs;
    mapping(address => Observation) internal _observations;
    mapping(address => Estimate) internal _estimates;
    mapping(address => Fast) internal _fast;

    error ZeroAddress();
    error NotAContract(address feed);
    error InvalidConfig();
    error InvalidVolatility();
    error AssetAlreadyListed(address asset);
    error UnknownAsset(address asset);

    /// @notice `asset` was listed with `feed`, its parameters and the governance-set initial volatility.
    event AssetListed(address indexed asset, address indexed feed, uint256 initialVolatility);
    /// @notice New estimator parameters for `asset`.
    event ConfigSet(address indexed asset, uint256 halfLife, uint256 minInterval, uint256 maxAge, uint256 shockWindow);
    /// @notice New half-life of `asset`'s short estimate.
    event FastHalfLifeSet(address indexed asset, uint256 oldHalfLife, uint256 newHalfLife);
    /// @notice `asset` now reads `feed`; the price baseline restarts at the next update.
    event FeedSet(address indexed asset, address indexed oldFeed, address indexed newFeed);
    /// @notice Governance reset `asset`'s volatility (at listing or in an emergency).
    event VolatilitySeeded(address indexed asset, uint256 oldVolatility, uint256 newVolatility);
    /// @notice An accepted update: the feed answer used, the log return since the previous one (0 for the first
    /// round, which only sets the baseline), the seconds between the two feed rounds, and the new long and short
    /// volatility estimates.
    event VolatilityUpdated(
        address indexed asset,
        uint256 price,
        int256 logReturn,
        uint256 dt,
        uint256 volatility,
        uint256 fastVolatility
    );
    /// @notice The feed's latest answer was not used; the state is unchanged.
    event FeedRejected(address indexed asset, Rejection reason);

    /// @param admin DEFAULT_ADMIN_ROLE holder (the timelock).
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Lists `asset` (ORACLE_ADMIN): its feed, estimator parameters and the volatility it starts from (set by
    /// governance at listing, e.g. the asset's recent 30-day realized volatility). The first update only records
    /// the price baseline. The short estimate starts equal to the long one (same half-life) until `setFastHalfLife`.
    /// @param halfLife Seconds after which an observation's weight has halved.
    /// @param minInterval Least block time between two accepted updates.
    /// @param maxAge Feed answers older than this are stale and ignored.
    /// @param shockWindow How long the largest single-update move is remembered (set it to the engine's cooldown).
    /// @param initialVol Annualized volatility to start from (WAD), 0 < initialVol <= MAX_VOL.
    function listAsset(
        address asset,
        address feed,
        uint256 halfLife,
        uint256 minInterval,
        uint256 maxAge,
        uint256 shockWindow,
        uint256 initialVol
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (asset == address(0) || feed == address(0)) revert ZeroAddress();
        if (feed.code.length == 0) revert NotAContract(feed);
        if (_observations[asset].listed) revert AssetAlreadyListed(asset);
        _setConfig(asset, feed, halfLife, minInterval, maxAge, shockWindow);
        _setFastHalfLife(asset, halfLife);
        _observations[asset].listed = true;
        emit AssetListed(asset, feed, initialVol);
        _seed(asset, initialVol);
    }

    /// @notice Sets `asset`'s estimator parameters (ORACLE_ADMIN); the running estimate is kept.
    function setConfig(
        address asset,
        uint256 halfLife,
        uint256 minInterval,
        uint256 maxAge,
        uint256 shockWindow
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        _setConfig(asset, _listedConfig(asset).feed, halfLife, minInterval, maxAge, shockWindow);
    }

    /// @notice Sets the half-life of `asset`'s short estimate (ORACLE_ADMIN), MIN_FAST_HALF_LIFE..MAX_HALF_LIFE; the
    /// running short estimate is kept.
    function setFastHalfLife(address asset, uint256 fastHalfLife) external onlyRole(ORACLE_ADMIN_ROLE) {
        _listedConfig(asset);
        _setFastHalfLife(asset, fastHalfLife);
    }

    /// @notice Points `asset` at a new feed (ORACLE_ADMIN). The volatility is kept; the price baseline restarts, so
    /// no return is ever computed across two feeds.
    function setFeed(address asset, address feed) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (feed == address(0)) revert ZeroAddress();
        if (feed.code.length == 0) revert NotAContract(feed);
        Config storage c = _listedConfig(asset);
        emit FeedSet(asset, c.feed, feed);
        c.feed = feed;
        _observations[asset].feedTime = 0;
    }

    /// @notice Resets `asset`'s volatility to `vol` (ORACLE_ADMIN, through the timelock): for emergencies, such as
    /// a feed that was wrong for a while. 0 < vol <= MAX_VOL.
    function seedVolatility(address asset, uint256 vol) external onlyRole(ORACLE_ADMIN_ROLE) {
        _listedConfig(asset);
        _seed(asset, vol);
    }

    // ---------------------------------------------------------------- keepers

    /// @notice Updates `asset`'s estimate from its feed's latest round; permissionless. Returns false, changing
    /// nothing, if less than the minimum interval has passed since the last accepted update, if the feed has no new
    /// round, or if the answer is bad (non-positive, incomplete, stale or dated in the future: `FeedRejected`).
    /// @dev Reverts only for an asset that is not listed.
    function update(address asset) public returns (bool) {
        Config memory c = _configs[asset];
        if (c.feed == address(0)) revert UnknownAsset(asset);
        Observation memory o = _observations[asset];
        if (block.timestamp < uint256(o.updatedAt) + c.minInterval) return false;

        (bool ok, uint256 answer, uint256 feedTime, Rejection why) = _read(c);
        if (!ok) {
            emit FeedRejected(asset, why);
            return false;
        }
        if (feedTime <= o.feedTime) return false; // the feed has not moved to a new round

        int256 logPrice = FixedPointMathLib.lnWad(int256(answer));
        Estimate memory e = _estimates[asset];
        int256 logReturn;
        uint256 dt;
        if (o.feedTime != 0) {
            logReturn = logPrice - e.logPrice;
            dt = feedTime - o.feedTime;
            uint256 absReturn = FixedPointMathLib.abs(logReturn);
            // Annualized variance rate of this interval, r²·YEAR/dt, rounded up (a higher estimate is the safe side).
            uint256 sample = (absReturn * absReturn).mulDivUp(YEAR, dt * WAD);
            uint256 variance = _ewma(e.variance, sample, dt, c.halfLife);
            e.variance = uint128(variance);
            o.vol = uint64(FixedPointMathLib.sqrt(variance * WAD));
            Fast memory fast = _fast[asset];
            variance = _ewma(fast.variance, sample, dt, fast.halfLife);
            fast.variance = uint128(variance);
            fast.vol = uint64(FixedPointMathLib.sqrt(variance * WAD));
            _fast[asset] = fast;
            // Remember the largest move of the shock window (the engine's circuit breaker reads it).
            if (absReturn >= o.peakMove || block.timestamp >= uint256(o.peakAt) + c.shockWindow) {
                o.peakMove = uint64(absReturn < type(uint64).max ? absReturn : type(uint64).max);
                o.peakAt = uint40(block.timestamp);
            }
        }
        e.logPrice = int128(logPrice);
        o.updatedAt = uint40(block.timestamp);
        o.feedTime = uint40(feedTime);
        _estimates[asset] = e;
        _observations[asset] = o;
        emit VolatilityUpdated(asset, answer, logReturn, dt, o.vol, _fast[asset].vol);
        return true;
    }

    /// @notice `update` for several assets; returns how many updated.
    function updateMany(address[] calldata assets) external returns (uint256 updated) {
        for (uint256 i; i < assets.length; ++i) {
            if (update(assets[i])) ++updated;
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IVolatilityOracle
    /// @dev Reverts for an asset that is not listed, so that a missing estimate never reads as "calm".
    function volatility(address asset) external view returns (uint256) {
        Observation memory o = _observations[asset];
        if (!o.listed) revert UnknownAsset(asset);
        return o.vol;
    }

    /// @inheritdoc IVolatilityOracle
    /// @dev Reverts for an asset that is not listed.
    function fastVolatility(address asset) external view returns (uint256) {
        if (!_observations[asset].listed) revert UnknownAsset(asset);
        return _fast[asset].vol;
    }

    /// @inheritdoc IVolatilityOracle
    /// @dev The largest absolute log return of a single update within the asset's shock window (a smaller move
    /// replaces it only once the window has passed), and the block time of that update. Remembering the peak
    /// rather than the last move means calling `update` again cannot hide a shock from the circuit breaker.
    function lastMove(address asset) external view returns (uint256 absLogReturnWad, uint256 timestamp) {
        Observation memory o = _observations[asset];
        if (!o.listed) revert UnknownAsset(asset);
        return (o.peakMove, o.peakAt);
    }

    /// @notice `asset`'s estimator parameters.
    function config(address asset) external view returns (Config memory) {
        return _configs[asset];
    }

    /// @notice `asset`'s observation: volatility, peak move, update times.
    function observation(address asset) external view returns (Observation memory) {
        return _observations[asset];
    }

    /// @notice `asset`'s running estimate: last log price and annualized variance rate (WAD).
    function estimate(address asset) external view returns (Estimate memory) {
        return _estimates[asset];
    }

    /// @notice `asset`'s short estimate: half-life, volatility and annualized variance rate (WAD).
    function fastEstimate(address asset) external view returns (Fast memory) {
        return _fast[asset];
    }

    /// @notice Whether `update(asset)` would be accepted now (interval passed, feed valid and on a new round).
    function canUpdate(address asset) external view returns (bool) {
        Config memory c = _configs[asset];
        if (c.feed == address(0)) return false;
        Observation memory o = _observations[asset];
        if (block.timestamp < uint256(o.updatedAt) + c.minInterval) return false;
        (bool ok, , uint256 feedTime, ) = _read(c);
        return ok && feedTime > o.feedTime;
    }

    // ---------------------------------------------------------------- internals

    function _setConfig(
        address asset,
        address feed,
        uint256 halfLife,
        uint256 minInterval,
        uint256 maxAge,
        uint256 shockWindow
    ) internal {
        if (
            halfLife < MIN_HALF_LIFE ||
            halfLife > MAX_HALF_LIFE ||
            minInterval < MIN_UPDATE_INTERVAL ||
            minInterval > MAX_UPDATE_INTERVAL ||
            maxAge < MIN_MAX_AGE ||
            maxAge > MAX_MAX_AGE ||
            shockWindow > MAX_SHOCK_WINDOW
        ) revert InvalidConfig();
        _configs[asset] = Config(feed, uint24(halfLife), uint24(minInterval), uint24(maxAge), uint24(shockWindow));
        emit ConfigSet(asset, halfLife, minInterval, maxAge, shockWindow);
    }

    function _setFastHalfLife(address asset, uint256 fastHalfLife) internal {
        if (fastHalfLife < MIN_FAST_HALF_LIFE || fastHalfLife > MAX_HALF_LIFE) revert InvalidConfig();
        Fast storage f = _fast[asset];
        emit FastHalfLifeSet(asset, f.halfLife, fastHalfLife);
        f.halfLife = uint24(fastHalfLife);
    }

    /// @dev Both estimates restart from `vol`.
    function _seed(address asset, uint256 vol) internal {
        if (vol == 0 || vol > MAX_VOL) revert InvalidVolatility();
        Observation storage o = _observations[asset];
        emit VolatilitySeeded(asset, o.vol, vol);
        o.vol = uint64(vol);
        uint128 variance = uint128((vol * vol) / WAD);
        _estimates[asset].variance = variance;
        Fast storage f = _fast[asset];
        f.vol = uint64(vol);
        f.variance = variance;
    }

    /// @dev One EWMA step of the variance rate: 2^(-dt/halfLife)·variance + (1 - 2^(-dt/halfLife))·sample, rounded
    /// up, capped at MAX_VARIANCE. expWad returns 0 once the exponent is below ~-41.4 (the old estimate is gone).
    function _ewma(uint256 variance, uint256 sample, uint256 dt, uint256 halfLife) internal pure returns (uint256 v) {
        uint256 decay = uint256(FixedPointMathLib.expWad(-int256((dt * LN2_WAD) / halfLife)));
        v = (variance * decay + sample * (WAD - decay)).divUp(WAD);
        if (v > MAX_VARIANCE) v = MAX_VARIANCE;
    }

    function _listedConfig(address asset) internal view returns (Config storage c) {
        c = _configs[asset];
        if (c.feed == address(0)) revert UnknownAsset(asset);
    }

    /// @dev The feed's latest answer if it is usable: positive, from a complete round, not older than `maxAge` and
    /// not dated in the future. A reverting feed is reported, not propagated.
    function _read(Config memory c) internal view returns (bool ok, uint256 answer, uint256 feedTime, Rejection why) {
        try AggregatorV3Interface(c.feed).latestRoundData() returns (
            uint80 roundId,
            int256 a,
            uint256,
            uint256 updatedAt,
            uint80 answeredInRound
        ) {
            if (a <= 0) return (false, 0, 0, Rejection.NonPositive);
            if (updatedAt == 0 || answeredInRound < roundId) return (false, 0, 0, Rejection.IncompleteRound);
            if (updatedAt > block.timestamp) return (false, 0, 0, Rejection.FromFuture);
            if (block.timestamp - updatedAt > c.maxAge) return (false, 0, 0, Rejection.Stale);
            return (true, uint256(a), updatedAt, Rejection.FeedReverted);
        } catch {
            return (false, 0, 0, Rejection.FeedReverted);
        }
    }
}
