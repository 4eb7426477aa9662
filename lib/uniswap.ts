// A real Uniswap V3 on the local network, deployed from the compiled npm artifacts (the same bytecode as mainnet:
// the pool's init-code hash matches the periphery's POOL_INIT_CODE_HASH, so PoolAddress.computeAddress works).
// Shared by the deployment, margin, liquidation, keeper and simulation code: the artifacts, the price maths (integer
// square root, sqrtPriceX96 from a price or from two USD values, token order, full-range ticks), deployment, pools
// at a human price, deep liquidity, packed paths, quotes, and helpers that swap a pool to a target price (arbitrage
// or manipulation). Uses the ethers package only (no `import "hardhat"`), so Hardhat tasks can import it.
import { ethers } from "ethers";
import type { Signer, Contract, ContractRunner, BigNumberish } from "ethers";

import FactoryArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import PoolArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json";
import RouterArtifact from "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json";
import QuoterV2Artifact from "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json";
import NpmArtifact from "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json";
import IERC20MetadataArtifact from "@openzeppelin/contracts/build/contracts/IERC20Metadata.json";

/** The deployed Uniswap V3 contracts (ethers Contracts bound to the deployer; `.connect(other)` as needed). */
export interface UniswapV3 {
  factory: Contract;
  router: Contract;
  quoter: Contract;
  positionManager: Contract;
  weth9: string;
  /** Addresses, convenient for constructor arguments. */
  addresses: { factory: string; router: string; quoter: string; positionManager: string };
}

/** An ERC-20 as these helpers need it (MockERC20 or any TypeChain ERC-20 binding fits). */
export interface TokenLike {
  getAddress(): Promise<string>;
}

export const FEE = { LOWEST: 100, LOW: 500, MEDIUM: 3000, HIGH: 10000 } as const;
export const MIN_TICK = -887272;
export const MAX_TICK = 887272;
export const MIN_SQRT_RATIO = 4295128739n;
export const MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342n;
export const Q96 = 1n << 96n;
export const Q192 = 1n << 192n;
const SWAP_GAS = 3_000_000n;
const MINT_GAS = 1_000_000n;

const ERC20_ABI = IERC20MetadataArtifact.abi;

/** The npm artifacts the deployment and the helpers below use. */
export const UNISWAP_ARTIFACTS = {
  factory: FactoryArtifact,
  pool: PoolArtifact,
  swapRouter: RouterArtifact,
  quoter: QuoterV2Artifact,
  positionManager: NpmArtifact,
} as const;

/** Tick spacing of each fee tier the factory enables at deployment. */
export const TICK_SPACING: Record<number, number> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };

/** The widest usable tick range for a tick spacing. */
export function fullRangeTicks(spacing: number): { tickLower: number; tickUpper: number } {
  return { tickLower: Math.ceil(MIN_TICK / spacing) * spacing, tickUpper: Math.floor(MAX_TICK / spacing) * spacing };
}

/** Full-range tick bounds for `fee`. */
export function fullRange(fee: number): { tickLower: number; tickUpper: number } {
  return fullRangeTicks(TICK_SPACING[fee]);
}

// A placeholder for the NFT descriptor: tokenURI is never called here.
const DUMMY_DESCRIPTOR = "0x000000000000000000000000000000000000dEaD";

async function deployArtifact(
  deployer: Signer,
  artifact: { abi: unknown; bytecode: string },
  args: unknown[],
): Promise<Contract> {
  const factory = new ethers.ContractFactory(artifact.abi as ethers.InterfaceAbi, artifact.bytecode, deployer);
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

/**
 * Deploys UniswapV3Factory, SwapRouter, QuoterV2 and NonfungiblePositionManager.
 * @param weth9 Any ERC-20 (or any address): only used by the periphery for native-ETH wrapping, which we never use.
 */
export async function deployUniswapV3(deployer: Signer, weth9?: string): Promise<UniswapV3> {
  const weth = weth9 ?? "0x000000000000000000000000000000000000bEEF";
  const factory = await deployArtifact(deployer, FactoryArtifact, []);
  const f = await factory.getAddress();
  const router = await deployArtifact(deployer, RouterArtifact, [f, weth]);
  const quoter = await deployArtifact(deployer, QuoterV2Artifact, [f, weth]);
  const positionManager = await deployArtifact(deployer, NpmArtifact, [f, weth, DUMMY_DESCRIPTOR]);
  return {
    factory,
    router,
    quoter,
    positionManager,
    weth9: weth,
    addresses: {
      factory: f,
      router: await router.getAddress(),
      quoter: await quoter.getAddress(),
      positionManager: await positionManager.getAddress(),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Price math (bigint, exact where it can be)
// ---------------------------------------------------------------------------------------------------------------

/** Integer square root (floor). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error("isqrt of negative");
  if (n < 2n) return n;
  // Newton from above: start at 2^ceil(bits/2) >= sqrt(n); the sequence decreases monotonically to floor(sqrt(n))
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** A human price ("2000.5" or 2000.5) as a fraction num/den with 18 fractional digits. */
function priceFraction(price: number | string): { num: bigint; den: bigint } {
  const s = typeof price === "number" ? price.toPrecision(17) : price;
  // toPrecision may produce exponent notation for extreme values
  const fixed = s.includes("e") ? Number(s).toFixed(18) : s;
  const num = ethers.parseUnits(trimDecimals(fixed, 18), 18);
  if (num <= 0n) throw new Error(`bad price ${price}`);
  return { num, den: 10n ** 18n };
}

function trimDecimals(s: string, d: number): string {
  const [i, f] = s.split(".");
  return f === undefined ? i : `${i}.${f.slice(0, d)}`;
}

/** Sorts two tokens (addresses, or objects with an address) the way Uniswap orders token0/token1. */
export function sortTokens<T extends string | { address: string }>(a: T, b: T): [T, T] {
  const at = (t: T) => BigInt(typeof t === "string" ? t : t.address);
  return at(a) < at(b) ? [a, b] : [b, a];
}

/** sqrtPriceX96 for a raw price (raw token1 per raw token0) given as the fraction num / den. */
export function sqrtPriceX96FromRatio(num: bigint, den: bigint): bigint {
  return isqrt((num * Q192) / den);
}

/** A token with its USD value: what pools are seeded and synced from in a deployment. */
export interface PoolToken {
  address: string;
  decimals: number;
  /** USD per whole token, scaled 1e18. */
  usd: bigint;
}

/**
 * sqrtPriceX96 of a pool whose token0 / token1 are worth `usd0` / `usd1` (same fixed-point scale) per whole token,
 * with `dec0` / `dec1` decimals: price = raw token1 per raw token0.
 */
export function sqrtPriceX96(usd0: bigint, dec0: number, usd1: bigint, dec1: number): bigint {
  return sqrtPriceX96FromRatio(usd0 * 10n ** BigInt(dec1), usd1 * 10n ** BigInt(dec0));
}

/**
 * sqrtPriceX96 (token1 per token0, raw units) for "1 A = priceOfAInB B" in human units.
 * token0/token1 ordering is resolved from the addresses.
 */
export function encodeSqrtPriceX96(
  tokenA: string,
  tokenB: string,
  priceOfAInB: number | string,
  decimalsA: number,
  decimalsB: number,
): bigint {
  const { num, den } = priceFraction(priceOfAInB);
  // raw B per raw A = price * 10^decB / 10^decA
  let rNum = num * 10n ** BigInt(decimalsB);
  let rDen = den * 10n ** BigInt(decimalsA);
  if (BigInt(tokenA) > BigInt(tokenB)) [rNum, rDen] = [rDen, rNum]; // A is token1: price of token1 in token0 inverted
  return sqrtPriceX96FromRatio(rNum, rDen);
}

/** Human price of A in B from a sqrtPriceX96 (floating point, for display and tolerance checks). */
export function sqrtPriceX96ToPrice(
  sqrtPriceX96: bigint,
  tokenA: string,
  tokenB: string,
  decimalsA: number,
  decimalsB: number,
): number {
  // raw token1 per raw token0 = sqrtP^2 / 2^192; keep 36 digits of precision through bigint
  const SCALE = 10n ** 36n;
  let raw = (sqrtPriceX96 * sqrtPriceX96 * SCALE) / Q192; // token1 per token0, scaled by 1e36
  const aIs0 = BigInt(tokenA) < BigInt(tokenB);
  if (!aIs0) raw = (SCALE * SCALE) / raw; // token0 per token1 = A per... invert: raw B per raw A
  // raw B per raw A -> human: * 10^decA / 10^decB
  const human = (raw * 10n ** BigInt(decimalsA)) / 10n ** BigInt(decimalsB);
  return Number(ethers.formatUnits(human, 36));
}

/** Approximate tick for a sqrtPriceX96 (floor), by log. Exact enough for choosing range bounds. */
export function approxTick(sqrtPriceX96: bigint): number {
  const p = Number(sqrtPriceX96) / Number(Q96);
  return Math.floor(Math.log(p * p) / Math.log(1.0001));
}

// ---------------------------------------------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------------------------------------------

export function poolContract(address: string, runner?: ContractRunner | null): Contract {
  return new ethers.Contract(address, PoolArtifact.abi, runner ?? null);
}

/** The pool's address (ZeroAddress if it does not exist). */
export async function getPoolAddress(uni: UniswapV3, tokenA: string, tokenB: string, fee: number): Promise<string> {
  return (await uni.factory.getPool(tokenA, tokenB, fee)) as string;
}

/** Creates (if needed) and initializes the pool at "1 A = priceOfAInB B". Returns the pool contract. */
export async function createPoolAtPrice(
  uni: UniswapV3,
  tokenA: TokenLike | string,
  tokenB: TokenLike | string,
  fee: number,
  priceOfAInB: number | string,
  decimalsA: number,
  decimalsB: number,
): Promise<Contract> {
  const a = await addr(tokenA);
  const b = await addr(tokenB);
  const [t0, t1] = sortTokens(a, b);
  const sqrtPriceX96 = encodeSqrtPriceX96(a, b, priceOfAInB, decimalsA, decimalsB);
  await (await uni.positionManager.createAndInitializePoolIfNecessary(t0, t1, fee, sqrtPriceX96)).wait();
  const pool = await getPoolAddress(uni, a, b, fee);
  return poolContract(pool, uni.factory.runner);
}

/** Current human price of A in B in the pool. */
export async function getPoolPrice(
  uni: UniswapV3,
  tokenA: TokenLike | string,
  tokenB: TokenLike | string,
  fee: number,
  decimalsA: number,
  decimalsB: number,
): Promise<number> {
  const a = await addr(tokenA);
  const b = await addr(tokenB);
  const pool = poolContract(await getPoolAddress(uni, a, b, fee), uni.factory.runner);
  const slot0 = await pool.slot0();
  return sqrtPriceX96ToPrice(slot0[0] as bigint, a, b, decimalsA, decimalsB);
}

async function tickSpacing(uni: UniswapV3, fee: number): Promise<number> {
  return Number(await uni.factory.feeAmountTickSpacing(fee));
}

async function approveIfNeeded(token: string, owner: Signer, spender: string, amount: bigint) {
  const t = new ethers.Contract(token, ERC20_ABI, owner);
  const current: bigint = await t.allowance(await owner.getAddress(), spender);
  if (current < amount) await (await t.approve(spender, ethers.MaxUint256)).wait();
}

async function addr(t: TokenLike | string): Promise<string> {
  return typeof t === "string" ? t : t.getAddress();
}

export interface MintResult {
  tokenId: bigint;
  liquidity: bigint;
  amount0: bigint;
  amount1: bigint;
}

async function mintPosition(
  uni: UniswapV3,
  provider: Signer,
  a: string,
  b: string,
  fee: number,
  amountA: bigint,
  amountB: bigint,
  tickLower: number,
  tickUpper: number,
): Promise<MintResult> {
  const [t0, t1] = sortTokens(a, b);
  const [amount0, amount1] = t0 === a ? [amountA, amountB] : [amountB, amountA];
  const npm = uni.positionManager.connect(provider) as Contract;
  await approveIfNeeded(t0, provider, uni.addresses.positionManager, amount0);
  await approveIfNeeded(t1, provider, uni.addresses.positionManager, amount1);
  const params = {
    token0: t0,
    token1: t1,
    fee,
    tickLower,
    tickUpper,
    amount0Desired: amount0,
    amount1Desired: amount1,
    amount0Min: 0n,
    amount1Min: 0n,
    recipient: await provider.getAddress(),
    deadline: 2n ** 64n,
  };
  const res = await npm.mint.staticCall(params);
  await (await npm.mint(params, { gasLimit: MINT_GAS })).wait();
  return { tokenId: res[0], liquidity: res[1], amount0: res[2], amount1: res[3] };
}

/**
 * Adds full-range liquidity (min..max usable tick). Up to `amountA`/`amountB` raw units are pulled from `provider`
 * (which must hold them); the position manager uses the ratio of the current price, so one side may be partly unused.
 */
export async function addFullRangeLiquidity(
  uni: UniswapV3,
  provider: Signer,
  tokenA: TokenLike | string,
  tokenB: TokenLike | string,
  fee: number,
  amountA: bigint,
  amountB: bigint,
): Promise<MintResult> {
  const a = await addr(tokenA);
  const b = await addr(tokenB);
  const { tickLower, tickUpper } = fullRangeTicks(await tickSpacing(uni, fee));
  return mintPosition(uni, provider, a, b, fee, amountA, amountB, tickLower, tickUpper);
}

/**
 * Adds concentrated liquidity in [price / (1 + widthPct/100), price * (1 + widthPct/100)] around the pool's current
 * price (in ticks: ± log(1 + width) / log(1.0001), rounded outward to the tick spacing). Deep liquidity for less
 * capital than full range.
 */
export async function addLiquidityAroundPrice(
  uni: UniswapV3,
  provider: Signer,
  tokenA: TokenLike | string,
  tokenB: TokenLike | string,
  fee: number,
  amountA: bigint,
  amountB: bigint,
  widthPct = 20,
): Promise<MintResult> {
  const a = await addr(tokenA);
  const b = await addr(tokenB);
  const s = await tickSpacing(uni, fee);
  const pool = poolContract(await getPoolAddress(uni, a, b, fee), uni.factory.runner);
  const tick = Number((await pool.slot0())[1]);
  const half = Math.ceil(Math.log(1 + widthPct / 100) / Math.log(1.0001));
  const full = fullRangeTicks(s);
  const lower = Math.max(Math.floor((tick - half) / s) * s, full.tickLower);
  const upper = Math.min(Math.ceil((tick + half) / s) * s, full.tickUpper);
  return mintPosition(uni, provider, a, b, fee, amountA, amountB, lower, upper);
}

// ---------------------------------------------------------------------------------------------------------------
// Paths, quotes, swaps
// ---------------------------------------------------------------------------------------------------------------

/** Packs a Uniswap V3 path: token0, fee0, token1, fee1, ..., tokenN. */
export function encodePath(tokens: string[], fees: number[]): string {
  if (tokens.length !== fees.length + 1) throw new Error("encodePath: tokens must be fees + 1");
  const types: string[] = [];
  const values: (string | number)[] = [];
  for (let i = 0; i < fees.length; i++) {
    types.push("address", "uint24");
    values.push(tokens[i], fees[i]);
  }
  types.push("address");
  values.push(tokens[tokens.length - 1]);
  return ethers.solidityPacked(types, values);
}

/** Reverses a path written in and out (for exact-output swaps, which Uniswap encodes from the output). */
export function reversePath(tokens: string[], fees: number[]): string {
  return encodePath([...tokens].reverse(), [...fees].reverse());
}

/** QuoterV2.quoteExactInput (static call): amount out for `amountIn` along `path`. */
export async function quoteExactInput(uni: UniswapV3, path: string, amountIn: BigNumberish): Promise<bigint> {
  const r = await uni.quoter.quoteExactInput.staticCall(path, amountIn);
  return r[0] as bigint;
}

/** QuoterV2.quoteExactOutput (static call): amount in for `amountOut`; `path` is written from OUTPUT to input. */
export async function quoteExactOutput(uni: UniswapV3, path: string, amountOut: BigNumberish): Promise<bigint> {
  const r = await uni.quoter.quoteExactOutput.staticCall(path, amountOut);
  return r[0] as bigint;
}

/** Single-pool exact-input swap through the SwapRouter from `signer` (approves as needed). Returns amount out. */
export async function swapExactInputSingle(
  uni: UniswapV3,
  signer: Signer,
  tokenIn: TokenLike | string,
  tokenOut: TokenLike | string,
  fee: number,
  amountIn: bigint,
  sqrtPriceLimitX96 = 0n,
): Promise<bigint> {
  const i = await addr(tokenIn);
  const o = await addr(tokenOut);
  await approveIfNeeded(i, signer, uni.addresses.router, amountIn);
  const params = {
    tokenIn: i,
    tokenOut: o,
    fee,
    recipient: await signer.getAddress(),
    deadline: 2n ** 64n,
    amountIn,
    amountOutMinimum: 0n,
    sqrtPriceLimitX96,
  };
  const router = uni.router.connect(signer) as Contract;
  const out: bigint = await router.exactInputSingle.staticCall(params);
  // explicit gas: skips eth_estimateGas, whose first call in a Hardhat process can take a minute (stack-trace setup)
  await (await router.exactInputSingle(params, { gasLimit: SWAP_GAS })).wait();
  return out;
}

export interface MoveResult {
  /** The token that was sold into the pool (ZeroAddress if the pool was already at the target). */
  tokenIn: string;
  amountIn: bigint;
  amountOut: bigint;
  /** The pool's sqrtPriceX96 after the swap. */
  sqrtPriceX96: bigint;
}

/**
 * Swaps in the pool until its price equals "1 A = targetPriceOfAInB B" (the router stops at the sqrt-price limit
 * and only pulls what it used). `trader` sells whichever side moves the price the right way and must hold enough of
 * it (at most `maxIn` — defaults to its whole balance — is offered). Arbitrage in simulations, manipulation in tests.
 */
export async function movePoolPrice(
  uni: UniswapV3,
  trader: Signer,
  tokenA: TokenLike | string,
  tokenB: TokenLike | string,
  fee: number,
  targetPriceOfAInB: number | string,
  decimalsA: number,
  decimalsB: number,
  maxIn?: bigint,
): Promise<MoveResult> {
  const a = await addr(tokenA);
  const b = await addr(tokenB);
  const [t0, t1] = sortTokens(a, b);
  const pool = poolContract(await getPoolAddress(uni, a, b, fee), trader);
  const current: bigint = (await pool.slot0())[0];
  const target = encodeSqrtPriceX96(a, b, targetPriceOfAInB, decimalsA, decimalsB);
  if (target === current) return { tokenIn: ethers.ZeroAddress, amountIn: 0n, amountOut: 0n, sqrtPriceX96: current };
  // Selling token0 lowers sqrtP (token1 per token0); selling token1 raises it.
  const zeroForOne = target < current;
  const tokenIn = zeroForOne ? t0 : t1;
  const tokenOut = zeroForOne ? t1 : t0;
  const erc = new ethers.Contract(tokenIn, ERC20_ABI, trader);
  const balance: bigint = await erc.balanceOf(await trader.getAddress());
  const offer = maxIn ?? balance;
  if (offer === 0n) throw new Error("movePoolPrice: trader holds none of the input token");
  // SwapRouter's exactInputSingle with a limit pulls only what it used
  const before: bigint = await erc.balanceOf(await trader.getAddress());
  const out = await swapExactInputSingle(uni, trader, tokenIn, tokenOut, fee, offer, target);
  const after: bigint = await erc.balanceOf(await trader.getAddress());
  const sqrtPriceX96: bigint = (await pool.slot0())[0];
  return { tokenIn, amountIn: before - after, amountOut: out, sqrtPriceX96 };
}

// ---------------------------------------------------------------------------------------------------------------
// Deployments (tasks): a pool synced to the feeds' prices
// ---------------------------------------------------------------------------------------------------------------

/** One of the deployment's Uniswap contracts at `address`. */
export function uniswapContract(kind: keyof typeof UNISWAP_ARTIFACTS, address: string, runner: Signer): Contract {
  return new ethers.Contract(address, UNISWAP_ARTIFACTS[kind].abi, runner);
}

/**
 * Moves the pool of (a, b, fee) to the price implied by `a.usd` / `b.usd`, swapping through `router` with a price
 * limit. `mint(token, to, amount)` must be able to create the input token (local mocks). Returns whether it swapped.
 * (`_hre` is unused: kept so the tasks' calls stay as they are.)
 */
export async function syncPoolPrice(
  _hre: unknown,
  signer: Signer,
  factory: string,
  router: string,
  fee: number,
  a: PoolToken,
  b: PoolToken,
  mint: (token: string, to: string, amount: bigint) => Promise<void>,
): Promise<boolean> {
  const [t0, t1] = sortTokens(a, b);
  const f = uniswapContract("factory", factory, signer);
  const poolAddr: string = await f.getPool(t0.address, t1.address, fee);
  if (poolAddr === ethers.ZeroAddress) return false;
  const pool = uniswapContract("pool", poolAddr, signer);
  const target = sqrtPriceX96(t0.usd, t0.decimals, t1.usd, t1.decimals);
  const [current] = await pool.slot0();
  const diff = current > target ? current - target : target - current;
  if (diff * 100_000n <= target) return false; // within 0.001 %
  const zeroForOne = target < current;
  const tokenIn = zeroForOne ? t0 : t1;
  const tokenOut = zeroForOne ? t1 : t0;
  const me = await signer.getAddress();
  const erc20 = new ethers.Contract(tokenIn.address, ERC20_ABI, signer);
  // Ten times the pool's balance of the input token is more than any full-range swap to the limit can take.
  const amountIn = ((await erc20.balanceOf(poolAddr)) as bigint) * 10n + 10n ** BigInt(tokenIn.decimals);
  await mint(tokenIn.address, me, amountIn);
  await (await erc20.approve(router, amountIn)).wait();
  const r = uniswapContract("swapRouter", router, signer);
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
