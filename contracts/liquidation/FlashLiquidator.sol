// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IFulcraLiquidateCallback} from "../interfaces/IFulcraCallbacks.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";

/// @title FlashLiquidator
/// @notice A keeper's capital-free liquidator: the pool sends it the seized collateral, it sells that collateral for
/// the debt asset on Uniswap V3 inside the pool's callback, the pool pulls the repay, and the profit (in the debt
/// asset) goes to the owner — or the whole transaction reverts if the profit is below the owner's minimum.
/// @dev Only the owner can start a liquidation; the callback only runs inside one this contract started.
contract FlashLiquidator is IFulcraLiquidateCallback, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @notice The Fulcra pool.
    IFulcraPool public immutable POOL;
    /// @notice Uniswap V3 SwapRouter.
    ISwapRouter public immutable ROUTER;

    /// @notice One liquidation order.
    struct Order {
        address owner; // the account to liquidate
        uint96 subId;
        address collateralAsset;
        address debtAsset;
        uint256 maxRepay; // type(uint256).max: as much as the pool allows
        uint256 minSeized; // slippage guard on the pool side
        bytes path; // Uniswap V3 path from collateralAsset to debtAsset (tokenIn, fee, [token, fee,] tokenOut)
        uint256 minProfit; // in debt-asset units; below it the transaction reverts
    }

    bytes32 internal constant ACTIVE_SLOT = keccak256("fulcra.flashLiquidator.active");

    error NotPool();
    error NotActive();
    error InsufficientProfit(uint256 profit, uint256 minProfit);
    error BadPath();
    error ZeroAddress();

    /// @notice The owner took `amount` of `token` held here, to `to`.
    event Swept(address indexed token, address indexed to, uint256 amount);

    /// @notice A liquidation went through: `profit` of `debtAsset` was sent to the owner.
    event Liquidated(
        address indexed account,
        uint96 subId,
        address collateralAsset,
        address debtAsset,
        uint256 repaid,
        uint256 seized,
        uint256 profit
    );

    constructor(IFulcraPool pool, ISwapRouter router, address owner_) Ownable(owner_) {
        if (address(pool) == address(0) || address(router) == address(0)) revert ZeroAddress();
        POOL = pool;
        ROUTER = router;
    }

    /// @notice Liquidates `o.owner`'s account and sends the profit to the owner of this contract.
    /// @return profit Debt-asset units kept after repaying the pool.
    function liquidate(Order calldata o) external onlyOwner returns (uint256 profit) {
        uint256 n = o.path.length;
        if (
            n < 43 ||
            (n - 20) % 23 != 0 ||
            address(bytes20(o.path[0:20])) != o.collateralAsset ||
            address(bytes20(o.path[n - 20:n])) != o.debtAsset
        ) revert BadPath();
        uint256 before = IERC20(o.debtAsset).balanceOf(address(this));
        _setActive(true);
        (uint256 repaid, uint256 seized) = POOL.liquidate(
            o.owner,
            o.subId,
            o.collateralAsset,
            o.maxRepay,
            o.minSeized,
            address(this),
            abi.encode(o.collateralAsset, o.debtAsset, o.path)
        );
        _setActive(false);
        uint256 balance = IERC20(o.debtAsset).balanceOf(address(this));
        profit = balance > before ? balance - before : 0;
        if (profit < o.minProfit) revert InsufficientProfit(profit, o.minProfit);
        if (profit != 0) IERC20(o.debtAsset).safeTransfer(owner(), profit);
        emit Liquidated(o.owner, o.subId, o.collateralAsset, o.debtAsset, repaid, seized, profit);
    }

    /// @inheritdoc IFulcraLiquidateCallback
    /// @dev Sells all the seized collateral for the debt asset, requiring at least the repay back, and lets the
    /// pool pull the repay.
    function onFulcraLiquidate(uint256 repaidAssets, uint256 seizedAssets, bytes calldata data) external {
        if (msg.sender != address(POOL)) revert NotPool();
        if (!_active()) revert NotActive();
        (address collateralAsset, address debtAsset, bytes memory path) = abi.decode(data, (address, address, bytes));
        IERC20(collateralAsset).forceApprove(address(ROUTER), seizedAssets);
        ROUTER.exactInput(
            ISwapRouter.ExactInputParams({
                path: path,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: seizedAssets,
                amountOutMinimum: repaidAssets
            })
        );
        IERC20(debtAsset).forceApprove(address(POOL), repaidAssets);
    }

    /// @notice Sends `amount` of `token` held here to `to` (owner only): profits left behind, stray tokens.
    function sweep(address token, uint256 amount, address to) external onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        emit Swept(token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    function _setActive(bool on) internal {
        bytes32 slot = ACTIVE_SLOT;
        assembly ("memory-safe") {
            tstore(slot, on)
        }
    }

    function _active() internal view returns (bool on) {
        bytes32 slot = ACTIVE_SLOT;
        assembly ("memory-safe") {
            on := tload(slot)
        }
    }
}
