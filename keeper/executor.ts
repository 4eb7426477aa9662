// Executor: turns plans into transactions. Capital-free through the FlashLiquidator (or from the keeper's own
// balance), simulated with eth_call first, EIP-1559 fees under a cap, nonces from the NonceManager, idempotent
// rebroadcast of the same signed bytes on transient errors, replacement of stuck transactions with bumped fees,
// and a lost race (someone liquidated first) recorded without a crash or a second attempt.
import { MaxUint256, Transaction, getAddress, type TransactionReceipt, type TransactionRequest } from "ethers";
import type { Logger } from "pino";
import { erc20Iface, flashIface, poolIface, riskIface, GONE_ERRORS } from "./abis";
import type { KeeperMetrics } from "./metrics";
import { NonceManager, NotSentError } from "./nonce";
import type { Rpc } from "./rpc";
import type { Plan } from "./strategy";
import { WAD, errText, mapLimit, readJson, writeJsonAtomic, wadToNumber, sleep } from "./util";
import type { Mode } from "./config";

export interface TxSigner {
  readonly address: string;
  signTransaction(tx: TransactionRequest): Promise<string>;
}

export interface ExecutorOptions {
  mode: Mode;
  pool: string;
  flashLiquidator?: string;
  chainId: bigint;
  dryRun: boolean;
  maxFeeGwei: number;
  priorityFeeGwei: number;
  stuckBlocks: number;
  feeBumpPct: number;
  retries: number;
  maxPerTick: number;
  stateFile?: string;
}

export interface InFlight {
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
  // for the profit accounting of a liquidation
  debtAsset?: string;
  collateral?: string;
  debtPrice?: string;
  collPrice?: string;
  nativeUsd?: string;
  predictedBonus?: string;
  predictedProfit?: string;
  predictedNet?: string; // bonus − swap cost, before gas
}

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

export type SimOutcome = { ok: true; gas: bigint } | { ok: false; gone: boolean; reason: string };

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
  /** Accounts we liquidated, with the block: not re-attempted off a scan older than that block. */
  readonly done = new Map<string, number>();
  readonly results: LiquidationResult[] = [];
  /** Every liquidation transaction sent (replacements excluded), in order: tests check nothing is sent twice. */
  readonly sentLog: { key: string; nonce: number; block: number }[] = [];
  lostRaces = 0;

  constructor(
    private readonly rpc: Rpc,
    private readonly signer: TxSigner,
    readonly opts: ExecutorOptions,
    private readonly metrics: KeeperMetrics,
    private readonly log: Logger,
  ) {
    this.nonces = new NonceManager({
      count: (tag) => this.rpc.run("eth_getTransactionCount", () => this.rpc.provider.getTransactionCount(this.signer.address, tag)),
    });
    this.load();
  }

  get address(): string {
    return this.signer.address;
  }

  // ------------------------------------------------------------------ persistence

  private load(): void {
    if (!this.opts.stateFile) return;
    const s = readJson<State>(this.opts.stateFile);
    if (!s) return;
    for (const t of s.inflight) {
      this.inflight.set(t.nonce, t);
      if (t.key) this.busy.add(t.key);
    }
    for (const [k, b] of s.done) this.done.set(k, b);
    this.log.info({ inflight: this.inflight.size }, "executor state resumed");
  }

  private save(): void {
    if (!this.opts.stateFile) return;
    const done = [...this.done.entries()].slice(-5_000);
    writeJsonAtomic(this.opts.stateFile, { version: 1, inflight: [...this.inflight.values()], done } satisfies State);
  }

  // ------------------------------------------------------------------ fees

  /** EIP-1559 fees from the head's base fee: maxFee = min(2·base + tip, cap). Undefined if even base + tip is above the cap. */
  fees(baseFee: bigint): { maxFee: bigint; prio: bigint } | undefined {
    const cap = gwei(this.opts.maxFeeGwei);
    const prio = gwei(this.opts.priorityFeeGwei);
    if (baseFee + prio > cap) return undefined;
    const want = 2n * baseFee + prio;
    return { maxFee: want < cap ? want : cap, prio };
  }

  // ------------------------------------------------------------------ calls

  liquidationCall(p: Plan): { to: string; data: string } {
    if (this.opts.mode === "flash") {
      if (!this.opts.flashLiquidator || !p.path) throw new Error("flash mode needs a FlashLiquidator and a path");
      return {
        to: this.opts.flashLiquidator,
        data: flashIface.encodeFunctionData("liquidate", [
          {
            owner: getAddress(p.owner),
            subId: p.subId,
            collateralAsset: p.collateral,
            debtAsset: p.debtAsset,
            // A partial plan repays exactly its chunk (the pool seizes proportionally); a full one lets the pool
            // take its maximum at execution time (interest moves it by a hair between scan and block).
            maxRepay: p.partial ? p.repay : MaxUint256,
            minSeized: 0n,
            path: p.path,
            minProfit: p.minProfit,
          },
        ]),
      };
    }
    return {
      to: this.opts.pool,
      data: poolIface.encodeFunctionData("liquidate", [getAddress(p.owner), p.subId, p.collateral, p.partial ? p.repay : MaxUint256, p.minSeized, this.signer.address, "0x"]),
    };
  }

  /** Decodes a revert into the custom error's name, if one of ours. */
  static revertName(e: unknown): string | undefined {
    const data = findRevertData(e);
    if (!data) return undefined;
    for (const iface of [poolIface, flashIface]) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) return parsed.name;
      } catch {
        // not this one
      }
    }
    return undefined;
  }

  /** eth_call then eth_estimateGas from the keeper's address. */
  async simulate(call: { to: string; data: string }): Promise<SimOutcome> {
    const tx = { from: this.signer.address, to: call.to, data: call.data };
    try {
      await this.rpc.call(tx, "latest");
      const gas = await this.rpc.run("eth_estimateGas", () => this.rpc.provider.estimateGas(tx));
      return { ok: true, gas };
    } catch (e) {
      const name = Executor.revertName(e);
      if (name) return { ok: false, gone: GONE_ERRORS.has(name), reason: name };
      return { ok: false, gone: false, reason: errText(e).slice(0, 200) };
    }
  }

  // ------------------------------------------------------------------ sending

  /** Signs and broadcasts `req` at `nonce`; rebroadcasts the same bytes on transient errors. */
  private async signAndSend(req: { to: string; data: string; gasLimit: bigint; maxFee: bigint; prio: bigint }, nonce: number): Promise<{ hash: string; raw: string }> {
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
    const hash = Transaction.from(raw).hash!;
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
        if (/nonce too low|nonce has already been used|replacement transaction underpriced|insufficient funds|intrinsic gas|exceeds block gas limit|invalid sender/.test(t)) {
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

  /** Sends a non-liquidation transaction (volatility update, approval) through the same nonce and fee machinery. */
  async sendOther(kind: "volatility" | "approve", call: { to: string; data: string }, head: number, baseFee: bigint): Promise<string | undefined> {
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
    const gasLimit = (sim.gas * 13n) / 10n + 10_000n;
    const { hash, raw, nonce } = await this.nonces.use(async (nonce) => ({ nonce, ...(await this.signAndSend({ ...call, gasLimit, ...fees }, nonce)) }));
    this.track({ kind, nonce, to: call.to, data: call.data, gasLimit: gasLimit.toString(), maxFee: fees.maxFee.toString(), prio: fees.prio.toString(), hashes: [hash], raw, sentBlock: head, bumpedBlock: head });
    return hash;
  }

  private track(t: InFlight): void {
    this.inflight.set(t.nonce, t);
    if (t.key) this.busy.add(t.key);
    this.save();
  }

  /** Approves the pool to pull every listed debt asset (own mode). */
  async ensureApprovals(assets: string[], head: number, baseFee: bigint): Promise<void> {
    for (const a of assets) {
      const ret = await this.rpc.call({ to: a, data: erc20Iface.encodeFunctionData("allowance", [this.signer.address, this.opts.pool]) });
      const [allowance] = erc20Iface.decodeFunctionResult("allowance", ret);
      if (allowance >= MaxUint256 / 2n) continue;
      await this.sendOther("approve", { to: a, data: erc20Iface.encodeFunctionData("approve", [this.opts.pool, MaxUint256]) }, head, baseFee);
    }
  }

  /**
   * Executes `plans` (already ranked) seen at `scanBlock`: skips accounts in flight or liquidated since, simulates
   * all in parallel, then signs and sends in order. Returns the plans sent.
   */
  async execute(
    plans: Plan[],
    ctx: { scanBlock: number; head: number; baseFee: bigint; prices: Map<string, bigint>; nativeUsd: bigint },
  ): Promise<Plan[]> {
    const fees = this.fees(ctx.baseFee);
    if (!fees) {
      this.metrics.liquidationsSkipped.inc({ reason: "fee-cap" }, plans.length);
      this.log.warn({ baseFee: ctx.baseFee.toString(), capGwei: this.opts.maxFeeGwei }, "base fee above the cap: not sending");
      return [];
    }
    const todo = plans
      .filter((p) => {
        if (this.busy.has(p.key)) return false;
        const d = this.done.get(p.key);
        return d === undefined || d < ctx.scanBlock;
      })
      .slice(0, this.opts.maxPerTick);
    const calls = todo.map((p) => this.liquidationCall(p));
    const sims = await mapLimit(calls, 8, (c) => this.simulate(c));
    const sent: Plan[] = [];
    for (let i = 0; i < todo.length; i++) {
      const p = todo[i];
      const sim = sims[i];
      if (!sim.ok) {
        if (sim.gone) {
          // Lost the race before sending: someone liquidated first, or the account recovered.
          this.lostRaces++;
          this.metrics.liquidationsLost.inc();
          this.log.info({ account: p.key, reason: sim.reason }, "account no longer liquidatable (lost race)");
        } else {
          this.metrics.liquidationsSkipped.inc({ reason: "simulation" });
          this.log.warn({ account: p.key, reason: sim.reason }, "simulation failed; skipping");
        }
        continue;
      }
      if (this.opts.dryRun) {
        this.metrics.dryRunLiquidations.inc();
        this.log.info({ account: p.key, repay: p.repay.toString(), profitUsd: wadToNumber(p.profit), gas: sim.gas.toString() }, "dry run: would liquidate");
        sent.push(p);
        continue;
      }
      const gasLimit = (sim.gas * 13n) / 10n + 20_000n;
      try {
        const { hash, raw, nonce } = await this.nonces.use(async (nonce) => ({ nonce, ...(await this.signAndSend({ ...calls[i], gasLimit, ...fees }, nonce)) }));
        this.sentLog.push({ key: p.key, nonce, block: ctx.head });
        this.metrics.liquidationsSent.inc();
        this.track({
          kind: "liquidation",
          key: p.key,
          nonce,
          to: calls[i].to,
          data: calls[i].data,
          gasLimit: gasLimit.toString(),
          maxFee: fees.maxFee.toString(),
          prio: fees.prio.toString(),
          hashes: [hash],
          raw,
          sentBlock: ctx.head,
          bumpedBlock: ctx.head,
          debtAsset: p.debtAsset,
          collateral: p.collateral,
          debtPrice: (ctx.prices.get(p.debtAsset.toLowerCase()) ?? 0n).toString(),
          collPrice: (ctx.prices.get(p.collateral.toLowerCase()) ?? 0n).toString(),
          nativeUsd: ctx.nativeUsd.toString(),
          predictedBonus: p.bonusValue.toString(),
          predictedProfit: p.profit.toString(),
          predictedNet: (p.bonusValue - p.swapCost).toString(),
        });
        this.log.info({ account: p.key, nonce, hash, profitUsd: wadToNumber(p.profit) }, "liquidation sent");
        sent.push(p);
      } catch (e) {
        this.metrics.liquidationsSkipped.inc({ reason: "send-failed" });
        this.log.error({ account: p.key, err: errText(e) }, "liquidation send failed");
      }
    }
    return sent;
  }

  // ------------------------------------------------------------------ settlement

  /** Checks every transaction in flight: records the mined ones, replaces the stuck ones. */
  async settle(head: number, baseFee: bigint): Promise<void> {
    if (this.inflight.size === 0) return;
    let changed = false;
    const latestCount = await this.nonces["source"].count("latest");
    for (const t of [...this.inflight.values()].sort((a, b) => a.nonce - b.nonce)) {
      let receipt: TransactionReceipt | null = null;
      for (const h of t.hashes) {
        receipt = await this.rpc.run("eth_getTransactionReceipt", () => this.rpc.provider.getTransactionReceipt(h));
        if (receipt) break;
      }
      if (receipt) {
        this.finish(t, receipt);
        changed = true;
        continue;
      }
      if (t.nonce < latestCount) {
        // The nonce was used by a transaction we no longer know (should not happen): give up on this one.
        this.log.warn({ nonce: t.nonce, kind: t.kind, key: t.key }, "nonce consumed by another transaction");
        this.drop(t);
        changed = true;
        continue;
      }
      if (this.opts.dryRun) continue;
      if (!(await this.known(t.hashes[t.hashes.length - 1]))) {
        // Dropped from the mempool (a reorg, a node restart): put the same bytes back.
        try {
          await this.broadcast(t.raw, t.hashes[t.hashes.length - 1]);
          this.log.info({ nonce: t.nonce }, "rebroadcast a dropped transaction");
        } catch (e) {
          this.log.warn({ nonce: t.nonce, err: errText(e) }, "rebroadcast failed");
        }
      }
      if (head - t.bumpedBlock >= this.opts.stuckBlocks) {
        changed = (await this.replace(t, head, baseFee)) || changed;
      }
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

  private finish(t: InFlight, r: TransactionReceipt): void {
    this.drop(t);
    if (t.kind !== "liquidation" || !t.key) {
      if (t.kind === "volatility" && r.status === 1) this.metrics.volUpdates.inc();
      return;
    }
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
        if (l.address.toLowerCase() === this.opts.pool.toLowerCase()) {
          const ev = safeParse(poolIface, l);
          if (ev?.name === "Liquidate") {
            res.repaid = ev.args.repaid;
            res.seizedNet = (ev.args.seized as bigint) - (ev.args.protocolFee as bigint);
          }
        } else if (this.opts.flashLiquidator && l.address.toLowerCase() === this.opts.flashLiquidator.toLowerCase()) {
          const ev = safeParse(flashIface, l);
          if (ev?.name === "Liquidated") res.flashProfit = ev.args.profit;
        }
      }
      const debtPrice = BigInt(t.debtPrice ?? "0");
      const collPrice = BigInt(t.collPrice ?? "0");
      res.seizedValue = (res.seizedNet * collPrice) / WAD;
      res.realizedBonus = (res.seizedNet * collPrice) / WAD - (res.repaid * debtPrice + WAD - 1n) / WAD;
      res.profit = (this.opts.mode === "flash" ? (res.flashProfit * debtPrice) / WAD : res.realizedBonus) - gasCost;
      this.done.set(t.key, r.blockNumber);
      this.metrics.liquidationsWon.inc();
      if (res.profit > 0n) this.metrics.profitUsd.inc(wadToNumber(res.profit));
      this.log.info({ account: t.key, block: r.blockNumber, profitUsd: wadToNumber(res.profit), repaid: res.repaid.toString() }, "liquidation won");
    } else {
      this.lostRaces++;
      this.metrics.liquidationsLost.inc();
      this.log.info({ account: t.key, block: r.blockNumber, hash: r.hash }, "liquidation reverted on chain (lost race)");
    }
    this.results.push(res);
  }

  /** After a reorg: forget liquidations above the fork point and re-read the nonce. */
  async onReorg(fork: number): Promise<void> {
    for (const [k, b] of this.done) if (b > fork) this.done.delete(k);
    // A result mined above the fork may be gone: the account is scanned again and re-liquidated if still unhealthy.
    for (let i = this.results.length - 1; i >= 0; i--) if (this.results[i].block > fork) this.results.splice(i, 1);
    const latest = await this.nonces["source"].count("latest");
    for (const t of [...this.inflight.values()]) {
      if (t.nonce >= latest && !(await this.known(t.hashes[t.hashes.length - 1]))) this.drop(t);
    }
    await this.nonces.resync();
    this.save();
  }

  /** Used by the volatility updater: whether a transaction of that kind is in flight. */
  hasInflight(kind: InFlight["kind"]): boolean {
    for (const t of this.inflight.values()) if (t.kind === kind) return true;
    return false;
  }
}

function findRevertData(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== "object" || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8}/.test(o.data)) return o.data;
    for (const k of ["error", "info", "cause", "data"]) {
      const r = walk(o[k]);
      if (r) return r;
    }
    return undefined;
  };
  return walk(e);
}

function safeParse(iface: typeof poolIface, l: { topics: readonly string[]; data: string }) {
  try {
    return iface.parseLog({ topics: [...l.topics], data: l.data });
  } catch {
    return null;
  }
}

export { riskIface };
