// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {AssetConfig, AssetRisk, Market, Account} from "../interfaces/IPoolTypes.sol";
import {LiquidationConfig, LiquidationGlobals} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";
import {EventsLib} from "../libraries/EventsLib.sol";

/// @title PoolStorage
/// @notice Storage layout, constants and the internal logic shared by the pool and its extension (interest
/// accrual, pricing, health). Both contracts inherit it, so the extension, reached by `delegatecall`, sees the
/// pool's storage exactly.
abstract contract PoolStorage is AccessControl {
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
    uint256 public constant MAX_COLLATERALS = 8;
    uint256 public constant MAX_BONUS = 2_000;
    uint256 public constant MAX_PROTOCOL_SHARE = 5_000;
    /// @notice Fastest the risk engine may lower a liquidation threshold: 2 percentage points per hour.
    uint256 public constant MAX_RAMP_BPS_PER_HOUR = 200;
    /// @notice The bonus climbs from base to max as health falls from 1 to 1 - BONUS_RAMP.
    uint256 public constant BONUS_RAMP = 0.1e18;

    uint8 internal constant FLAG_LISTED = 1;
    uint8 internal constant FLAG_BORROWABLE = 2;
    uint8 internal constant FLAG_SUPPLY_PAUSED = 4;
    uint8 internal constant FLAG_BORROW_PAUSED = 8;
    uint8 internal constant FLAG_BREAKER = 16;

    bytes32 internal constant FLASH_CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    // Transient-storage reentrancy locks (EIP-1153): the main lock guards every entry point that moves tokens; the
    // flash lock only forbids nested flash loans, so a flash borrower may use the pool during its callback (books
    // are untouched while the loan is out, and repayment is pulled, never read from a balance).
    bytes32 internal constant LOCK_SLOT = keccak256("fulcra.pool.lock");
    bytes32 internal constant FLASH_LOCK_SLOT = keccak256("fulcra.pool.flashLock");

    // ---------------------------------------------------------------- storage

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
        uint128 liquidationFees; // collateral owed to the protocol from liquidation bonuses, outside the books
        address vault;
        LiquidationConfig liquidation;
    }

    mapping(address => Asset) internal _assets;
    /// @notice Asset address by 1-based id.
    mapping(uint256 => address) public assetById;
    /// @notice Number of listed assets (also the last id).
    uint256 public assetCount;
    /// @notice Lender supply shares: asset => lender => shares.
    mapping(address => mapping(address => uint256)) public supplyShares;
    mapping(bytes32 => Account) internal _accounts;
    /// @notice owner => operator => may act for all of owner's accounts and lender positions.
    mapping(address => mapping(address => bool)) public isAuthorized;
    /// @notice Protocol-wide liquidation settings.
    LiquidationGlobals public liquidationGlobals;
    /// @notice Deploys the per-asset ERC-4626 vault at listing (created by the pool's constructor).
    address public vaultDeployer;

    // ---------------------------------------------------------------- modifiers

    modifier lock() {
        bytes32 slot = LOCK_SLOT;
        bool locked;
        assembly ("memory-safe") {
            locked := tload(slot)
        }
        // A Solidity revert (not assembly) so that `Reentrancy()` is part of the pool's ABI.
        if (locked) revert ErrorsLib.Reentrancy();
        assembly ("memory-safe") {
            tstore(slot, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    modifier flashLock() {
        bytes32 slot = FLASH_LOCK_SLOT;
        bool locked;
        assembly ("memory-safe") {
            locked := tload(slot)
        }
        // A Solidity revert (not assembly) so that `Reentrancy()` is part of the pool's ABI.
        if (locked) revert ErrorsLib.Reentrancy();
        assembly ("memory-safe") {
            tstore(slot, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    function _accrue(Asset storage a, address asset) internal {
        Market storage m = a.market;
        uint256 dt = block.timestamp - m.lastUpdate;
        if (dt == 0) return;
        uint256 totalBorrowAssets = m.totalBorrowAssets;
        if (totalBorrowAssets != 0) {
            (uint256 interest, uint256 feeShares, uint256 rate) = _pendingInterest(m, dt);
            m.totalBorrowAssets = uint128(totalBorrowAssets + interest);
            m.totalSupplyAssets = uint128(m.totalSupplyAssets + interest);
            if (feeShares != 0) {
                m.totalSupplyShares = uint128(m.totalSupplyShares + feeShares);
                m.reserveShares = uint128(m.reserveShares + feeShares);
            }
            emit EventsLib.AccrueInterest(asset, rate, interest, feeShares);
        }
        m.lastUpdate = uint40(block.timestamp);
    }

    /// @dev Interest accrued over `dt` on the market's current state, the reserve's shares of it (minted at the
    /// post-interest price, rounded down), and the borrow rate per second that produced it.
    function _pendingInterest(
        Market memory m,
        uint256 dt
    ) internal pure returns (uint256 interest, uint256 feeShares, uint256 rate) {
        rate = InterestRateLib.borrowRatePerSecond(
            InterestRateLib.utilization(m.totalBorrowAssets, m.totalSupplyAssets),
            m.baseRate,
            m.slope1,
            m.slope2,
            m.kink
        );
        // Totals are uint128: a market left untouched for years at extreme rates saturates at the bound instead of
        // overflowing (which would brick every entry point) or wrapping.
        uint256 growth = InterestRateLib.compoundedGrowth(rate, dt);
        uint256 room = type(uint128).max - uint256(m.totalSupplyAssets).max(m.totalBorrowAssets);
        interest = growth > room.mulDivDown(WAD, m.totalBorrowAssets)
            ? room
            : uint256(m.totalBorrowAssets).wMulDown(growth);
        if (m.reserveFactor != 0 && interest != 0) {
            uint256 feeAssets = interest.bpsDown(m.reserveFactor);
            feeShares = feeAssets.toSharesDown(m.totalSupplyAssets + interest - feeAssets, m.totalSupplyShares).min(
                type(uint128).max - m.totalSupplyShares
            );
        }
    }

    /// @dev Adds `assets` to the supply side, all of it owned by the reserves.
    function _creditReserves(Market storage m, uint256 assets) internal {
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 shares = assets.toSharesDown(totalAssets, m.totalSupplyShares);
        m.totalSupplyAssets = uint128(totalAssets + assets);
        m.totalSupplyShares = uint128(m.totalSupplyShares + shares);
        m.reserveShares = uint128(m.reserveShares + shares);
    }

    // ================================================================ health

    /// @dev True when the LTV-weighted value of the account's collateral covers a debt of `borrowShares` in the
    /// (accrued) asset `d`. Collateral is valued rounded down, debt rounded up.
    function _withinLtv(
        Account storage acc,
        uint256 borrowShares,
        Asset storage d
    ) internal view returns (bool ok, bool breaker) {
        Market storage m = d.market;
        uint256 debt = borrowShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        uint256 debtValue = debt.mulDivUp(_price(d), WAD);
        uint256 power;
        (, power, , breaker) = _collateralValuesB(acc, false);
        ok = power >= debtValue;
    }

    /// @dev Collateral value of an account: unweighted, LTV-weighted and (if `withLt`) LT-weighted, rounded down.
    function _collateralValues(
        Account storage acc,
        bool withLt
    ) internal view returns (uint256 value, uint256 power, uint256 liquidationValue) {
        (value, power, liquidationValue, ) = _collateralValuesB(acc, withLt);
    }

    /// @dev As `_collateralValues`, and whether any of the collateral has its circuit breaker on.
    function _collateralValuesB(
        Account storage acc,
        bool withLt
    ) internal view returns (uint256 value, uint256 power, uint256 liquidationValue, bool breaker) {
        uint256 ids = acc.collateralIds;
        uint256 count = acc.collateralCount;
        for (uint256 i; i < count; ++i) {
            Asset storage a = _assets[assetById[(ids >> (8 * i)) & 0xff]];
            AssetConfig memory c = a.config;
            AssetRisk memory r = a.risk;
            uint256 v = _collateralAt(acc, i).mulDivDown(_priceOf(c, r), WAD);
            value += v;
            power += v.bpsDown(c.ltv);
            if (c.flags & FLAG_BREAKER != 0) breaker = true;
            if (withLt) liquidationValue += v.bpsDown(_effectiveLt(c, r));
        }
    }

    /// @dev Position of asset `id` in a packed collateral list of `count` ids; `count` if absent.
    function _positionOf(uint256 ids, uint256 count, uint256 id) internal pure returns (uint256 i) {
        for (; i < count; ++i) {
            if ((ids >> (8 * i)) & 0xff == id) return i;
        }
    }

    function _collateralAt(Account storage acc, uint256 pos) internal view returns (uint256) {
        if (pos == 0) return acc.collateral0;
        if (pos == 1) return acc.collateral1;
        return acc.collateralMore[pos - 2];
    }

    function _setCollateralAt(Account storage acc, uint256 pos, uint256 amount) internal {
        if (pos == 0) acc.collateral0 = uint128(amount);
        else if (pos == 1) acc.collateral1 = uint128(amount);
        else acc.collateralMore[pos - 2] = uint128(amount);
    }

    /// @dev Removes the collateral at `pos` from a list of `count`: the last entry (id and amount) takes its place.
    function _removeCollateralAt(Account storage acc, uint256 pos, uint256 count) internal {
        uint256 last = count - 1;
        uint256 ids = acc.collateralIds;
        if (pos != last) {
            uint256 lastId = (ids >> (8 * last)) & 0xff;
            ids = (ids & ~(uint256(0xff) << (8 * pos))) | (lastId << (8 * pos));
            _setCollateralAt(acc, pos, _collateralAt(acc, last));
        }
        _setCollateralAt(acc, last, 0);
        acc.collateralIds = uint64(ids & ~(uint256(0xff) << (8 * last)));
        acc.collateralCount = uint8(last);
    }

    /// @dev The liquidation threshold now: it moves from the anchor `lt` toward `ltTarget` no faster than the ramp.
    function _effectiveLt(AssetConfig memory c, AssetRisk memory r) internal view returns (uint256) {
        uint256 target = r.ltTarget;
        uint256 anchor = c.lt;
        if (target >= anchor) return anchor;
        uint256 fallen = ((block.timestamp - r.rampStart) * r.rampBpsPerHour) / 1 hours;
        return fallen >= anchor - target ? target : anchor - fallen;
    }

    // ================================================================ oracle

    function _price(Asset storage a) internal view returns (uint256) {
        return _priceOf(a.config, a.risk);
    }

    /// @dev Price of one token unit in 18-decimal USD, scaled by 1e18 (so value = amount * price / 1e18), from the
    /// asset's Chainlink feed. Rejects answers that are non-positive, at the feed's clamp bounds, from an incomplete
    /// round, or older than the heartbeat.
    function _priceOf(AssetConfig memory c, AssetRisk memory r) internal view returns (uint256) {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = AggregatorV3Interface(c.feed)
            .latestRoundData();
        if (answer <= 0) revert ErrorsLib.NonPositivePrice();
        if (answer <= r.minAnswer || answer >= r.maxAnswer) revert ErrorsLib.PriceAtBound();
        if (updatedAt == 0 || answeredInRound < roundId) revert ErrorsLib.IncompleteRound();
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > c.heartbeat) revert ErrorsLib.StalePrice();
        return uint256(answer) * 10 ** c.scaleExp;
    }

    function _listed(address asset) internal view returns (Asset storage a) {
        a = _assets[asset];
        if (a.config.flags & FLAG_LISTED == 0) revert ErrorsLib.AssetNotListed();
    }

    function _key(address owner, uint96 subId) internal pure returns (bytes32) {
        return bytes32((uint256(uint160(owner)) << 96) | subId);
    }

    function _checkAuthorized(address owner) internal view {
        if (msg.sender != owner && !isAuthorized[owner][msg.sender]) revert ErrorsLib.Unauthorized();
    }

    struct LiquidationState {
        uint256 debtId;
        address debtAsset;
        uint256 count;
        uint256 pos;
        uint256 debt; // debt assets, rounded up
        uint256 health; // WAD
        uint256 bonus; // bps
        uint256 collateral; // the seized asset's amount in the account
        uint256 repayAssets; // the most the liquidator may repay
        uint256 seized; // collateral for repayAssets
        uint256 debtPrice;
        uint256 collPrice;
        bool revertIfHealthy;
    }

    /// @dev True when a repay capped by the caller (`repaid`, seizing `s.seized`) would leave debt or collateral worth
    /// less than the dust value, which nobody would liquidate profitably afterwards.
    function _leavesDust(LiquidationState memory s, uint256 repaid) internal view returns (bool) {
        uint256 dust = liquidationGlobals.dustValue;
        return
            (s.debt - repaid).mulDivDown(s.debtPrice, WAD) < dust ||
            (s.collateral - s.seized).mulDivDown(s.collPrice, WAD) < dust;
    }

    /// @dev After a seizure emptied one collateral: true when what the account still holds is worth less than the
    /// dust value and less than its debt. Nobody would liquidate it profitably, so the debt is written off now (the
    /// owner keeps that dust) rather than left on the books.
    function _onlyDustLeft(
        Account storage acc,
        uint256 borrowShares,
        Market storage dm,
        uint256 debtPrice
    ) internal view returns (bool) {
        (uint256 rest, , ) = _collateralValues(acc, false);
        uint256 debt = borrowShares.toAssetsUp(dm.totalBorrowAssets, dm.totalBorrowShares);
        return rest < liquidationGlobals.dustValue && rest < debt.mulDivUp(debtPrice, WAD);
    }

    /// @dev Fills `s` with the account's health, the bonus, the largest allowed repay and the collateral it buys.
    function _assessLiquidation(
        Account storage acc,
        uint256 totalBorrowAssets,
        uint256 totalBorrowShares,
        Asset storage d,
        Asset storage c,
        LiquidationState memory s
    ) internal view {
        (, , uint256 ltValue) = _collateralValues(acc, true);
        uint256 debtPrice = _price(d);
        s.debt = uint256(acc.borrowShares).toAssetsUp(totalBorrowAssets, totalBorrowShares);
        uint256 debtValue = s.debt.mulDivUp(debtPrice, WAD);
        s.health = ltValue.mulDivDown(WAD, debtValue);
        if (ltValue >= debtValue) {
            if (s.revertIfHealthy) revert ErrorsLib.HealthyAccount();
            return;
        }

        LiquidationConfig memory lc = c.liquidation;
        uint256 depth = (WAD - s.health).min(BONUS_RAMP);
        s.bonus = lc.baseBonus + uint256(lc.maxBonus - lc.baseBonus).mulDivDown(depth, BONUS_RAMP);

        AssetConfig memory cc = c.config;
        AssetRisk memory cr = c.risk;
        uint256 collPrice = _priceOf(cc, cr);
        (s.debtPrice, s.collPrice) = (debtPrice, collPrice);
        s.collateral = _collateralAt(acc, s.pos);
        uint256 collValue = s.collateral.mulDivDown(collPrice, WAD);
        LiquidationGlobals memory g = liquidationGlobals;

        // Largest repay value: enough to restore the target health, or everything when deep under water.
        uint256 repayValue = debtValue;
        if (s.health >= g.fullLiquidationHealth) {
            // After repaying x (and seizing x·(1+b) valued at LT lt_c): (L − x·(1+b)·lt_c) / (D − x) = H_target.
            uint256 weight = (BPS + s.bonus) * _effectiveLt(cc, cr) * (WAD / BPS / BPS); // (1+b)·lt_c, WAD
            uint256 target = g.targetHealth;
            if (target > weight) {
                repayValue = (target.mulDivUp(debtValue, WAD) - ltValue).mulDivUp(WAD, target - weight).min(debtValue);
            }
            // Dust rule: if what would remain is below the dust value, the position may be closed in full.
            if (debtValue - repayValue < g.dustValue) repayValue = debtValue;
        }
        // Limited by the collateral available (repay·(1+b) ≤ collateral value); all of it if the rest is dust.
        uint256 maxByCollateral = collValue.mulDivDown(BPS, BPS + s.bonus);
        bool takeAll = repayValue >= maxByCollateral ||
            collValue.zeroFloorSub(repayValue.mulDivUp(BPS + s.bonus, BPS)) < g.dustValue;
        if (takeAll) repayValue = maxByCollateral;
        s.repayAssets = repayValue.mulDivUp(WAD, debtPrice);
        if (s.repayAssets >= s.debt) {
            s.repayAssets = s.debt;
            takeAll = false;
        }
        if (takeAll) {
            s.seized = s.collateral;
        } else {
            s.seized = s.repayAssets.mulDivDown(debtPrice, WAD).mulDivDown(BPS + s.bonus, BPS).mulDivDown(
                WAD,
                collPrice
            );
            if (s.seized > s.collateral) s.seized = s.collateral;
        }
    }
}
