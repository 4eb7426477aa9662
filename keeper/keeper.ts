// The keeper: indexer → scanner → strategy → executor, plus the volatility updater, driven one block at a time by
// `tick()`. `run()` is the long-running loop of the CLI; the market simulation drives `tick()` itself in-process.
import type { Provider } from "ethers";
import pino, { type Logger } from "pino";
import { poolIface } from "./abis";
import { DEFAULTS, type Deployment, type KeeperConfig } from "./config";
import { Executor, type TxSigner } from "./executor";
import { Indexer } from "./indexer";
import { KeeperMetrics } from "./metrics";
import { Rpc } from "./rpc";
import { Scanner, type Snapshot } from "./scanner";
import { Strategy } from "./strategy";
import { VolatilityUpdater } from "./volatility";
import { errText, inShard, parseKey, sleep, wadToNumber } from "./util";

export interface KeeperDeps {
  provider: Provider;
  signer: TxSigner;
  deployment: Deployment;
  config?: Partial<KeeperConfig>;
  logger?: Logger;
  metrics?: KeeperMetrics;
}

export interface TickResult {
  head: number;
  indexedTo: number;
  accounts: number; // known accounts in this shard
  scanned: number;
  fullScan: boolean;
  liquidatable: Snapshot[];
  planned: number;
  sent: string[]; // keys of accounts a liquidation was sent (or, dry run, would be) for
  reorgAt?: number;
  ms: number;
}

export class Keeper {
  readonly config: KeeperConfig;
  readonly log: Logger;
  readonly metrics: KeeperMetrics;
  readonly rpc: Rpc;
  readonly indexer: Indexer;
  readonly scanner: Scanner;
  readonly strategy: Strategy;
  executor!: Executor;
  volatility!: VolatilityUpdater;
  private initialized = false;
  private stopping = false;
  private running?: Promise<void>;
  private heads: { n: number; h: string }[] = [];
  private fullScanPrices = new Map<string, bigint>();
  private liquidatableNow = new Map<string, Snapshot>();
  lastTick?: { at: number; head: number; ok: boolean; error?: string };
  ticks = 0;

  constructor(private readonly deps: KeeperDeps) {
    this.config = { ...DEFAULTS, ...(deps.config ?? {}) };
    this.log = deps.logger ?? pino({ level: this.config.logLevel });
    this.metrics = deps.metrics ?? new KeeperMetrics();
    const d = deps.deployment;
    this.rpc = new Rpc(deps.provider, { retries: this.config.retries, timeoutMs: this.config.rpcTimeoutMs }, (method, e) => {
      this.metrics.rpcErrors.inc({ method });
      this.log.debug({ method, err: errText(e).slice(0, 200) }, "rpc error");
    });
    this.indexer = new Indexer(
      this.rpc,
      {
        pool: d.pool,
        deployBlock: d.deployBlock,
        pageSize: this.config.pageSize,
        confirmations: this.config.confirmations,
        reorgDepth: this.config.reorgDepth,
        checkpointFile: this.config.checkpointFile,
        chainId: d.chainId,
      },
      this.log,
    );
    this.scanner = new Scanner(this.rpc, {
      lens: d.lens,
      batchSize: this.config.batchSize,
      concurrency: this.config.concurrency,
      nearHealth: this.config.nearHealth,
      watchHealth: this.config.watchHealth,
      watchEvery: this.config.watchEvery,
      healthyEvery: this.config.healthyEvery,
      method: this.config.scanMethod,
    });
    this.strategy = new Strategy(this.rpc, {
      mode: this.config.mode,
      quoter: d.quoter,
      feeTiers: this.config.feeTiers,
      slippageBps: this.config.slippageBps,
      gasFlash: this.config.gasFlash,
      gasOwn: this.config.gasOwn,
      minProfitUsd: this.config.minProfitUsd,
      partialSteps: this.config.partialSteps,
      pool: d.pool,
    });
  }

  get address(): string {
    return this.deps.signer.address;
  }

  /** Reads the chain id, builds the executor, syncs the nonce, and (own mode) approves the pool. Idempotent. */
  async init(): Promise<void> {
    if (this.initialized) return;
    const d = this.deps.deployment;
    const net = await this.rpc.run("eth_chainId", () => this.deps.provider.getNetwork());
    if (d.chainId !== undefined && BigInt(d.chainId) !== net.chainId) {
      throw new Error(`deployment is for chain ${d.chainId}, node is chain ${net.chainId}`);
    }
    if (this.config.mode === "flash" && !d.flashLiquidator) throw new Error("--mode flash needs flashLiquidator in the deployments file");
    this.executor = new Executor(
      this.rpc,
      this.deps.signer,
      {
        mode: this.config.mode,
        pool: d.pool,
        flashLiquidator: d.flashLiquidator,
        chainId: net.chainId,
        dryRun: this.config.dryRun,
        maxFeeGwei: this.config.maxFeeGwei,
        priorityFeeGwei: this.config.priorityFeeGwei,
        stuckBlocks: this.config.stuckBlocks,
        feeBumpPct: this.config.feeBumpPct,
        retries: this.config.retries,
        maxPerTick: this.config.maxPerTick,
        stateFile: this.config.stateFile,
      },
      this.metrics,
      this.log,
    );
    this.volatility = new VolatilityUpdater(
      { riskEngine: d.riskEngine, assets: d.assets.map((a) => a.address), intervalSec: this.config.volIntervalSec },
      this.executor,
      this.log,
    );
    await this.executor.nonces.resync();
    await this.scanner.detectMethod();
    if (this.config.mode === "own" && !this.config.dryRun) {
      const head = await this.rpc.block("latest");
      await this.executor.ensureApprovals(
        d.assets.map((a) => a.address),
        head.number,
        head.baseFeePerGas ?? 0n,
      );
    }
    this.initialized = true;
    this.log.info(
      { keeper: this.address, pool: d.pool, mode: this.config.mode, dryRun: this.config.dryRun, shard: `${this.config.shard.index}/${this.config.shard.count}`, accounts: this.indexer.accounts.size, resumeFrom: this.indexer.lastIndexed + 1 },
      "keeper initialized",
    );
  }

  /** Accounts of this shard. */
  shardKeys(): string[] {
    const out: string[] = [];
    for (const k of this.indexer.accounts.keys()) if (inShard(k, this.config.shard)) out.push(k);
    return out;
  }

  /** The pool price of every deployment asset at `blockTag` (lower-case address → price). */
  async prices(blockTag: number): Promise<Map<string, bigint>> {
    const d = this.deps.deployment;
    const entries = await Promise.all(
      d.assets.map(async (a) => {
        try {
          const ret = await this.rpc.call({ to: d.pool, data: poolIface.encodeFunctionData("price", [a.address]) }, blockTag);
          return [a.address.toLowerCase(), poolIface.decodeFunctionResult("price", ret)[0] as bigint] as const;
        } catch {
          return [a.address.toLowerCase(), 0n] as const; // an unusable feed: the Lens reports ok=false for its accounts
        }
      }),
    );
    return new Map(entries);
  }

  private priceMoved(p: Map<string, bigint>): boolean {
    if (this.fullScanPrices.size === 0) return true;
    const bps = BigInt(Math.round(this.config.priceTriggerBps));
    for (const [a, now] of p) {
      const then = this.fullScanPrices.get(a) ?? 0n;
      if (then === 0n || now === 0n) {
        if (then !== now) return true;
        continue;
      }
      const diff = now > then ? now - then : then - now;
      if (diff * 10_000n >= then * bps) return true;
    }
    return false;
  }

  /** Checks the heads this keeper saw for a reorg; returns the fork point if one happened. */
  private async headReorg(): Promise<number | undefined> {
    if (this.heads.length === 0) return undefined;
    const last = this.heads[this.heads.length - 1];
    const b = await this.rpc.block(last.n).catch(() => undefined);
    if (b && b.hash === last.h) return undefined;
    for (let i = this.heads.length - 2; i >= 0; i--) {
      const x = await this.rpc.block(this.heads[i].n).catch(() => undefined);
      if (x && x.hash === this.heads[i].h) {
        this.heads = this.heads.slice(0, i + 1);
        return this.heads[i].n;
      }
    }
    const fork = this.heads[0].n - 1;
    this.heads = [];
    return fork;
  }

  /** One iteration at the current head. Throws if an RPC failure survived the retries (the next tick carries on). */
  async tick(): Promise<TickResult> {
    await this.init();
    const t0 = Date.now();
    const headBlock = await this.rpc.block("latest");
    const head = headBlock.number;
    const baseFee = headBlock.baseFeePerGas ?? 0n;
    this.metrics.lastBlock.set(head);

    // 1. Reorgs: a head we saw is gone → roll the executor and the schedule back.
    let reorgAt = await this.headReorg();
    if (reorgAt !== undefined) {
      this.metrics.reorgs.inc();
      this.log.warn({ forkPoint: reorgAt, head }, "reorg detected at the head");
      await this.executor.onReorg(reorgAt);
      this.scanner.markAllDue();
      this.indexer.rollback(Math.min(this.indexer.lastIndexed, reorgAt));
    }
    this.heads.push({ n: head, h: headBlock.hash! });
    if (this.heads.length > this.config.reorgDepth) this.heads.shift();

    // 2. Transactions in flight: mined ones free their accounts, stuck ones are replaced.
    await this.executor.settle(head, baseFee);

    // 3. Accounts: index new events (a failure here does not stop the scan of the known ones).
    let indexedTo = this.indexer.lastIndexed;
    try {
      const s = await this.indexer.sync(head);
      indexedTo = s.to;
      if (s.reorgAt !== undefined) {
        this.metrics.reorgs.inc();
        reorgAt = reorgAt === undefined ? s.reorgAt : Math.min(reorgAt, s.reorgAt);
        await this.executor.onReorg(s.reorgAt);
        this.scanner.markAllDue();
      }
      this.scanner.markDue([...s.touched, ...s.added]);
    } catch (e) {
      this.log.warn({ err: errText(e) }, "indexer sync failed; scanning the accounts already known");
    }
    this.metrics.lastIndexedBlock.set(this.indexer.lastIndexed);
    const keys = this.shardKeys();
    this.metrics.accountsTracked.set(keys.length);

    // 4. Scan: everything on a price move, otherwise the accounts due.
    const prices = await this.prices(head);
    const fullScan = this.priceMoved(prices);
    const due = fullScan ? keys : this.scanner.due(keys, head);
    const endScan = this.metrics.scanDuration.startTimer();
    const snaps = await this.scanner.scan(due.map(parseKey), head);
    endScan();
    this.scanner.record(snaps, head);
    if (fullScan) this.fullScanPrices = prices;
    for (const s of snaps) {
      if (s.ok && s.liquidatable) this.liquidatableNow.set(s.key, s);
      else this.liquidatableNow.delete(s.key);
    }
    const liquidatable = snaps.filter((s) => s.ok && s.liquidatable);
    this.metrics.accountsLiquidatable.set(this.liquidatableNow.size);

    // 5. Plan and execute.
    let sent: string[] = [];
    let planned = 0;
    if (liquidatable.length > 0) {
      const nativeUsd = this.nativeUsd(prices);
      const prio = BigInt(Math.round(this.config.priorityFeeGwei * 1e9));
      const balances = this.config.mode === "own" ? await this.balances() : undefined;
      const { plans, skipped } = await this.strategy.plan(liquidatable, { prices, gasPrice: baseFee + prio, nativeUsd, balances }, head);
      for (const s of skipped) {
        this.metrics.liquidationsSkipped.inc({ reason: s.reason });
        this.log.debug({ account: s.key, reason: s.reason, profitUsd: s.profit === undefined ? undefined : wadToNumber(s.profit) }, "skipped");
      }
      planned = plans.length;
      const done = await this.executor.execute(plans, { scanBlock: head, head, baseFee, prices, nativeUsd });
      sent = done.map((p) => p.key);
    }

    // 6. Risk engine.
    try {
      await this.volatility.maybeUpdate(headBlock.timestamp, head, baseFee);
    } catch (e) {
      this.log.warn({ err: errText(e) }, "volatility update failed");
    }

    const ms = Date.now() - t0;
    this.ticks++;
    this.lastTick = { at: Date.now(), head, ok: true };
    this.log.info({ head, indexedTo, accounts: keys.length, scanned: snaps.length, fullScan, liquidatable: liquidatable.length, planned, sent: sent.length, ms }, "tick");
    return { head, indexedTo, accounts: keys.length, scanned: snaps.length, fullScan, liquidatable, planned, sent, reorgAt, ms };
  }

  /** `init` + one `tick`. */
  async runOnce(): Promise<TickResult> {
    await this.init();
    return this.tick();
  }

  /** A tick that never throws: failures are logged and counted (what the loop and a simulation driver want). */
  async safeTick(): Promise<TickResult | undefined> {
    try {
      return await this.tick();
    } catch (e) {
      this.metrics.tickErrors.inc();
      this.lastTick = { at: Date.now(), head: this.lastTick?.head ?? -1, ok: false, error: errText(e).slice(0, 300) };
      this.log.error({ err: errText(e).slice(0, 500) }, "tick failed");
      return undefined;
    }
  }

  private nativeUsd(prices: Map<string, bigint>): bigint {
    if (this.config.nativeUsd !== undefined) return BigInt(Math.round(this.config.nativeUsd * 1e6)) * 10n ** 12n;
    const a = this.deps.deployment.assets.find((x) => x.symbol === this.config.nativeSymbol);
    return a ? (prices.get(a.address.toLowerCase()) ?? 0n) : 0n;
  }

  private async balances(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    await Promise.all(
      this.deps.deployment.assets.map(async (a) => {
        const ret = await this.rpc.call({ to: a.address, data: "0x70a08231" + this.address.slice(2).toLowerCase().padStart(64, "0") });
        out.set(a.address.toLowerCase(), BigInt(ret));
      }),
    );
    return out;
  }

  /** Runs until `stop()`: a tick on every new block (polled every pollMs). */
  run(): Promise<void> {
    this.running ??= (async () => {
      let last = -1;
      while (!this.stopping) {
        try {
          const n = await this.rpc.blockNumber();
          if (n !== last) {
            const r = await this.safeTick();
            if (r) last = n;
          }
        } catch (e) {
          this.metrics.tickErrors.inc();
          this.log.warn({ err: errText(e).slice(0, 300) }, "polling failed");
        }
        await sleep(this.config.pollMs);
      }
      this.indexer.save();
      this.log.info("keeper stopped");
    })();
    return this.running;
  }

  /** Graceful stop: lets the tick in progress finish, saves the checkpoint. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running) await this.running;
    else this.indexer.save();
  }

  /** /health: ok while ticks succeed recently. */
  health(): { ok: boolean; [k: string]: unknown } {
    const maxAge = Math.max(30_000, 10 * this.config.pollMs);
    const ok = this.lastTick !== undefined && Date.now() - this.lastTick.at < maxAge && this.lastTick.ok;
    return {
      ok,
      lastBlock: this.lastTick?.head,
      lastTickAgeMs: this.lastTick ? Date.now() - this.lastTick.at : undefined,
      lastError: this.lastTick?.error,
      accounts: this.indexer.accounts.size,
      lastIndexed: this.indexer.lastIndexed,
      inflight: this.initialized ? this.executor.inflight.size : 0,
    };
  }
}
