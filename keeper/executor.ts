// Executor: sends, tracks and replaces transactions, whatever they do. Simulated with eth_call first, EIP-1559 fees
// under a cap, nonces from the NonceManager, idempotent rebroadcast of the same signed bytes on transient errors,
// replacement of stuck transactions with bumped fees, and the transactions in flight persisted to a state file so a
// restart resumes them. What a mined transaction means (a liquidation's profit) is its listeners' business.
import { Transaction, type TransactionReceipt, type TransactionRequest } from "ethers";
import type { Logger } from "pino";
import { GONE_ERRORS } from "./abis";
import { revertName } from "./errors";
import type { KeeperMetrics } from "./metrics";
import { NONCE_TAKEN, NonceManager, NotSentError } from "./nonce";
import type { Rpc } from "./rpc";
import { errText, readJson, sleep, writeJsonAtomic } from "./util";

export interface TxSigner {
  readonly address: string;
  signTransaction(tx: TransactionRequest): Promise<string>;
}

export interface ExecutorOptions {
  chainId: bigint;
  dryRun: boolean;
  maxFeeGwei: number;
  priorityFeeGwei: number;
  stuckBlocks: number;
  feeBumpPct: number;
  retries: number;
  stateFile?: string;
}

/** What a liquidation transaction carries for its profit accounting (strings: the state file is JSON). */
export interface LiquidationMeta {
  debtAsset?: string;
  collateral?: string;
  debtPrice?: string;
  collPrice?: string;
  nativeUsd?: string;
  predictedBonus?: string;
  predictedProfit?: string;
  predictedNet?: string; // bonus − swap cost, before gas
}

export interface InFlight extends LiquidationMeta {
  kind: "liquidation" | "volatility" | "approve";
  key?: string;
  nonce: number;
  to: string;
  data: string;
  gasLimit: string;
  maxFee: string;
  prio: string;
  hashes: string[];
  raw: string; // last signed bytes (rebroadcast on resume)
  sentBlock: number;
  bumpedBlock: number;
}

export type SimOutcome = { ok: true; gas: bigint } | { ok: false; gone: boolean; reason: string };
export type Fees = { maxFee: bigint; prio: bigint };
export type Call = { to: string; data: string };

/** The state file: transactions in flight, plus what the listeners keep (the liquidations done). */
interface State {
  version: 1;
  inflight: InFlight[];
  done: [string, number][];
}

const gwei = (x: number): bigint => BigInt(Math.round(x * 1e9)); // gwei → wei

export class Executor {
  readonly nonces: NonceManager;
  readonly inflight = new Map<number, InFlight>();
  /** Accounts with a transaction in flight: never a second one for them. */
  readonly busy = new Set<string>();
  /** The last send that failed for a reason a retry will not fix (cleared by the next successful send). */
  sendError?: { at: number; message: string };
  /** Called for every mined transaction of ours (after it left `inflight`). */
  onMined: (t: InFlight, r: TransactionReceipt) => void = () => {};
  /** Extra state the listeners persist alongside the transactions (the liquidations done). */
  private extra: { get(): [string, number][]; set(v: [string, number][]): void } = { get: () => [], set: () => {} };
  private loaded?: State;

  constructor(
    private readonly rpc: Rpc,
    private readonly signer: TxSigner,
    readonly opts: ExecutorOptions,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
  ) {
    const address = signer.address;
    this.nonces = new NonceManager({ count: (tag) => this.rpc.run("eth_getTransactionCount", () => this.rpc.provider.getTransactionCount(address, tag)) });
    this.load();
  }

  get address(): string {
    return this.signer.address;
  }

  // ------------------------------------------------------------------ persistence

  /** Lets a listener persist its own list in the state file (and get it back from the last run's). */
  persist(extra: { get(): [string, number][]; set(v: [string, number][]): void }): void {
    this.extra = extra;
    if (this.loaded) extra.set(this.loaded.done);
  }

  private load(): void {
    if (!this.opts.stateFile) return;
    const s = readJson<State>(this.opts.stateFile);
    if (!s) return;
    for (const t of s.inflight) {
      this.inflight.set(t.nonce, t);
      if (t.key) this.busy.add(t.key);
    }
    this.loaded = s;
    this.log.info({ inflight: this.inflight.size }, "executor state resumed");
  }

  save(): void {
    if (!this.opts.stateFile) return;
    const done = this.extra.get().slice(-5_000);
    writeJsonAtomic(this.opts.stateFile, { version: 1, inflight: [...this.inflight.values()], done } satisfies State);
  }

  // ------------------------------------------------------------------ fees and simulation

  /** EIP-1559 fees from the head's base fee: maxFee = min(2·base + tip, cap). Undefined if even base + tip is above the cap. */
  fees(baseFee: bigint): Fees | undefined {
    const cap = gwei(this.opts.maxFeeGwei);
    const prio = gwei(this.opts.priorityFeeGwei);
    if (baseFee + prio > cap) return undefined;
    const want = 2n * baseFee + prio;
    return { maxFee: want < cap ? want : cap, prio };
  }

  /** eth_call then eth_estimateGas from the keeper's address, at `blockTag` ("pending": with our unmined transactions). */
  async simulate(call: Call, blockTag: "latest" | "pending" = "latest"): Promise<SimOutcome> {
    const tx = { from: this.signer.address, to: call.to, data: call.data };
    try {
      await this.rpc.call(tx, blockTag);
      const gas = await this.rpc.run("eth_estimateGas", () => this.rpc.provider.estimateGas({ ...tx, blockTag }));
      return { ok: true, gas };
    } catch (e) {
      const name = revertName(e);
      if (name) return { ok: false, gone: GONE_ERRORS.has(name), reason: name };
      return { ok: false, gone: false, reason: errText(e).slice(0, 200) };
    }
  }

  // ------------------------------------------------------------------ sending

  /**
   * Signs `call` with the next nonce, broadcasts it and tracks it until mined. Throws when it was not sent (the
   * nonce then goes to the next transaction). `meta` rides along in the state file for the listeners.
   */
  async send(kind: InFlight["kind"], call: Call, o: { gasLimit: bigint; fees: Fees; head: number; key?: string; meta?: LiquidationMeta }): Promise<{ hash: string; nonce: number }> {
    try {
      const { hash, raw, nonce } = await this.nonces.use(async (nonce) => ({ nonce, ...(await this.signAndSend({ ...call, gasLimit: o.gasLimit, ...o.fees }, nonce)) }));
      this.sendError = undefined;
      const t: InFlight = { ...o.meta, kind, key: o.key, nonce, to: call.to, data: call.data, gasLimit: o.gasLimit.toString(), maxFee: o.fees.maxFee.toString(), prio: o.fees.prio.toString(), hashes: [hash], raw, sentBlock: o.head, bumpedBlock: o.head };
      this.inflight.set(nonce, t);
      if (t.key) this.busy.add(t.key);
      this.save();
      return { hash, nonce };
    } catch (e) {
      if (e instanceof NotSentError) this.sendError = { at: Date.now(), message: e.message.slice(0, 300) };
      throw e;
    }
  }

  /** Simulates and sends a non-liquidation transaction (volatility update, approval). Undefined: not sent (logged). */
  async sendOther(kind: "volatility" | "approve", call: Call, head: number, baseFee: bigint): Promise<string | undefined> {
    const sim = await this.simulate(call);
    if (!sim.ok) {
      this.log.warn({ kind, reason: sim.reason }, "simulation failed; not sending");
      return undefined;
    }
    if (this.opts.dryRun) {
      this.log.info({ kind, to: call.to, gas: sim.gas.toString() }, "dry run: would send");
      return undefined;
    }
    const fees = this.fees(baseFee);
    if (!fees) {
      this.log.warn({ kind, baseFee: baseFee.toString(), capGwei: this.opts.maxFeeGwei }, "base fee above the cap: not sending");
      return undefined;
    }
    const { hash } = await this.send(kind, call, { gasLimit: (sim.gas * 13n) / 10n + 10_000n, fees, head });
    return hash;
  }

  /** Signs and broadcasts at `nonce`; rebroadcasts the same bytes on transient errors. */
  private async signAndSend(req: Call & { gasLimit: bigint } & Fees, nonce: number): Promise<{ hash: string; raw: string }> {
    const raw = await this.signer.signTransaction({
      type: 2,
      chainId: this.opts.chainId,
      nonce,
      to: req.to,
      data: req.data,
      value: 0n,
      gasLimit: req.gasLimit,
      maxFeePerGas: req.maxFee,
      maxPriorityFeePerGas: req.prio,
    });
    // A signed transaction always has a hash (it is computed from the signature).
    const hash = Transaction.from(raw).hash as string;
    await this.broadcast(raw, hash);
    return { hash, raw };
  }

  /** Broadcasts signed bytes; resolves once the node has them. Throws NotSentError when it certainly does not. */
  private async broadcast(raw: string, hash: string): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      try {
        await this.rpc.run("eth_sendRawTransaction", () => this.rpc.provider.broadcastTransaction(raw), () => false);
        return;
      } catch (e) {
        last = e;
        const t = errText(e).toLowerCase();
        // Did it land anyway (timeout after the write, "already known", automining node reporting a revert)?
        if (await this.known(hash)) return;
        if (NONCE_TAKEN.test(t)) throw new NotSentError(errText(e), e, "nonce");
        if (/replacement transaction underpriced|insufficient funds|enough funds|intrinsic gas|exceeds block gas limit|invalid sender/.test(t)) {
          throw new NotSentError(errText(e), e);
        }
        await sleep(Math.min(2_000, 50 * 2 ** attempt));
      }
    }
    if (await this.known(hash)) return;
    throw new NotSentError(`broadcast failed: ${errText(last)}`, last);
  }

  private async known(hash: string): Promise<boolean> {
    try {
      return (await this.rpc.run("eth_getTransactionByHash", () => this.rpc.provider.getTransaction(hash))) !== null;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ tracking

  /** Checks every transaction in flight: reports the mined ones, rebroadcasts dropped ones, replaces stuck ones. */
  async settle(head: number, baseFee: bigint): Promise<void> {
    if (this.inflight.size === 0) return;
    let changed = false;
    const latestCount = await this.nonces.chainCount("latest");
    for (const t of [...this.inflight.values()].sort((a, b) => a.nonce - b.nonce)) {
      let receipt: TransactionReceipt | null = null;
      for (const h of t.hashes) {
        receipt = await this.rpc.run("eth_getTransactionReceipt", () => this.rpc.provider.getTransactionReceipt(h));
        if (receipt) break;
      }
      if (receipt) {
        this.drop(t);
        if (t.kind === "volatility" && receipt.status === 1) this.metrics.volUpdates.inc();
        this.onMined(t, receipt);
        changed = true;
        continue;
      }
      if (t.nonce < latestCount) {
        // The nonce was used by a transaction we do not know: another sender with our key.
        this.log.warn({ nonce: t.nonce, kind: t.kind, key: t.key }, "nonce consumed by another transaction (is another process signing with the keeper's key?)");
        this.drop(t);
        changed = true;
        continue;
      }
      if (this.opts.dryRun) continue;
      const last = t.hashes[t.hashes.length - 1];
      if (!(await this.known(last))) {
        // Dropped from the mempool (a reorg, a node restart): put the same bytes back.
        try {
          await this.broadcast(t.raw, last);
          this.log.info({ nonce: t.nonce }, "rebroadcast a dropped transaction");
        } catch (e) {
          this.log.warn({ nonce: t.nonce, err: errText(e) }, "rebroadcast failed");
        }
      }
      if (head - t.bumpedBlock >= this.opts.stuckBlocks) changed = (await this.replace(t, head, baseFee)) || changed;
    }
    if (changed) this.save();
  }

  /** Replaces a stuck transaction: same nonce and call, fees up by feeBumpPct (at least the node's 10 %), under the cap. */
  private async replace(t: InFlight, head: number, baseFee: bigint): Promise<boolean> {
    const cap = gwei(this.opts.maxFeeGwei);
    const bump = BigInt(Math.max(10, this.opts.feeBumpPct)) + 100n;
    let maxFee = (BigInt(t.maxFee) * bump + 99n) / 100n;
    const prio = (BigInt(t.prio) * bump + 99n) / 100n;
    const floor = 2n * baseFee + prio;
    if (maxFee < floor) maxFee = floor;
    if (maxFee > cap) {
      if (BigInt(t.maxFee) >= cap || prio > cap) return false; // already at the cap: wait
      maxFee = cap;
    }
    if (prio > maxFee) return false;
    try {
      const { hash, raw } = await this.signAndSend({ to: t.to, data: t.data, gasLimit: BigInt(t.gasLimit), maxFee, prio }, t.nonce);
      t.hashes.push(hash);
      t.raw = raw;
      t.maxFee = maxFee.toString();
      t.prio = prio.toString();
      t.bumpedBlock = head;
      this.metrics.txReplaced.inc();
      this.log.info({ nonce: t.nonce, hash, maxFee: maxFee.toString() }, "replaced a stuck transaction");
      return true;
    } catch (e) {
      this.log.warn({ nonce: t.nonce, err: errText(e) }, "replacement failed");
      return false;
    }
  }

  private drop(t: InFlight): void {
    this.inflight.delete(t.nonce);
    if (t.key) this.busy.delete(t.key);
  }

  /** After a reorg: forget transactions the node no longer knows (above the mined count) and re-read the nonce. */
  async onReorg(): Promise<void> {
    const latest = await this.nonces.chainCount("latest");
    for (const t of [...this.inflight.values()]) {
      if (t.nonce >= latest && !(await this.known(t.hashes[t.hashes.length - 1]))) this.drop(t);
    }
    await this.nonces.resync();
    this.save();
  }

  /** Whether a transaction of that kind is in flight (the volatility updater never sends a second one). */
  hasInflight(kind: InFlight["kind"]): boolean {
    for (const t of this.inflight.values()) if (t.kind === kind) return true;
    return false;
  }
}
