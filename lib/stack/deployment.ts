// What a deployment is: the content of deployments/<network>.json, the options and result of deployStack, the
// error it refuses with, and the conversions from a network configuration (config/) to the pool's parameters.
// Uses only the `hre` it is given (no `import "hardhat"`), so tasks can import it through lib/deploy.ts.
import fs from "fs";
import path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractRunner, Signer } from "ethers";
import type { IFulcraPool } from "../../typechain-types";
import type { AssetEntry, NetworkConfig, configHashes } from "../../config/types";
import { MAX_UINT128 } from "../constants";

export interface ContractRecord {
  address: string;
  block: number;
  tx: string;
}

export interface DeployedAsset {
  symbol: string;
  address: string;
  decimals: number;
  feed: string;
  feedDecimals: number;
  vault: string;
  mockToken: boolean;
  mockFeed: boolean;
}

export interface DeployedUniswapPool {
  pair: [string, string];
  token0: string;
  token1: string;
  fee: number;
  address: string;
}

/** The content of deployments/<network>.json. */
export interface Deployment {
  network: string;
  chainId: number;
  local: boolean;
  deployer: string;
  configHash: string;
  configSections: Record<string, string>;
  /** Block of the pool's deployment: indexers start there. */
  deployBlock: number;
  complete: boolean;
  updatedAt: string;
  pool: string;
  poolExt: string;
  timelock: string;
  lens: string;
  flashLiquidator: string;
  riskEngine: string;
  volatilityOracle: string;
  uniswapFactory: string;
  swapRouter: string;
  quoter: string;
  positionManager: string;
  dexAdapter: string;
  marginRouter: string;
  uniswapFee: number;
  assets: DeployedAsset[];
  uniswapPools: DeployedUniswapPool[];
  demoAccounts: string[];
  contracts: Record<string, ContractRecord>;
}

export interface DeployOptions {
  /** Directory of the deployment files (default: $FULCRA_DEPLOYMENTS_DIR or <project>/deployments). */
  deploymentsDir?: string;
  /** Write the deployment file (default true). */
  write?: boolean;
  /** Progress lines (default: console.log). Pass () => {} for silence. */
  log?: (line: string) => void;
  /** Deployer (default: the network's first signer). */
  signer?: Signer;
  /** Local networks only: ignore an existing file and deploy a new stack. */
  fresh?: boolean;
}

export interface DeployResult {
  deployment: Deployment;
  /** Transactions this run sent (0 for a no-op re-run). */
  txCount: number;
  file?: string;
}

export class DeploymentMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentMismatchError";
  }
}

/** Fails clearly when a test network's RPC URL was never configured (see tasks/networks.ts). */
export function assertNetworkReady(hre: HardhatRuntimeEnvironment): void {
  const url = (hre.network.config as { url?: string }).url;
  if (url && url.includes("not-set.invalid")) {
    const n = hre.network.name.toUpperCase();
    throw new Error(
      `No RPC URL for network "${hre.network.name}": run \`npx hardhat vars set ${n}_RPC_URL\` (or export ${n}_RPC_URL), and set ${n}_PRIVATE_KEY the same way to send transactions.`,
    );
  }
}

export function deploymentsDir(hre: HardhatRuntimeEnvironment, opts: DeployOptions = {}): string {
  return opts.deploymentsDir ?? process.env.FULCRA_DEPLOYMENTS_DIR ?? path.join(hre.config.paths.root, "deployments");
}

export function deploymentFile(
  hre: HardhatRuntimeEnvironment,
  opts: DeployOptions = {},
  network = hre.network.name,
): string {
  return path.join(deploymentsDir(hre, opts), `${network}.json`);
}

/** Reads deployments/<network>.json (or the file in `opts.deploymentsDir`); throws a clear error if missing. */
export function readDeployment(hre: HardhatRuntimeEnvironment, opts: DeployOptions = {}): Deployment {
  const file = deploymentFile(hre, opts);
  if (!fs.existsSync(file))
    throw new Error(
      `No deployment for network "${hre.network.name}" (${file} not found). Run: npx hardhat deploy --network ${hre.network.name}`,
    );
  return JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
}

/** Whole-token decimal string ("1.5", "max") → raw units. */
export function parseAmount(hre: HardhatRuntimeEnvironment, v: string, decimals: number): bigint {
  return v === "max" ? MAX_UINT128 : hre.ethers.parseUnits(v, decimals);
}

/** USD number → feed answer with `decimals` decimals (exact for up to 8 fractional digits). */
export function usdToAnswer(hre: HardhatRuntimeEnvironment, usd: number, decimals: number): bigint {
  return hre.ethers.parseUnits(usd.toFixed(Math.min(decimals, 8)), decimals);
}

export function emptyDeployment(
  config: NetworkConfig,
  chainId: number,
  deployer: string,
  hashes: ReturnType<typeof configHashes>,
): Deployment {
  const Z = "0x0000000000000000000000000000000000000000";
  return {
    network: config.network,
    chainId,
    local: config.local,
    deployer,
    configHash: hashes.hash,
    configSections: hashes.sections,
    deployBlock: 0,
    complete: false,
    updatedAt: new Date().toISOString(),
    pool: Z,
    poolExt: Z,
    timelock: Z,
    lens: Z,
    flashLiquidator: Z,
    riskEngine: Z,
    volatilityOracle: Z,
    uniswapFactory: Z,
    swapRouter: Z,
    quoter: Z,
    positionManager: Z,
    dexAdapter: Z,
    marginRouter: Z,
    uniswapFee: config.uniswap.fee,
    assets: [],
    uniswapPools: [],
    demoAccounts: [],
    contracts: {},
  };
}

/** The pool's ListingParams from a config entry. */
export function listingParams(hre: HardhatRuntimeEnvironment, a: AssetEntry, feed: string) {
  return {
    feed,
    heartbeat: a.heartbeat,
    minAnswer: usdToAnswer(hre, a.minPrice, a.feedDecimals),
    maxAnswer: usdToAnswer(hre, a.maxPrice, a.feedDecimals),
    ltv: a.ltvBps,
    lt: a.ltBps,
    borrowable: a.borrowable,
    reserveFactor: a.reserveFactorBps,
    baseRate: a.rate.baseBps,
    slope1: a.rate.slope1Bps,
    slope2: a.rate.slope2Bps,
    kink: a.rate.kinkBps,
    supplyCap: parseAmount(hre, a.caps.supply, a.decimals),
    borrowCap: parseAmount(hre, a.caps.borrow, a.decimals),
    collateralCap: parseAmount(hre, a.caps.collateral, a.decimals),
    minBorrow: parseAmount(hre, a.caps.minBorrow, a.decimals),
  };
}

/**
 * The pool at `address`, typed by its one API declaration: IFulcraPool (contracts/interfaces/IFulcraPool.sol), Pool's
 * entry points and PoolExt's (reached through the fallback) with every event and error. The TypeChain factory is
 * imported lazily because this module loads with hardhat.config.ts, before a first compile generates typechain-types.
 */
export async function connectPool(address: string, runner: ContractRunner): Promise<IFulcraPool> {
  const { IFulcraPool__factory } = await import("../../typechain-types");
  return IFulcraPool__factory.connect(address, runner);
}
