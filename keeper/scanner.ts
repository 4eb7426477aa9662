// Scanner: the health of every known account through FulcraLens, in batches all pinned to one blockTag, with a
// schedule — accounts near the threshold every block, watched ones every few blocks, healthy ones rarely — plus
// forced re-checks for accounts an event touched and full rescans when a price moves.
import { getAddress } from "ethers";
import { lensIface } from "./abis";
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
  const out: Snapshot[] = new Array(n);
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

export interface ScannerOptions {
  lens: string;
  batchSize: number;
  concurrency: number;
  nearHealth: number;
  watchHealth: number;
  watchEvery: number;
  healthyEvery: number;
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

  /** Snapshots `refs` at `blockTag`, `batchSize` per Lens call, `concurrency` calls at once. */
  async snapshot(refs: AccountRef[], blockTag: number): Promise<Snapshot[]> {
    const batches: AccountRef[][] = [];
    for (let i = 0; i < refs.length; i += this.opts.batchSize) batches.push(refs.slice(i, i + this.opts.batchSize));
    const results = await mapLimit(batches, this.opts.concurrency, async (batch) => {
      const data = lensIface.encodeFunctionData("snapshot", [batch.map((r) => getAddress(r.owner)), batch.map((r) => r.subId)]);
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
