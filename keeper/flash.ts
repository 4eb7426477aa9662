// Flash liquidations: capital-free through the FlashLiquidator. The pool hands the seized collateral over, the
// FlashLiquidator sells it on Uniswap V3 (the path quoted here on QuoterV2) and repays from the proceeds; the keeper
// gets what is left (`minProfit` guards it). When the whole allowed repay does not pay after the swap (a thin pool),
// a smaller chunk may.
import { MaxUint256, getAddress, type TransactionReceipt } from "ethers";
import { flashIface, poolIface, quoterIface } from "./abis";
import { safeParse } from "./errors";
import type { Call } from "./executor";
import type { LiquidationStrategy, Plan, Skip, StrategyContext } from "./liquidation";
import type { Rpc } from "./rpc";
import type { Snapshot } from "./scanner";
import { WAD } from "./util";
import { encodePath } from "../lib/uniswap";

export interface FlashOptions {
  flashLiquidator?: string;
  quoter?: string;
  feeTiers: number[];
  slippageBps: number;
  gas: number;
  /** Halvings of the repay tried when the full one is unprofitable after the swap (0: off). */
  partialSteps?: number;
  /** The pool (for its dust value and the account's collateral when a partial liquidation is considered). */
  pool?: string;
}

type Chunk = { repay: bigint; seized: bigint; out: bigint; profit: bigint };

export class FlashStrategy implements LiquidationStrategy {
  readonly mode = "flash" as const;
  readonly replans = true;
  private dust?: { block: number; value: bigint };

  constructor(
    private readonly rpc: Rpc | undefined,
    readonly opts: FlashOptions,
  ) {}

  get gas(): number {
    return this.opts.gas;
  }

  prepare(): Promise<void> {
    return Promise.resolve(); // no capital, nothing to approve
  }

  funds(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  /** Best quote of `amountIn` of `tokenIn` into `tokenOut` over the configured fee tiers. */
  async quote(
    tokenIn: string,
    tokenOut: string,
    amountIn: bigint,
    blockTag?: number | string,
  ): Promise<{ out: bigint; path: string } | undefined> {
    let best: { out: bigint; path: string } | undefined;
    for (const fee of this.opts.feeTiers) {
      const path = encodePath([tokenIn, tokenOut], [fee]);
      const out = await this.quotePath(path, amountIn, blockTag);
      if (out !== undefined && (!best || out > best.out)) best = { out, path };
    }
    return best;
  }

  /** Quote of `amountIn` along one encoded path (undefined if it reverts: no pool, not enough liquidity). */
  async quotePath(path: string, amountIn: bigint, blockTag?: number | string): Promise<bigint | undefined> {
    const rpc = this.rpc;
    if (!rpc || !this.opts.quoter || amountIn === 0n) return undefined;
    const tx = {
      to: this.opts.quoter,
      data: quoterIface.encodeFunctionData("quoteExactInput", [path, amountIn]),
      blockTag,
    };
    try {
      // One attempt, no retries: a tier without a pool reverts, and that is an answer, not a fault.
      const ret = await rpc.run(
        "eth_call",
        () => rpc.provider.call(tx),
        () => false,
      );
      return quoterIface.decodeFunctionResult("quoteExactInput", ret)[0] as bigint;
    } catch {
      return undefined;
    }
  }

  /** The pool's dust value (USD, WAD), read once per block. */
  private async dustValue(rpc: Rpc, pool: string, blockTag?: number | string): Promise<bigint> {
    if (this.dust && typeof blockTag === "number" && this.dust.block === blockTag) return this.dust.value;
    const ret = await rpc.call({ to: pool, data: poolIface.encodeFunctionData("liquidationGlobals", []) }, blockTag);
    const value = poolIface.decodeFunctionResult("liquidationGlobals", ret)[2] as bigint;
    if (typeof blockTag === "number") this.dust = { block: blockTag, value };
    return value;
  }

  /**
   * When liquidating the whole allowed repay does not pay: repay maxRepay/2, /4, … (`partialSteps` halvings, one
   * quote each on the path the full amount was best on) and keep the most profitable chunk. The pool allows any
   * repay up to its maximum as long as what remains of the debt and of the collateral is worth at least its dust
   * value (`LiquidationLeavesDust`); the seized collateral is proportional (rounded down). Stops at the first chunk
   * that earns less than a larger one (the profit is concave in the size: linear bonus, convex slippage).
   */
  private async bestChunk(
    s: Snapshot,
    path: string,
    prices: { debt: bigint; coll: bigint },
    gasCost: bigint,
    blockTag?: number | string,
  ): Promise<Chunk | undefined> {
    const steps = this.opts.partialSteps ?? 0;
    const { pool } = this.opts;
    const rpc = this.rpc;
    if (steps <= 0 || !pool || !rpc) return undefined;
    const dust = await this.dustValue(rpc, pool, blockTag);
    const collRet = await rpc.call(
      {
        to: pool,
        data: poolIface.encodeFunctionData("collateralOf", [getAddress(s.owner), s.subId, s.bestCollateral]),
      },
      blockTag,
    );
    const collateral = poolIface.decodeFunctionResult("collateralOf", collRet)[0] as bigint;
    let best: Chunk | undefined;
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

  async fund(
    p: Plan,
    s: Snapshot,
    ctx: StrategyContext,
    minProfit: bigint,
    blockTag?: number | string,
  ): Promise<Plan | Skip> {
    const debtPrice = ctx.prices.get(s.debtAsset.toLowerCase()) ?? 0n;
    const collPrice = ctx.prices.get(s.bestCollateral.toLowerCase()) ?? 0n;
    const q = await this.quote(s.bestCollateral, s.debtAsset, s.seized, blockTag);
    if (!q) return { skip: "no-route" };
    p.path = q.path;
    p.quotedOut = q.out;
    const seizedValue = (s.seized * collPrice) / WAD;
    const outValue = (q.out * debtPrice) / WAD;
    p.swapCost = seizedValue > outValue ? seizedValue - outValue : 0n;
    p.profit = s.bonusValue - p.swapCost - p.gasCost;
    let quotedOut = q.out;
    if (q.out <= s.maxRepay || p.profit < minProfit) {
      // The full repay does not pay after the swap: a smaller chunk may (thin pool, convex slippage).
      const c = await this.bestChunk(s, q.path, { debt: debtPrice, coll: collPrice }, p.gasCost, blockTag);
      if (c && c.profit >= minProfit && c.profit > p.profit) {
        const chunkSeizedValue = (c.seized * collPrice) / WAD;
        const chunkRepayValue = (c.repay * debtPrice + WAD - 1n) / WAD;
        const chunkOutValue = (c.out * debtPrice) / WAD;
        p.partial = true;
        p.repay = c.repay;
        p.seized = c.seized;
        p.quotedOut = quotedOut = c.out;
        p.bonusValue = chunkSeizedValue > chunkRepayValue ? chunkSeizedValue - chunkRepayValue : 0n;
        p.swapCost = chunkSeizedValue > chunkOutValue ? chunkSeizedValue - chunkOutValue : 0n;
        p.profit = c.profit;
        p.minSeized = (c.seized * BigInt(10_000 - this.opts.slippageBps)) / 10_000n;
      }
    }
    const outMin = (quotedOut * BigInt(10_000 - this.opts.slippageBps)) / 10_000n;
    p.minProfit = outMin > p.repay ? outMin - p.repay : 0n;
    // The swap itself must cover the repay; otherwise the FlashLiquidator would revert anyway.
    if (quotedOut <= p.repay) return { skip: "swap-below-repay", profit: p.profit };
    return p;
  }

  call(p: Plan): Call {
    if (!this.opts.flashLiquidator || !p.path) throw new Error("flash mode needs a FlashLiquidator and a path");
    return {
      to: this.opts.flashLiquidator,
      data: flashIface.encodeFunctionData("liquidate", [
        {
          owner: getAddress(p.owner),
          subId: p.subId,
          collateralAsset: p.collateral,
          debtAsset: p.debtAsset,
          // A partial plan repays exactly its chunk (the pool seizes proportionally); a full one lets the pool
          // take its maximum at execution time (interest moves it by a hair between scan and block).
          maxRepay: p.partial ? p.repay : MaxUint256,
          minSeized: 0n,
          path: p.path,
          minProfit: p.minProfit,
        },
      ]),
    };
  }

  proceeds(r: TransactionReceipt, _realizedBonus: bigint, debtPrice: bigint): { profit: bigint; flashProfit: bigint } {
    let flashProfit = 0n;
    const fl = this.opts.flashLiquidator?.toLowerCase();
    for (const l of r.logs) {
      if (l.address.toLowerCase() !== fl) continue;
      const ev = safeParse(flashIface, l);
      if (ev?.name === "Liquidated") flashProfit = ev.args.profit as bigint;
    }
    return { profit: (flashProfit * debtPrice) / WAD, flashProfit };
  }
}
