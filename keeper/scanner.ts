// Scanner: the health of every known account through FulcraLens, in batches all pinned to one blockTag, with a
// schedule — accounts near the threshold every block, watched ones every few blocks, healthy ones rarely — plus
// forced re-checks for accounts an event touched and full rescans when a price moves.
import type { Interface } from "ethers";
import { lensIface, poolIface } from "./abis";
import type { Rpc } from "./rpc";
import { accountKey, mapLimit, WAD, type AccountRef } from "./util";

/** FulcraLens.AccountSnapshot. Values are 18-decimal USD. */
export interface Snapshot {
  key: string;
  owner: string;
  subId: bigint;
  ok: boolean;
  healthFactor: bigint;
  debtAsset: string;
  debt: bigint;
  debtValue: bigint;
  collateralValue: bigint;
  liquidationValue: bigint;
  liquidatable: boolean;
  bestCollateral: string;
  maxRepay: bigint;
  seized: bigint;
  bonusBps: bigint;
  bonusValue: bigint;
}

const WORDS = 15;

/**
 * Decodes the return data of `FulcraLens.snapshot` directly from hex: the result is an array of static tuples, so
 * each account is 15 consecutive words. Much faster than a generic ABI decoder on 10,000 accounts.
 */
export function decodeSnapshot(data: string): { blockNumber: bigint; timestamp: bigint; out: Snapshot[] } {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  const word = (i: number) => hex.slice(i * 64, i * 64 + 64);
  const big = (i: number) => BigInt("0x" + word(i));
  const addr = (i: number) => "0x" + word(i).slice(24);
  const blockNumber = big(0);
  const timestamp = big(1);
  const base = Number(big(2)) / 32;
  const n = Number(big(base));
  const out = new Array<Snapshot>(n);
  for (let k = 0; k < n; k++) {
    const w = base + 1 + k * WORDS;
    const owner = addr(w);
    const subId = big(w + 1);
    out[k] = {
      key: accountKey(owner, subId),
      owner,
      subId,
      ok: big(w + 2) !== 0n,
      healthFactor: big(w + 3),
      debtAsset: addr(w + 4),
      debt: big(w + 5),
      debtValue: big(w + 6),
      collateralValue: big(w + 7),
      liquidationValue: big(w + 8),
      liquidatable: big(w + 9) !== 0n,
      bestCollateral: addr(w + 10),
      maxRepay: big(w + 11),
      seized: big(w + 12),
      bonusBps: big(w + 13),
      bonusValue: big(w + 14),
    };
  }
  return { blockNumber, timestamp, out };
}

function selector(iface: Interface, name: string): string {
  const f = iface.getFunction(name);
  if (!f) throw new Error(`ABI has no function ${name}`);
  return f.selector;
}
const HEALTH_FACTORS = selector(lensIface, "healthFactors");
const POOL_HEALTH_FACTORS = selector(poolIface, "healthFactors");
const SNAPSHOT = selector(lensIface, "snapshot");

/**
 * Calldata of `f(address[] owners, uint96[] subIds)` built straight as hex: both arrays are static words, so this is
 * string padding only — no checksumming (a keccak per address) and no generic ABI coder, which cost more than the
 * EVM on a 10,000-account scan.
 */
export function encodeAccounts(selector: string, refs: AccountRef[]): string {
  const n = refs.length;
  const word = (x: bigint | number) => x.toString(16).padStart(64, "0");
  const parts = new Array<string>(2 * n + 4);
  parts[0] = selector;
  parts[1] = word(0x40);
  parts[2] = word(0x40 + 32 * (n + 1));
  parts[3] = word(n);
  for (let i = 0; i < n; i++) {
    const o = refs[i].owner;
    const h = (o.startsWith("0x") || o.startsWith("0X") ? o.slice(2) : o).toLowerCase();
    if (h.length !== 40 || !/^[0-9a-f]{40}$/.test(h)) throw new Error(`bad owner address ${o}`);
    parts[4 + i] = h.padStart(64, "0");
  }
  const subs = new Array<string>(n + 1);
  subs[0] = word(n);
  for (let i = 0; i < n; i++) {
    const sid = refs[i].subId;
    if (sid < 0n || sid >= 1n << 96n) throw new Error(`bad subId ${sid}`);
    subs[i + 1] = word(sid);
  }
  return parts.join("") + subs.join("");
}

/**
 * Decodes `(uint256 blockNumber, uint256[] healths)` (FulcraLens) — or, with `arrayAt = 0`, a bare `uint256[]`
 * (Pool.healthFactors) — straight from hex. `arrayAt` is the word holding the array's offset.
 */
export function decodeHealths(data: string, arrayAt = 1): bigint[] {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  const word = (i: number) => BigInt("0x" + hex.slice(i * 64, i * 64 + 64));
  const base = Number(word(arrayAt)) / 32;
  const n = Number(word(base));
  const out = new Array<bigint>(n);
  for (let k = 0; k < n; k++) out[k] = word(base + 1 + k);
  return out;
}

function healthyOnly(r: AccountRef, h: bigint): Snapshot {
  const Z = "0x0000000000000000000000000000000000000000";
  return {
    key: accountKey(r.owner, r.subId),
    owner: r.owner.toLowerCase(),
    subId: r.subId,
    ok: true,
    healthFactor: h,
    debtAsset: Z,
    debt: 0n,
    debtValue: 0n,
    collateralValue: 0n,
    liquidationValue: 0n,
    liquidatable: false,
    bestCollateral: Z,
    maxRepay: 0n,
    seized: 0n,
    bonusBps: 0n,
    bonusValue: 0n,
  };
}

export interface ScannerOptions {
  lens: string;
  /** The pool: its batch view `healthFactors` is called directly when it has one (saves the Lens's re-encoding). */
  pool?: string;
  batchSize: number;
  concurrency: number;
  nearHealth: number;
  watchHealth: number;
  watchEvery: number;
  healthyEvery: number;
  /** health: FulcraLens.healthFactors for everyone, then snapshot only below 1 (default); snapshot: snapshot all. */
  method?: "health" | "snapshot";
}

export class Scanner {
  /** Next block each account is due at. */
  private nextDue = new Map<string, number>();
  /** Last health factor seen (WAD). */
  readonly health = new Map<string, bigint>();
  private readonly near: bigint;
  private readonly watch: bigint;

  constructor(
    private readonly rpc: Rpc,
    readonly opts: ScannerOptions,
  ) {
    this.near = BigInt(Math.round(opts.nearHealth * 1e6)) * 10n ** 12n;
    this.watch = BigInt(Math.round(opts.watchHealth * 1e6)) * 10n ** 12n;
    if (opts.method) this.method = opts.method;
  }

  /** Accounts (from `keys`) due at `block`. */
  due(keys: Iterable<string>, block: number): string[] {
    const out: string[] = [];
    for (const k of keys) if ((this.nextDue.get(k) ?? -1) <= block) out.push(k);
    return out;
  }

  markDue(keys: Iterable<string>): void {
    for (const k of keys) this.nextDue.set(k, -1);
  }

  markAllDue(): void {
    for (const k of this.nextDue.keys()) this.nextDue.set(k, -1);
  }

  forget(keys: Iterable<string>): void {
    for (const k of keys) {
      this.nextDue.delete(k);
      this.health.delete(k);
    }
  }

  /** Which Lens path `scan` uses; falls back to snapshot if the Lens has no healthFactors. */
  method: "health" | "snapshot" = "health";

  /**
   * The health of `refs` at `blockTag`. With the health method: healthFactors for all (one pool call per account),
   * then full snapshots only for the accounts below 1 (or unpriceable); the others get a snapshot with just their
   * health (ok, not liquidatable).
   */
  async scan(refs: AccountRef[], blockTag: number): Promise<Snapshot[]> {
    if (this.method === "snapshot" || refs.length === 0) return this.snapshot(refs, blockTag);
    const healths = await this.healthFactors(refs, blockTag);
    const low: AccountRef[] = [];
    const out: Snapshot[] = [];
    refs.forEach((r, i) => {
      const h = healths[i];
      if (h < WAD) low.push(r);
      else out.push(healthyOnly(r, h));
    });
    if (low.length > 0) out.push(...(await this.snapshot(low, blockTag)));
    return out;
  }

  /** Where health batches go: the pool's own batch view when it has one, else the Lens. */
  healthTarget: "pool" | "lens" = "lens";

  /**
   * Whether the pool has the batch view `healthFactors` (then it is called directly), else whether the Lens has
   * healthFactors (an older one does not): one empty call each; switches to snapshot if neither.
   */
  async detectMethod(): Promise<"health" | "snapshot"> {
    if (this.method !== "health") return this.method;
    if (this.opts.pool) {
      try {
        await this.rpc.call({ to: this.opts.pool, data: poolIface.encodeFunctionData("healthFactors", [[], []]) });
        this.healthTarget = "pool";
        return this.method;
      } catch (e) {
        if ((e as { code?: string }).code !== "CALL_EXCEPTION") throw e;
      }
    }
    try {
      await this.rpc.call({ to: this.opts.lens, data: lensIface.encodeFunctionData("healthFactors", [[], []]) });
    } catch (e) {
      if ((e as { code?: string }).code === "CALL_EXCEPTION") this.method = "snapshot";
      else throw e;
    }
    return this.method;
  }

  /** Pool.healthFactors (or FulcraLens.healthFactors) in batches of 2 × batchSize, all pinned to `blockTag`. */
  async healthFactors(refs: AccountRef[], blockTag: number): Promise<bigint[]> {
    const size = this.opts.batchSize * 2;
    const batches: AccountRef[][] = [];
    for (let i = 0; i < refs.length; i += size) batches.push(refs.slice(i, i + size));
    const results = await mapLimit(batches, this.opts.concurrency, async (batch) => {
      if (this.healthTarget === "pool") {
        // healthTarget is "pool" only after detectMethod() called the pool, which it does only when opts.pool is set.
        const pool = this.opts.pool;
        if (!pool) throw new Error(`health batches go to the pool, but no pool address is set`);
        const ret = await this.rpc.call({ to: pool, data: encodeAccounts(POOL_HEALTH_FACTORS, batch) }, blockTag);
        return decodeHealths(ret, 0);
      }
      const ret = await this.rpc.call({ to: this.opts.lens, data: encodeAccounts(HEALTH_FACTORS, batch) }, blockTag);
      return decodeHealths(ret);
    });
    return results.flat();
  }

  /** Snapshots `refs` at `blockTag`, `batchSize` per Lens call, `concurrency` calls at once. */
  async snapshot(refs: AccountRef[], blockTag: number): Promise<Snapshot[]> {
    const batches: AccountRef[][] = [];
    for (let i = 0; i < refs.length; i += this.opts.batchSize) batches.push(refs.slice(i, i + this.opts.batchSize));
    const results = await mapLimit(batches, this.opts.concurrency, async (batch) => {
      const data = encodeAccounts(SNAPSHOT, batch);
      const ret = await this.rpc.call({ to: this.opts.lens, data }, blockTag);
      return decodeSnapshot(ret).out;
    });
    return results.flat();
  }

  /** Records a scan at `block` and schedules each account's next check from its health. */
  record(snaps: Snapshot[], block: number): void {
    for (const s of snaps) {
      this.health.set(s.key, s.healthFactor);
      let every: number;
      if (!s.ok || s.liquidatable || s.healthFactor < this.near) every = 1;
      else if (s.healthFactor < this.watch) every = this.opts.watchEvery;
      else every = this.opts.healthyEvery;
      this.nextDue.set(s.key, block + Math.max(1, every));
    }
  }

  /** How many accounts sit in each band at the last scan (for logs). */
  bands(): { near: number; watch: number; healthy: number } {
    let near = 0,
      watch = 0,
      healthy = 0;
    for (const h of this.health.values()) {
      if (h < this.near) near++;
      else if (h < this.watch) watch++;
      else healthy++;
    }
    return { near, watch, healthy };
  }
}

export { WAD };
