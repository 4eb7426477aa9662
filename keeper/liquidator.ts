// Liquidation runner: turns ranked plans into transactions through the executor and the liquidation strategy, and
// accounts for them once mined. Skips accounts in flight or liquidated since the scan, simulates every plan first,
// re-simulates (and, when the strategy re-plans, re-quotes) the later plans of a block once an earlier one was sent,
// and records a lost race (someone liquidated first) without a crash or a second attempt.
import type { TransactionReceipt } from "ethers";
import type { Logger } from "pino";
import { poolIface } from "./abis";
import { safeParse } from "./errors";
import type { Executor, InFlight, SimOutcome } from "./executor";
import type { LiquidationStrategy, Plan } from "./liquidation";
import type { KeeperMetrics } from "./metrics";
import type { Snapshot } from "./scanner";
import type { Strategy } from "./strategy";
import { WAD, errText, mapLimit, wadToNumber } from "./util";

export interface LiquidationResult {
  key: string;
  block: number;
  hash: string;
  won: boolean;
  repaid: bigint;
  seizedNet: bigint; // collateral received
  realizedBonus: bigint; // USD: seizedNet × collateral price − repaid × debt price (prices of the planning block)
  predictedBonus: bigint; // the Lens's bonusValue
  predictedNet: bigint; // bonusValue − quoted swap cost (USD), what the profit before gas should be
  seizedValue: bigint; // USD value of seizedNet at the planning block's price
  flashProfit: bigint; // flash mode: debt-asset units the FlashLiquidator sent to the keeper
  gasCost: bigint; // USD
  profit: bigint; // USD: flash: flashProfit value − gas; own: realizedBonus − gas
}

export interface ExecuteContext {
  scanBlock: number;
  head: number;
  baseFee: bigint;
  prices: Map<string, bigint>;
  nativeUsd: bigint;
  /** Re-plans one account against the "pending" state (undefined: it no longer pays). */
  replan?: (p: Plan) => Promise<Plan | undefined>;
}

/** What `liquidate` needs about the block it plans on. */
export interface BlockContext {
  head: number;
  baseFee: bigint;
  prices: Map<string, bigint>;
  nativeUsd: bigint;
  /** Deployment assets (own capital: the balances read). */
  assets: string[];
  /** The latest liquidatable snapshot of an account (for a re-plan). */
  lookup: (key: string) => Snapshot | undefined;
}

export class Liquidator {
  readonly strategy: LiquidationStrategy;

  /** Accounts we liquidated, with the block: not re-attempted off a scan older than that block. */
  readonly done = new Map<string, number>();
  readonly results: LiquidationResult[] = [];
  /** Every liquidation transaction sent (replacements excluded), in order: tests check nothing is sent twice. */
  readonly sentLog: { key: string; nonce: number; block: number }[] = [];
  lostRaces = 0;

  constructor(
    private readonly executor: Executor,
    private readonly planner: Strategy,
    private readonly opts: { pool: string; dryRun: boolean; maxPerTick: number; maxFeeGwei: number },
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
  ) {
    executor.persist({
      get: () => [...this.done.entries()],
      set: (v) => {
        for (const [k, b] of v) this.done.set(k, b);
      },
    });
    executor.onMined = (t, r) => this.finish(t, r);
    this.strategy = planner.funding;
  }

  /** Plans the liquidatable accounts of a block (with the keeper's funds) and executes the plans; returns what was sent. */
  async liquidate(snaps: Snapshot[], b: BlockContext): Promise<{ planned: number; sent: string[] }> {
    const gasPrice = b.baseFee + this.executor.priorityFee;
    const balances = await this.strategy.funds(this.executor.address, b.assets);
    const { plans, skipped } = await this.planner.plan(
      snaps,
      { prices: b.prices, gasPrice, nativeUsd: b.nativeUsd, balances },
      b.head,
    );
    for (const s of skipped) {
      this.metrics.liquidationsSkipped.inc({ reason: s.reason });
      const profitUsd = s.profit === undefined ? undefined : wadToNumber(s.profit);
      this.log.debug({ account: s.key, reason: s.reason, profitUsd }, "skipped");
    }
    // Flash mode: a plan whose swap no longer pays once earlier liquidations of this block have moved the Uniswap
    // pool is re-quoted against the "pending" state (same account snapshot: oracle prices do not move).
    const replan = this.strategy.replans
      ? async (p: { key: string }) => {
          const s = b.lookup(p.key);
          if (!s) return undefined;
          const r = await this.planner.plan([s], { prices: b.prices, gasPrice, nativeUsd: b.nativeUsd }, "pending");
          return r.plans[0];
        }
      : undefined;
    const { head, baseFee, prices, nativeUsd } = b;
    const done = await this.execute(plans, { scanBlock: head, head, baseFee, prices, nativeUsd, replan });
    return { planned: plans.length, sent: done.map((p) => p.key) };
  }

  /**
   * Executes `plans` (already ranked) seen at `scanBlock`; returns the plans sent. Once one liquidation of this
   * call has been sent, the state the next ones will land on is no longer the one they were quoted and simulated
   * against (an earlier one may have sold collateral in the same Uniswap pool, taken reserves, moved interest): so
   * every later plan is simulated again against "pending" right before it is signed, and when that fails for any
   * reason other than the account being gone, `ctx.replan` (if given) re-quotes it on that state and the new plan
   * is simulated once more.
   */
  async execute(plans: Plan[], ctx: ExecuteContext): Promise<Plan[]> {
    const fees = this.executor.fees(ctx.baseFee);
    if (!fees) {
      this.metrics.liquidationsSkipped.inc({ reason: "fee-cap" }, plans.length);
      this.log.warn(
        { baseFee: ctx.baseFee.toString(), capGwei: this.opts.maxFeeGwei },
        "base fee above the cap: not sending",
      );
      return [];
    }
    const todo = plans
      .filter((p) => {
        if (this.executor.busy.has(p.key)) return false;
        const d = this.done.get(p.key);
        return d === undefined || d < ctx.scanBlock;
      })
      .slice(0, this.opts.maxPerTick);
    const calls = todo.map((p) => this.strategy.call(p));
    const sims = await mapLimit(calls, 8, (c) => this.executor.simulate(c));
    const sent: Plan[] = [];
    let moved = false; // a liquidation of this call was sent: later plans see a different state
    for (let i = 0; i < todo.length; i++) {
      let p = todo[i];
      let sim = sims[i];
      if (moved && (sim.ok || !sim.gone)) ({ p, sim } = await this.recheck(p, ctx));
      if (!sim.ok) {
        this.notSent(p, sim);
        continue;
      }
      if (this.opts.dryRun) {
        this.metrics.dryRunLiquidations.inc();
        this.log.info(
          { account: p.key, repay: p.repay.toString(), profitUsd: wadToNumber(p.profit), gas: sim.gas.toString() },
          "dry run: would liquidate",
        );
        sent.push(p);
        continue;
      }
      const gasLimit = (sim.gas * 13n) / 10n + 20_000n;
      try {
        const meta = {
          debtAsset: p.debtAsset,
          collateral: p.collateral,
          debtPrice: (ctx.prices.get(p.debtAsset.toLowerCase()) ?? 0n).toString(),
          collPrice: (ctx.prices.get(p.collateral.toLowerCase()) ?? 0n).toString(),
          nativeUsd: ctx.nativeUsd.toString(),
          predictedBonus: p.bonusValue.toString(),
          predictedProfit: p.profit.toString(),
          predictedNet: (p.bonusValue - p.swapCost).toString(),
        };
        const { hash, nonce } = await this.executor.send("liquidation", this.strategy.call(p), {
          gasLimit,
          fees,
          head: ctx.head,
          key: p.key,
          meta,
        });
        moved = true;
        this.sentLog.push({ key: p.key, nonce, block: ctx.head });
        this.metrics.liquidationsSent.inc();
        this.log.info({ account: p.key, nonce, hash, profitUsd: wadToNumber(p.profit) }, "liquidation sent");
        sent.push(p);
      } catch (e) {
        this.metrics.liquidationsSkipped.inc({ reason: "send-failed" });
        this.log.error({ account: p.key, err: errText(e) }, "liquidation send failed");
      }
    }
    return sent;
  }

  /** Simulates `p` again against "pending"; re-plans it when that fails and the strategy re-plans. */
  private async recheck(p: Plan, ctx: ExecuteContext): Promise<{ p: Plan; sim: SimOutcome }> {
    let sim = await this.executor.simulate(this.strategy.call(p), "pending");
    if (sim.ok || sim.gone || !ctx.replan) return { p, sim };
    const before = { repay: p.repay, profit: p.profit };
    const q = await ctx.replan(p).catch((e) => {
      this.log.warn({ account: p.key, err: errText(e).slice(0, 200) }, "re-plan failed");
      return undefined;
    });
    this.metrics.liquidationsReplanned.inc({ outcome: q ? "replanned" : "dropped" });
    if (!q)
      return {
        p,
        sim: {
          ok: false,
          gone: false,
          reason: "no longer profitable after earlier liquidations in this block (re-planned)",
        },
      };
    sim = await this.executor.simulate(this.strategy.call(q), "pending");
    this.log.info(
      {
        account: q.key,
        repay: q.repay.toString(),
        was: before.repay.toString(),
        profitUsd: wadToNumber(q.profit),
        wasUsd: wadToNumber(before.profit),
        ok: sim.ok,
      },
      "re-planned after earlier liquidations moved the state",
    );
    return { p: q, sim };
  }

  private notSent(p: Plan, sim: Extract<SimOutcome, { ok: false }>): void {
    if (sim.gone) {
      // Lost the race before sending: someone liquidated first, or the account recovered.
      this.lostRaces++;
      this.metrics.liquidationsLost.inc();
      this.log.info({ account: p.key, reason: sim.reason }, "account no longer liquidatable (lost race)");
    } else {
      this.metrics.liquidationsSkipped.inc({ reason: "simulation" });
      this.log.warn({ account: p.key, reason: sim.reason }, "simulation failed; skipping");
    }
  }

  /** A mined liquidation: what it repaid and seized, and the profit after gas. */
  private finish(t: InFlight, r: TransactionReceipt): void {
    if (t.kind !== "liquidation" || !t.key) return;
    const nativeUsd = BigInt(t.nativeUsd ?? "0");
    const gasCost = (r.gasUsed * (r.gasPrice ?? 0n) * nativeUsd) / WAD;
    const res: LiquidationResult = {
      key: t.key,
      block: r.blockNumber,
      hash: r.hash,
      won: r.status === 1,
      repaid: 0n,
      seizedNet: 0n,
      realizedBonus: 0n,
      predictedBonus: BigInt(t.predictedBonus ?? "0"),
      predictedNet: BigInt(t.predictedNet ?? "0"),
      seizedValue: 0n,
      flashProfit: 0n,
      gasCost,
      profit: -gasCost,
    };
    if (r.status === 1) {
      for (const l of r.logs) {
        if (l.address.toLowerCase() !== this.opts.pool.toLowerCase()) continue;
        const ev = safeParse(poolIface, l);
        if (ev?.name === "Liquidate") {
          res.repaid = ev.args.repaid as bigint;
          res.seizedNet = (ev.args.seized as bigint) - (ev.args.protocolFee as bigint);
        }
      }
      const debtPrice = BigInt(t.debtPrice ?? "0");
      const collPrice = BigInt(t.collPrice ?? "0");
      res.seizedValue = (res.seizedNet * collPrice) / WAD;
      res.realizedBonus = (res.seizedNet * collPrice) / WAD - (res.repaid * debtPrice + WAD - 1n) / WAD;
      const { profit, flashProfit } = this.strategy.proceeds(r, res.realizedBonus, debtPrice);
      res.flashProfit = flashProfit;
      res.profit = profit - gasCost;
      this.done.set(t.key, r.blockNumber);
      this.metrics.liquidationsWon.inc();
      if (res.profit > 0n) this.metrics.profitUsd.inc(wadToNumber(res.profit));
      this.log.info(
        { account: t.key, block: r.blockNumber, profitUsd: wadToNumber(res.profit), repaid: res.repaid.toString() },
        "liquidation won",
      );
    } else {
      this.lostRaces++;
      this.metrics.liquidationsLost.inc();
      this.log.info(
        { account: t.key, block: r.blockNumber, hash: r.hash },
        "liquidation reverted on chain (lost race)",
      );
    }
    this.results.push(res);
  }

  /** After a reorg: forget liquidations above the fork point (their accounts are scanned again), then the executor's. */
  async onReorg(fork: number): Promise<void> {
    for (const [k, b] of this.done) if (b > fork) this.done.delete(k);
    for (let i = this.results.length - 1; i >= 0; i--) if (this.results[i].block > fork) this.results.splice(i, 1);
    await this.executor.onReorg();
  }
}
