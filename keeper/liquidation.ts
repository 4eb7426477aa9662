// One small interface per way of funding a liquidation (the way Gearbox's liquidator has ILiquidationStrategy):
// flash (capital-free through the FlashLiquidator, the seized collateral sold on Uniswap V3 in the same transaction)
// and own capital (the keeper repays from its balance and keeps the collateral). The planner, the liquidation
// runner and the keeper call these and never branch on the mode themselves.
import type { TransactionReceipt } from "ethers";
import type { Mode } from "./config";
import type { Call, Executor } from "./executor";
import type { Snapshot } from "./scanner";

export interface Plan {
  key: string;
  owner: string;
  subId: bigint;
  debtAsset: string;
  collateral: string;
  repay: bigint; // debt-asset units: the Lens's max repay, or a fraction of it (partial)
  /** A chunk of the allowed repay (maxRepay / 2^k): the full one was unprofitable after the swap. */
  partial: boolean;
  seized: bigint; // collateral units the liquidator receives (net of the protocol fee)
  bonusValue: bigint; // USD (WAD)
  gasCost: bigint; // USD (WAD)
  swapCost: bigint; // USD (WAD); 0 in own mode
  profit: bigint; // USD (WAD), may be negative
  gas: number;
  // flash mode
  path?: string;
  quotedOut?: bigint; // debt-asset units the swap of `seized` is quoted to return
  minProfit: bigint; // debt-asset units (flash: passed to the FlashLiquidator)
  minSeized: bigint; // collateral units (pool-side slippage guard)
}

export interface StrategyContext {
  prices: Map<string, bigint>; // lower-case asset → pool price (USD·1e18 per unit)
  gasPrice: bigint; // wei per gas the keeper expects to pay
  nativeUsd: bigint; // USD·1e18 per wei of the gas token (the pool price of wrapped native)
  balances?: Map<string, bigint>; // own mode: the keeper's balance per debt asset (lower-case)
}

/** Why an account was left out of the plans. */
export interface Skip {
  skip: string;
  profit?: bigint;
}

export interface LiquidationStrategy {
  readonly mode: Mode;
  /** Gas assumed per liquidation when estimating the profit before simulating. */
  readonly gas: number;
  /** Whether a plan is re-quoted against "pending" when an earlier liquidation of the same block moved the state. */
  readonly replans: boolean;
  /** Once, before the first liquidation (own capital: approve the pool to pull every debt asset). */
  prepare(executor: Executor, assets: string[], head: number, baseFee: bigint): Promise<void>;
  /** What the planner needs to know about the keeper's funds this block (own capital: its balances). */
  funds(owner: string, assets: string[]): Promise<Map<string, bigint> | undefined>;
  /** The funding-specific part of a plan (flash: quote the swap, maybe a smaller chunk; own: the balance). */
  fund(p: Plan, s: Snapshot, ctx: StrategyContext, minProfit: bigint, blockTag?: number | string): Promise<Plan | Skip>;
  /** The transaction that executes a plan. */
  call(p: Plan): Call;
  /** Profit before gas (USD, WAD) of a mined liquidation, and the flash profit (debt-asset units) if any. */
  proceeds(r: TransactionReceipt, realizedBonus: bigint, debtPrice: bigint): { profit: bigint; flashProfit: bigint };
}
