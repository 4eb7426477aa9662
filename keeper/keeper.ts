// The keeper: indexer → scanner → strategy → executor, plus the volatility updater, driven one block at a time by
// `tick()`. `run()` is the long-running loop of the CLI; the market simulation drives `tick()` itself in-process.
import type { Provider } from "ethers";
import type { Logger } from "pino";
import { makeLogger } from "./logging";
import { checkChain, checkDeployment } from "./checks";
import { DEFAULTS, type Deployment, type KeeperConfig } from "./config";
import { Executor, type TxSigner } from "./executor";
import { Liquidator } from "./liquidator";
import { Indexer } from "./indexer";
import { KeeperMetrics } from "./metrics";
import { HeadTracker } from "./heads";
import { PriceWatch } from "./prices";
import { Rpc } from "./rpc";
import { Scanner, type Snapshot } from "./scanner";
import { Strategy } from "./strategy";
import { VolatilityUpdater } from "./volatility";
import { errText, inShard, parseKey } from "./util";

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
  readonly priceWatch: PriceWatch;
  // Built by init() once the chain id is known; every method that uses them calls init() first, and the runner reads
  // them only when `initialized` is true, so the definite-assignment assertions are safe.
  executor!: Executor;
  liquidator!: Liquidator;
  volatility!: VolatilityUpdater;
  private ready = false;
  private readonly heads: HeadTracker;
  private liquidatableNow = new Map<string, Snapshot>();
  lastTick?: { at: number; head: number; ok: boolean; error?: string };
  ticks = 0;

  constructor(private readonly deps: KeeperDeps) {
    this.config = { ...DEFAULTS, ...(deps.config ?? {}) };
    this.log = deps.logger ?? makeLogger(this.config.logLevel, this.config.jsonLogs);
    this.metrics = deps.metrics ?? new KeeperMetrics();
    const d = deps.deployment;
    this.rpc = new Rpc(
      deps.provider,
      { retries: this.config.retries, timeoutMs: this.config.rpcTimeoutMs },
      (method, e) => {
        this.metrics.rpcErrors.inc({ method });
        this.log.debug({ method, err: errText(e).slice(0, 200) }, "rpc error");
      },
    );
    const c = this.config;
    // Each component takes its options from the config (extra keys are ignored) plus the deployment's addresses.
    this.indexer = new Indexer(
      this.rpc,
      { ...c, pool: d.pool, deployBlock: d.deployBlock, chainId: d.chainId },
      this.log,
    );
    this.scanner = new Scanner(this.rpc, { ...c, lens: d.lens, pool: d.pool, method: c.scanMethod });
    this.heads = new HeadTracker(this.rpc, c.reorgDepth);
    this.priceWatch = new PriceWatch(this.rpc, d, c);
    const funding = {
      pool: d.pool,
      quoter: d.quoter,
      flashLiquidator: d.flashLiquidator,
      receiver: deps.signer.address,
    };
    this.strategy = new Strategy(this.rpc, { ...c, ...funding });
  }

  /** Whether init() completed (the executor exists). */
  get initialized(): boolean {
    return this.ready;
  }

  get address(): string {
    return this.deps.signer.address;
  }

  /** Reads the chain id, builds the executor, syncs the nonce, and (own mode) approves the pool. Idempotent. */
  async init(): Promise<void> {
    if (this.ready) return;
    const d = this.deps.deployment;
    const net = await this.rpc.run("eth_chainId", () => this.deps.provider.getNetwork());
    checkChain(d, net.chainId, this.config.mode);
    await this.checkDeployment();
    this.executor = new Executor(
      this.rpc,
      this.deps.signer,
      { ...this.config, chainId: net.chainId },
      this.metrics,
      this.log,
    );
    this.liquidator = new Liquidator(
      this.executor,
      this.strategy,
      { ...this.config, pool: d.pool },
      this.metrics,
      this.log,
    );
    const vol = {
      riskEngine: d.riskEngine,
      assets: d.assets.map((a) => a.address),
      intervalSec: this.config.volIntervalSec,
    };
    this.volatility = new VolatilityUpdater(vol, this.executor, this.log);
    await this.executor.nonces.resync();
    await this.scanner.detectMethod();
    if (!this.config.dryRun) {
      const head = await this.rpc.block("latest");
      await this.strategy.funding.prepare(
        this.executor,
        d.assets.map((a) => a.address),
        head.number,
        head.baseFeePerGas ?? 0n,
      );
    }
    this.ready = true;
    this.log.info(
      {
        keeper: this.address,
        pool: d.pool,
        mode: this.config.mode,
        dryRun: this.config.dryRun,
        shard: `${this.config.shard.index}/${this.config.shard.count}`,
        accounts: this.indexer.accounts.size,
        resumeFrom: this.indexer.lastIndexed + 1,
      },
      "keeper initialized",
    );
  }

  /** Throws KeeperFatal when the deployment is not on this chain (a reset chain) or not usable by this key. */
  checkDeployment(): Promise<void> {
    const { mode, dryRun } = this.config;
    return checkDeployment(this.rpc, this.deps.deployment, { mode, dryRun, keeper: this.address });
  }

  /** Accounts of this shard. */
  shardKeys(): string[] {
    const out: string[] = [];
    for (const k of this.indexer.accounts.keys()) if (inShard(k, this.config.shard)) out.push(k);
    return out;
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
    let reorgAt = await this.heads.reorg();
    if (reorgAt !== undefined) {
      this.metrics.reorgs.inc();
      this.log.warn({ forkPoint: reorgAt, head }, "reorg detected at the head");
      await this.liquidator.onReorg(reorgAt);
      this.scanner.markAllDue();
      this.indexer.rollback(Math.min(this.indexer.lastIndexed, reorgAt));
    }
    // A mined block always has a hash ("latest" is never a pending block).
    this.heads.push(head, headBlock.hash as string);

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
        await this.liquidator.onReorg(s.reorgAt);
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
    const prices = await this.priceWatch.prices(head);
    const fullScan = this.priceWatch.moved(prices);
    const due = fullScan ? keys : this.scanner.due(keys, head);
    const endScan = this.metrics.scanDuration.startTimer();
    const snaps = await this.scanner.scan(due.map(parseKey), head);
    endScan();
    this.scanner.record(snaps, head);
    if (fullScan) this.priceWatch.fullScanAt(prices);
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
      const nativeUsd = this.priceWatch.nativeUsd(prices);
      const assets = this.deps.deployment.assets.map((a) => a.address);
      const lookup = (key: string) => this.liquidatableNow.get(key);
      const r = await this.liquidator.liquidate(liquidatable, { head, baseFee, prices, nativeUsd, assets, lookup });
      ({ planned, sent } = r);
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
    this.log.info(
      {
        head,
        indexedTo,
        accounts: keys.length,
        scanned: snaps.length,
        fullScan,
        liquidatable: liquidatable.length,
        planned,
        sent: sent.length,
        ms,
      },
      "tick",
    );
    return {
      head,
      indexedTo,
      accounts: keys.length,
      scanned: snaps.length,
      fullScan,
      liquidatable,
      planned,
      sent,
      reorgAt,
      ms,
    };
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

  /** Saves the indexer checkpoint and the executor state (the runner calls it on shutdown). */
  save(): void {
    this.indexer.save();
    if (this.ready) this.executor.save();
  }
}
