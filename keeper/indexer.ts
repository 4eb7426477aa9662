// Indexer: discovers accounts (owner, subId) from the pool's events since the deployment block. Paginated eth_getLogs
// (halving the range on "range too large"/limit errors, growing it back after successes), a configurable number of
// confirmations, reorg detection through the hashes of recently indexed blocks (roll back to the fork point and
// re-index), and a JSON checkpoint so a restart resumes where it stopped.
import type { Logger } from "pino";
import { accountKey, errText, readJson, writeJsonAtomic, sleep } from "./util";
import { poolIface } from "./abis";
import type { Rpc } from "./rpc";

/** Events that name an account; any of them makes the indexer know (and re-check) the account. */
export const ACCOUNT_EVENTS = ["SupplyCollateral", "WithdrawCollateral", "Borrow", "Repay", "Liquidate", "BadDebt"];
export const ACCOUNT_TOPICS = ACCOUNT_EVENTS.map((n) => {
  const event = poolIface.getEvent(n);
  if (!event) throw new Error(`IFulcraPool has no event ${n}`);
  return event.topicHash;
});

export interface IndexerOptions {
  pool: string;
  deployBlock: number;
  pageSize: number;
  confirmations: number;
  reorgDepth: number;
  checkpointFile?: string;
  chainId?: number;
}

export interface KnownAccount {
  owner: string; // lower-case
  subId: bigint;
  firstBlock: number; // block of the first event that named it (for rollback)
}

export interface SyncResult {
  from: number;
  to: number; // last block indexed (−1 before the deployment)
  added: string[]; // keys discovered in this sync
  touched: Set<string>; // keys named by an event in this sync
  reorgAt?: number; // fork point if a reorg was found (everything above it was rolled back)
}

interface Checkpoint {
  version: 1;
  chainId?: number;
  pool: string;
  lastIndexed: number;
  hashes: [number, string][];
  accounts: [string, string, number][];
}

/** Messages providers use when a getLogs range or result is too large. */
export function isRangeError(e: unknown): boolean {
  const t = errText(e).toLowerCase();
  return /range|too many|limit|exceed|10000 results|query returned more than|response size|block range|too large/.test(
    t,
  );
}

export class Indexer {
  readonly accounts = new Map<string, KnownAccount>();
  lastIndexed: number;
  /** Hashes of recently indexed blocks (ends of pages and blocks with logs), for reorg detection. */
  private hashes = new Map<number, string>();
  private page: number;
  private okStreak = 0;
  private failures = 0;
  stats = { getLogsCalls: 0, halvings: 0, reorgs: 0 };

  constructor(
    private readonly rpc: Rpc,
    readonly opts: IndexerOptions,
    private readonly log?: Logger,
  ) {
    this.lastIndexed = opts.deployBlock - 1;
    this.page = Math.max(1, opts.pageSize);
    this.load();
  }

  get pageSize(): number {
    return this.page;
  }

  private load(): void {
    if (!this.opts.checkpointFile) return;
    const cp = readJson<Checkpoint>(this.opts.checkpointFile);
    if (!cp) return;
    if (
      cp.pool.toLowerCase() !== this.opts.pool.toLowerCase() ||
      (this.opts.chainId && cp.chainId && cp.chainId !== this.opts.chainId)
    ) {
      this.log?.warn({ file: this.opts.checkpointFile }, "checkpoint is for another pool or chain; starting over");
      return;
    }
    this.lastIndexed = cp.lastIndexed;
    this.hashes = new Map(cp.hashes);
    for (const [owner, sub, firstBlock] of cp.accounts) {
      this.accounts.set(accountKey(owner, BigInt(sub)), { owner, subId: BigInt(sub), firstBlock });
    }
    this.log?.info({ lastIndexed: this.lastIndexed, accounts: this.accounts.size }, "resumed from checkpoint");
  }

  save(): void {
    if (!this.opts.checkpointFile) return;
    const cp: Checkpoint = {
      version: 1,
      chainId: this.opts.chainId,
      pool: this.opts.pool,
      lastIndexed: this.lastIndexed,
      hashes: [...this.hashes.entries()],
      accounts: [...this.accounts.values()].map((a) => [a.owner, a.subId.toString(), a.firstBlock]),
    };
    writeJsonAtomic(this.opts.checkpointFile, cp);
  }

  /** Finds the highest stored block whose hash the chain still has; rolls back above it. Returns it, or undefined. */
  async checkReorg(): Promise<number | undefined> {
    if (this.lastIndexed < this.opts.deployBlock) return undefined;
    const known = [...this.hashes.entries()].sort((a, b) => b[0] - a[0]);
    if (known.length === 0) return undefined;
    const [topN, topH] = known[0];
    const head = await this.rpc.block(topN).catch(() => undefined);
    if (head && head.hash === topH) return undefined;
    // Walk back through what we stored until a block matches.
    let fork = this.opts.deployBlock - 1;
    for (const [n, h] of known.slice(1)) {
      const b = await this.rpc.block(n).catch(() => undefined);
      if (b && b.hash === h) {
        fork = n;
        break;
      }
    }
    this.rollback(fork);
    this.stats.reorgs++;
    this.log?.warn({ forkPoint: fork, lastSeen: topN }, "reorg detected: rolled back");
    return fork;
  }

  /** Forgets everything above `block`. */
  rollback(block: number): void {
    for (const [k, a] of this.accounts) if (a.firstBlock > block) this.accounts.delete(k);
    for (const n of [...this.hashes.keys()]) if (n > block) this.hashes.delete(n);
    this.lastIndexed = Math.min(this.lastIndexed, block);
  }

  /** Indexes up to `head − confirmations`. */
  async sync(head: number): Promise<SyncResult> {
    const reorgAt = await this.checkReorg();
    const target = head - this.opts.confirmations;
    const from = this.lastIndexed + 1;
    const res: SyncResult = { from, to: this.lastIndexed, added: [], touched: new Set(), reorgAt };
    let start = from;
    while (start <= target) {
      const end = Math.min(target, start + this.page - 1);
      let logs;
      try {
        this.stats.getLogsCalls++;
        logs = await this.rpc.getLogsOnce({
          address: this.opts.pool,
          topics: [ACCOUNT_TOPICS],
          fromBlock: start,
          toBlock: end,
        });
      } catch (e) {
        if (isRangeError(e) && this.page > 1) {
          this.page = Math.max(1, Math.floor(this.page / 2));
          this.stats.halvings++;
          this.okStreak = 0;
          this.log?.debug({ page: this.page, err: errText(e) }, "getLogs range too large: halving");
          continue;
        }
        // Transient: back off and retry this page; give up this sync after a few (the next tick resumes).
        this.okStreak = 0;
        if (++this.failures > this.rpc.opts.retries) {
          this.failures = 0;
          this.save();
          throw e;
        }
        await sleep(Math.min(2_000, 50 * 2 ** this.failures));
        continue;
      }
      this.failures = 0;
      for (const l of logs) {
        if (l.removed) continue;
        const parsed = poolIface.parseLog({ topics: [...l.topics], data: l.data });
        if (!parsed) continue;
        // Every ACCOUNT_EVENTS event has `address indexed owner, uint96 indexed subId` (IPoolEvents.sol).
        const rawOwner: unknown = parsed.args.owner;
        const subId: unknown = parsed.args.subId;
        if (typeof rawOwner !== "string" || typeof subId !== "bigint")
          throw new Error(`${parsed.name} log at block ${l.blockNumber} names no account (owner, subId)`);
        const owner = rawOwner.toLowerCase();
        const key = accountKey(owner, subId);
        if (!this.accounts.has(key)) {
          this.accounts.set(key, { owner, subId, firstBlock: l.blockNumber });
          res.added.push(key);
        }
        res.touched.add(key);
        this.hashes.set(l.blockNumber, l.blockHash);
      }
      const endBlock = await this.rpc.block(end);
      if (!endBlock.hash) throw new Error(`block ${end} came back without a hash`); // only a pending block has none
      this.hashes.set(end, endBlock.hash);
      this.lastIndexed = end;
      res.to = end;
      start = end + 1;
      // Grow back toward the configured page after a streak of successes.
      if (++this.okStreak >= 4 && this.page < this.opts.pageSize) {
        this.page = Math.min(this.opts.pageSize, this.page * 2);
        this.okStreak = 0;
      }
      this.prune();
    }
    if (res.to >= res.from || reorgAt !== undefined) this.save();
    return res;
  }

  private prune(): void {
    // Keep the window, plus the newest entry below it as a last resort fork point.
    const floor = this.lastIndexed - this.opts.reorgDepth;
    const below = [...this.hashes.keys()].filter((n) => n < floor).sort((a, b) => b - a);
    for (const n of below.slice(1)) this.hashes.delete(n);
  }
}
