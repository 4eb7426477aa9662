// The keeper as the simulation drives it. `SimKeeper` is a minimal in-process keeper (risk-engine update, then a
// FulcraLens scan and flash liquidations through Uniswap); the real keeper (keeper/) plugs in behind the same
// interface through `createKeeper`.
import { ethers } from "hardhat";
import type { ContractTransactionReceipt, Log } from "ethers";
import { pathKey, type World } from "./world";
import { mined } from "../lib/tx";

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
  /** Accounts (`owner:subId`, owner lower-case) the keeper sent a liquidation for in this tick. */
  attempted: string[];
  /** Accounts the keeper saw liquidatable but did not liquidate (unprofitable: slippage above the bonus). */
  skipped: string[];
  /** Keeper transactions that reverted on chain in this tick. */
  reverted: number;
}

/** The account key the keeper and the driver share: lower-case owner and decimal subId. */
export const accountKeyOf = (owner: string, subId: bigint) => `${owner.toLowerCase()}:${subId}`;

export interface SimKeeperLike {
  tick(): Promise<KeeperTick>;
}

export interface Watched {
  owner: string;
  subId: bigint;
}

/** Parses the pool's Liquidate and BadDebt events out of a receipt. */
export function parsePoolEvents(
  w: World,
  receipt: ContractTransactionReceipt | null,
): Pick<KeeperTick, "liquidations" | "badDebts"> {
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
    const result = emptyTick();
    const engine = w.risk.engine.connect(w.keeper);
    const upd = await mined(engine.updateMany(this.riskAssets));
    result.gasUsed += upd.gasUsed;

    const accounts = this.watched();
    const [, candidates] = await w.lens.liquidatable(
      accounts.map((a) => a.owner),
      accounts.map((a) => a.subId),
    );
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the lens reports only the world's assets
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
        const receipt = await mined(w.liquidator.connect(w.keeper).liquidate(order));
        result.gasUsed += receipt.gasUsed;
        const ev = parsePoolEvents(w, receipt);
        result.liquidations.push(...ev.liquidations);
        result.badDebts.push(...ev.badDebts);
        done = true;
        break;
      }
      if (done) result.attempted.push(accountKeyOf(c.owner, c.subId));
      else {
        result.failed++;
        result.skipped.push(accountKeyOf(c.owner, c.subId));
      }
    }
    return result;
  }
}

/** Hardhat's default mnemonic: the keeper's key is account #1, which owns the FlashLiquidator. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * The real keeper (keeper/), in process: its indexer finds the accounts from the pool's events, its scanner reads
 * them through FulcraLens, its strategy quotes the swap on Uniswap's QuoterV2 and its executor sends flash
 * liquidations from the keeper's key; its volatility updater calls RiskEngine.updateMany every SIM_VOL_INTERVAL
 * seconds (600 by default: every 15-minute step). This adapter
 * ticks it once per step and reads what it did from the chain: the pool's Liquidate/BadDebt events and the gas of
 * every transaction the keeper's address sent in the blocks the tick produced.
 */
export class RealKeeper implements SimKeeperLike {
  private keeper?: import("../keeper/keeper").Keeper;
  private provider?: import("ethers").BrowserProvider;

  constructor(
    private readonly w: World,
    private readonly deployBlock: number,
  ) {}

  private async init() {
    if (this.keeper) return;
    const { Keeper } = await import("../keeper/keeper");
    const pino = (await import("pino")).default;
    const { network } = await import("hardhat");
    const { BrowserProvider, Network, HDNodeWallet } = await import("ethers");
    const w = this.w;
    this.provider = new BrowserProvider(network.provider, Network.from(31337n), {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    const signer = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0/1").connect(this.provider);
    if (signer.address !== w.keeper.address) throw new Error("keeper key mismatch");
    this.keeper = new Keeper({
      provider: this.provider,
      signer,
      deployment: {
        chainId: 31337,
        pool: w.poolAddress,
        lens: await w.lens.getAddress(),
        flashLiquidator: await w.liquidator.getAddress(),
        riskEngine: await w.risk.engine.getAddress(),
        quoter: w.uni.addresses.quoter,
        assets: Object.values(w.assets).map((a) => ({
          symbol: a.symbol,
          address: a.address,
          decimals: a.spec.decimals,
        })),
        deployBlock: this.deployBlock,
      },
      logger: pino({ level: process.env.KEEPER_LOG ?? "silent" }),
      config: {
        mode: "flash",
        confirmations: 0,
        metricsPort: 0,
        volIntervalSec: Number(process.env.SIM_VOL_INTERVAL ?? 600),
        feeTiers: [3000],
      },
    });
    await this.keeper.init();
  }

  async tick(): Promise<KeeperTick> {
    await this.init();
    const w = this.w;
    const from = (await ethers.provider.getBlockNumber()) + 1;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- init() above sets it or throws
    const r = await this.keeper!.safeTick();
    const to = await ethers.provider.getBlockNumber();
    const result = emptyTick();
    for (let b = from; b <= to; b++) {
      const block = await ethers.provider.getBlock(b, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from.toLowerCase() !== w.keeper.address.toLowerCase()) continue;
        const receipt = (await ethers.provider.getTransactionReceipt(tx.hash)) as unknown as ContractTransactionReceipt;
        result.gasUsed += receipt.gasUsed;
        if (receipt.status === 0) {
          result.reverted++;
          if (process.env.SIM_DEBUG_REVERTS) {
            // Why it reverted: the same call replayed on the parent block (one transaction per block here).
            const { revertName } = await import("../keeper/errors");
            try {
              await ethers.provider.call({
                from: tx.from,
                to: tx.to,
                data: tx.data,
                blockTag: receipt.blockNumber - 1,
              });
              console.error(`keeper tx reverted at block ${b}; passes on its parent block`);
            } catch (e) {
              const data = (e as { data?: string }).data ?? "";
              const text = data.startsWith("0x08c379a0")
                ? ethers.AbiCoder.defaultAbiCoder().decode(["string"], "0x" + data.slice(10))[0]
                : undefined;
              console.error(`keeper tx reverted at block ${b}: ${text ?? revertName(e) ?? data.slice(0, 74)}`);
            }
          }
        }
        const ev = parsePoolEvents(w, receipt);
        result.liquidations.push(...ev.liquidations);
        result.badDebts.push(...ev.badDebts);
      }
    }
    if (r) {
      result.failed = Math.max(0, r.liquidatable.length - r.sent.length);
      result.attempted = [...r.sent];
      const sent = new Set(r.sent);
      result.skipped = r.liquidatable.map((s) => s.key).filter((k) => !sent.has(k));
    }
    return result;
  }
}

export type KeeperKind = "keeper" | "sim";

/** The keeper the simulation uses: the real in-process Keeper (default), or SimKeeper with SIM_KEEPER=sim. */
export function createKeeper(
  w: World,
  watched: () => Watched[],
  riskAssets: string[],
  deployBlock: number,
): SimKeeperLike {
  if (keeperKind() === "sim") return new SimKeeper(w, watched, riskAssets);
  return new RealKeeper(w, deployBlock);
}

export const keeperKind = (): KeeperKind => (process.env.SIM_KEEPER === "sim" ? "sim" : "keeper");

/** A tick that did nothing yet: what each keeper kind fills in. */
function emptyTick(): KeeperTick {
  return { gasUsed: 0n, liquidations: [], badDebts: [], failed: 0, attempted: [], skipped: [], reverted: 0 };
}
