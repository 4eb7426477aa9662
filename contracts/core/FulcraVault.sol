// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";
import {Market} from "../interfaces/IPoolTypes.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";
import {MathLib} from "../libraries/MathLib.sol";

/// @title FulcraVault
/// @notice ERC-4626 view of a lender's position in one Fulcra reserve: a standard, transferable token.
/// @dev One vault share is one pool supply share, held by the vault: conversions use the pool's own share math
/// (with its virtual offset), so the vault inherits the pool's defence against inflation, and tokens or pool shares
/// donated to the vault change no price (they are simply stranded). Invariant: totalSupply() equals the pool supply
/// shares the vault holds, unless someone supplied to the pool on the vault's behalf.
///
/// The four `max*` views mirror every check the pool's `supply` / `withdraw` would make on the state accrued to now
/// (listing, supply pause, supply cap, the uint128 bounds of the supply totals, free cash), so that calling an entry
/// point with its `max*` never reverts. A zero amount is a no-op that does not call the pool (the pool refuses zero
/// amounts); it still emits the ERC-4626 event.
contract FulcraVault is ERC4626 {
    using SafeERC20 for IERC20;
    using SharesMathLib for uint256;
    using MathLib for uint256;

    /// @notice The Fulcra pool.
    IFulcraPool public immutable POOL;

    /// @dev Pool flag bits (PoolStorage): the asset is listed; its supply is paused.
    uint8 private constant FLAG_LISTED = 1;
    uint8 private constant FLAG_SUPPLY_PAUSED = 4;
    /// @dev The pool stores its supply totals as uint128 and refuses to grow them past this bound.
    uint256 private constant MAX_TOTAL = type(uint128).max;

    /// @notice The pool moved other amounts than the vault previewed (would break share = pool share).
    error SharesMismatch();
    /// @notice A deposit of `assets` would mint no share at the current price: refused rather than taken for nothing.
    error DepositMintsNoShares(uint256 assets);

    /// @param pool The Fulcra pool.
    /// @param asset_ The reserve's asset.
    constructor(
        IFulcraPool pool,
        IERC20 asset_
    )
        ERC4626(asset_)
        ERC20(
            string.concat("Fulcra ", IERC20Metadata(address(asset_)).symbol(), " Supply"),
            string.concat("f", IERC20Metadata(address(asset_)).symbol())
        )
    {
        POOL = pool;
        asset_.forceApprove(address(pool), type(uint256).max);
    }

    // ================================================================ views

    /// @notice Assets the vault's pool shares are worth now (interest included, rounded down).
    function totalAssets() public view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return POOL.supplyShares(asset(), address(this)).toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @notice Largest `assets` that `deposit` accepts now: 0 if the asset is unlisted or its supply paused, else the
    /// room under the supply cap and the uint128 totals, and 0 if that room would not buy a single share.
    /// @dev May underestimate the share bound by less than one share's worth of assets (never overestimates).
    function maxDeposit(address) public view override returns (uint256) {
        (bool open, Market memory m, uint256 assetRoom) = _supplyRoom();
        if (!open) return 0;
        uint256 shareRoom = MAX_TOTAL - m.totalSupplyShares;
        // Assets whose shares, rounded down as the pool mints them, fit the share room: shareRoom · price rounded
        // down. Bounding by it first also keeps `assets · (totalShares + 1e6)` in the pool's math from overflowing.
        uint256 assets = assetRoom.min(shareRoom.toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares));
        // Shares are monotonic in assets: if the maximum buys no share, no smaller deposit does either.
        if (assets.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares) == 0) return 0;
        return assets;
    }

    /// @notice Largest `shares` that `mint` accepts now: 0 if the asset is unlisted or its supply paused, else the
    /// shares whose cost (rounded up, as the pool pulls it) fits the room under the supply cap, and the room under
    /// the uint128 share total.
    function maxMint(address) public view override returns (uint256) {
        (bool open, Market memory m, uint256 assetRoom) = _supplyRoom();
        if (!open) return 0;
        uint256 shareRoom = MAX_TOTAL - m.totalSupplyShares;
        // Compared in assets first: when the share room is the binding limit, converting the (possibly ~2^128) asset
        // room to shares could overflow. shareRoom · (totalAssets + 1) < 2^256 always.
        if (shareRoom.toAssetsUp(m.totalSupplyAssets, m.totalSupplyShares) <= assetRoom) return shareRoom;
        // Here assetRoom < cost of shareRoom, so the product below stays under 2^256 and the result under shareRoom.
        // Rounded down: its cost, rounded up, is then at most assetRoom.
        return assetRoom.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @notice Largest `assets` that `withdraw` accepts now for `owner`: its shares' worth (rounded down), limited by
    /// the reserve's free cash (supplied − borrowed, accrued); 0 if the asset is unlisted.
    function maxWithdraw(address owner) public view override returns (uint256) {
        (bool listed, Market memory m, uint256 cash) = _cash();
        if (!listed) return 0;
        return balanceOf(owner).toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares).min(cash);
    }

    /// @notice Largest `shares` that `redeem` accepts now for `owner`: its balance, limited to the shares whose worth
    /// (rounded down, as the pool pays it) fits the reserve's free cash; 0 if the asset is unlisted.
    function maxRedeem(address owner) public view override returns (uint256) {
        (bool listed, Market memory m, uint256 cash) = _cash();
        if (!listed) return 0;
        uint256 shares = balanceOf(owner);
        // The whole balance fits: no conversion of the cash needed (which could overflow for a huge reserve).
        if (shares.toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares) <= cash) return shares;
        // Rounded down, so that the shares pay at most `cash`; cash < balance's worth keeps the product in range.
        return cash.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    // ================================================================ entry points

    /// @notice Supplies `assets` to the pool through the vault and mints the pool shares they buy (rounded down)
    /// to `receiver`. A zero amount is a no-op.
    /// @return shares The vault (= pool) shares minted, `previewDeposit(assets)`.
    function deposit(uint256 assets, address receiver) public override returns (uint256 shares) {
        uint256 maxAssets = maxDeposit(receiver);
        if (assets > maxAssets) revert ERC4626ExceededMaxDeposit(receiver, assets, maxAssets);
        shares = previewDeposit(assets);
        // Only reachable when a share is worth more than one wei: the assets would be pulled for nothing.
        if (shares == 0 && assets != 0) revert DepositMintsNoShares(assets);
        _supplyAndMint(receiver, assets, shares, true);
    }

    /// @notice Mints exactly `shares` to `receiver`, pulling their cost (rounded up) from the caller. A zero amount is
    /// a no-op.
    /// @return assets The assets pulled, `previewMint(shares)`.
    function mint(uint256 shares, address receiver) public override returns (uint256 assets) {
        uint256 maxShares = maxMint(receiver);
        if (shares > maxShares) revert ERC4626ExceededMaxMint(receiver, shares, maxShares);
        assets = previewMint(shares);
        _supplyAndMint(receiver, assets, shares, false);
    }

    /// @notice Pays exactly `assets` to `receiver` out of `owner`'s position, burning the shares they cost (rounded
    /// up). A zero amount is a no-op.
    /// @return shares The shares burnt, `previewWithdraw(assets)`.
    function withdraw(uint256 assets, address receiver, address owner) public override returns (uint256 shares) {
        uint256 maxAssets = maxWithdraw(owner);
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        shares = previewWithdraw(assets);
        _burnAndWithdraw(receiver, owner, assets, shares, true);
    }

    /// @notice Burns exactly `shares` of `owner` and pays their worth (rounded down) to `receiver`. A zero amount is a
    /// no-op.
    /// @return assets The assets paid, `previewRedeem(shares)`.
    function redeem(uint256 shares, address receiver, address owner) public override returns (uint256 assets) {
        uint256 maxShares = maxRedeem(owner);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = previewRedeem(shares);
        _burnAndWithdraw(receiver, owner, assets, shares, false);
    }

    // ================================================================ internals

    /// @dev Share/asset conversion with the pool's math, on its state accrued to now.
    function _convertToShares(uint256 assets, Math.Rounding rounding) internal view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return
            rounding == Math.Rounding.Floor
                ? assets.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares)
                : assets.toSharesUp(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @dev Share/asset conversion with the pool's math, on its state accrued to now.
    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return
            rounding == Math.Rounding.Floor
                ? shares.toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares)
                : shares.toAssetsUp(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @dev Pulls `assets` from the caller, supplies them to the pool and mints `shares` to `receiver`. The pool is
    /// asked in the unit the caller fixed (assets for `deposit`, shares for `mint`): it then computes the other with
    /// the same rounding as the preview, on the same accrued state, so both match exactly whatever the share price.
    /// Zero shares (only for a zero amount here) skip the pool, which refuses zero amounts.
    function _supplyAndMint(address receiver, uint256 assets, uint256 shares, bool byAssets) private {
        if (shares != 0) {
            address a = asset();
            IERC20(a).safeTransferFrom(msg.sender, address(this), assets);
            (uint256 pulled, uint256 minted) = byAssets
                ? POOL.supply(a, assets, 0, address(this))
                : POOL.supply(a, 0, shares, address(this));
            if (pulled != assets || minted != shares) revert SharesMismatch();
            _mint(receiver, shares);
        }
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @dev Burns `shares` of `owner` (spending the caller's allowance) and withdraws from the pool straight to
    /// `receiver`, asked in the unit the caller fixed (assets for `withdraw`, shares for `redeem`), so the pool's
    /// amounts equal the preview. Zero shares (only for a zero amount: a non-zero withdraw burns at least one share)
    /// skip the pool and the allowance.
    function _burnAndWithdraw(address receiver, address owner, uint256 assets, uint256 shares, bool byAssets) private {
        if (shares != 0) {
            if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
            _burn(owner, shares);
            address a = asset();
            (uint256 paid, uint256 burnt) = byAssets
                ? POOL.withdraw(a, assets, 0, address(this), receiver)
                : POOL.withdraw(a, 0, shares, address(this), receiver);
            if (paid != assets || burnt != shares) revert SharesMismatch();
        }
        emit Withdraw(msg.sender, receiver, owner, assets, shares);
    }

    /// @dev Whether the pool accepts supply of the asset now (listed, not paused), its accrued market, and the assets
    /// it can still take: the supply cap (itself a uint128) and the uint128 asset total, less what is supplied.
    function _supplyRoom() private view returns (bool open, Market memory m, uint256 assetRoom) {
        address a = asset();
        uint8 flags = POOL.assetConfig(a).flags;
        open = flags & FLAG_LISTED != 0 && flags & FLAG_SUPPLY_PAUSED == 0;
        m = POOL.expectedMarket(a);
        (uint256 supplyCap, , , , , ) = POOL.assetLimits(a);
        assetRoom = supplyCap.min(MAX_TOTAL).zeroFloorSub(m.totalSupplyAssets);
    }

    /// @dev Whether the asset is listed (the pool's withdraw requires it), its accrued market, and its free cash:
    /// the pool refuses a withdrawal that would leave less supplied than borrowed. Floored at zero so that the views
    /// never revert.
    function _cash() private view returns (bool listed, Market memory m, uint256 cash) {
        address a = asset();
        listed = POOL.assetConfig(a).flags & FLAG_LISTED != 0;
        m = POOL.expectedMarket(a);
        cash = uint256(m.totalSupplyAssets).zeroFloorSub(m.totalBorrowAssets);
    }

    /// @dev Pool shares carry 1e6 virtual shares per wei of assets (SharesMathLib), so vault decimals are asset + 6.
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }
}
