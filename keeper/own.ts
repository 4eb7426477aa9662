// Own-capital liquidations: the keeper repays the debt from its own balance (the pool pulls it, so every debt asset
// is approved once) and receives the seized collateral. Profit = the bonus at the planning block's prices.
import { MaxUint256, getAddress, type TransactionReceipt } from "ethers";
import { erc20Iface, poolIface } from "./abis";
import type { Call, Executor } from "./executor";
import type { LiquidationStrategy, Plan, Skip, StrategyContext } from "./liquidation";
import type { Rpc } from "./rpc";
import type { Snapshot } from "./scanner";

export interface OwnOptions {
  pool?: string;
  gas: number;
  /** Who receives the collateral (the keeper's address). */
  receiver?: string;
}

export class OwnCapitalStrategy implements LiquidationStrategy {
  readonly mode = "own" as const;
  readonly replans = false;

  constructor(
    private readonly rpc: Rpc | undefined,
    readonly opts: OwnOptions,
  ) {}

  get gas(): number {
    return this.opts.gas;
  }

  async prepare(executor: Executor, assets: string[], head: number, baseFee: bigint): Promise<void> {
    const pool = this.need(this.opts.pool, "pool");
    const rpc = this.need(this.rpc, "rpc");
    for (const a of assets) {
      const ret = await rpc.call({ to: a, data: erc20Iface.encodeFunctionData("allowance", [executor.address, pool]) });
      const [allowance] = erc20Iface.decodeFunctionResult("allowance", ret) as unknown as [bigint];
      if (allowance >= MaxUint256 / 2n) continue;
      await executor.sendOther(
        "approve",
        { to: a, data: erc20Iface.encodeFunctionData("approve", [pool, MaxUint256]) },
        head,
        baseFee,
      );
    }
  }

  async funds(owner: string, assets: string[]): Promise<Map<string, bigint>> {
    const rpc = this.need(this.rpc, "rpc");
    const out = new Map<string, bigint>();
    await Promise.all(
      assets.map(async (a) => {
        const ret = await rpc.call({ to: a, data: erc20Iface.encodeFunctionData("balanceOf", [owner]) });
        out.set(a.toLowerCase(), BigInt(ret));
      }),
    );
    return out;
  }

  fund(p: Plan, s: Snapshot, ctx: StrategyContext): Promise<Plan | Skip> {
    if (ctx.balances) {
      const bal = ctx.balances.get(s.debtAsset.toLowerCase()) ?? 0n;
      if (bal < s.maxRepay) return Promise.resolve({ skip: "insufficient-balance", profit: p.profit });
      ctx.balances.set(s.debtAsset.toLowerCase(), bal - s.maxRepay);
    }
    return Promise.resolve(p);
  }

  call(p: Plan): Call {
    const pool = this.need(this.opts.pool, "pool");
    const receiver = this.need(this.opts.receiver, "receiver");
    return {
      to: pool,
      data: poolIface.encodeFunctionData("liquidate", [
        getAddress(p.owner),
        p.subId,
        p.collateral,
        p.partial ? p.repay : MaxUint256,
        p.minSeized,
        receiver,
        "0x",
      ]),
    };
  }

  proceeds(_r: TransactionReceipt, realizedBonus: bigint): { profit: bigint; flashProfit: bigint } {
    return { profit: realizedBonus, flashProfit: 0n };
  }

  private need<T>(v: T | undefined, what: string): T {
    if (v === undefined) throw new Error(`own-capital liquidations need the ${what}`);
    return v;
  }
}
