// The margin fixture lives in lib/fixtures/margin.ts (bench/margin.ts uses it too). Here: an exact TypeScript model
// of a Uniswap V3 swap inside one liquidity range (SqrtPriceMath and SwapMath with Uniswap's rounding), to check the
// router's fills independently of the QuoterV2, and the router's leverage bound.
import type { Contract } from "ethers";
import { Q96 } from "../../lib/uniswap";
import { WAD, type MarginFixture } from "../../lib/fixtures/margin";

export * from "../../lib/fixtures/margin";

// ------------------------------------------------------------------------------------------------ exact V3 math

const divUp = (a: bigint, b: bigint) => (a + b - 1n) / b;
const mulDivUp = (a: bigint, b: bigint, d: bigint) => divUp(a * b, d);

export interface PoolState {
  sqrtP: bigint;
  L: bigint;
  zeroIsIn?: boolean;
}

/**
 * Exact-input swap within one range (full-range liquidity: no tick is crossed). `zeroForOne`: token0 in.
 * Mirrors SwapMath.computeSwapStep when the target price is not reached.
 */
export function v3ExactIn(
  s: PoolState,
  zeroForOne: boolean,
  amountIn: bigint,
  fee: number,
): { out: bigint; sqrtP: bigint } {
  const lessFee = (amountIn * (1_000_000n - BigInt(fee))) / 1_000_000n;
  if (zeroForOne) {
    // getNextSqrtPriceFromAmount0RoundingUp(add = true)
    const num = s.L << 96n;
    const next = mulDivUp(num, s.sqrtP, num + lessFee * s.sqrtP);
    // getAmount1Delta(next, sqrtP, L, roundDown)
    return { out: (s.L * (s.sqrtP - next)) / Q96, sqrtP: next };
  }
  // getNextSqrtPriceFromAmount1RoundingDown(add = true)
  const next = s.sqrtP + (lessFee << 96n) / s.L;
  // getAmount0Delta(sqrtP, next, L, roundDown) = L·2^96·(next − sqrtP) / next / sqrtP
  const out = ((s.L << 96n) * (next - s.sqrtP)) / next / s.sqrtP;
  return { out, sqrtP: next };
}

/** Exact-output swap within one range: the input (fee included) needed for `amountOut`. */
export function v3ExactOut(
  s: PoolState,
  zeroForOne: boolean,
  amountOut: bigint,
  fee: number,
): { amountIn: bigint; sqrtP: bigint } {
  let next: bigint;
  let amountIn: bigint;
  if (zeroForOne) {
    // output token1: getNextSqrtPriceFromAmount1RoundingDown(add = false)
    next = s.sqrtP - divUp(amountOut << 96n, s.L);
    // getAmount0Delta(next, sqrtP, L, roundUp)
    amountIn = divUp(mulDivUp(s.L << 96n, s.sqrtP - next, s.sqrtP), next);
  } else {
    // output token0: getNextSqrtPriceFromAmount0RoundingUp(add = false)
    const num = s.L << 96n;
    next = mulDivUp(num, s.sqrtP, num - amountOut * s.sqrtP);
    // getAmount1Delta(sqrtP, next, L, roundUp)
    amountIn = mulDivUp(s.L, next - s.sqrtP, Q96);
  }
  const feeAmount = mulDivUp(amountIn, BigInt(fee), 1_000_000n - BigInt(fee));
  return { amountIn: amountIn + feeAmount, sqrtP: next };
}

/** Current state of the Uniswap pool. */
export async function poolState(uniPool: Contract): Promise<PoolState> {
  const [sqrtP] = await uniPool.slot0();
  return { sqrtP, L: await uniPool.liquidity() };
}

// ------------------------------------------------------------------------------------------------ leverage limit

/**
 * MarginRouter.maxLeverage for a collateral with LTV `ltvBps`, the router's `maxDeviationBps` and `feeBps`: the exact
 * bound of the opening flow, L ≤ (1 + LTV·dev) / (1 − LTV·(1 − dev) + LTV·f), less LEVERAGE_ROUNDING_BPS (2), in WAD
 * with the contract's integer rounding.
 */
export function expectedMaxLeverage(ltvBps: bigint, devBps = 100n, feeBps = 0n): bigint {
  const BPS = 10_000n;
  const exact = (WAD * (BPS * BPS + ltvBps * devBps)) / (BPS * BPS - ltvBps * (BPS - devBps) + ltvBps * feeBps);
  return (exact * (BPS - 2n)) / BPS;
}

export type Side = "long" | "short";

/** Everything a side needs: which token is collateral/debt and the swap directions. */
export function sideOf(f: MarginFixture, side: Side) {
  const isLong = side === "long";
  const collateral = isLong ? f.weth : f.usdc;
  const debt = isLong ? f.usdc : f.weth;
  return {
    isLong,
    collateral,
    debt,
    openRoute: isLong ? f.pathUW : f.pathWU, // debt → collateral
    closeRoute: isLong ? f.pathWU : f.pathUW, // collateral → debt
    openZeroForOne: BigInt(debt.address) < BigInt(collateral.address),
    closeZeroForOne: BigInt(collateral.address) < BigInt(debt.address),
  };
}
