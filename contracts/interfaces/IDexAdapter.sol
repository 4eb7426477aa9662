// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDexAdapter
/// @notice A swap venue for the margin router. Adapters pull the input from the caller, always deliver the output
/// to the caller (the recipient is fixed, never a parameter) and revert unless the limits hold.
interface IDexAdapter {
    /// @notice Swaps exactly `amountIn` of `tokenIn` for at least `minOut` of `tokenOut` along `route`.
    /// @param route Venue-specific route from tokenIn to tokenOut (Uniswap V3: the packed path).
    function swapExactIn(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minOut,
        bytes calldata route
    ) external returns (uint256 amountOut);

    /// @notice Swaps at most `maxIn` of `tokenIn` for exactly `amountOut` of `tokenOut`; refunds the unused input.
    /// @param route Route from tokenIn to tokenOut, in the same direction as for `swapExactIn`.
    function swapExactOut(
        address tokenIn,
        address tokenOut,
        uint256 amountOut,
        uint256 maxIn,
        bytes calldata route
    ) external returns (uint256 amountIn);
}
