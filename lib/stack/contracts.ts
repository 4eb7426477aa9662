// The contract-creation steps of a Fulcra stack, each a few deployments in a fixed order (addresses follow the
// deployer's nonce, so the order is part of the behaviour). Every builder uses them: deployStack (lib/deploy.ts)
// through its recording, idempotent deployer; the test fixtures, the simulation and the bench through
// `freshDeployer`. Wiring (listings, roles, parameters) stays with each builder.
import type { Contract, ContractFactory, Signer } from "ethers";

/** A compiled artifact: a project contract's name, or an npm artifact's ABI and bytecode. */
export type Artifact = string | { abi: unknown[]; bytecode: string };

/** Deploys `artifact` with `args` under `name` (the deployment file's key) and returns it once mined. */
export type Deployer = (name: string, artifact: Artifact, args: unknown[]) => Promise<Contract>;

/** What a deployer needs of hardhat-ethers (`hre.ethers`). */
export interface EthersLike {
  getContractFactory(name: string, signer: Signer): Promise<ContractFactory>;
  ContractFactory: new (abi: never, bytecode: string, signer: Signer) => ContractFactory;
}

/** The factory of `artifact` for `signer`. */
export async function factoryOf(ethers: EthersLike, artifact: Artifact, signer: Signer): Promise<ContractFactory> {
  return typeof artifact === "string"
    ? ethers.getContractFactory(artifact, signer)
    : new ethers.ContractFactory(artifact.abi as never, artifact.bytecode, signer);
}

/** A deployer that always deploys a new contract (fixtures, simulation, bench). */
export function freshDeployer(ethers: EthersLike, signer: Signer): Deployer {
  return async (_name, artifact, args) => {
    const c = (await (await factoryOf(ethers, artifact, signer)).deploy(...args)) as Contract;
    await c.waitForDeployment();
    return c;
  };
}

/** PoolExt, then Pool with `admin` as DEFAULT_ADMIN (one address, the IFulcraPool API). */
export async function deployPoolContracts(deploy: Deployer, admin: string) {
  const ext = await deploy("poolExt", "PoolExt", []);
  const pool = await deploy("pool", "Pool", [admin, await ext.getAddress()]);
  return { ext, pool };
}

/** VolatilityOracle, then RiskEngine reading it for `pool`; `admin` holds DEFAULT_ADMIN on both. */
export async function deployRiskContracts(deploy: Deployer, pool: string, admin: string) {
  const oracle = await deploy("volatilityOracle", "VolatilityOracle", [admin]);
  const engine = await deploy("riskEngine", "RiskEngine", [pool, await oracle.getAddress(), admin]);
  return { oracle, engine };
}

/** FulcraLens over `pool`. */
export async function deployLens(deploy: Deployer, pool: string): Promise<Contract> {
  return deploy("lens", "FulcraLens", [pool]);
}

/** The Uniswap V3 adapter on `swapRouter`, then the MarginRouter trading through it (`admin`: its admin roles). */
export async function deployMarginContracts(deploy: Deployer, pool: string, swapRouter: string, admin: string) {
  const adapter = await deploy("dexAdapter", "UniswapV3Adapter", [swapRouter]);
  const router = await deploy("marginRouter", "MarginRouter", [pool, await adapter.getAddress(), admin]);
  return { adapter, router };
}

/** FlashLiquidator for `pool`, swapping on `swapRouter`, owned by `owner`. */
export async function deployFlashLiquidator(
  deploy: Deployer,
  pool: string,
  swapRouter: string,
  owner: string,
): Promise<Contract> {
  return deploy("flashLiquidator", "FlashLiquidator", [pool, swapRouter, owner]);
}
