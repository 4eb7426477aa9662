// Executor: sends, tracks and replaces transactions, whatever they do. Simulated with eth_call first, EIP-1559 fees
// under a cap, nonces from the NonceManager, idempotent rebroadcast of the same signed bytes on transient errors,
// replacement of stuck transactions with bumped fees, and the transactions in flight persisted to a state file so a
// restart resumes them. What a mined transaction means (a liquidation's profit) is its listeners' business.
import type { TransactionReceipt, TransactionRequest } from "ethers";
import { Broadcaster } from "./broadcast";
import type { Logger } from "pino";
import { GONE_ERRORS } from "./abis";
import { revertName } from "./errors";
import type { KeeperMetrics } from "./metrics";
import { NonceManager, NotSentError } from "./nonce";
import type { Rpc } from "./rpc";
import { TxState, type Extra, type InFlight, type LiquidationMeta } from "./txstate";
import { errText } from "./util";

export type { InFlight, LiquidationMeta } from "./txstate";

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

export type SimOutcome = { ok: true; gas: bigint } | { ok: false; gone: boolean; reason: string };
export type Fees = { maxFee: bigint; prio: bigint };
export type Call = { to: string; data: string };

const gwei = (x: number): bigint => BigInt(Math.round(x * 1e9)); // gwei → wei

export class Executor {
  readonly nonces: NonceManager;
  /** Transactions in flight (by nonce) and the accounts they are for, persisted in the state file. */
  readonly state: TxState;
  /** The last send that failed for a reason a retry will not fix (cleared by the next successful send). */
  sendError?: { at: number; message: string };
  /** Called for every mined transaction of ours (after it left `inflight`). */
  onMined: (t: InFlight, r: TransactionReceipt) => void = () => {};
  private readonly wire: Broadcaster;

  constructor(
    private readonly rpc: Rpc,
    private readonly signer: TxSigner,
    readonly opts: ExecutorOptions,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
  ) {
    this.wire = new Broadcaster(rpc, signer, opts.chainId, opts.retries);
    const address = signer.address;
    this.nonces = new NonceManager({
      count: (tag) =>
        this.rpc.run("eth_getTransactionCount", () => this.rpc.provider.getTransactionCount(address, tag)),
    });
    this.state = new TxState(opts.stateFile, log);
  }

  get inflight(): Map<number, InFlight> {
    return this.state.inflight;
  }

  /** Accounts with a transaction in flight: never a second one for them. */
  get busy(): Set<string> {
    return this.state.busy;
  }

  get address(): string {
    return this.signer.address;
  }

  /** Lets a listener persist its own list in the state file (and get it back from the last run's). */
  persist(extra: Extra): void {
    this.state.persist(extra);
  }

  save(): void {
    this.state.save();
  }

  // ------------------------------------------------------------------ fees and simulation

  /** maxPriorityFeePerGas (wei). */
  get priorityFee(): bigint {
    return gwei(this.opts.priorityFeeGwei);
  }

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
  async send(
    kind: InFlight["kind"],
    call: Call,
    o: { gasLimit: bigint; fees: Fees; head: number; key?: string; meta?: LiquidationMeta },
  ): Promise<{ hash: string; nonce: number }> {
    try {
      const { hash, raw, nonce } = await this.nonces.use(async (nonce) => ({
        nonce,
        ...(await this.wire.signAndSend({ ...call, gasLimit: o.gasLimit, ...o.fees }, nonce)),
      }));
      this.sendError = undefined;
      const t: InFlight = {
        ...o.meta,
        kind,
        key: o.key,
        nonce,
        to: call.to,
        data: call.data,
        gasLimit: o.gasLimit.toString(),
        maxFee: o.fees.maxFee.toString(),
        prio: o.fees.prio.toString(),
        hashes: [hash],
        raw,
        sentBlock: o.head,
        bumpedBlock: o.head,
      };
      this.state.add(t);
      return { hash, nonce };
    } catch (e) {
      if (e instanceof NotSentError) this.sendError = { at: Date.now(), message: e.message.slice(0, 300) };
      throw e;
    }
  }

  /** Simulates and sends a non-liquidation transaction (volatility update, approval). Undefined: not sent (logged). */
  async sendOther(
    kind: "volatility" | "approve",
    call: Call,
    head: number,
    baseFee: bigint,
  ): Promise<string | undefined> {
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
      this.log.warn(
        { kind, baseFee: baseFee.toString(), capGwei: this.opts.maxFeeGwei },
        "base fee above the cap: not sending",
      );
      return undefined;
    }
    const { hash } = await this.send(kind, call, { gasLimit: (sim.gas * 13n) / 10n + 10_000n, fees, head });
    return hash;
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
        this.log.warn(
          { nonce: t.nonce, kind: t.kind, key: t.key },
          "nonce consumed by another transaction (is another process signing with the keeper's key?)",
        );
        this.drop(t);
        changed = true;
        continue;
      }
      if (this.opts.dryRun) continue;
      const last = t.hashes[t.hashes.length - 1];
      if (!(await this.wire.known(last))) {
        // Dropped from the mempool (a reorg, a node restart): put the same bytes back.
        try {
          await this.wire.broadcast(t.raw, last);
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
      const { hash, raw } = await this.wire.signAndSend(
        { to: t.to, data: t.data, gasLimit: BigInt(t.gasLimit), maxFee, prio },
        t.nonce,
      );
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
    this.state.drop(t);
  }

  /** After a reorg: forget transactions the node no longer knows (above the mined count) and re-read the nonce. */
  async onReorg(): Promise<void> {
    const latest = await this.nonces.chainCount("latest");
    for (const t of [...this.inflight.values()]) {
      if (t.nonce >= latest && !(await this.wire.known(t.hashes[t.hashes.length - 1]))) this.drop(t);
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
