// Deploys the Fulcra core (pool, extension, vault deployer) and lists assets. Shared by the main job, the deploy
// script, the benchmarks and the tests, so that all of them exercise the same wiring.
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { IFulcraPool__factory, type IFulcraPool, type MockERC20, type MockPriceFeed } from "../typechain-types";
import { ROLE_IDS } from "./constants";
import { deployPoolContracts, freshDeployer } from "./stack/contracts";

/** The role table (lib/constants.ts), under the name the tests use. */
export { ROLE_IDS as ROLES, MAX_UINT128 } from "./constants";

/** Deploys PoolExt then Pool with `admin` as DEFAULT_ADMIN. */
export async function deployPool(deployer: Signer, admin: string): Promise<IFulcraPool> {
  const { pool } = await deployPoolContracts(freshDeployer(ethers, deployer), admin);
  // One address, one type: IFulcraPool declares Pool's entry points and the extension's (reached through the
  // fallback), with every event and error of both.
  return IFulcraPool__factory.connect(await pool.getAddress(), deployer);
}

/** Listing parameters in human terms; amounts are in whole tokens unless noted. */
export interface AssetSpec {
  symbol: string;
  decimals: number;
  price: number; // USD
  ltvBps: number;
  ltBps: number;
  borrowable: boolean;
  reserveFactorBps: number;
  rate: { baseBps: number; slope1Bps: number; slope2Bps: number; kinkBps: number };
  supplyCap: bigint; // raw units; MAX_UINT128 for none
  borrowCap: bigint;
  collateralCap: bigint;
  minBorrow: bigint;
  heartbeat: number;
}

export function listingParams(spec: AssetSpec, feed: string, feedDecimals = 8) {
  return {
    feed,
    heartbeat: spec.heartbeat,
    minAnswer: 0n,
    maxAnswer: 10n ** BigInt(feedDecimals + 12), // a trillion USD: a clamp nothing real reaches
    ltv: spec.ltvBps,
    lt: spec.ltBps,
    borrowable: spec.borrowable,
    reserveFactor: spec.reserveFactorBps,
    baseRate: spec.rate.baseBps,
    slope1: spec.rate.slope1Bps,
    slope2: spec.rate.slope2Bps,
    kink: spec.rate.kinkBps,
    supplyCap: spec.supplyCap,
    borrowCap: spec.borrowCap,
    collateralCap: spec.collateralCap,
    minBorrow: spec.minBorrow,
  };
}

/** Converts a USD price to a feed answer with `decimals` decimals, exactly for up to 8 fractional digits. */
export function toFeedAnswer(price: number | string, decimals = 8): bigint {
  return ethers.parseUnits(typeof price === "number" ? price.toFixed(decimals) : price, decimals);
}

export interface ListedAsset {
  symbol: string;
  token: MockERC20;
  feed: MockPriceFeed;
  address: string;
  vault: string;
  spec: AssetSpec;
}

/** Deploys a test token and a movable Chainlink-style feed, and lists them (caller must hold RISK_ADMIN). */
export async function deployAndListTestAsset(pool: IFulcraPool, signer: Signer, spec: AssetSpec): Promise<ListedAsset> {
  const token = await (
    await ethers.getContractFactory("MockERC20", signer)
  ).deploy(spec.symbol === "WETH" ? "Wrapped Ether" : spec.symbol, spec.symbol, spec.decimals);
  const feed = await (
    await ethers.getContractFactory("MockPriceFeed", signer)
  ).deploy(8, `${spec.symbol} / USD`, toFeedAnswer(spec.price));
  const address = await token.getAddress();
  await (await pool.listAsset(address, listingParams(spec, await feed.getAddress()))).wait();
  const [, , , , , vault] = await pool.assetLimits(address);
  return { symbol: spec.symbol, token, feed, address, vault, spec };
}

/**
 * The demo pool: a pool with `admin` as DEFAULT_ADMIN holding RISK_ADMIN, GUARDIAN and TREASURY too, and `specs`
 * listed in order (default: the three DEMO_ASSETS, USDC, WETH, WBTC). The test fixtures, the simulation, the bench
 * and the lending demo start from it.
 */
export async function deployDemoPool(
  admin: Signer,
  specs: AssetSpec[] = DEMO_ASSETS,
): Promise<{ pool: IFulcraPool; listed: ListedAsset[] }> {
  const adminAddress = await admin.getAddress();
  const pool = await deployPool(admin, adminAddress);
  for (const role of [ROLE_IDS.RISK_ADMIN, ROLE_IDS.GUARDIAN, ROLE_IDS.TREASURY])
    await pool.grantRole(role, adminAddress);
  const listed: ListedAsset[] = [];
  for (const spec of specs) listed.push(await deployAndListTestAsset(pool, admin, spec));
  return { pool, listed };
}

/** Default specs of the demo markets: conservative, Aave-like parameters. */
export const DEMO_ASSETS: AssetSpec[] = [
  {
    symbol: "USDC",
    decimals: 6,
    price: 1,
    ltvBps: 8000,
    ltBps: 8500,
    borrowable: true,
    reserveFactorBps: 1000,
    rate: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 9000 },
    supplyCap: 100_000_000n * 10n ** 6n,
    borrowCap: 90_000_000n * 10n ** 6n,
    collateralCap: 100_000_000n * 10n ** 6n,
    minBorrow: 100n * 10n ** 6n,
    heartbeat: 86_400,
  },
  {
    symbol: "WETH",
    decimals: 18,
    price: 2000,
    ltvBps: 8000,
    ltBps: 8250,
    borrowable: true,
    reserveFactorBps: 1500,
    rate: { baseBps: 0, slope1Bps: 300, slope2Bps: 8000, kinkBps: 8000 },
    supplyCap: 100_000n * 10n ** 18n,
    borrowCap: 80_000n * 10n ** 18n,
    collateralCap: 100_000n * 10n ** 18n,
    minBorrow: 5n * 10n ** 16n,
    heartbeat: 3_600,
  },
  {
    symbol: "WBTC",
    decimals: 8,
    price: 60000,
    ltvBps: 7300,
    ltBps: 7800,
    borrowable: true,
    reserveFactorBps: 2000,
    rate: { baseBps: 0, slope1Bps: 400, slope2Bps: 30000, kinkBps: 4500 },
    supplyCap: 5_000n * 10n ** 8n,
    borrowCap: 1_000n * 10n ** 8n,
    collateralCap: 5_000n * 10n ** 8n,
    minBorrow: 10n ** 5n,
    heartbeat: 3_600,
  },
];
