// Small shared helpers: retries with backoff, a mutex, stable sharding, account keys, atomic JSON files.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface AccountRef {
  owner: string; // checksummed or lower-case; keys are lower-case
  subId: bigint;
}

/** The canonical key of an account: lower-case owner and decimal subId. */
export function accountKey(owner: string, subId: bigint | number): string {
  return `${owner.toLowerCase()}:${BigInt(subId).toString()}`;
}

export function parseKey(key: string): AccountRef {
  const [owner, sub] = key.split(":");
  return { owner, subId: BigInt(sub) };
}

/** Shard of an account: a stable hash (sha256 of its key), so every instance agrees without coordination. */
export function shardOf(key: string, shards: number): number {
  if (shards <= 1) return 0;
  const h = createHash("sha256").update(key).digest();
  return h.readUInt32BE(0) % shards;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`--shard must look like i/n, got "${s}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 0 || index >= count) throw new Error(`--shard ${s}: need 0 <= i < n`);
  return { index, count };
}

export function inShard(key: string, shard: Shard): boolean {
  return shardOf(key, shard.count) === shard.index;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RetryOptions {
  retries: number; // attempts after the first
  baseMs: number;
  maxMs: number;
  /** Return false to stop retrying (the error is rethrown). */
  retryable?: (e: unknown) => boolean;
  onError?: (e: unknown, attempt: number) => void;
}

/** Runs `fn`, retrying with exponential backoff (and a little jitter) on errors `retryable` accepts. */
export async function retry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      o.onError?.(e, attempt);
      if (attempt >= o.retries || (o.retryable && !o.retryable(e))) throw e;
      const delay = Math.min(o.maxMs, o.baseMs * 2 ** attempt);
      await sleep(delay * (0.75 + Math.random() * 0.5));
    }
  }
}

/** Rejects with a timeout error if `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = "call"): Promise<T> {
  if (!(ms > 0)) return p;
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout: ${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

/** A FIFO mutex. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order of results. */
export async function mapLimit<I, O>(items: I[], limit: number, fn: (item: I, i: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Writes JSON atomically (temp file + rename), so a crash never leaves a half-written checkpoint. */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(
    tmp,
    JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  );
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/** Best-effort text of an error (ethers nests the node's message). */
export function errText(e: unknown): string {
  const x = e as {
    shortMessage?: string;
    message?: string;
    info?: { error?: { message?: string } };
    error?: { message?: string };
  };
  return (
    [x?.shortMessage, x?.message, x?.info?.error?.message, x?.error?.message].filter(Boolean).join(" | ") || String(e)
  );
}

export const WAD = 10n ** 18n;
/** A WAD bigint as a JS number (for metrics and logs). */
export const wadToNumber = (x: bigint): number => Number(x / 10n ** 9n) / 1e9;
