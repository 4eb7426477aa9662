// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IFulcraPoolBase} from "../interfaces/IFulcraPool.sol";

import {Market, Account, LiquidationGlobals} from "../interfaces/IPoolTypes.sol";
import {IFulcraLiquidateCallback, IFulcraRepayCallback} from "../interfaces/IFulcraCallbacks.sol";
import {MathLib, WAD, BPS} from "../libraries/MathLib.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {IPoolErrors} from "../interfaces/IPoolErrors.sol";
import {IPoolEvents} from "../interfaces/IPoolEvents.sol";
import {PoolCore} from "./PoolCore.sol";
import {RolesLayout} from "./RolesLayout.sol";
import {VaultDeployer} from "./VaultDeployer.sol";

/// @title Pool
/// @notice The Fulcra singleton: it keeps the books of every listed asset — lenders' supply shares, borrowers'
/// collateral and debt — prices them through Chainlink feeds and enforces solvency on every user action.
/// @dev Accounts are `(owner, subId)`, packed into one bytes32 key without hashing. An account holds up to 8
/// collateral assets (never lent out) and at most one debt asset. Rounding always favours the pool.
/// Tokens must be plain ERC-20s: inbound transfers are checked by balance delta (fee-on-transfer tokens revert) and
/// rebasing tokens are not to be listed (see docs/contracts.md).
/// Governance lives in `PoolExt` and read-only views in `PoolViews`, reached through this contract's fallback by
/// `delegatecall` (as Compound's CometExt; `PoolExt` forwards what it does not know to `PoolViews` the same way), so
/// every contract keeps room under the 24 KiB code limit and the hot paths stay here.
contract Pool is RolesLayout, PoolCore, IFulcraPoolBase {
    using SafeERC20 for IERC20;
    using MathLib for uint256;
    using SharesMathLib for uint256;

    /// @notice The extension holding governance and views; called by `delegatecall` from the fallback.
    address public immutable EXTENSION;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants the other roles); the timelock in production.
    /// @param extension The `PoolExt` deployment.
    constructor(address admin, address extension) {
        if (admin == address(0) || extension == address(0)) revert IPoolErrors.ZeroAddress();
        _grantAdmin(admin);
        EXTENSION = extension;
        _vaultDeployer = address(new VaultDeployer());
        // Partial liquidations restore health 1.05; below 0.95 a position may be closed in full; leftovers under
        // 10 USD are dust nobody would liquidate, so they may be closed in full too.
        _liquidationGlobals = LiquidationGlobals(1.05e18, 0.95e18, 10e18);
    }

    /// @notice Forwards every other call to the extension, in this contract's storage context.
    // The fallback is the delegatecall proxy to PoolExt by design; it takes no ether (the pool holds none).
    // solhint-disable-next-line no-complex-fallback, payable-fallback
    fallback() external {
        address ext = EXTENSION;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    // ================================================================ lenders

    /// @inheritdoc IFulcraPoolBase
    function supply(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf
    ) external lock returns (uint256, uint256) {
        if ((assets == 0) == (shares == 0)) revert IPoolErrors.InconsistentInput();
        if (onBehalf == address(0)) revert IPoolErrors.ZeroAddress();
        Asset storage a = _assets[asset];
        uint8 flags = a.risk.flags;
        if (flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();
        if (flags & FLAG_SUPPLY_PAUSED != 0) revert IPoolErrors.SupplyPaused();

        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 totalShares = m.totalSupplyShares;
        if (assets > 0) shares = assets.toSharesDown(totalAssets, totalShares);
        else assets = shares.toAssetsUp(totalAssets, totalShares);
        if (shares == 0) revert IPoolErrors.ZeroShares();
        if (totalAssets + assets > a.supplyCap) revert IPoolErrors.SupplyCapExceeded();
        // The cap bounds assets by uint128, but shares run 1e6 per wei: the share total must not wrap either.
        if (totalShares + shares > type(uint128).max) revert IPoolErrors.AmountTooLarge();

        // safe: both bounded just above (the supply cap is a uint128; the share total checked).
        m.totalSupplyAssets = uint128(totalAssets + assets);
        m.totalSupplyShares = uint128(totalShares + shares);
        _supplyShares[asset][onBehalf] += shares;

        emit IPoolEvents.Supply(asset, msg.sender, onBehalf, assets, shares);
        _pull(asset, assets);
        return (assets, shares);
    }

    /// @inheritdoc IFulcraPoolBase
    function withdraw(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external lock returns (uint256, uint256) {
        if ((assets == 0) == (shares == 0)) revert IPoolErrors.InconsistentInput();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        _checkAuthorized(onBehalf);
        Asset storage a = _assets[asset];
        if (a.risk.flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();

        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 totalShares = m.totalSupplyShares;
        if (assets > 0) shares = assets.toSharesUp(totalAssets, totalShares);
        else assets = shares.toAssetsDown(totalAssets, totalShares);

        uint256 balance = _supplyShares[asset][onBehalf];
        if (shares > balance) revert IPoolErrors.InsufficientBalance();
        if (assets > totalAssets) revert IPoolErrors.InsufficientLiquidity();
        totalAssets -= assets;
        if (m.totalBorrowAssets > totalAssets) revert IPoolErrors.InsufficientLiquidity();

        _supplyShares[asset][onBehalf] = balance - shares;
        // safe: both only decrease.
        m.totalSupplyAssets = uint128(totalAssets);
        m.totalSupplyShares = uint128(totalShares - shares);

        emit IPoolEvents.Withdraw(asset, msg.sender, onBehalf, receiver, assets, shares);
        IERC20(asset).safeTransfer(receiver, assets);
        return (assets, shares);
    }

    // ================================================================ borrowers

    /// @inheritdoc IFulcraPoolBase
    function supplyCollateral(address asset, uint256 assets, address owner, uint96 subId) external lock {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        if (owner == address(0)) revert IPoolErrors.ZeroAddress();
        _checkAuthorized(owner, subId);
        Asset storage a = _assets[asset];
        RiskSlot memory c = a.risk;
        if (c.flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();
        if (c.lt == 0) revert IPoolErrors.NotCollateral();

        uint256 total = a.totalCollateral + assets;
        if (total > a.collateralCap) revert IPoolErrors.CollateralCapExceeded();
        a.totalCollateral = uint128(total); // safe: ≤ the uint128 cap, checked above

        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        uint256 pos = _positionOf(ids, count, c.id);
        if (pos == count) {
            if (acc.debtId == c.id) revert IPoolErrors.CollateralIsDebtAsset();
            if (count == MAX_COLLATERAL_ASSETS) revert IPoolErrors.TooManyCollaterals();
            _setIds(acc, ids | (uint256(c.id) << (8 * count)), count + 1, count);
        }
        // Every amount an account holds fits the head slot's uint112, wherever it sits in the list.
        uint256 amount = _collateralAt(acc, pos) + assets;
        if (amount > type(uint112).max) revert IPoolErrors.AmountTooLarge();
        _setCollateralAt(acc, pos, amount);

        emit IPoolEvents.SupplyCollateral(asset, msg.sender, owner, subId, assets);
        _pull(asset, assets);
    }

    /// @inheritdoc IFulcraPoolBase
    function withdrawCollateral(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external lock returns (uint256) {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        _checkAuthorized(owner, subId);
        Asset storage a = _assets[asset];
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 count = _count(acc);
        uint256 pos = _positionOf(_ids(acc, count), count, a.risk.id);
        if (pos == count) revert IPoolErrors.InsufficientCollateral();
        uint256 current = _collateralAt(acc, pos);
        if (assets == type(uint256).max) assets = current;
        if (assets > current) revert IPoolErrors.InsufficientCollateral();

        unchecked {
            a.totalCollateral -= uint128(assets); // safe: assets ≤ the account's amount ≤ uint112 max ≤ the total
        }
        if (current == assets) _removeCollateralAt(acc, pos, count);
        else _setCollateralAt(acc, pos, current - assets);

        uint256 debtId = acc.debtId;
        if (debtId != 0) {
            address debtAsset = _assetById[debtId];
            Asset storage d = _assets[debtAsset];
            _accrue(d, debtAsset);
            (bool ok, ) = _withinLtv(acc, acc.borrowShares, d);
            if (!ok && !_deleverages(_key(owner, subId), acc, d)) revert IPoolErrors.InsufficientCollateral();
        }

        emit IPoolEvents.WithdrawCollateral(asset, msg.sender, owner, subId, receiver, assets);
        IERC20(asset).safeTransfer(receiver, assets);
        return assets;
    }

    /// @inheritdoc IFulcraPoolBase
    function borrow(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external lock returns (uint256 shares) {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        _checkAuthorized(owner, subId);
        Asset storage a = _assets[asset];
        RiskSlot memory c = a.risk;
        if (c.flags & FLAG_LISTED == 0) revert IPoolErrors.AssetNotListed();
        if (c.flags & FLAG_BORROWABLE == 0) revert IPoolErrors.NotBorrowable();
        if (c.flags & FLAG_BORROW_PAUSED != 0) revert IPoolErrors.BorrowPaused();
        if (c.flags & FLAG_BREAKER != 0) revert IPoolErrors.CircuitBreakerActive();

        Account storage acc = _accounts[_key(owner, subId)];
        // A new borrow ends a close-out: the account is healthy again (checked below) and a fresh debt gets the
        // ordinary bonus curve.
        if (_isCloseOut(acc)) _setCloseOut(acc, false);
        uint256 debtId = acc.debtId;
        if (debtId != c.id) {
            if (debtId != 0) revert IPoolErrors.DebtAssetMismatch();
            uint256 count = _count(acc);
            if (_positionOf(_ids(acc, count), count, c.id) != count) revert IPoolErrors.CollateralIsDebtAsset();
            acc.debtId = c.id;
        }

        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalBorrowAssets = m.totalBorrowAssets;
        uint256 totalBorrowShares = m.totalBorrowShares;
        shares = assets.toSharesUp(totalBorrowAssets, totalBorrowShares);
        totalBorrowAssets += assets;
        if (totalBorrowAssets > m.totalSupplyAssets) revert IPoolErrors.InsufficientLiquidity();
        if (totalBorrowAssets > a.borrowCap) revert IPoolErrors.BorrowCapExceeded();
        totalBorrowShares += shares;
        if (totalBorrowShares > type(uint128).max) revert IPoolErrors.AmountTooLarge();
        // safe: assets ≤ the uint128 supply total and shares ≤ uint128 max, both checked above.
        m.totalBorrowAssets = uint128(totalBorrowAssets);
        m.totalBorrowShares = uint128(totalBorrowShares);

        uint256 borrowShares = acc.borrowShares + shares;
        if (borrowShares > type(uint120).max) revert IPoolErrors.AmountTooLarge();
        acc.borrowShares = uint120(borrowShares); // safe: checked on the line above
        if (borrowShares.toAssetsUp(totalBorrowAssets, totalBorrowShares) < a.minBorrow) {
            revert IPoolErrors.BelowMinBorrow();
        }
        (bool ok, bool breaker) = _withinLtv(acc, borrowShares, a);
        if (breaker) revert IPoolErrors.CircuitBreakerActive();
        if (!ok) revert IPoolErrors.InsufficientCollateral();

        emit IPoolEvents.Borrow(asset, msg.sender, owner, subId, receiver, assets, shares);
        IERC20(asset).safeTransfer(receiver, assets);
    }

    /// @inheritdoc IFulcraPoolBase
    function repay(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId
    ) external lock returns (uint256, uint256) {
        uint256 shares;
        (assets, shares) = _repay(asset, assets, owner, subId);
        _pull(asset, assets);
        return (assets, shares);
    }

    /// @inheritdoc IFulcraPoolBase
    function repayAndCall(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        bytes calldata data
    ) external lock returns (uint256, uint256) {
        if (_tload(WINDOW_ACCOUNT_SLOT) != 0) revert IPoolErrors.Reentrancy();
        bytes32 key = _key(owner, subId);
        Asset storage a = _assets[asset];
        _accrue(a, asset);
        // Health before the repay, the floor a withdrawal inside the window must respect (max if unknown: then no
        // withdrawal beyond the LTV is allowed).
        uint256 healthBefore = _healthOrMax(_accounts[key], a);
        uint256 shares;
        (assets, shares) = _repay(asset, assets, owner, subId);
        _tstore(WINDOW_ACCOUNT_SLOT, uint256(key));
        _tstore(WINDOW_HEALTH_SLOT, healthBefore);
        _tstore(LOCK_SLOT, 0);
        IFulcraRepayCallback(msg.sender).onFulcraRepay(assets, data);
        _tstore(LOCK_SLOT, 1);
        _tstore(WINDOW_ACCOUNT_SLOT, 0);
        _pull(asset, assets);
        return (assets, shares);
    }

    /// @dev Books a repay (effects and event); the caller pulls the assets.
    function _repay(address asset, uint256 assets, address owner, uint96 subId) internal returns (uint256, uint256) {
        if (assets == 0) revert IPoolErrors.ZeroAmount();
        Asset storage a = _assets[asset];
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 debtId = acc.debtId;
        if (debtId == 0) revert IPoolErrors.NoDebt();
        if (debtId != a.risk.id) revert IPoolErrors.DebtAssetMismatch();

        _accrue(a, asset);
        Market storage m = a.market;
        uint256 totalBorrowAssets = m.totalBorrowAssets;
        uint256 totalBorrowShares = m.totalBorrowShares;
        uint256 borrowShares = acc.borrowShares;
        uint256 shares;
        if (assets == type(uint256).max) {
            shares = borrowShares;
            assets = shares.toAssetsUp(totalBorrowAssets, totalBorrowShares);
        } else {
            shares = assets.toSharesDown(totalBorrowAssets, totalBorrowShares);
            if (shares > borrowShares) revert IPoolErrors.RepayExceedsDebt();
            if (shares == 0) revert IPoolErrors.ZeroShares();
        }

        // safe: all three only decrease.
        m.totalBorrowAssets = uint128(totalBorrowAssets.zeroFloorSub(assets));
        m.totalBorrowShares = uint128(totalBorrowShares - shares);
        acc.borrowShares = uint120(borrowShares - shares);
        if (borrowShares == shares) acc.debtId = 0;

        emit IPoolEvents.Repay(asset, msg.sender, owner, subId, assets, shares);
        return (assets, shares);
    }

    /// @dev Liquidation health of `acc` with debt in `d` (accrued), or max uint if it has no debt in `d` or a price
    /// it needs is not trusted.
    function _healthOrMax(Account storage acc, Asset storage d) internal view returns (uint256) {
        if (acc.debtId == 0 || acc.debtId != d.risk.id) return type(uint256).max;
        (, uint256 ltValue, bool allTrusted) = _liquidationValues(acc);
        uint256 debtPrice = _trustedPriceOrZero(d.price);
        if (!allTrusted || debtPrice == 0) return type(uint256).max;
        Market storage m = d.market;
        uint256 debt = uint256(acc.borrowShares).toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        return ltValue.mulDivDown(WAD, debt.mulDivUp(debtPrice, WAD));
    }

    /// @dev Inside a `repayAndCall` window on account `key`: true when its health after this withdrawal is no lower
    /// than before the repay.
    function _deleverages(bytes32 key, Account storage acc, Asset storage d) internal view returns (bool) {
        // An account with debt has a non-zero owner, so its key is never the empty window's 0.
        if (_tload(WINDOW_ACCOUNT_SLOT) != uint256(key)) return false;
        uint256 healthNow = _healthOrMax(acc, d);
        return healthNow != type(uint256).max && healthNow >= _tload(WINDOW_HEALTH_SLOT);
    }

    // ================================================================ liquidation

    /// @inheritdoc IFulcraPoolBase
    function liquidate(
        address owner,
        uint96 subId,
        address collateralAsset,
        uint256 maxRepay,
        uint256 minSeized,
        address receiver,
        bytes calldata data
    ) external lock returns (uint256 repaid, uint256 seized) {
        if (maxRepay == 0) revert IPoolErrors.ZeroAmount();
        if (receiver == address(0)) revert IPoolErrors.ZeroAddress();
        Account storage acc = _accounts[_key(owner, subId)];
        LiquidationState memory s;
        s.revertIfHealthy = true;
        s.debtId = acc.debtId;
        if (s.debtId == 0) revert IPoolErrors.NoDebt();
        s.debtAsset = _assetById[s.debtId];
        Asset storage d = _assets[s.debtAsset];
        Asset storage c = _assets[collateralAsset];
        s.count = _count(acc);
        uint256 collateralId = c.risk.id;
        s.pos = _positionOf(_ids(acc, s.count), s.count, collateralId);
        if (s.pos == s.count || collateralId == 0) revert IPoolErrors.NotAccountCollateral();

        _accrue(d, s.debtAsset);
        Market storage dm = d.market;
        _assessLiquidation(acc, dm.totalBorrowAssets, dm.totalBorrowShares, d, c, s);
        uint256 borrowShares = acc.borrowShares;
        if (s.writeOffShares != 0) {
            // Insolvent: its known loss is booked before anything is seized.
            _realizeBadDebt(d, s.debtAsset, s.writeOffShares, owner, subId);
            borrowShares -= s.writeOffShares;
            _setCloseOut(acc, true);
            if (s.seized == 0) {
                // Its collateral is too small to buy a single unit of the debt: nothing can be liquidated, so it is
                // closed out as `settleBadDebt` would (dust to the protocol, the rest of the debt written off).
                if (minSeized != 0) revert IPoolErrors.SlippageExceeded();
                _sweepDust(acc, owner, subId);
                _realizeBadDebt(d, s.debtAsset, borrowShares, owner, subId);
                acc.borrowShares = 0;
                acc.debtId = 0;
                return (0, 0);
            }
        }
        repaid = s.repayAssets.min(maxRepay);
        if (repaid < s.repayAssets) {
            // The liquidator asked for less: seize proportionally, rounded down. It may not leave debt or collateral
            // worth less than the dust value, which nobody would liquidate profitably afterwards.
            s.seized = s.seized.mulDivDown(repaid, s.repayAssets);
            if (_leavesDust(s, repaid)) revert IPoolErrors.LiquidationLeavesDust();
        }
        seized = s.seized;
        // The bonus's protocol share stays in the pool as liquidation fees the treasury can claim (rounded down);
        // `minSeized` bounds what the receiver actually gets, net of it.
        uint256 protocolFee = (seized - seized.mulDivUp(BPS, BPS + s.bonus)).bpsDown(c.risk.protocolShare);
        if (seized == 0 || seized - protocolFee < minSeized) revert IPoolErrors.SlippageExceeded();

        // Debt side (the borrow totals read once).
        uint256 totalBorrowAssets = dm.totalBorrowAssets;
        uint256 totalBorrowShares = dm.totalBorrowShares;
        uint256 shares = repaid == s.debt ? borrowShares : repaid.toSharesDown(totalBorrowAssets, totalBorrowShares);
        // safe: both only decrease (shares ≤ the account's uint120 debt shares ≤ the share total).
        dm.totalBorrowAssets = uint128(totalBorrowAssets.zeroFloorSub(repaid));
        dm.totalBorrowShares = uint128(totalBorrowShares - shares);
        borrowShares -= shares;

        // Collateral side.
        uint256 left = s.collateral - seized;
        if (left == 0) {
            _removeCollateralAt(acc, s.pos, s.count);
            --s.count;
        } else {
            _setCollateralAt(acc, s.pos, left);
        }
        // One slot: the collateral total and the fees (the fee stays in the pool, off the account's books).
        // safe: seized and its fee ≤ the account's amount ≤ uint112 max (the fee total itself is checked by `+=`).
        c.totalCollateral -= uint128(seized);
        if (protocolFee != 0) c.liquidationFees += uint120(protocolFee);

        if (
            borrowShares != 0 &&
            (s.count == 0 ||
                (left == 0 && _onlyDustLeft(acc, borrowShares, dm, s.debtPrice, s.writeOffShares != 0, s.dust)))
        ) {
            // Nothing (or only dust nobody would liquidate) is left to repay the rest: the dust goes to the protocol
            // and the debt is written off.
            _sweepDust(acc, owner, subId);
            _realizeBadDebt(d, s.debtAsset, borrowShares, owner, subId);
            borrowShares = 0;
        }
        acc.borrowShares = uint120(borrowShares); // safe: only decreased from the stored uint120
        if (borrowShares == 0) acc.debtId = 0;

        emit IPoolEvents.Liquidate(
            owner,
            subId,
            msg.sender,
            s.debtAsset,
            collateralAsset,
            repaid,
            shares,
            seized,
            protocolFee
        );
        seized -= protocolFee;
        IERC20(collateralAsset).safeTransfer(receiver, seized);
        if (data.length != 0) IFulcraLiquidateCallback(msg.sender).onFulcraLiquidate(repaid, seized, data);
        _pull(s.debtAsset, repaid);
    }

    /// @dev Writes off the debt left on an account with no collateral: reserves of the asset cover it first, the
    /// rest lowers the supply share price.
    function _realizeBadDebt(Asset storage d, address asset, uint256 shares, address owner, uint96 subId) internal {
        Market storage m = d.market;
        uint256 debt = shares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        // safe: every total here only decreases (shares ≤ the account's uint120 debt shares).
        m.totalBorrowShares -= uint128(shares);
        m.totalBorrowAssets = uint128(uint256(m.totalBorrowAssets).zeroFloorSub(debt));
        uint256 totalAssets = m.totalSupplyAssets;
        uint256 totalShares = m.totalSupplyShares;
        uint256 reserveShares = m.reserveShares;
        uint256 covered = reserveShares.toAssetsDown(totalAssets, totalShares).min(debt);
        uint256 burnt = covered.toSharesUp(totalAssets, totalShares).min(reserveShares);
        uint256 socialized = debt - covered;
        m.reserveShares = uint128(reserveShares - burnt);
        m.totalSupplyShares = uint128(totalShares - burnt);
        m.totalSupplyAssets = uint128(totalAssets.zeroFloorSub(debt));
        emit IPoolEvents.BadDebt(asset, owner, subId, debt, covered, socialized);
    }

    /// @inheritdoc IFulcraPoolBase
    function settleBadDebt(address owner, uint96 subId) external lock returns (uint256 writtenOff) {
        Account storage acc = _accounts[_key(owner, subId)];
        uint256 debtId = acc.debtId;
        if (debtId == 0) revert IPoolErrors.NoDebt();
        address debtAsset = _assetById[debtId];
        Asset storage d = _assets[debtAsset];
        _accrue(d, debtAsset);
        Market storage m = d.market;
        (uint256 value, , bool allTrusted) = _liquidationValues(acc);
        // An untrusted price leaves solvency unknown: refuse with the feed's own error.
        if (!allTrusted) _closeOutValue(acc);
        uint256 debtPrice = _price(d);
        uint256 borrowShares = acc.borrowShares;
        uint256 debtBefore = m.totalBorrowAssets;
        if (value >= borrowShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares).mulDivUp(debtPrice, WAD)) {
            revert IPoolErrors.NotInsolvent();
        }
        uint256 w = borrowShares;
        if (value >= _liquidationGlobals.dustValue) {
            w = _shortfallShares(acc, borrowShares, m.totalBorrowAssets, m.totalBorrowShares, debtPrice);
            _setCloseOut(acc, true);
        } else {
            _sweepDust(acc, owner, subId);
        }
        if (w != 0) _realizeBadDebt(d, debtAsset, w, owner, subId);
        acc.borrowShares = uint120(borrowShares - w); // safe: only decreases
        if (borrowShares == w) acc.debtId = 0;
        return debtBefore - m.totalBorrowAssets;
    }

    /// @dev Moves every collateral left in an insolvent account to the protocol's liquidation fees (the treasury
    /// sells it toward the written-off debt), so the owner does not keep collateral while its debt is forgiven.
    function _sweepDust(Account storage acc, address owner, uint96 subId) internal {
        uint256 count = _count(acc);
        uint256 ids = _ids(acc, count);
        for (uint256 i; i < count; ++i) {
            address asset = _assetById[(ids >> (8 * i)) & 0xff];
            Asset storage a = _assets[asset];
            uint256 amount = _collateralAt(acc, i);
            // safe: amount ≤ uint112 max (the fee total itself is checked by `+=`).
            a.totalCollateral -= uint128(amount);
            a.liquidationFees += uint120(amount);
            _setCollateralAt(acc, i, 0);
            emit IPoolEvents.DustSwept(owner, subId, asset, amount);
        }
        _setIds(acc, 0, 0, count);
    }

    // ================================================================ flash loans (ERC-3156)

    /// @inheritdoc IFulcraPoolBase
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external flashLock returns (bool) {
        if (amount == 0) revert IPoolErrors.ZeroAmount();
        Asset storage a = _assets[token];
        // Two fields of the risk slot, not the whole struct copied to memory.
        uint8 flags = a.risk.flags;
        if (flags & FLAG_LISTED == 0) revert IPoolErrors.UnsupportedToken();
        // Its own flag: pausing borrows must not stop flash loans that close positions or liquidate.
        if (flags & FLAG_FLASH_PAUSED != 0) revert IPoolErrors.FlashPaused();
        uint256 fee = amount.bpsUp(a.risk.flashFee);
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        // ERC-3156: above maxFlashLoan the lender refuses with its own error (not the token's transfer failure).
        if (amount > balanceBefore) revert IPoolErrors.InsufficientLiquidity();

        IERC20(token).safeTransfer(address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, fee, data) != FLASH_CALLBACK_SUCCESS) {
            revert IPoolErrors.FlashLoanCallbackFailed();
        }
        if (fee != 0) {
            _accrue(a, token);
            _creditReserves(a.market, fee);
        }
        emit IPoolEvents.FlashLoan(address(receiver), msg.sender, token, amount, fee);
        IERC20(token).safeTransferFrom(address(receiver), address(this), amount + fee);
        if (IERC20(token).balanceOf(address(this)) < balanceBefore + fee) revert IPoolErrors.TransferAmountMismatch();
        return true;
    }

    /// @inheritdoc IFulcraPoolBase
    function maxFlashLoan(address token) external view returns (uint256) {
        uint8 flags = _assets[token].risk.flags;
        if (flags & FLAG_LISTED == 0 || flags & FLAG_FLASH_PAUSED != 0) return 0;
        return IERC20(token).balanceOf(address(this));
    }

    /// @inheritdoc IFulcraPoolBase
    function flashFee(address token, uint256 amount) external view returns (uint256) {
        RiskSlot memory c = _assets[token].risk;
        if (c.flags & FLAG_LISTED == 0) revert IPoolErrors.UnsupportedToken();
        return amount.bpsUp(c.flashFee);
    }

    /// @dev Pulls exactly `amount` of `asset` from the caller; reverts if the pool receives anything else
    /// (fee-on-transfer or otherwise non-standard tokens).
    function _pull(address asset, uint256 amount) internal {
        uint256 before = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) != before + amount) revert IPoolErrors.TransferAmountMismatch();
    }
}
