// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {VM} from "./Vm.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20} from "./IMocks.sol";

interface IUniswapV3Factory {
    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address pool);
}

interface IUniswapV3Pool {
    function initialize(uint160 sqrtPriceX96) external;
    function mint(
        address recipient,
        int24 tickLower,
        int24 tickUpper,
        uint128 amount,
        bytes calldata data
    ) external returns (uint256 amount0, uint256 amount1);
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
    function slot0() external view returns (uint160 sqrtPriceX96, int24, uint16, uint16, uint16, uint8, bool);
    function token0() external view returns (address);
    function token1() external view returns (address);
}

/// @title UniswapKit
/// @notice A REAL Uniswap V3 (UniswapV3Factory + UniswapV3Pool + SwapRouter, the audited bytecode shipped in the npm
/// packages uniswap/v3-core 1.0.1 and uniswap/v3-periphery 1.4.4, deployed with `vm.getCode` from their npm artifacts) for the
/// margin part of the invariant campaign, plus the market around it: deep full-range liquidity at the oracle price,
/// an arbitrageur that brings a pool back to the oracle price, and a manipulator that pushes it away.
/// @dev Tokens are the campaign's MockERC20s: the kit mints what the pools ask for in their callbacks.
contract UniswapKit {
    uint24 public constant FEE = 3_000;
    int24 internal constant MIN_TICK = -887_220; // full range at tick spacing 60
    int24 internal constant MAX_TICK = 887_220;
    uint160 internal constant MIN_SQRT_RATIO = 4_295_128_739;
    uint160 internal constant MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342;
    string internal constant CORE = "node_modules/@uniswap/v3-core/artifacts/contracts/";
    string internal constant PERIPHERY = "node_modules/@uniswap/v3-periphery/artifacts/contracts/";

    IFulcraPool internal immutable fulcra;
    address public immutable factory;
    address public immutable router;
    mapping(address => mapping(address => address)) public poolOf;
    mapping(address => bool) internal isPool;

    error DeployFailed(string artifact);
    error NotPool();

    constructor(IFulcraPool fulcra_) {
        fulcra = fulcra_;
        factory = _deploy(string.concat(CORE, "UniswapV3Factory.sol/UniswapV3Factory.json"), "");
        // WETH9 is only used by the periphery for native-ether wrapping, which nothing here does.
        router = _deploy(
            string.concat(PERIPHERY, "SwapRouter.sol/SwapRouter.json"),
            abi.encode(factory, address(0xBEEF))
        );
    }

    /// @notice Creates the `a`/`b` 0.3 % pool at the oracle price with `usdPerSide` (18-dec USD) of each token, full
    /// range.
    function createPool(address a, address b, uint256 usdPerSide) external returns (address pool) {
        pool = IUniswapV3Factory(factory).createPool(a, b, FEE);
        poolOf[a][b] = pool;
        poolOf[b][a] = pool;
        isPool[pool] = true;
        IUniswapV3Pool p = IUniswapV3Pool(pool);
        (uint256 p0, uint256 p1) = (fulcra.price(p.token0()), fulcra.price(p.token1()));
        p.initialize(_sqrtPriceX96(p0, p1));
        // Full range: L = sqrt(x·y) with x = V/p0 and y = V/p1 raw units (prices are 1e18-USD per raw unit · 1e18).
        uint256 liquidity = (usdPerSide * 1e18) / Math.sqrt(p0 * p1);
        p.mint(address(this), MIN_TICK, MAX_TICK, uint128(liquidity), "");
    }

    /// @notice Arbitrage: swaps the `a`/`b` pool back to the oracle price (at most the whole range).
    function arb(address a, address b) public {
        IUniswapV3Pool p = IUniswapV3Pool(poolOf[a][b]);
        (uint160 current, , , , , , ) = p.slot0();
        uint160 target = _sqrtPriceX96(fulcra.price(p.token0()), fulcra.price(p.token1()));
        _swapTo(p, current, target);
    }

    /// @notice Manipulation: moves the `a`/`b` pool's price `bps` (signed, of the price) away from where it is.
    function push(address a, address b, int256 bps) external {
        IUniswapV3Pool p = IUniswapV3Pool(poolOf[a][b]);
        (uint160 current, , , , , , ) = p.slot0();
        // sqrt(1 + bps/1e4) ≈ price factor on the square root.
        uint256 factor = Math.sqrt(uint256(int256(1e36) + bps * 1e32)); // 1e18 · sqrt(1 + bps/1e4)
        _swapTo(p, current, uint160((uint256(current) * factor) / 1e18));
    }

    /// @notice The pool price (token1 raw per token0 raw) against the oracle's, as a signed deviation in bps.
    function deviationBps(address a, address b) external view returns (int256) {
        IUniswapV3Pool p = IUniswapV3Pool(poolOf[a][b]);
        (uint160 current, , , , , , ) = p.slot0();
        uint256 target = _sqrtPriceX96(fulcra.price(p.token0()), fulcra.price(p.token1()));
        uint256 c2 = Math.mulDiv(current, current, target);
        return ((int256(Math.mulDiv(c2, 10_000, target)) - 10_000));
    }

    /// @dev Uniswap's packed path for one hop through the 0.3 % pool.
    function route(address tokenIn, address tokenOut) external pure returns (bytes memory) {
        return abi.encodePacked(tokenIn, FEE, tokenOut);
    }

    function uniswapV3MintCallback(uint256 amount0, uint256 amount1, bytes calldata) external {
        _pay(amount0, amount1);
    }

    function uniswapV3SwapCallback(int256 amount0, int256 amount1, bytes calldata) external {
        _pay(amount0 > 0 ? uint256(amount0) : 0, amount1 > 0 ? uint256(amount1) : 0);
    }

    function _pay(uint256 amount0, uint256 amount1) internal {
        if (!isPool[msg.sender]) revert NotPool();
        IUniswapV3Pool p = IUniswapV3Pool(msg.sender);
        if (amount0 != 0) IMockERC20(p.token0()).mint(msg.sender, amount0);
        if (amount1 != 0) IMockERC20(p.token1()).mint(msg.sender, amount1);
    }

    function _swapTo(IUniswapV3Pool p, uint160 current, uint160 target) internal {
        if (target <= MIN_SQRT_RATIO) target = MIN_SQRT_RATIO + 1;
        if (target >= MAX_SQRT_RATIO) target = MAX_SQRT_RATIO - 1;
        if (target == current) return;
        // Exact input of "everything" with the target as price limit: the swap stops at the target.
        p.swap(address(this), target < current, type(int128).max, target, "");
    }

    /// @dev sqrt(p0 / p1) · 2^96: token1 raw units per token0 raw unit, from the oracle's per-unit prices.
    function _sqrtPriceX96(uint256 p0, uint256 p1) internal pure returns (uint160) {
        return uint160(Math.sqrt(Math.mulDiv(p0, 1 << 192, p1)));
    }

    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        bytes memory code = abi.encodePacked(VM.getCode(artifact), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 32), mload(code))
        }
        if (deployed == address(0)) revert DeployFailed(artifact);
    }
}
