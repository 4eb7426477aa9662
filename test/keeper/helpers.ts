// Shared setup of the keeper tests and the keeper bench: a pool with many borrowers, a Lens, a keeper wallet, an
// EIP-1193 wrapper that injects RPC faults, and a driver that ticks the keeper and mines.
import { ethers, network } from "hardhat";
import { BrowserProvider, HDNodeWallet, Network, type Eip1193Provider } from "ethers";
import pino from "pino";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { toFeedAnswer } from "../../lib/protocol";
import { Keeper } from "../../keeper/keeper";
import type { Deployment, KeeperConfig } from "../../keeper/config";
import type { FulcraLens } from "../../typechain-types";
import { deployUniswapV3, createPoolAtPrice, addLiquidityAroundPrice, FEE, type UniswapV3 } from "../../lib/uniswap";

export const MNEMONIC = "test test test test test test test test test test test junk";
export const walletAt = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
export const KEEPER_INDEX = 19;
export const COMPETITOR_INDEX = 18;

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
export const DROPPED_WETH = 1700;

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

export async function dropWeth(f: KeeperFixture, price = DROPPED_WETH): Promise<void> {
  await f.weth.feed.setAnswer(toFeedAnswer(price));
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

export function makeProvider(eip: Eip1193Provider): BrowserProvider {
  return new BrowserProvider(eip, Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 });
}

export const quietLogger = () => pino({ level: process.env.KEEPER_LOG ?? "silent" });

export function makeKeeper(
  f: KeeperFixture,
  opts: {
    eip?: Eip1193Provider;
    config?: Partial<KeeperConfig>;
    signerIndex?: number;
    deployment?: Deployment;
    logger?: pino.Logger;
  } = {},
): Keeper {
  const provider = makeProvider(opts.eip ?? network.provider);
  const signer = walletAt(opts.signerIndex ?? KEEPER_INDEX).connect(provider);
  return new Keeper({
    provider,
    signer,
    deployment: opts.deployment ?? f.deployment,
    logger: opts.logger ?? quietLogger(),
    config: {
      mode: "own",
      confirmations: 0,
      minProfitUsd: 0,
      volIntervalSec: 0,
      metricsPort: 0,
      pageSize: 1_000,
      retries: 6,
      rpcTimeoutMs: 5_000,
      ...opts.config,
    },
  });
}

/** Ticks the keeper and mines one block with whatever it sent (automine is off while the keeper runs). */
export async function stepAndMine(k: Keeper) {
  const r = await k.safeTick();
  await network.provider.send("evm_mine", []);
  return r;
}

/** The accounts the pool liquidated (from Liquidate events) since `fromBlock`, with the callers. */
export async function liquidations(f: KeeperFixture, fromBlock: number) {
  const evs = await f.pool.queryFilter(f.pool.filters.Liquidate(), fromBlock);
  return evs.map((e) => ({
    key: `${e.args.owner.toLowerCase()}:${e.args.subId.toString()}`,
    caller: e.args.caller,
    block: e.blockNumber,
    repaid: e.args.repaid,
    seized: e.args.seized,
    protocolFee: e.args.protocolFee,
  }));
}

/**
 * Uniswap V3 with a deep WETH/USDC pool at `wethPrice` (0.3 %), and a FlashLiquidator owned by the keeper's key;
 * returns the deployment with flashLiquidator and quoter filled in.
 */
export async function addUniswap(
  f: KeeperFixture,
  wethPrice = DROPPED_WETH,
  depthWeth = 20_000,
): Promise<{ uni: UniswapV3; deployment: Deployment; flashLiquidator: string }> {
  const uni = await deployUniswapV3(f.admin);
  await createPoolAtPrice(uni, f.weth.address, f.usdc.address, FEE.MEDIUM, wethPrice, 18, 6);
  await f.weth.token.mint(f.admin.address, units(f.weth, depthWeth));
  await f.usdc.token.mint(f.admin.address, units(f.usdc, depthWeth * wethPrice));
  await addLiquidityAroundPrice(
    uni,
    f.admin,
    f.weth.address,
    f.usdc.address,
    FEE.MEDIUM,
    units(f.weth, depthWeth),
    units(f.usdc, depthWeth * wethPrice),
    30,
  );
  const fl = await (
    await ethers.getContractFactory("FlashLiquidator", f.admin)
  ).deploy(f.poolAddress, uni.addresses.router, walletAt(KEEPER_INDEX).address);
  const flashLiquidator = await fl.getAddress();
  return { uni, flashLiquidator, deployment: { ...f.deployment, flashLiquidator, quoter: uni.addresses.quoter } };
}
