// Strategy: for each liquidatable account, the collateral and repay the Lens found best, an estimate of the profit
// (bonus value − gas cost − swap cost, the swap quoted on Uniswap V3's QuoterV2), a minimum-profit filter, and the
// order (largest profit first).
import { solidityPacked } from "ethers";
import { getAddress } from "ethers";
import { poolIface, quoterIface } from "./abis";
import type { Rpc } from "./rpc";
import type { Snapshot } from "./scanner";
import { WAD, mapLimit } from "./util";
import type { Mode } from "./config";

export interface Plan {
  key: string;
  owner: string;
  subId: bigint;
  debtAsset: string;
  collateral: string;
  repay: bigint; // debt-asset units: the Lens's max repay, or a fraction of it (partial)
  /** A chunk of the allowed repay (maxRepay / 2^k): the full one was unprofitable after the swap. */
  partial: boolean;
  seized: bigint; // collateral units the liquidator receives (net of the protocol fee)
  bonusValue: bigint; // USD (WAD)
  gasCost: bigint; // USD (WAD)
  swapCost: bigint; // USD (WAD); 0 in own mode
  profit: bigint; // USD (WAD), may be negative
  gas: number;
  // flash mode
  path?: string;
  quotedOut?: bigint; // debt-asset units the swap of `seized` is quoted to return
  minProfit: bigint; // debt-asset units (flash: passed to the FlashLiquidator)
  minSeized: bigint; // collateral units (pool-side slippage guard)
}

export interface StrategyOptions {
  mode: Mode;
  quoter?: string;
  feeTiers: number[];
  slippageBps: number;
  gasFlash: number;
  gasOwn: number;
  minProfitUsd: number;
  /** Flash mode: halvings of the repay tried when the full one is unprofitable after the swap (0: off). */
  partialSteps?: number;
  /** The pool (for its dust value and the account's collateral when a partial liquidation is considered). */
  pool?: string;
}

export interface StrategyContext {
  prices: Map<string, bigint>; // lower-case asset → pool price (USD·1e18 per unit)
  gasPrice: bigint; // wei per gas the keeper expects to pay
  nativeUsd: bigint; // USD·1e18 per wei of the gas token (the pool price of wrapped native)
  balances?: Map<string, bigint>; // own mode: the keeper's balance per debt asset (lower-case)
}

export const usdToWad = (usd: number): bigint => BigInt(Math.round(usd * 1e6)) * 10n ** 12n;

export function encodePath(tokens: string[], fees: number[]): string {
  const types: string[] = [];
  const values: (string | number)[] = [];
  tokens.forEach((t, i) => {
    types.push("address");
    values.push(t);
    if (i < fees.length) {
      types.push("uint24");
      values.push(fees[i]);
    }
  });
  return solidityPacked(types, values);
}

export class Strategy {
  constructor(
    private readonly rpc: Rpc | undefined,
    readonly opts: StrategyOptions,
  ) {}

  /** Best quote of `amountIn` of `tokenIn` into `tokenOut` over the configured fee tiers. */
  async quote(tokenIn: string, tokenOut: string, amountIn: bigint, blockTag?: number): Promise<{ out: bigint; path: string } | undefined> {
    if (!this.rpc || !this.opts.quoter || amountIn === 0n) return undefined;
    let best: { out: bigint; path: string } | undefined;
    for (const fee of this.opts.feeTiers) {
      const path = encodePath([tokenIn, tokenOut], [fee]);
      try {
        // One attempt, no retries: a tier without a pool reverts, and that is an answer, not a fault.
        const rpc = this.rpc;
        const tx = { to: this.opts.quoter, data: quoterIface.encodeFunctionData("quoteExactInput", [path, amountIn]), blockTag };
        const ret = await rpc.run("eth_call", () => rpc.provider.call(tx), () => false);
        const [out] = quoterIface.decodeFunctionResult("quoteExactInput", ret);
        if (!best || out > best.out) best = { out, path };
      } catch {
        // No pool at this tier, or not enough liquidity: try the next.
      }
    }
    return best;
  }

  /** Quote of `amountIn` along one encoded path (undefined if it reverts: no pool, not enough liquidity). */
  async quotePath(path: string, amountIn: bigint, blockTag?: number): Promise<bigint | undefined> {
    if (!this.rpc || !this.opts.quoter || amountIn === 0n) return undefined;
    const rpc = this.rpc;
    const tx = { to: this.opts.quoter, data: quoterIface.encodeFunctionData("quoteExactInput", [path, amountIn]), blockTag };
    try {
      const ret = await rpc.run("eth_call", () => rpc.provider.call(tx), () => false);
      return quoterIface.decodeFunctionResult("quoteExactInput", ret)[0] as bigint;
    } catch {
      return undefined;
    }
  }

  private dust?: { block?: number; value: bigint };

  /** The pool's dust value (USD, WAD), read once per block. */
  private async dustValue(blockTag?: number): Promise<bigint> {
    if (this.dust && this.dust.block === blockTag) return this.dust.value;
    const rpc = this.rpc!;
    const ret = await rpc.call({ to: this.opts.pool!, data: poolIface.encodeFunctionData("liquidationGlobals", []) }, blockTag);
    const value = poolIface.decodeFunctionResult("liquidationGlobals", ret)[2] as bigint;
    this.dust = { block: blockTag, value };
    return value;
  }

  /**
   * Flash mode, when liquidating the whole allowed repay does not pay (the seized collateral's swap costs more
   * than the bonus in a thin pool): repay maxRepay/2, /4, … (`partialSteps` halvings, one quote each on the path
   * the full amount was best on) and keep the most profitable chunk. The pool allows any repay up to its maximum
   * as long as what remains of the debt and of the collateral is worth at least its dust value
   * (`LiquidationLeavesDust`); the seized collateral is proportional (rounded down). Stops at the first chunk
   * that earns less than a larger one (the profit is concave in the size: linear bonus, convex slippage).
   */
  private async bestChunk(
    s: Snapshot,
    path: string,
    prices: { debt: bigint; coll: bigint },
    gasCost: bigint,
    blockTag?: number,
  ): Promise<{ repay: bigint; seized: bigint; out: bigint; profit: bigint } | undefined> {
    const steps = this.opts.partialSteps ?? 0;
    if (steps <= 0 || !this.opts.pool || !this.rpc) return undefined;
    const dust = await this.dustValue(blockTag);
    const collRet = await this.rpc.call(
      { to: this.opts.pool, data: poolIface.encodeFunctionData("collateralOf", [getAddress(s.owner), s.subId, s.bestCollateral]) },
      blockTag,
    );
    const collateral = poolIface.decodeFunctionResult("collateralOf", collRet)[0] as bigint;
    let best: { repay: bigint; seized: bigint; out: bigint; profit: bigint } | undefined;
    for (let k = 1; k <= steps; k++) {
      const repay = s.maxRepay >> BigInt(k);
      const seized = (s.seized * repay) / s.maxRepay;
      if (repay === 0n || seized === 0n) break;
      // Dust rule (pool side, on the gross seizure; the net one plus the whole bonus bounds it from above).
      const grossBound = (seized * (10_000n + s.bonusBps)) / 10_000n + 1n;
      const debtLeft = ((s.debt - repay) * prices.debt) / WAD;
      const collLeft = collateral > grossBound ? ((collateral - grossBound) * prices.coll) / WAD : 0n;
      if (debtLeft < dust || collLeft < dust) continue;
      const out = await this.quotePath(path, seized, blockTag);
      if (out === undefined) continue;
      const repayValue = (repay * prices.debt + WAD - 1n) / WAD;
      const profit = (out * prices.debt) / WAD - repayValue - gasCost;
      if (out <= repay) continue;
      if (best && profit < best.profit) break;
      if (!best || profit > best.profit) best = { repay, seized, out, profit };
    }
    return best;
  }

  /** Plans and ranks liquidations; `skipped` says why the others were left out. */
  async plan(
    snaps: Snapshot[],
    ctx: StrategyContext,
    blockTag?: number,
  ): Promise<{ plans: Plan[]; skipped: { key: string; reason: string; profit?: bigint }[] }> {
    const skipped: { key: string; reason: string; profit?: bigint }[] = [];
    const minProfit = usdToWad(this.opts.minProfitUsd);
    const flash = this.opts.mode === "flash";
    const gas = flash ? this.opts.gasFlash : this.opts.gasOwn;
    const gasCost = (BigInt(gas) * ctx.gasPrice * ctx.nativeUsd) / WAD;
    const candidates = snaps.filter((s) => {
      if (!s.ok || !s.liquidatable || s.maxRepay === 0n || s.seized === 0n) {
        skipped.push({ key: s.key, reason: "not-liquidatable" });
        return false;
      }
      return true;
    });
    // Biggest bonus first, so a limited own balance goes to the best ones.
    candidates.sort((a, b) => (b.bonusValue > a.bonusValue ? 1 : b.bonusValue < a.bonusValue ? -1 : 0));
    const planned = await mapLimit(candidates, 8, async (s): Promise<Plan | undefined> => {
      const debtPrice = ctx.prices.get(s.debtAsset.toLowerCase()) ?? 0n;
      const collPrice = ctx.prices.get(s.bestCollateral.toLowerCase()) ?? 0n;
      const p: Plan = {
        key: s.key,
        owner: s.owner,
        subId: s.subId,
        debtAsset: s.debtAsset,
        collateral: s.bestCollateral,
        repay: s.maxRepay,
        partial: false,
        seized: s.seized,
        bonusValue: s.bonusValue,
        gasCost,
        swapCost: 0n,
        profit: s.bonusValue - gasCost,
        gas,
        minProfit: 0n,
        minSeized: (s.seized * BigInt(10_000 - this.opts.slippageBps)) / 10_000n,
      };
      if (flash) {
        const q = await this.quote(s.bestCollateral, s.debtAsset, s.seized, blockTag);
        if (!q) {
          skipped.push({ key: s.key, reason: "no-route" });
          return undefined;
        }
        p.path = q.path;
        p.quotedOut = q.out;
        const seizedValue = (s.seized * collPrice) / WAD;
        const outValue = (q.out * debtPrice) / WAD;
        p.swapCost = seizedValue > outValue ? seizedValue - outValue : 0n;
        p.profit = s.bonusValue - p.swapCost - gasCost;
        if (q.out <= s.maxRepay || p.profit < minProfit) {
          // The full repay does not pay after the swap: a smaller chunk may (thin pool, convex slippage).
          const c = await this.bestChunk(s, q.path, { debt: debtPrice, coll: collPrice }, gasCost, blockTag);
          if (c && c.profit >= minProfit && c.profit > p.profit) {
            const chunkSeizedValue = (c.seized * collPrice) / WAD;
            const chunkRepayValue = (c.repay * debtPrice + WAD - 1n) / WAD;
            const chunkOutValue = (c.out * debtPrice) / WAD;
            p.partial = true;
            p.repay = c.repay;
            p.seized = c.seized;
            p.quotedOut = c.out;
            p.bonusValue = chunkSeizedValue > chunkRepayValue ? chunkSeizedValue - chunkRepayValue : 0n;
            p.swapCost = chunkSeizedValue > chunkOutValue ? chunkSeizedValue - chunkOutValue : 0n;
            p.profit = c.profit;
            p.minSeized = (c.seized * BigInt(10_000 - this.opts.slippageBps)) / 10_000n;
          }
        }
        const outMin = (p.quotedOut! * BigInt(10_000 - this.opts.slippageBps)) / 10_000n;
        p.minProfit = outMin > p.repay ? outMin - p.repay : 0n;
        // The swap itself must cover the repay; otherwise the FlashLiquidator would revert anyway.
        if (p.quotedOut! <= p.repay) {
          skipped.push({ key: s.key, reason: "swap-below-repay", profit: p.profit });
          return undefined;
        }
      } else if (ctx.balances) {
        const bal = ctx.balances.get(s.debtAsset.toLowerCase()) ?? 0n;
        if (bal < s.maxRepay) {
          skipped.push({ key: s.key, reason: "insufficient-balance", profit: p.profit });
          return undefined;
        }
        ctx.balances.set(s.debtAsset.toLowerCase(), bal - s.maxRepay);
      }
      if (p.profit < minProfit) {
        skipped.push({ key: s.key, reason: "below-min-profit", profit: p.profit });
        return undefined;
      }
      return p;
    });
    const plans = planned.filter((p): p is Plan => p !== undefined).sort((a, b) => (b.profit > a.profit ? 1 : b.profit < a.profit ? -1 : 0));
    return { plans, skipped };
  }
}
