// The executor's state file: the transactions in flight (signed bytes included, so a restarted keeper rebroadcasts
// or replaces them instead of sending again) and what its listeners keep alongside (the liquidations done).
import type { Logger } from "pino";
import { readJson, writeJsonAtomic } from "./util";

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

/** The state file: transactions in flight, plus what the listeners keep (the liquidations done). */
interface State {
  version: 1;
  inflight: InFlight[];
  done: [string, number][];
}

export type Extra = { get(): [string, number][]; set(v: [string, number][]): void };

export class TxState {
  readonly inflight = new Map<number, InFlight>();
  readonly busy = new Set<string>();
  private extra: Extra = { get: () => [], set: () => {} };
  private loaded?: State;

  constructor(
    private readonly file: string | undefined,
    log: Logger,
  ) {
    const s = file ? readJson<State>(file) : undefined;
    if (!s) return;
    for (const t of s.inflight) {
      this.inflight.set(t.nonce, t);
      if (t.key) this.busy.add(t.key);
    }
    this.loaded = s;
    log.info({ inflight: this.inflight.size }, "executor state resumed");
  }

  persist(extra: Extra): void {
    this.extra = extra;
    if (this.loaded) extra.set(this.loaded.done);
  }

  add(t: InFlight): void {
    this.inflight.set(t.nonce, t);
    if (t.key) this.busy.add(t.key);
    this.save();
  }

  drop(t: InFlight): void {
    this.inflight.delete(t.nonce);
    if (t.key) this.busy.delete(t.key);
  }

  save(): void {
    if (!this.file) return;
    const done = this.extra.get().slice(-5_000);
    writeJsonAtomic(this.file, { version: 1, inflight: [...this.inflight.values()], done } satisfies State);
  }
}
