// The pool's prices of the deployment's assets, the move since the last full scan that triggers a new one, and the
// USD price of the gas token.
import { poolIface } from "./abis";
import type { Deployment } from "./config";
import type { Rpc } from "./rpc";

export class PriceWatch {
  /** Prices at the last full scan. */
  private fullScanPrices = new Map<string, bigint>();

  constructor(
    private readonly rpc: Rpc,
    private readonly deployment: Deployment,
    private readonly opts: { priceTriggerBps: number; nativeUsd?: number; nativeSymbol: string },
  ) {}

  /** The pool price of every deployment asset at `blockTag` (lower-case address → price). */
  async prices(blockTag: number): Promise<Map<string, bigint>> {
    const d = this.deployment;
    const entries = await Promise.all(
      d.assets.map(async (a) => {
        try {
          const ret = await this.rpc.call(
            { to: d.pool, data: poolIface.encodeFunctionData("price", [a.address]) },
            blockTag,
          );
          return [a.address.toLowerCase(), poolIface.decodeFunctionResult("price", ret)[0] as bigint] as const;
        } catch {
          return [a.address.toLowerCase(), 0n] as const; // an unusable feed: the Lens reports ok=false for its accounts
        }
      }),
    );
    return new Map(entries);
  }

  /** Whether any price moved by priceTriggerBps (or appeared / vanished) since the last full scan. */
  moved(p: Map<string, bigint>): boolean {
    if (this.fullScanPrices.size === 0) return true;
    const bps = BigInt(Math.round(this.opts.priceTriggerBps));
    for (const [a, now] of p) {
      const then = this.fullScanPrices.get(a) ?? 0n;
      if (then === 0n || now === 0n) {
        if (then !== now) return true;
        continue;
      }
      const diff = now > then ? now - then : then - now;
      if (diff * 10_000n >= then * bps) return true;
    }
    return false;
  }

  fullScanAt(p: Map<string, bigint>): void {
    this.fullScanPrices = p;
  }

  /** USD (WAD) per wei of the gas token: --native-usd, else the pool's price of --native-symbol. */
  nativeUsd(prices: Map<string, bigint>): bigint {
    if (this.opts.nativeUsd !== undefined) return BigInt(Math.round(this.opts.nativeUsd * 1e6)) * 10n ** 12n;
    const a = this.deployment.assets.find((x) => x.symbol === this.opts.nativeSymbol);
    return a ? (prices.get(a.address.toLowerCase()) ?? 0n) : 0n;
  }
}
