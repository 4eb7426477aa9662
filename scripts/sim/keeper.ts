// The keeper as the simulation drives it. `SimKeeper` is a minimal in-process keeper (risk-engine update, then a
// FulcraLens scan and flash liquidations through Uniswap); the real keeper (keeper/) plugs in behind the same
// interface through `createKeeper`.
import { ethers } from "hardhat";
import type { ContractTransactionReceipt, Log } from "ethers";
import { pathKey, type World } from "./world";

export interface LiquidationRecord {
  txHash: string;
  block: number;
  owner: string;
  subId: bigint;
  debtAsset: string;
  collateralAsset: string;
  repaid: bigint;
  seized: bigint; // taken from the account (protocol fee included)
  protocolFee: bigint;
  healthFactor: bigint;
}

export interface BadDebtRecord {
  txHash: string;
  block: number;
  asset: string;
  owner: string;
  subId: bigint;
  debt: bigint;
  coveredByReserves: bigint;
  socialized: bigint;
}

export interface KeeperTick {
  gasUsed: bigint;
  liquidations: LiquidationRecord[];
  badDebts: BadDebtRecord[];
  failed: number; // liquidatable accounts the keeper could not liquidate profitably
}

export interface SimKeeperLike {
  tick(): Promise<KeeperTick>;
}

export interface Watched {
  owner: string;
  subId: bigint;
}

/** Parses the pool's Liquidate and BadDebt events out of a receipt. */
export function parsePoolEvents(w: World, receipt: ContractTransactionReceipt | null): Pick<KeeperTick, "liquidations" | "badDebts"> {
  const out: Pick<KeeperTick, "liquidations" | "badDebts"> = { liquidations: [], badDebts: [] };
  if (!receipt) return out;
  for (const log of receipt.logs as Log[]) {
    if (log.address.toLowerCase() !== w.poolAddress.toLowerCase()) continue;
    let parsed;
    try {
      parsed = w.pool.interface.parseLog(log);
    } catch {
      continue;
    }
    if (!parsed) continue;
    if (parsed.name === "Liquidate") {
      const a = parsed.args;
      out.liquidations.push({
        txHash: receipt.hash,
        block: receipt.blockNumber,
        owner: a.owner,
        subId: a.subId,
        debtAsset: a.debtAsset,
        collateralAsset: a.collateralAsset,
        repaid: a.repaid,
        seized: a.seized,
        protocolFee: a.protocolFee,
        healthFactor: a.healthFactor,
      });
    } else if (parsed.name === "BadDebt") {
      const a = parsed.args;
      out.badDebts.push({
        txHash: receipt.hash,
        block: receipt.blockNumber,
        asset: a.asset,
        owner: a.owner,
        subId: a.subId,
        debt: a.debt,
        coveredByReserves: a.coveredByReserves,
        socialized: a.socialized,
      });
    }
  }
  return out;
}

/**
 * Minimal keeper: each tick it asks the risk engine to refresh every collateral asset (a no-op in static mode),
 * then liquidates every account the lens reports liquidatable, through the FlashLiquidator (seized collateral sold
 * on Uniswap inside the pool's callback, so the keeper needs no capital and pays real slippage). A liquidation whose
 * swap does not cover the repay is simulated first and skipped (tried again at half and a quarter of the size).
 */
export class SimKeeper implements SimKeeperLike {
  constructor(
    private readonly w: World,
    private readonly watched: () => Watched[],
    private readonly riskAssets: string[],
  ) {}

  async tick(): Promise<KeeperTick> {
    const { w } = this;
    const result: KeeperTick = { gasUsed: 0n, liquidations: [], badDebts: [], failed: 0 };
    const engine = w.risk.engine.connect(w.keeper);
    const upd = await (await engine.updateMany(this.riskAssets)).wait();
    result.gasUsed += upd!.gasUsed;

    const accounts = this.watched();
    const [, candidates] = await w.lens.liquidatable(
      accounts.map((a) => a.owner),
      accounts.map((a) => a.subId),
    );
    const symOf = (addr: string) => Object.values(w.assets).find((a) => a.address === addr)!.symbol;
    for (const c of candidates) {
      const path = w.paths[pathKey(symOf(c.bestCollateral), symOf(c.debtAsset))];
      if (!path) continue;
      let done = false;
      for (const div of [1n, 2n, 4n]) {
        const order = {
          owner: c.owner,
          subId: c.subId,
          collateralAsset: c.bestCollateral,
          debtAsset: c.debtAsset,
          maxRepay: div === 1n ? ethers.MaxUint256 : c.maxRepay / div,
          minSeized: 0n,
          path,
          minProfit: 0n,
        };
        try {
          await w.liquidator.connect(w.keeper).liquidate.staticCall(order);
        } catch {
          continue;
        }
        const receipt = await (await w.liquidator.connect(w.keeper).liquidate(order)).wait();
        result.gasUsed += receipt!.gasUsed;
        const ev = parsePoolEvents(w, receipt);
        result.liquidations.push(...ev.liquidations);
        result.badDebts.push(...ev.badDebts);
        done = true;
        break;
      }
      if (!done) result.failed++;
    }
    return result;
  }
}

/** The keeper the simulation uses: the real in-process Keeper once keeper/ is merged, else SimKeeper. */
export function createKeeper(w: World, watched: () => Watched[], riskAssets: string[]): SimKeeperLike {
  return new SimKeeper(w, watched, riskAssets);
}
