// Shared setup of the keeper tests and the keeper bench: a pool with many borrowers, a Lens, a keeper wallet, an
// EIP-1193 wrapper that injects RPC faults, and a driver that ticks the keeper and mines.
import { ethers } from "hardhat";
import { type Eip1193Provider } from "ethers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import type { Deployment } from "../../keeper/config";
import type { FulcraLens } from "../../typechain-types";
import { walletAt, KEEPER_INDEX } from "../../lib/fixtures/keeper";

// The keeper-free fixtures (accounts, the WETH drop, Liquidate events, a Uniswap market) are lib/fixtures/keeper.ts;
// what drives the keeper in process is bench/lib/keeper.ts. The tests import them through this file.
export {
  MNEMONIC,
  walletAt,
  KEEPER_INDEX,
  COMPETITOR_INDEX,
  DROPPED_WETH,
  dropWeth,
  liquidations,
} from "../../lib/fixtures/keeper";
export { makeProvider, quietLogger, makeKeeper, stepAndMine, addUniswap } from "../../bench/lib/keeper";

export interface BorrowerSpec {
  ownerIndex: number; // signer index
  subId: bigint;
  collateral: "WETH" | "WBTC";
  usage: number; // debt / borrowing power
}

export interface KeeperFixture extends PoolFixture {
  lens: FulcraLens;
  deployment: Deployment;
  borrowers: BorrowerSpec[];
  deployBlock: number;
}

/** Borrow usages: after WETH falls 2000 → 1700 the health is 0.8766 / usage, so usage ≥ 0.9 is liquidatable. */
export const USAGES = [0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0];

export function isLiquidatableAfterDrop(b: BorrowerSpec): boolean {
  return b.collateral === "WETH" && b.usage > 0.8766;
}

/**
 * A pool with `n` borrowers: owners = signers 1..10, sub-accounts 0..; 3 of 4 post 1 WETH, 1 of 4 posts 0.05 WBTC,
 * each borrows USDC at a usage from USAGES. Signer 0 lends 20M USDC.
 */
export async function deployKeeperWorld(n: number): Promise<KeeperFixture> {
  const f = await deployPoolFixture();
  const signers = await ethers.getSigners();
  const deployBlock = (await ethers.provider.getBlockNumber()) - 20; // well before the first event
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  await f.usdc.token.mint(f.admin.address, units(f.usdc, 30_000_000));
  await f.usdc.token.connect(f.admin).approve(f.poolAddress, ethers.MaxUint256);
  await f.pool.connect(f.admin).supply(f.usdc.address, units(f.usdc, 20_000_000), 0n, f.admin.address);
  const owners = signers.slice(1, 11);
  for (const o of owners) {
    await f.weth.token.mint(o.address, units(f.weth, 1_000));
    await f.wbtc.token.mint(o.address, units(f.wbtc, 100));
    await f.weth.token.connect(o).approve(f.poolAddress, ethers.MaxUint256);
    await f.wbtc.token.connect(o).approve(f.poolAddress, ethers.MaxUint256);
  }
  const borrowers: BorrowerSpec[] = [];
  for (let i = 0; i < n; i++) {
    const ownerIndex = 1 + (i % owners.length);
    const subId = BigInt(Math.floor(i / owners.length));
    const collateral = i % 4 === 3 ? "WBTC" : "WETH";
    const usage = USAGES[Math.floor(i / 4) % USAGES.length];
    borrowers.push({ ownerIndex, subId, collateral, usage });
  }
  for (const b of borrowers) {
    const o = signers[b.ownerIndex];
    const asset = b.collateral === "WETH" ? f.weth : f.wbtc;
    const amount = b.collateral === "WETH" ? units(f.weth, 1) : units(f.wbtc, "0.05");
    const powerUsd = b.collateral === "WETH" ? 2000 * 0.8 : 3000 * 0.73;
    await f.pool.connect(o).supplyCollateral(asset.address, amount, o.address, b.subId);
    // Borrow a hair under the usage (the borrow check is on the LTV side, rounding against the borrower).
    const borrow = units(f.usdc, (powerUsd * b.usage - 0.01).toFixed(6));
    await f.pool.connect(o).borrow(f.usdc.address, borrow, o.address, b.subId, o.address);
  }
  const deployment: Deployment = {
    pool: f.poolAddress,
    lens: await lens.getAddress(),
    assets: [f.usdc, f.weth, f.wbtc].map((a) => ({ symbol: a.symbol, address: a.address })),
    deployBlock,
  };
  // The keeper's own balance for own-mode liquidations.
  const keeper = walletAt(KEEPER_INDEX);
  await f.usdc.token.mint(keeper.address, units(f.usdc, 5_000_000));
  return { ...f, lens, deployment, borrowers, deployBlock };
}

/** Wraps an EIP-1193 provider: a share of calls fail at once or time out; sends may fail after reaching the node. */
export class FaultyProvider implements Eip1193Provider {
  failRate = 0;
  timeoutRate = 0;
  timeoutMs = 300;
  /** eth_sendRawTransaction: share of sends that reach the node but report an error anyway. */
  lostAckRate = 0;
  calls = 0;
  injected = 0;
  private seed: number;
  readonly methods = new Set([
    "eth_call",
    "eth_getLogs",
    "eth_blockNumber",
    "eth_getBlockByNumber",
    "eth_getTransactionReceipt",
    "eth_getTransactionCount",
    "eth_estimateGas",
    "eth_sendRawTransaction",
    "eth_getTransactionByHash",
  ]);

  constructor(
    private readonly inner: { request(a: { method: string; params?: unknown[] }): Promise<unknown> },
    seed = 42,
  ) {
    this.seed = seed;
  }

  private rand(): number {
    // mulberry32
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  async request(a: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    this.calls++;
    if (this.methods.has(a.method)) {
      const r = this.rand();
      if (r < this.failRate) {
        this.injected++;
        throw Object.assign(new Error(`injected fault: ${a.method} failed (503)`), { code: -32603 });
      }
      if (r < this.failRate + this.timeoutRate) {
        this.injected++;
        await new Promise((res) => setTimeout(res, this.timeoutMs));
        throw Object.assign(new Error(`injected fault: ${a.method} timed out`), { code: -32603 });
      }
      if (a.method === "eth_sendRawTransaction" && this.rand() < this.lostAckRate) {
        this.injected++;
        await this.inner.request(a as { method: string; params?: unknown[] });
        throw Object.assign(new Error("injected fault: connection reset after send"), { code: -32603 });
      }
    }
    return this.inner.request(a as { method: string; params?: unknown[] });
  }
}
