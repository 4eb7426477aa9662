// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IDexAdapter} from "../interfaces/IDexAdapter.sol";

/// @title UniswapV3Adapter
/// @notice Swaps through Uniswap V3's SwapRouter, single pool or multi-hop. Routes are packed Uniswap paths written
/// from the input token to the output token (`tokenIn, fee, [token, fee,] tokenOut`); for exact-output swaps the
/// adapter reverses the path itself. The output always goes to the caller.
contract UniswapV3Adapter is IDexAdapter {
    using SafeERC20 for IERC20;

    /// @notice Uniswap V3 SwapRouter.
    ISwapRouter public immutable ROUTER;

    error BadRoute();

    constructor(ISwapRouter router) {
        ROUTER = router;
    }

    /// @inheritdoc IDexAdapter
    function swapExactIn(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minOut,
        bytes calldata route
    ) external returns (uint256 amountOut) {
        _checkRoute(route, tokenIn, tokenOut);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        _approveMax(tokenIn);
        amountOut = ROUTER.exactInput(
            ISwapRouter.ExactInputParams({
                path: route,
                recipient: msg.sender,
                deadline: block.timestamp,
                amountIn: amountIn,
                amountOutMinimum: minOut
            })
        );
    }

    /// @inheritdoc IDexAdapter
    function swapExactOut(
        address tokenIn,
        address tokenOut,
        uint256 amountOut,
        uint256 maxIn,
        bytes calldata route
    ) external returns (uint256 amountIn) {
        _checkRoute(route, tokenIn, tokenOut);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), maxIn);
        _approveMax(tokenIn);
        amountIn = ROUTER.exactOutput(
            ISwapRouter.ExactOutputParams({
                path: _reverse(route),
                recipient: msg.sender,
                deadline: block.timestamp,
                amountOut: amountOut,
                amountInMaximum: maxIn
            })
        );
        if (maxIn > amountIn) IERC20(tokenIn).safeTransfer(msg.sender, maxIn - amountIn);
    }

    /// @dev The SwapRouter is approved for the maximum once per token (no allowance write per swap). Safe: the
    /// adapter holds no tokens between calls and the SwapRouter only pulls from the payer of a swap it is running.
    function _approveMax(address token) internal {
        if (IERC20(token).allowance(address(this), address(ROUTER)) < type(uint128).max) {
            IERC20(token).forceApprove(address(ROUTER), type(uint256).max);
        }
    }

    /// @dev A path is 20 bytes of token then (3 bytes fee, 20 bytes token) per hop; ends must match the swap.
    function _checkRoute(bytes calldata route, address tokenIn, address tokenOut) internal pure {
        uint256 n = route.length;
        if (
            n < 43 ||
            (n - 20) % 23 != 0 ||
            address(bytes20(route[0:20])) != tokenIn ||
            address(bytes20(route[n - 20:n])) != tokenOut
        ) revert BadRoute();
    }

    /// @dev Reverses a packed path: tokens and fees in the opposite order.
    function _reverse(bytes calldata route) internal pure returns (bytes memory out) {
        uint256 hops = (route.length - 20) / 23;
        out = new bytes(route.length);
        uint256 o;
        for (uint256 h = hops + 1; h > 0; --h) {
            uint256 t = (h - 1) * 23; // token h-1 starts here
            for (uint256 k; k < 20; ++k) out[o + k] = route[t + k];
            o += 20;
            if (h > 1) {
                for (uint256 k; k < 3; ++k) out[o + k] = route[t - 3 + k];
                o += 3;
            }
        }
    }
}
