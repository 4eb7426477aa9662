// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {Market, Account} from "../interfaces/IPoolTypes.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {InterestRateLib} from "../libraries/InterestRateLib.sol";
import {SafeCastLib} from "../libraries/SafeCastLib.sol";
import {IPoolErrors} from "../interfaces/IPoolErrors.sol";
import {IPoolEvents} from "../interfaces/IPoolEvents.sol";

import {PoolStorage} from "./PoolStorage.sol";

/// @title PoolCore
/// @notice The logic `Pool`, `PoolExt` and `PoolViews` share (Comet's CometCore): the lock, interest accrual,
/// pricing, account lists, health and the liquidation sizing. Internal only; storage is `PoolStorage`'s.
abstract contract PoolCore is PoolStorage {
    using MathLib for uint256;
    using SharesMathLib for uint256;
    using SafeCastLib for uint256;

    /// @dev Most collateral assets one account may hold (its id list is 8 bytes).
    uint256 internal constant MAX_COLLATERAL_ASSETS = 8;
    /// @dev The bonus climbs from base to max as health falls from 1 to 1 - BONUS_RAMP_WAD.
    uint256 internal constant BONUS_RAMP_WAD = 0.1e18;

    uint8 internal constant FLAG_LISTED = 1;
    uint8 internal constant FLAG_BORROWABLE = 2;
    uint8 internal constant FLAG_SUPPLY_PAUSED = 4;
    uint8 internal constant FLAG_BORROW_PAUSED = 8;
    uint8 internal constant FLAG_BREAKER = 16;
    uint8 internal constant FLAG_FLASH_PAUSED = 32;

    // Account.meta: the collateral count (low bits) and the close-out mark.
    uint8 internal constant META_COUNT = 0x0f;
    uint8 internal constant META_CLOSE_OUT = 0x80;

    bytes32 internal constant FLASH_CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    // Transient-storage reentrancy locks (EIP-1153): the main lock guards every entry point that moves tokens; the
    // flash lock only forbids nested flash loans, so a flash borrower may use the pool during its callback (books
    // are untouched while the loan is out, and repayment is pulled, never read from a balance).
    bytes32 internal constant LOCK_SLOT = keccak256("fulcra.pool.lock");
    bytes32 internal constant FLASH_LOCK_SLOT = keccak256("fulcra.pool.flashLock");
    // The deleveraging window of `repayAndCall`: the account being repaid and its health before the repay. Inside
    // the callback that account may withdraw collateral beyond its LTV if its health ends no lower than that.
    bytes32 internal constant WINDOW_ACCOUNT_SLOT = keccak256("fulcra.pool.windowAccount");
    bytes32 internal constant WINDOW_HEALTH_SLOT = keccak256("fulcra.pool.windowHealth");

    /// @dev The pool's reentrancy lock (EIP-1153), on every entry point that moves tokens.
    modifier lock() {
        _enter(LOCK_SLOT);
        _;
        _tstore(LOCK_SLOT, 0);
    }

    /// @dev The same lock on its own slot for flash loans: it forbids only nested flash loans, so a flash borrower
    /// may use the pool during its callback (books are untouched while the loan is out, and repayment is pulled).
    modifier flashLock() {
        _enter(FLASH_LOCK_SLOT);
        _;
        _tstore(FLASH_LOCK_SLOT, 0);
    }

    function _enter(bytes32 slot) private {
        // A Solidity revert (not assembly) so that `Reentrancy()` is part of the pool's ABI.
        if (_tload(slot) != 0) revert IPoolErrors.Reentrancy();
        _tstore(slot, 1);
    }

    function _tstore(bytes32 slot, uint256 v) internal {
        assembly ("memory-safe") {
            tstore(slot, v)
        }
    }

    function _tload(bytes32 slot) internal view returns (uint256 v) {
        assembly ("memory-safe") {
            v := tload(slot)
        }
    }

    function _accrue(Asset storage a, address asset) internal {
        Market storage m = a.market;
        uint256 dt = block.timestamp - m.lastUpdate;
        if (dt == 0) return;
        if (m.totalBorrowAssets != 0) {
            // The totals are read once, into memory, and only written back.
            Market memory mm = m;
            (uint256 interest, uint256 feeShares, uint256 rate) = _pendingInterest(mm, dt);
            // safe: `_pendingInterest` caps interest at uint128 max − the larger total, and feeShares at uint128 max
            // − the share total (reserve shares are part of it).
            m.totalBorrowAssets = uint128(mm.totalBorrowAssets + interest);
            m.totalSupplyAssets = uint128(mm.totalSupplyAssets + interest);
            if (feeShares != 0) {
                m.totalSupplyShares = uint128(mm.totalSupplyShares + feeShares);
                m.reserveShares = uint128(mm.reserveShares + feeShares);
            }
            emit IPoolEvents.AccrueInterest(asset, rate, interest, feeShares);
        }
        m.lastUpdate = uint40(block.timestamp); // safe: uint40 seconds last until the year 36812
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
        // Checked: a flash fee credited to a market whose supply total saturated (see `_pendingInterest`) must revert,
        // not wrap the total to a small number.
        m.totalSupplyAssets = (totalAssets + assets).toUint128();
        uint256 totalShares = (m.totalSupplyShares + shares).toUint128();
        m.totalSupplyShares = uint128(totalShares); // safe: checked on the line above
        m.reserveShares = uint128(m.reserveShares + shares); // safe: reserve shares ≤ the share total just checked
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
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        for (uint256 i; i < count; ++i) {
            Asset storage a = _assets[_assetById[(ids >> (8 * i)) & 0xff]];
            RiskSlot memory r = a.risk;
            uint256 v = _collateralAt(acc, i).mulDivDown(_priceOf(a.price), WAD);
            value += v;
            power += v.bpsDown(r.ltv);
            if (r.flags & FLAG_BREAKER != 0) breaker = true;
            if (withLt) liquidationValue += v.bpsDown(_effectiveLt(r));
        }
    }

    /// @dev Collateral value of an account for liquidation: unweighted and LT-weighted, rounded down, with every
    /// collateral whose price cannot be trusted counted as zero (`allTrusted` false then).
    function _liquidationValues(
        Account storage acc
    ) internal view returns (uint256 value, uint256 ltValue, bool allTrusted) {
        (value, ltValue, allTrusted, ) = _liquidationValuesAt(acc, 0, _assets[address(0)]);
    }

    /// @dev As `_liquidationValues`, and the trusted price (0 if untrusted) of the collateral with id `seizedId`,
    /// whose storage `seized` the caller already holds: its id is not looked up and its feed is read once.
    function _liquidationValuesAt(
        Account storage acc,
        uint256 seizedId,
        Asset storage seized
    ) internal view returns (uint256 value, uint256 ltValue, bool allTrusted, uint256 seizedPrice) {
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        allTrusted = true;
        for (uint256 i; i < count; ++i) {
            uint256 id = (ids >> (8 * i)) & 0xff;
            Asset storage a = id == seizedId ? seized : _assets[_assetById[id]];
            uint256 p = _trustedPriceOrZero(a.price);
            if (id == seizedId) seizedPrice = p;
            if (p == 0) {
                allTrusted = false;
                continue;
            }
            uint256 v = _collateralAt(acc, i).mulDivDown(p, WAD);
            value += v;
            ltValue += v.bpsDown(_effectiveLt(a.risk));
        }
    }

    /// @dev What the account's collateral can repay when every asset is seized at its maximum bonus:
    /// sum of value / (1 + maxBonus), rounded down. Only called when every price is trusted.
    function _closeOutValue(Account storage acc) internal view returns (uint256 coverable) {
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        for (uint256 i; i < count; ++i) {
            Asset storage a = _assets[_assetById[(ids >> (8 * i)) & 0xff]];
            uint256 v = _collateralAt(acc, i).mulDivDown(_priceOf(a.price), WAD);
            coverable += v.mulDivDown(BPS, BPS + a.risk.maxBonus);
        }
    }

    /// @dev Debt shares to write off so that what remains of an insolvent account's debt (`borrowShares` in a
    /// market with the given totals) is worth at most what its collateral repays at the maximum bonus.
    function _shortfallShares(
        Account storage acc,
        uint256 borrowShares,
        uint256 totalBorrowAssets,
        uint256 totalBorrowShares,
        uint256 debtPrice
    ) internal view returns (uint256) {
        uint256 keepAssets = _closeOutValue(acc).mulDivDown(WAD, debtPrice);
        uint256 keepShares = keepAssets.toSharesDown(totalBorrowAssets, totalBorrowShares);
        return keepShares >= borrowShares ? 0 : borrowShares - keepShares;
    }

    /// @dev Position of asset `id` in a packed collateral list of `count` ids; `count` if absent.
    function _positionOf(uint256 ids, uint256 count, uint256 id) internal pure returns (uint256 i) {
        for (; i < count; ++i) {
            if ((ids >> (8 * i)) & 0xff == id) return i;
        }
    }

    /// @dev Number of collateral assets of the account (head slot).
    function _count(Account storage acc) internal view returns (uint256) {
        return acc.meta & META_COUNT;
    }

    /// @dev The account's packed list of `count` collateral ids (8 bits each, list order). The ids past the first
    /// are read only when there are any, so a one-collateral account costs one slot.
    function _ids(Account storage acc, uint256 count) internal view returns (uint256 ids) {
        ids = acc.collateralId0;
        if (count > 1) ids |= uint256(acc.collateralIdsRest) << 8;
    }

    /// @dev Stores a list of `count` ids (the account held `oldCount` before); keeps the close-out mark.
    function _setIds(Account storage acc, uint256 ids, uint256 count, uint256 oldCount) internal {
        // safe: the low byte is the first id by design; count ≤ MAX_COLLATERAL_ASSETS; ids holds at most 8 bytes.
        acc.collateralId0 = uint8(ids);
        acc.meta = uint8((acc.meta & META_CLOSE_OUT) | count);
        if (count > 1 || oldCount > 1) acc.collateralIdsRest = uint56(ids >> 8);
    }

    function _isCloseOut(Account storage acc) internal view returns (bool) {
        return acc.meta & META_CLOSE_OUT != 0;
    }

    function _setCloseOut(Account storage acc, bool on) internal {
        uint8 meta = acc.meta;
        acc.meta = on ? meta | META_CLOSE_OUT : meta & META_COUNT;
    }

    function _collateralAt(Account storage acc, uint256 pos) internal view returns (uint256) {
        if (pos == 0) return acc.collateral0;
        if (pos == 1) return acc.collateral1;
        return acc.collateralMore[pos - 2];
    }

    /// @dev `amount` is at most type(uint112).max: `supplyCollateral` bounds every amount an account holds, and the
    /// other writers only lower or move amounts.
    function _setCollateralAt(Account storage acc, uint256 pos, uint256 amount) internal {
        // Checked although the callers bound it: an amount past the bound would otherwise be stored truncated.
        uint112 v = amount.toUint112();
        if (pos == 0) acc.collateral0 = v;
        else if (pos == 1) acc.collateral1 = v;
        else acc.collateralMore[pos - 2] = v;
    }

    /// @dev Removes the collateral at `pos` from a list of `count`: the last entry (id and amount) takes its place.
    function _removeCollateralAt(Account storage acc, uint256 pos, uint256 count) internal {
        uint256 last = count - 1;
        uint256 ids = _ids(acc, count);
        if (pos != last) {
            uint256 lastId = (ids >> (8 * last)) & 0xff;
            ids = (ids & ~(uint256(0xff) << (8 * pos))) | (lastId << (8 * pos));
            _setCollateralAt(acc, pos, _collateralAt(acc, last));
        }
        _setCollateralAt(acc, last, 0);
        _setIds(acc, ids & ~(uint256(0xff) << (8 * last)), last, count);
    }

    /// @dev The liquidation threshold now: it moves from the anchor `lt` toward `ltTarget` no faster than the ramp.
    function _effectiveLt(RiskSlot memory r) internal view returns (uint256) {
        uint256 target = r.ltTarget;
        uint256 anchor = r.lt;
        if (target >= anchor) return anchor;
        uint256 fallen = ((block.timestamp - r.rampStart) * r.rampBpsPerHour) / 1 hours;
        return fallen >= anchor - target ? target : anchor - fallen;
    }

    // ================================================================ oracle

    function _price(Asset storage a) internal view returns (uint256) {
        return _priceOf(a.price);
    }

    /// @dev Price of one token unit in 18-decimal USD, scaled by 1e18 (so value = amount * price / 1e18), from the
    /// asset's Chainlink feed. Rejects answers that are non-positive, at the feed's clamp bounds, from an incomplete
    /// round, or older than the heartbeat.
    function _priceOf(PriceSlot memory c) internal view returns (uint256) {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = AggregatorV3Interface(c.feed)
            .latestRoundData();
        if (answer <= 0) revert IPoolErrors.NonPositivePrice();
        if (answer <= _bound(c.minAnswer) || answer >= _bound(c.maxAnswer)) revert IPoolErrors.PriceAtBound();
        if (updatedAt == 0 || answeredInRound < roundId) revert IPoolErrors.IncompleteRound();
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > c.heartbeat) revert IPoolErrors.StalePrice();
        return uint256(answer) * 10 ** c.scaleExp;
    }

    /// @dev As `_priceOf`, but never reverts: 0 when the answer cannot be trusted (any of `_priceOf`'s reasons, or a
    /// feed that reverts or returns something that is not a round). Liquidation values such collateral at zero, so a
    /// broken feed can neither freeze a liquidation nor hide debt.
    function _trustedPriceOrZero(PriceSlot memory c) internal view returns (uint256) {
        address feed = c.feed;
        bool ok;
        uint256 roundId;
        int256 answer;
        uint256 updatedAt;
        uint256 answeredInRound;
        // latestRoundData() into memory past the free pointer (no allocation), read as full words: a word that does
        // not fit its declared type is nonsense, not a reason to revert. A feed that reverts, has no code or returns
        // fewer than five words gives `ok` false. (Yul evaluates arguments right to left: the call comes first.)
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(224, 0xfeaf968c))
            ok := staticcall(gas(), feed, m, 4, m, 160)
            ok := and(ok, gt(returndatasize(), 159))
            roundId := mload(m)
            answer := mload(add(m, 32))
            updatedAt := mload(add(m, 96))
            answeredInRound := mload(add(m, 128))
        }
        if (!ok) return 0;
        if (
            answer <= _bound(c.minAnswer) ||
            answer >= _bound(c.maxAnswer) ||
            answer > type(int128).max ||
            roundId > type(uint80).max ||
            updatedAt == 0 ||
            answeredInRound < roundId ||
            updatedAt > block.timestamp ||
            block.timestamp - updatedAt > c.heartbeat
        ) return 0;
        // minAnswer >= 0 (checked when set), so answer > 0 here.
        return uint256(answer) * 10 ** c.scaleExp;
    }

    /// @dev A feed bound as stored: the decimal float `m · 10^e` (m: low 24 bits, e: high 8 bits). `PoolExt` writes
    /// only floats of at most int96's range (e ≤ 29), so this neither overflows nor leaves int256.
    function _bound(uint32 f) internal pure returns (int256) {
        return int256(uint256(f & 0xffffff) * 10 ** (f >> 24)); // safe: < 2^24 · 10^22 < 2^98
    }

    function _listed(address asset) internal view returns (Asset storage a) {
        a = _assets[asset];
        if (a.risk.flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();
    }

    function _key(address owner, uint96 subId) internal pure returns (bytes32) {
        return bytes32((uint256(uint160(owner)) << 96) | subId);
    }

    /// @dev The caller is `owner` or one of its operators for every account (lender positions).
    function _checkAuthorized(address owner) internal view {
        if (msg.sender != owner && !_isAuthorized[owner][msg.sender]) revert IPoolErrors.Unauthorized();
    }

    /// @dev The caller is `owner`, an operator for all of its accounts, or one scoped to sub-account `subId`.
    function _checkAuthorized(address owner, uint96 subId) internal view {
        if (msg.sender == owner || _isAuthorized[owner][msg.sender]) return;
        uint256 scope = _scopes[owner][msg.sender];
        uint256 mask = uint96(scope); // safe: the low 96 bits are the mask by design
        if (mask == 0 || subId & mask != scope >> 96) revert IPoolErrors.Unauthorized();
    }

    struct LiquidationState {
        uint256 debtId;
        address debtAsset;
        uint256 count;
        uint256 pos;
        uint256 debt; // debt assets, rounded up (after any write-off)
        uint256 health; // WAD, before the liquidation
        uint256 bonus; // bps, effective (after the equity cap)
        uint256 collateral; // the seized asset's amount in the account
        uint256 repayAssets; // the most the liquidator may repay
        uint256 seized; // collateral for repayAssets
        uint256 debtPrice;
        uint256 collPrice;
        bool revertIfHealthy;
        // Insolvent account: debt shares written off before the seizure, and the market's borrow totals after.
        uint256 writeOffShares;
        uint256 totalBorrowAssets;
        uint256 totalBorrowShares;
        uint256 dust; // the dust value (18-decimal USD), from the seized collateral's liquidation slot
    }

    /// @dev True when a repay capped by the caller (`repaid`, seizing `s.seized`) would leave debt or collateral worth
    /// less than the dust value, which nobody would liquidate profitably afterwards.
    function _leavesDust(LiquidationState memory s, uint256 repaid) internal view returns (bool) {
        uint256 dust = s.dust;
        return
            (s.debt - repaid).mulDivDown(s.debtPrice, WAD) < dust ||
            (s.collateral - s.seized).mulDivDown(s.collPrice, WAD) < dust;
    }

    /// @dev After a seizure emptied one collateral: true when every remaining price is trusted, what the account
    /// still holds is worth less than the dust value (nobody would liquidate it profitably), and the account is
    /// insolvent: now (worth less than its debt), or when this transaction found it so (`wasInsolvent`).
    function _onlyDustLeft(
        Account storage acc,
        uint256 borrowShares,
        Market storage dm,
        uint256 debtPrice,
        bool wasInsolvent,
        uint256 dust
    ) internal view returns (bool) {
        (uint256 rest, , bool allTrusted) = _liquidationValues(acc);
        if (!allTrusted || rest >= dust) return false;
        if (wasInsolvent) return true;
        uint256 debt = borrowShares.toAssetsUp(dm.totalBorrowAssets, dm.totalBorrowShares);
        return rest < debt.mulDivUp(debtPrice, WAD);
    }

    /// @dev Fills `s` with the account's health, the bonus, the largest allowed repay and the collateral it buys.
    /// Rules (docs/liquidation.md): collateral without a trusted price counts as zero; the seized collateral and
    /// the debt must be priced. An insolvent account (all prices trusted, collateral worth less than the debt) has
    /// the debt its collateral cannot repay at the maximum bonus written off first (`s.writeOffShares`), and is then
    /// liquidated in full at the maximum bonus. For a solvent account the bonus is capped by its equity, so a
    /// liquidation never leaves it with less collateral value than debt.
    function _assessLiquidation(
        Account storage acc,
        uint256 totalBorrowAssets,
        uint256 totalBorrowShares,
        Asset storage d,
        Asset storage c,
        LiquidationState memory s
    ) internal view {
        (s.totalBorrowAssets, s.totalBorrowShares) = (totalBorrowAssets, totalBorrowShares);
        (uint256 value, uint256 ltValue, bool allTrusted, uint256 collPrice) = _liquidationValuesAt(acc, c.risk.id, c);
        s.debtPrice = _price(d);
        s.debt = uint256(acc.borrowShares).toAssetsUp(totalBorrowAssets, totalBorrowShares);
        uint256 debtValue = s.debt.mulDivUp(s.debtPrice, WAD);
        s.health = ltValue.mulDivDown(WAD, debtValue);
        if (ltValue >= debtValue) {
            if (s.revertIfHealthy) revert IPoolErrors.HealthyAccount();
            return;
        }
        // The seized collateral must be priced: an untrusted one reverts with its feed's own error.
        s.collPrice = collPrice != 0 ? collPrice : _priceOf(c.price);
        s.collateral = _collateralAt(acc, s.pos);

        bool closeOut = _isCloseOut(acc);
        if (allTrusted && value < debtValue) {
            // Insolvent: the loss is known now. Book it before seizing, so no dust left behind can keep it off the
            // books; what remains is exactly what the collateral repays at the maximum bonus.
            debtValue = _writeOff(acc, s);
            closeOut = true;
        }
        _sizeLiquidation(c, s, closeOut, debtValue, ltValue);

        if (value >= debtValue) {
            if (value < s.dust) {
                // A solvent dust account: its whole debt is repaid against the chosen collateral (at these sizes a
                // seizure sized to the equity rounds to nothing). No debt remains, so no bad debt can follow.
                _closeDustAccount(s);
            } else {
                // Equity cap: the bonus is paid from the account's equity, never from lenders. Seized value (rounded
                // up) may exceed repaid value (rounded down) by at most the equity less a 2-wei rounding margin.
                // Skipped only when an untrusted collateral makes the equity unknown and the trusted part alone is
                // under water.
                _capBonusByEquity(s, value - debtValue);
            }
        }
    }

    /// @dev Repays the whole debt and seizes its value times (1 + bonus) of the chosen collateral, rounded UP to a
    /// whole unit (at most all of it): rounded down, one indivisible unit would buy nothing. The liquidator gains at
    /// most the bonus plus one unit, never more than the account's equity; `s.bonus` is the effective bonus (up).
    function _closeDustAccount(LiquidationState memory s) internal pure {
        s.repayAssets = s.debt;
        uint256 repaidValue = s.debt.mulDivDown(s.debtPrice, WAD);
        s.seized = s.debt.mulDivUp(s.debtPrice, WAD).mulDivUp(BPS + s.bonus, BPS).mulDivUp(WAD, s.collPrice).min(
            s.collateral
        );
        _setEffectiveBonus(s, repaidValue);
    }

    /// @dev The bonus the seizure actually pays over `repaidValue`, rounded up: it sets the protocol's share of the
    /// seizure and bounds the seized value.
    function _setEffectiveBonus(LiquidationState memory s, uint256 repaidValue) internal pure {
        uint256 gain = s.seized.mulDivUp(s.collPrice, WAD).zeroFloorSub(repaidValue);
        s.bonus = repaidValue == 0 ? 0 : gain.mulDivUp(BPS, repaidValue);
    }

    /// @dev Sets `s.writeOffShares` (the shortfall of an insolvent account), the borrow totals and debt after it;
    /// returns the debt value after it.
    function _writeOff(Account storage acc, LiquidationState memory s) internal view returns (uint256) {
        uint256 borrowShares = acc.borrowShares;
        uint256 w = _shortfallShares(acc, borrowShares, s.totalBorrowAssets, s.totalBorrowShares, s.debtPrice);
        if (w != 0) {
            uint256 wAssets = w.toAssetsUp(s.totalBorrowAssets, s.totalBorrowShares);
            s.totalBorrowAssets = s.totalBorrowAssets.zeroFloorSub(wAssets);
            s.totalBorrowShares -= w;
            s.debt = (borrowShares - w).toAssetsUp(s.totalBorrowAssets, s.totalBorrowShares);
            s.writeOffShares = w;
        }
        return s.debt.mulDivUp(s.debtPrice, WAD);
    }

    /// @dev The bonus, the largest repay and the collateral it buys, before the equity cap.
    function _sizeLiquidation(
        Asset storage c,
        LiquidationState memory s,
        bool closeOut,
        uint256 debtValue,
        uint256 ltValue
    ) internal view {
        RiskSlot memory lc = c.risk;
        s.dust = uint256(lc.dustValueE12) * 1e12;
        // The bonus rises from base to max as health falls from 1 to 1 − BONUS_RAMP_WAD; a close-out pays the maximum.
        if (closeOut) {
            s.bonus = lc.maxBonus;
        } else {
            uint256 depth = (WAD - s.health).min(BONUS_RAMP_WAD);
            s.bonus = lc.baseBonus + uint256(lc.maxBonus - lc.baseBonus).mulDivDown(depth, BONUS_RAMP_WAD);
        }

        // Largest repay value: enough to restore the target health, or everything when deep under water.
        uint256 repayValue = debtValue;
        if (!closeOut && s.health >= uint256(lc.fullLiquidationHealthBps) * 1e14) {
            // After repaying x (and seizing x·(1+b) valued at LT lt_c): (L − x·(1+b)·lt_c) / (D − x) = H_target.
            uint256 weight = (BPS + s.bonus) * _effectiveLt(lc) * (WAD / BPS / BPS); // (1+b)·lt_c
            uint256 target = uint256(lc.targetHealthBps) * 1e14;
            if (target > weight) {
                repayValue = (target.mulDivUp(debtValue, WAD) - ltValue).mulDivUp(WAD, target - weight).min(debtValue);
            }
            // Dust rule: if what would remain is below the dust value, the position may be closed in full.
            if (debtValue - repayValue < s.dust) repayValue = debtValue;
        }
        // Limited by the collateral available (repay·(1+b) ≤ collateral value); all of it if the rest is dust.
        uint256 collValue = s.collateral.mulDivDown(s.collPrice, WAD);
        uint256 maxByCollateral = collValue.mulDivDown(BPS, BPS + s.bonus);
        bool takeAll = repayValue >= maxByCollateral ||
            collValue.zeroFloorSub(repayValue.mulDivUp(BPS + s.bonus, BPS)) < s.dust;
        if (takeAll) repayValue = maxByCollateral;
        s.repayAssets = repayValue.mulDivUp(WAD, s.debtPrice);
        if (s.repayAssets >= s.debt) {
            s.repayAssets = s.debt;
            takeAll = false;
        }
        if (takeAll) {
            s.seized = s.collateral;
        } else {
            s.seized = s.repayAssets.mulDivDown(s.debtPrice, WAD).mulDivDown(BPS + s.bonus, BPS).mulDivDown(
                WAD,
                s.collPrice
            );
            if (s.seized > s.collateral) s.seized = s.collateral;
        }
    }

    /// @dev Keeps seized value − repaid value within `equity` − 2 wei (the rounding margin) and sets `s.bonus` to
    /// match. When the bonus would exceed the equity the account is close to insolvency: the liquidation then repays
    /// as much as this collateral covers at a bonus of exactly the equity, which closes a one-collateral account in
    /// full instead of leaving it with no equity to pay the next liquidator.
    function _capBonusByEquity(LiquidationState memory s, uint256 equity) internal pure {
        uint256 repaidValue = s.repayAssets.mulDivDown(s.debtPrice, WAD);
        equity = equity.zeroFloorSub(2);
        if (s.seized.mulDivUp(s.collPrice, WAD) <= repaidValue + equity) return;
        uint256 coverable = s.collateral.mulDivDown(s.collPrice, WAD).zeroFloorSub(equity);
        s.repayAssets = coverable.mulDivDown(WAD, s.debtPrice).min(s.debt);
        repaidValue = s.repayAssets.mulDivDown(s.debtPrice, WAD);
        // All the debt repaid against the account's only collateral: the account closes, so no bad debt can follow
        // and the liquidator may take all of it (the owner's equity, to the rounding of the valuation). Otherwise
        // the seizure stays within the equity less the margin.
        s.seized = s.repayAssets == s.debt && s.count == 1
            ? s.collateral
            : (repaidValue + equity).mulDivDown(WAD, s.collPrice).min(s.collateral);
        _setEffectiveBonus(s, repaidValue);
    }
}
