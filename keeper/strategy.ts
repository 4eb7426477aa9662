// Planner: for each liquidatable account, the collateral and repay the Lens found best, an estimate of the profit
// (bonus value − gas cost − the funding's own cost: the swap, quoted on Uniswap V3's QuoterV2, in flash mode), a
// minimum-profit filter, and the order (largest profit first). What depends on how a liquidation is funded is the
// LiquidationStrategy's (flash.ts, own.ts).
import type { Mode } from "./config";
import { FlashStrategy } from "./flash";
import type { LiquidationStrategy, Plan, Skip, StrategyContext } from "./liquidation";
import { OwnCapitalStrategy } from "./own";
import type { Rpc } from "./rpc";
import type { Snapshot } from "./scanner";
import { mapLimit } from "./util";

export type { Plan, StrategyContext } from "./liquidation";
export { encodePath } from "../lib/uniswap";

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
  /** Flash mode: the FlashLiquidator the transactions go to. */
  flashLiquidator?: string;
  /** Own mode: who receives the seized collateral (the keeper). */
  receiver?: string;
}

export const usdToWad = (usd: number): bigint => BigInt(Math.round(usd * 1e6)) * 10n ** 12n;

/** The liquidation strategy of `opts.mode`. */
export function liquidationStrategy(rpc: Rpc | undefined, opts: StrategyOptions): LiquidationStrategy {
  if (opts.mode === "flash") {
    const { quoter, feeTiers, slippageBps, partialSteps, pool, flashLiquidator } = opts;
    return new FlashStrategy(rpc, {
      quoter,
      feeTiers,
      slippageBps,
      partialSteps,
      pool,
      flashLiquidator,
      gas: opts.gasFlash,
    });
  }
  return new OwnCapitalStrategy(rpc, { pool: opts.pool, receiver: opts.receiver, gas: opts.gasOwn });
}

const isSkip = (x: Plan | Skip): x is Skip => "skip" in x;

export class Strategy {
  readonly funding: LiquidationStrategy;

  constructor(
    rpc: Rpc | undefined,
    readonly opts: StrategyOptions,
    funding?: LiquidationStrategy,
  ) {
    this.funding = funding ?? liquidationStrategy(rpc, opts);
  }

  /** Plans and ranks liquidations; `skipped` says why the others were left out. */
  async plan(
    snaps: Snapshot[],
    ctx: StrategyContext,
    blockTag?: number | string,
  ): Promise<{ plans: Plan[]; skipped: { key: string; reason: string; profit?: bigint }[] }> {
    const skipped: { key: string; reason: string; profit?: bigint }[] = [];
    const minProfit = usdToWad(this.opts.minProfitUsd);
    const gas = this.funding.gas;
    const gasCost = (BigInt(gas) * ctx.gasPrice * ctx.nativeUsd) / 10n ** 18n;
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
      const r = await this.funding.fund(p, s, ctx, minProfit, blockTag);
      if (isSkip(r)) {
        skipped.push({ key: s.key, reason: r.skip, ...(r.profit === undefined ? {} : { profit: r.profit }) });
        return undefined;
      }
      if (r.profit < minProfit) {
        skipped.push({ key: s.key, reason: "below-min-profit", profit: r.profit });
        return undefined;
      }
      return r;
    });
    const plans = planned
      .filter((p): p is Plan => p !== undefined)
      .sort((a, b) => (b.profit > a.profit ? 1 : b.profit < a.profit ? -1 : 0));
    return { plans, skipped };
  }
}
