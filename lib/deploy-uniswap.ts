// Uniswap V3 for local networks, from the npm artifacts (@uniswap/v3-core 1.0.1, @uniswap/v3-periphery 1.4.4):
// factory, SwapRouter, QuoterV2, NonfungiblePositionManager; full-range pools seeded at the oracle prices; and a
// helper that moves a pool's price to the feeds' (what an arbitrageur would do) after `set-price`.
// Uses only the `hre` it is given, so Hardhat tasks can import it. Math and paths come from ./uniswap.ts (the margin
// helper's library); deployment here is step by step so that deployStack can record and skip each contract.
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Contract, Signer } from "ethers";
import factoryArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import poolArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json";
import routerArtifact from "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json";
import quoterArtifact from "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json";
import npmArtifact from "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json";
import erc20Artifact from "@openzeppelin/contracts/build/contracts/IERC20Metadata.json";
import { encodePath, isqrt } from "./uniswap";

export const UNISWAP_ARTIFACTS = {
  factory: factoryArtifact,
  pool: poolArtifact,
  swapRouter: routerArtifact,
  quoter: quoterArtifact,
  positionManager: npmArtifact,
} as const;

export const TICK_SPACING: Record<number, number> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };
const MAX_TICK = 887272;

/** Integer square root (floor): the margin helper's exact one. */
export const sqrtBig = isqrt;

/**
 * sqrtPriceX96 of a pool whose token0 / token1 are worth `usd0` / `usd1` (same fixed-point scale) per whole token,
 * with `dec0` / `dec1` decimals: price = raw token1 per raw token0.
 */
export function sqrtPriceX96(usd0: bigint, dec0: number, usd1: bigint, dec1: number): bigint {
  const num = usd0 * 10n ** BigInt(dec1);
  const den = usd1 * 10n ** BigInt(dec0);
  return sqrtBig((num << 192n) / den);
}

/** Packed Uniswap path `tokenIn, fee, [token, fee,] tokenOut`. */
export { encodePath };

export interface PoolToken {
  address: string;
  decimals: number;
  /** USD per whole token, scaled 1e18. */
  usd: bigint;
}

export function sortTokens(a: PoolToken, b: PoolToken): [PoolToken, PoolToken] {
  return BigInt(a.address) < BigInt(b.address) ? [a, b] : [b, a];
}

export async function uniswapContract(
  hre: HardhatRuntimeEnvironment,
  kind: keyof typeof UNISWAP_ARTIFACTS,
  address: string,
  runner: Signer,
): Promise<Contract> {
  return new hre.ethers.Contract(address, UNISWAP_ARTIFACTS[kind].abi, runner);
}

/**
 * Moves the pool of (a, b, fee) to the price implied by `a.usd` / `b.usd`, swapping through `router` with a price
 * limit. `mint(token, to, amount)` must be able to create the input token (local mocks). Returns whether it swapped.
 */
export async function syncPoolPrice(
  hre: HardhatRuntimeEnvironment,
  signer: Signer,
  factory: string,
  router: string,
  fee: number,
  a: PoolToken,
  b: PoolToken,
  mint: (token: string, to: string, amount: bigint) => Promise<void>,
): Promise<boolean> {
  const [t0, t1] = sortTokens(a, b);
  const f = await uniswapContract(hre, "factory", factory, signer);
  const poolAddr: string = await f.getPool(t0.address, t1.address, fee);
  if (poolAddr === hre.ethers.ZeroAddress) return false;
  const pool = await uniswapContract(hre, "pool", poolAddr, signer);
  const target = sqrtPriceX96(t0.usd, t0.decimals, t1.usd, t1.decimals);
  const [current] = await pool.slot0();
  const diff = current > target ? current - target : target - current;
  if (diff * 100_000n <= target) return false; // within 0.001 %
  const zeroForOne = target < current;
  const tokenIn = zeroForOne ? t0 : t1;
  const tokenOut = zeroForOne ? t1 : t0;
  const me = await signer.getAddress();
  const erc20 = new hre.ethers.Contract(tokenIn.address, erc20Artifact.abi, signer);
  // Ten times the pool's balance of the input token is more than any full-range swap to the limit can take.
  const amountIn = ((await erc20.balanceOf(poolAddr)) as bigint) * 10n + 10n ** BigInt(tokenIn.decimals);
  await mint(tokenIn.address, me, amountIn);
  await (await erc20.approve(router, amountIn)).wait();
  const r = await uniswapContract(hre, "swapRouter", router, signer);
  await (
    await r.exactInputSingle({
      tokenIn: tokenIn.address,
      tokenOut: tokenOut.address,
      fee,
      recipient: me,
      deadline: 2n ** 64n,
      amountIn,
      amountOutMinimum: 0,
      sqrtPriceLimitX96: target,
    })
  ).wait();
  await (await erc20.approve(router, 0)).wait();
  return true;
}

/** Full-range tick bounds for `fee`. */
export function fullRange(fee: number): { tickLower: number; tickUpper: number } {
  const s = TICK_SPACING[fee];
  const m = Math.floor(MAX_TICK / s) * s;
  return { tickLower: -m, tickUpper: m };
}
