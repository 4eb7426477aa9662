// Volatility updater: calls the risk engine's updateMany for the deployment's assets on a schedule, so the
// volatility oracle and the dynamic LTV/LT stay fresh. Simulated first; a call that would change nothing is still
// sent (the oracle's own update needs it), but never while a previous one is in flight.
import type { Logger } from "pino";
import { riskIface } from "./abis";
import type { Executor } from "./executor";

export interface VolatilityOptions {
  riskEngine?: string;
  assets: string[];
  intervalSec: number;
}

export class VolatilityUpdater {
  private lastRun = -Infinity; // unix seconds (chain time) of the last send
  sent = 0;

  constructor(
    readonly opts: VolatilityOptions,
    private readonly executor: Executor,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return Boolean(this.opts.riskEngine) && this.opts.intervalSec > 0 && this.opts.assets.length > 0;
  }

  /** Whether an update is due at chain time `now`. */
  due(now: number): boolean {
    return this.enabled && now - this.lastRun >= this.opts.intervalSec && !this.executor.hasInflight("volatility");
  }

  /** Sends updateMany if due; returns the transaction hash (undefined if not due, dry run, or simulation failed). */
  async maybeUpdate(now: number, head: number, baseFee: bigint): Promise<string | undefined> {
    if (!this.due(now)) return undefined;
    this.lastRun = now;
    const data = riskIface.encodeFunctionData("updateMany", [this.opts.assets]);
    // due() is false unless `enabled`, which requires riskEngine: this check never fails.
    const to = this.opts.riskEngine;
    if (!to) throw new Error("volatility update due without a risk engine");
    const hash = await this.executor.sendOther("volatility", { to, data }, head, baseFee);
    if (hash) {
      this.sent++;
      this.log.info({ hash, assets: this.opts.assets.length }, "risk engine updateMany sent");
    }
    return hash;
  }
}
