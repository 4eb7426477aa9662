// Strategy: for each liquidatable account, the collateral and repay the Lens found best, an estimate of the profit
// (bonus value − gas cost − swap cost, the swap quoted on Uniswap V3's QuoterV2), a minimum-profit filter, and the
// order (largest profit first).
import { solidityPacked } from "ethers";
import { quoterIface } from "./abis";
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
  repay: bigint; // debt-asset units the Lens predicts
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
        const outMin = (q.out * BigInt(10_000 - this.opts.slippageBps)) / 10_000n;
        p.minProfit = outMin > s.maxRepay ? outMin - s.maxRepay : 0n;
        // The swap itself must cover the repay; otherwise the FlashLiquidator would revert anyway.
        if (q.out <= s.maxRepay) {
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
