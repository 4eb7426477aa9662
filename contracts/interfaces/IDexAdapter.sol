// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDexAdapter
/// @notice A swap venue for the margin router. Adapters pull the input from the caller, always deliver the output
/// to the caller (the recipient is fixed, never a parameter) and revert unless the limits hold.
interface IDexAdapter {
    /// @notice Swaps exactly `amountIn` of `tokenIn` for at least `minOut` of `tokenOut` along `route`.
    /// @param tokenIn The token sold, pulled from the caller.
    /// @param tokenOut The token bought, sent to the caller.
    /// @param amountIn Exact amount of `tokenIn` sold.
    /// @param minOut Least amount of `tokenOut` accepted; the swap reverts below it.
    /// @param route Venue-specific route from tokenIn to tokenOut (Uniswap V3: the packed path).
    /// @return amountOut Amount of `tokenOut` sent to the caller.
    function swapExactIn(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minOut,
        bytes calldata route
    ) external returns (uint256 amountOut);

    /// @notice Swaps at most `maxIn` of `tokenIn` for exactly `amountOut` of `tokenOut`; refunds the unused input.
    /// @param tokenIn The token sold, pulled from the caller (at most `maxIn`).
    /// @param tokenOut The token bought, sent to the caller.
    /// @param amountOut Exact amount of `tokenOut` bought.
    /// @param maxIn Most `tokenIn` the caller pays; the swap reverts above it.
    /// @param route Route from tokenIn to tokenOut, in the same direction as for `swapExactIn`.
    /// @return amountIn Amount of `tokenIn` used (what was pulled, less the refund).
    function swapExactOut(
        address tokenIn,
        address tokenOut,
        uint256 amountOut,
        uint256 maxIn,
        bytes calldata route
    ) external returns (uint256 amountIn);
}
