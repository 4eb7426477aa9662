// The long-running loop of the CLI around a Keeper: a tick on every new block (polled), reconnection with backoff
// when the node goes away (one line when it is lost, one when it is back), a stop when the pool is gone after a
// reconnection (a fresh chain), /health (connected, indexed to the head, able to send; block age a separate,
// optional signal), and a graceful stop that waits (bounded) for the transactions in flight and saves the state.
import type { Logger } from "pino";
import { KeeperFatal } from "./errors";
import type { HealthInfo } from "./metrics";
import type { Keeper } from "./keeper";
import { errText, sleep } from "./util";

export interface RunnerOptions {
  pollMs: number;
  /** /health fails when the newest block is older than this (0: reported only). */
  maxBlockAgeSec: number;
  shutdownWaitSec: number;
  reconnectMaxSec: number;
  /** Where the node is (for the messages). */
  rpcLabel?: string;
  /** Milliseconds since the epoch (tests move time). */
  clock?: () => number;
}

/** How far the indexer may trail the head (beyond --confirmations) and still count as indexed. */
export const INDEX_LAG_BLOCKS = 2;

export class KeeperRunner {
  private stopping = false;
  private running?: Promise<void>;
  private wake?: () => void;
  /** Last successful poll of the node (ms) and what it said. */
  private lastPoll?: { at: number; head: number };
  private lostSince?: number;
  private headTime?: number; // unix seconds of the newest block ticked on
  private balance?: bigint;

  constructor(
    readonly keeper: Keeper,
    readonly opts: RunnerOptions,
    private readonly log: Logger,
  ) {}

  private now(): number {
    return this.opts.clock ? this.opts.clock() : Date.now();
  }

  private get where(): string {
    return this.opts.rpcLabel ?? "the node";
  }

  /** Runs until `stop()`; rejects with KeeperFatal when watching is pointless (the pool has no code any more). */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    const k = this.keeper;
    let last = -1;
    let backoffMs = Math.min(1_000, this.opts.reconnectMaxSec * 1_000);
    while (!this.stopping) {
      let head: number;
      try {
        head = await k.rpc.blockNumber();
      } catch (e) {
        if (this.lostSince === undefined) {
          this.lostSince = this.now();
          this.log.error(
            `lost the node at ${this.where} (${errText(e).split("\n")[0].slice(0, 120)}): retrying with backoff up to ${this.opts.reconnectMaxSec} s`,
          );
        }
        await this.pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, Math.max(1, this.opts.reconnectMaxSec) * 1_000);
        continue;
      }
      backoffMs = Math.min(1_000, this.opts.reconnectMaxSec * 1_000);
      if (this.lostSince !== undefined || head < last) {
        const why =
          this.lostSince !== undefined
            ? `after ${Math.round((this.now() - this.lostSince) / 1000)} s`
            : `(head went back from ${last} to ${head})`;
        this.log.warn(`reconnected to ${this.where} at block ${head} ${why}; checking the deployment`);
        const lostSince = this.lostSince;
        this.lostSince = undefined;
        try {
          await k.checkDeployment(); // KeeperFatal on a fresh chain: run() rejects with it
        } catch (e) {
          if (e instanceof KeeperFatal) throw e;
          this.lostSince = lostSince ?? this.now(); // the node went away again: still lost
          await this.pause(backoffMs);
          continue;
        }
      }
      this.lastPoll = { at: this.now(), head };
      if (head !== last) {
        const r = await k.safeTick();
        if (r) {
          last = head;
          await this.readSendState();
        }
      }
      await this.pause(this.opts.pollMs);
    }
  }

  /** The head block's time and the keeper's gas balance (what /health judges "able to send" by). */
  private async readSendState(): Promise<void> {
    const k = this.keeper;
    try {
      this.headTime = (await k.rpc.block("latest")).timestamp;
      this.balance = k.config.dryRun
        ? undefined
        : await k.rpc.run("eth_getBalance", () => k.rpc.provider.getBalance(k.address));
    } catch {
      // the next poll tells whether the node is gone
    }
  }

  private pause(ms: number): Promise<void> {
    return Promise.race([sleep(ms), new Promise<void>((r) => (this.wake = r))]);
  }

  /** /health. ok = connected, indexed to the head, able to send (and, with --max-block-age-sec, a recent block). */
  health(): HealthInfo {
    const k = this.keeper;
    const now = this.now();
    const problems: string[] = [];
    const pollAgeMs = this.lastPoll ? now - this.lastPoll.at : undefined;
    const connected =
      this.lostSince === undefined && pollAgeMs !== undefined && pollAgeMs < Math.max(10_000, 5 * this.opts.pollMs);
    if (!connected)
      problems.push(
        this.lostSince !== undefined ? `node unreachable at ${this.where}` : "no successful poll of the node yet",
      );
    const head = this.lastPoll?.head;
    const tick = k.lastTick;
    const indexedTo = k.indexer.lastIndexed;
    const indexed =
      tick?.ok === true &&
      head !== undefined &&
      tick.head >= head - 1 &&
      indexedTo >= tick.head - k.config.confirmations - INDEX_LAG_BLOCKS;
    if (tick && !tick.ok) problems.push(`last tick failed: ${tick.error ?? "unknown error"}`);
    else if (!indexed) problems.push(`not indexed to the head (indexed ${indexedTo}, head ${head ?? "?"})`);
    const inflight = k.initialized ? k.executor.inflight.size : 0;
    const sendError = k.initialized ? k.executor.sendError : undefined;
    let canSend = true;
    if (!k.config.dryRun) {
      if (sendError) {
        canSend = false;
        problems.push(`cannot send: ${sendError.message}`);
      } else if (this.balance === 0n) {
        canSend = false;
        problems.push(`cannot send: the keeper ${k.address} has no gas balance`);
      }
    }
    const blockAgeSec = this.headTime === undefined ? undefined : Math.max(0, Math.round(now / 1000 - this.headTime));
    const stale = this.opts.maxBlockAgeSec > 0 && blockAgeSec !== undefined && blockAgeSec > this.opts.maxBlockAgeSec;
    if (stale) problems.push(`no new block for ${blockAgeSec} s (--max-block-age-sec ${this.opts.maxBlockAgeSec})`);
    return {
      ok: problems.length === 0,
      problems,
      connected,
      indexed,
      canSend,
      stale,
      blockAgeSec,
      head,
      lastBlock: tick?.head,
      lastIndexed: indexedTo,
      lastError: tick?.error,
      accounts: k.indexer.accounts.size,
      inflight,
      keeper: k.address,
    };
  }

  /**
   * Graceful stop: lets the tick in progress finish (its sends included), then waits up to shutdownWaitSec for the
   * transactions in flight to be mined, and saves the checkpoint and the state. Resolves to the number still in flight.
   */
  async stop(): Promise<number> {
    this.stopping = true;
    this.wake?.();
    if (this.running) await this.running.catch(() => undefined);
    const k = this.keeper;
    const deadline = this.now() + this.opts.shutdownWaitSec * 1_000;
    while (k.initialized && k.executor.inflight.size > 0 && this.now() < deadline) {
      try {
        const b = await k.rpc.block("latest");
        await k.executor.settle(b.number, b.baseFeePerGas ?? 0n);
      } catch (e) {
        this.log.warn(`waiting for transactions in flight: ${errText(e).split("\n")[0].slice(0, 120)}`);
      }
      if (k.executor.inflight.size > 0) await sleep(Math.min(this.opts.pollMs, 1_000));
    }
    k.save();
    return k.initialized ? k.executor.inflight.size : 0;
  }
}

export { KeeperFatal };
