// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPool} from "../interfaces/IPool.sol";
import {Market} from "../interfaces/IPoolTypes.sol";
import {SharesMathLib} from "../libraries/SharesMathLib.sol";

/// @title FulcraVault
/// @notice ERC-4626 view of a lender's position in one Fulcra reserve: a standard, transferable token.
/// @dev One vault share is one pool supply share, held by the vault: conversions use the pool's own share math
/// (with its virtual offset), so the vault inherits the pool's defence against inflation, and tokens or pool shares
/// donated to the vault change no price (they are simply stranded). Invariant: totalSupply() equals the pool supply
/// shares the vault holds, unless someone supplied to the pool on the vault's behalf.
contract FulcraVault is ERC4626 {
    using SafeERC20 for IERC20;
    using SharesMathLib for uint256;

    /// @notice The Fulcra pool.
    IPool public immutable POOL;

    error SharesMismatch();

    /// @param pool The Fulcra pool.
    /// @param asset_ The reserve's asset.
    constructor(IPool pool, IERC20 asset_)
        ERC4626(asset_)
        ERC20(
            string.concat("Fulcra ", IERC20Metadata(address(asset_)).symbol(), " Supply"),
            string.concat("f", IERC20Metadata(address(asset_)).symbol())
        )
    {
        POOL = pool;
        asset_.forceApprove(address(pool), type(uint256).max);
    }

    /// @notice Assets the vault's pool shares are worth now (interest included, rounded down).
    function totalAssets() public view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return POOL.supplyShares(asset(), address(this)).toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @notice Deposit limit: the reserve's remaining supply cap, 0 while supply is paused.
    function maxDeposit(address) public view override returns (uint256) {
        address a = asset();
        if (POOL.assetConfig(a).flags & 4 != 0) return 0; // supply paused
        (uint256 supplyCap, , , , , ) = POOL.assetLimits(a);
        uint256 supplied = POOL.expectedMarket(a).totalSupplyAssets;
        return supplyCap > supplied ? supplyCap - supplied : 0;
    }

    /// @notice Mint limit: the shares `maxDeposit` would buy.
    function maxMint(address receiver) public view override returns (uint256) {
        return _convertToShares(maxDeposit(receiver), Math.Rounding.Floor);
    }

    /// @notice What `owner` can withdraw now: its assets, limited by the reserve's free liquidity.
    function maxWithdraw(address owner) public view override returns (uint256) {
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), _liquidity());
    }

    /// @notice What `owner` can redeem now: its shares, limited by the reserve's free liquidity.
    function maxRedeem(address owner) public view override returns (uint256) {
        return Math.min(balanceOf(owner), _convertToShares(_liquidity(), Math.Rounding.Floor));
    }

    /// @dev Share/asset conversion with the pool's math, on its state accrued to now.
    function _convertToShares(uint256 assets, Math.Rounding rounding) internal view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return
            rounding == Math.Rounding.Floor
                ? assets.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares)
                : assets.toSharesUp(m.totalSupplyAssets, m.totalSupplyShares);
    }

    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return
            rounding == Math.Rounding.Floor
                ? shares.toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares)
                : shares.toAssetsUp(m.totalSupplyAssets, m.totalSupplyShares);
    }

    /// @dev Pulls `assets` from the caller and supplies exactly `shares` to the pool, which pulls their price rounded
    /// up: `assets` for `mint` (previewed up from shares) and for `deposit` (shares previewed down from assets, while
    /// a pool share is worth less than one wei). Supplying by assets instead would mint the pool's rounding of
    /// `assets`, which differs from `shares` for almost every `mint`. The shares are then minted 1:1.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        IERC20(asset()).safeTransferFrom(caller, address(this), assets);
        (uint256 pulled, ) = POOL.supply(asset(), 0, shares, address(this));
        if (pulled != assets) revert SharesMismatch();
        _mint(receiver, shares);
        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev Burns `shares` and withdraws exactly those pool shares straight to `receiver`; the pool pays their price
    /// rounded down, which is `assets` for `redeem` (previewed down) and for `withdraw` (shares previewed up, while a
    /// pool share is worth less than one wei). Withdrawing by assets instead would burn the pool's rounding of
    /// `assets`, which differs from `shares` for almost every `redeem`.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (caller != owner) _spendAllowance(owner, caller, shares);
        _burn(owner, shares);
        (uint256 paid, ) = POOL.withdraw(asset(), 0, shares, address(this), receiver);
        if (paid != assets) revert SharesMismatch();
        emit Withdraw(caller, receiver, owner, assets, shares);
    }

    function _liquidity() internal view returns (uint256) {
        Market memory m = POOL.expectedMarket(asset());
        return m.totalSupplyAssets - m.totalBorrowAssets;
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return 6; // pool shares carry 1e6 virtual shares per wei
    }
}
