// deployStack(hre, config, opts): deploys (or resumes, or verifies) the whole Fulcra stack for one network and
// records it in deployments/<network>.json. Used by scripts/deploy.ts, the `deploy` task, the deploy tests, the
// keeper tests and the market simulation. Uses only the `hre` it is given (no `import "hardhat"`), so tasks can
// import it.
//
// Idempotency: every step first looks at the chain. A contract recorded in the file with code at its address is
// reused; a listing, role, parameter or seeded pool that is already in place is skipped. A re-run of a complete
// deployment with the same configuration therefore sends no transaction. A deployment file made with a different
// configuration is refused (the changed sections are named), so a second protocol is never deployed by accident.
import fs from "fs";
import path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ZeroHash, id } from "ethers";
import type { Contract, ContractRunner, ContractTransactionResponse, Signer } from "ethers";
import type { IFulcraPool } from "../typechain-types";
import { assertValidConfig, configHashes, type AssetEntry, type NetworkConfig } from "../config/types";
import { localConfig } from "../config/hardhat";
import { UNISWAP_ARTIFACTS, fullRange, sortTokens, sqrtPriceX96, type PoolToken } from "./deploy-uniswap";
import erc20Artifact from "@openzeppelin/contracts/build/contracts/IERC20Metadata.json";
import feedAbi from "@chainlink/contracts/abi/v0.8/AggregatorV3Interface.json";

export const ROLE_IDS = {
  DEFAULT_ADMIN: ZeroHash,
  RISK_ADMIN: id("RISK_ADMIN_ROLE"),
  RISK_ENGINE: id("RISK_ENGINE_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
  TREASURY: id("TREASURY_ROLE"),
  MARGIN_ADMIN: id("MARGIN_ADMIN_ROLE"),
  ORACLE_ADMIN: id("ORACLE_ADMIN_ROLE"),
} as const;

export const MAX_UINT128 = (1n << 128n) - 1n;
const WAD = 10n ** 18n;

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

const toWad = (x: number) => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

function emptyDeployment(
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

/** Deploys, resumes or verifies the stack described by `config` on `hre`'s network. */
export async function deployStack(
  hre: HardhatRuntimeEnvironment,
  config: NetworkConfig,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const { ethers } = hre;
  const log = opts.log ?? ((l: string) => console.log(l));
  assertValidConfig(config); // throws ConfigError listing every problem, before anything is sent

  assertNetworkReady(hre);
  const signer = opts.signer ?? (await ethers.getSigners())[0];
  if (!signer)
    throw new Error(`No deployer account for network "${hre.network.name}": set the key (see docs/deploy.md).`);
  const me = await signer.getAddress();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  if (chainId !== config.chainId)
    throw new DeploymentMismatchError(
      `Configuration "${config.network}" is for chain ${config.chainId} but network "${hre.network.name}" is chain ${chainId}.`,
    );

  const hashes = configHashes(config);
  const write = opts.write ?? true;
  const file = deploymentFile(hre, opts, config.network === hre.network.name ? hre.network.name : config.network);
  const hasCode = async (a: string) => a !== ethers.ZeroAddress && (await ethers.provider.getCode(a)) !== "0x";

  // ---------------------------------------------------------------- existing deployment?
  let dep = emptyDeployment(config, chainId, me, hashes);
  if (fs.existsSync(file) && !opts.fresh) {
    const old = JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
    const stale = old.chainId !== chainId || !(await hasCode(old.pool));
    if (stale && config.local) {
      log(`Deployment file ${file} describes a chain that is gone (local node restarted): deploying a new stack.`);
    } else if (stale) {
      throw new DeploymentMismatchError(
        `Deployment file ${file} records chain ${old.chainId} and pool ${old.pool}, but there is no pool code at that address on network "${hre.network.name}" (chain ${chainId}). Refusing to deploy a second protocol; move the file away if this is intended.`,
      );
    } else if (old.configHash !== hashes.hash) {
      const changed = Object.keys({ ...old.configSections, ...hashes.sections }).filter(
        (k) => old.configSections?.[k] !== hashes.sections[k],
      );
      throw new DeploymentMismatchError(
        `Configuration mismatch: ${file} was deployed with a different configuration (changed: ${changed.join(", ") || "unknown"}). ` +
          `Refusing to continue, so as not to deploy a second protocol by accident. Change live parameters through the timelock` +
          (config.local ? `, or start over with --fresh (local networks).` : `.`),
      );
    } else {
      dep = old;
    }
  }
  let txCount = 0;
  const save = () => {
    dep.updatedAt = new Date().toISOString();
    if (!write) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(dep, null, 2) + "\n");
  };
  const send = async (what: string, tx: Promise<ContractTransactionResponse>) => {
    const r = await (await tx).wait();
    txCount++;
    log(`  ✓ ${what}${r ? ` (block ${r.blockNumber})` : ""}`);
    return r;
  };
  /** Deploys `name` from a project artifact or an npm artifact unless the recorded one has code. */
  const deploy = async (
    name: string,
    artifact: string | { abi: unknown[]; bytecode: string },
    args: unknown[],
  ): Promise<Contract> => {
    const factory =
      typeof artifact === "string"
        ? await ethers.getContractFactory(artifact, signer)
        : new ethers.ContractFactory(artifact.abi as never, artifact.bytecode, signer);
    const rec = dep.contracts[name];
    if (rec && (await hasCode(rec.address))) return factory.attach(rec.address) as Contract;
    const c = (await factory.deploy(...args)) as Contract;
    const receipt = await c.deploymentTransaction()!.wait();
    txCount++;
    const address = await c.getAddress();
    dep.contracts[name] = { address, block: receipt!.blockNumber, tx: receipt!.hash };
    log(`  + ${name.padEnd(22)} ${address} (block ${receipt!.blockNumber})`);
    save();
    return c;
  };

  log(`Fulcra deploy on "${hre.network.name}" (chain ${chainId}) by ${me}, config ${hashes.hash.slice(0, 10)}`);

  // ---------------------------------------------------------------- governance + pool
  const proposers = config.roles.proposers.length ? config.roles.proposers : [me];
  const executors = config.roles.executors.length ? config.roles.executors : [me];
  const timelock = await deploy("timelock", "FulcraTimelock", [
    config.timelock.minDelay,
    proposers,
    executors,
    ethers.ZeroAddress,
  ]);
  dep.timelock = await timelock.getAddress();
  const poolExt = await deploy("poolExt", "PoolExt", []);
  dep.poolExt = await poolExt.getAddress();
  const poolCore = await deploy("pool", "Pool", [me, dep.poolExt]);
  dep.pool = await poolCore.getAddress();
  dep.deployBlock = dep.contracts.pool.block; // where an indexer (the keeper) starts reading the pool's events
  const pool = await connectPool(dep.pool, signer);

  const ensureRole = async (target: Contract | IFulcraPool, label: string, role: string, account: string) => {
    if (!(await target.hasRole(role, account)))
      await send(`${label}: grant ${roleName(role)} to ${account}`, target.grantRole(role, account));
  };

  // ---------------------------------------------------------------- assets
  const listed: DeployedAsset[] = [];
  let riskAdminReady = false;
  const asRiskAdmin = async () => {
    if (!riskAdminReady) await ensureRole(pool, "pool", ROLE_IDS.RISK_ADMIN, me);
    riskAdminReady = true;
  };
  for (const a of config.assets) {
    const mockToken = a.token === "mock";
    const mockFeed = a.feed === "mock";
    const token = mockToken
      ? await deploy(`token.${a.symbol}`, "MockERC20", [
          a.symbol === "WETH" ? "Wrapped Ether" : a.symbol === "WBTC" ? "Wrapped BTC" : a.symbol,
          a.symbol,
          a.decimals,
        ])
      : new ethers.Contract(a.token, erc20Artifact.abi, signer);
    const tokenAddr = await token.getAddress();
    const feed = mockFeed
      ? await deploy(`feed.${a.symbol}`, "MockPriceFeed", [
          a.feedDecimals,
          `${a.symbol} / USD`,
          usdToAnswer(hre, a.initialPrice, a.feedDecimals),
        ])
      : new ethers.Contract(a.feed, feedAbi, signer);
    const feedAddr = await feed.getAddress();
    if (!mockToken) {
      const d = Number(await token.decimals());
      if (d !== a.decimals)
        throw new DeploymentMismatchError(
          `${a.symbol}: token ${tokenAddr} has ${d} decimals, config says ${a.decimals}`,
        );
    }
    if (!mockFeed) {
      const d = Number(await feed.decimals());
      if (d !== a.feedDecimals)
        throw new DeploymentMismatchError(
          `${a.symbol}: feed ${feedAddr} has ${d} decimals, config says ${a.feedDecimals}`,
        );
    }
    const cfg = await pool.assetConfig(tokenAddr);
    if ((Number(cfg.flags) & 1) === 0) {
      await asRiskAdmin();
      await send(`list ${a.symbol}`, pool.listAsset(tokenAddr, listingParams(hre, a, feedAddr)));
    }
    const cfgNow = await pool.assetConfig(tokenAddr);
    if (Number(cfgNow.flashFee) !== a.flashFeeBps) {
      await asRiskAdmin();
      await send(`${a.symbol}: flash fee ${a.flashFeeBps} bps`, pool.setFlashFee(tokenAddr, a.flashFeeBps));
    }
    if (a.liquidation) {
      const l = await pool.liquidationConfig(tokenAddr);
      const want = a.liquidation;
      if (
        Number(l.baseBonus) !== want.baseBonusBps ||
        Number(l.maxBonus) !== want.maxBonusBps ||
        Number(l.protocolShare) !== want.protocolShareBps
      ) {
        await asRiskAdmin();
        await send(
          `${a.symbol}: liquidation bonus`,
          pool.setLiquidationParams(tokenAddr, want.baseBonusBps, want.maxBonusBps, want.protocolShareBps),
        );
      }
    }
    const [, , , , , vault] = await pool.assetLimits(tokenAddr);
    listed.push({
      symbol: a.symbol,
      address: tokenAddr,
      decimals: a.decimals,
      feed: feedAddr,
      feedDecimals: a.feedDecimals,
      vault,
      mockToken,
      mockFeed,
    });
  }
  dep.assets = listed;
  save();
  if (config.liquidationGlobals) {
    const g = config.liquidationGlobals;
    const want = [toWad(g.targetHealth), toWad(g.fullLiquidationHealth), toWad(g.dustValueUsd)];
    const have = await pool.liquidationGlobals();
    if (have[0] !== want[0] || have[1] !== want[1] || have[2] !== want[2]) {
      await asRiskAdmin();
      await send("liquidation globals", pool.setLiquidationGlobals(want[0], want[1], want[2]));
    }
  }
  const bySymbol = (s: string) => listed.find((x) => x.symbol === s)!;

  // ---------------------------------------------------------------- volatility oracle + risk engine
  // Same wiring as lib/risk.ts (deployRiskStack), step by step and idempotent: the engine holds the pool's
  // RISK_ENGINE_ROLE, every asset with oracle settings is listed in the oracle (its feed taken from the listing),
  // every asset with a profile gets it, and one initial update records the price baseline.
  const oracle = await deploy("volatilityOracle", "VolatilityOracle", [me]);
  dep.volatilityOracle = await oracle.getAddress();
  const engine = await deploy("riskEngine", "RiskEngine", [dep.pool, dep.volatilityOracle, me]);
  dep.riskEngine = await engine.getAddress();
  await ensureRole(pool, "pool", ROLE_IDS.RISK_ENGINE, dep.riskEngine);
  const initial: string[] = [];
  for (const a of config.assets) {
    const asset = bySymbol(a.symbol);
    if (a.oracle && !(await oracle.observation(asset.address)).listed) {
      await ensureRole(oracle, "volatilityOracle", ROLE_IDS.ORACLE_ADMIN, me);
      const o = a.oracle;
      const maxAge = o.maxAge ?? Math.min(2 * a.heartbeat, 7 * 86_400);
      const shockWindow = o.shockWindow ?? a.risk?.cooldown ?? 3_600;
      await send(
        `${a.symbol}: volatility oracle listing (seed ${o.initialVol * 100} %)`,
        oracle.listAsset(
          asset.address,
          asset.feed,
          o.halfLife,
          o.minInterval,
          maxAge,
          shockWindow,
          toWad(o.initialVol),
        ),
      );
    }
    if (
      a.oracle?.fastHalfLife !== undefined &&
      Number((await oracle.fastEstimate(asset.address)).halfLife) !== a.oracle.fastHalfLife
    ) {
      await ensureRole(oracle, "volatilityOracle", ROLE_IDS.ORACLE_ADMIN, me);
      await send(
        `${a.symbol}: short volatility estimate, half-life ${a.oracle.fastHalfLife} s`,
        oracle.setFastHalfLife(asset.address, a.oracle.fastHalfLife),
      );
    }
    if (a.risk && Number((await engine.profile(asset.address)).ltMax) === 0) {
      await ensureRole(engine, "riskEngine", ROLE_IDS.RISK_ADMIN, me);
      const r = a.risk;
      const profile = {
        ltvMax: r.ltvMax,
        ltMax: r.ltMax,
        ltvMin: r.ltvMin,
        ltMin: r.ltMin,
        ltvSlope: r.ltvSlope,
        ltSlope: r.ltSlope,
        rampBpsPerHour: r.rampBpsPerHour,
        cooldown: r.cooldown,
        refVol: toWad(r.refVol),
        breakerVol: toWad(r.breakerVol),
        breakerMove: toWad(r.breakerMove),
        dynamic: r.dynamic,
        ltHold: r.ltHold ?? 0,
      };
      await send(
        `${a.symbol}: risk profile (${r.dynamic ? "dynamic" : "static"})`,
        engine.setProfile(asset.address, profile),
      );
    }
    if (a.oracle && Number((await oracle.observation(asset.address)).feedTime) === 0) initial.push(asset.address);
  }
  if (initial.length) await send("risk engine: initial update", engine.updateMany(initial));

  // ---------------------------------------------------------------- periphery
  const lens = await deploy("lens", "FulcraLens", [dep.pool]);
  dep.lens = await lens.getAddress();

  // ---------------------------------------------------------------- Uniswap V3
  const u = config.uniswap;
  if (u.deploy === true) {
    const weth = bySymbol("WETH") ?? listed[0];
    const f = await deploy("uniswapFactory", UNISWAP_ARTIFACTS.factory, []);
    dep.uniswapFactory = await f.getAddress();
    dep.swapRouter = await (
      await deploy("swapRouter", UNISWAP_ARTIFACTS.swapRouter, [dep.uniswapFactory, weth.address])
    ).getAddress();
    dep.quoter = await (
      await deploy("quoter", UNISWAP_ARTIFACTS.quoter, [dep.uniswapFactory, weth.address])
    ).getAddress();
    dep.positionManager = await (
      await deploy("positionManager", UNISWAP_ARTIFACTS.positionManager, [
        dep.uniswapFactory,
        weth.address,
        ethers.ZeroAddress,
      ])
    ).getAddress();
  } else if (u.deploy === "periphery") {
    dep.uniswapFactory = u.factory;
    dep.swapRouter = await (await deploy("swapRouter", UNISWAP_ARTIFACTS.swapRouter, [u.factory, u.weth])).getAddress();
    dep.quoter = await (await deploy("quoter", UNISWAP_ARTIFACTS.quoter, [u.factory, u.weth])).getAddress();
  } else {
    dep.uniswapFactory = u.factory;
    dep.swapRouter = u.swapRouter;
    dep.quoter = u.quoter;
  }
  dep.uniswapFee = u.fee;
  const factory = new ethers.Contract(dep.uniswapFactory, UNISWAP_ARTIFACTS.factory.abi, signer);
  const pools: DeployedUniswapPool[] = [];
  for (const [s0, s1] of u.pairs) {
    const A = config.assets.find((x) => x.symbol === s0)!;
    const B = config.assets.find((x) => x.symbol === s1)!;
    const ta: PoolToken = { address: bySymbol(s0).address, decimals: A.decimals, usd: toWad(A.initialPrice) };
    const tb: PoolToken = { address: bySymbol(s1).address, decimals: B.decimals, usd: toWad(B.initialPrice) };
    const [t0, t1] = sortTokens(ta, tb);
    let poolAddr: string = await factory.getPool(t0.address, t1.address, u.fee);
    if (u.deploy === true) {
      const npm = new ethers.Contract(dep.positionManager, UNISWAP_ARTIFACTS.positionManager.abi, signer);
      const live =
        poolAddr !== ethers.ZeroAddress &&
        (await new ethers.Contract(poolAddr, UNISWAP_ARTIFACTS.pool.abi, signer).liquidity()) > 0n;
      if (!live) {
        await send(
          `Uniswap ${s0}/${s1} pool at the feed price`,
          npm.createAndInitializePoolIfNecessary(
            t0.address,
            t1.address,
            u.fee,
            sqrtPriceX96(t0.usd, t0.decimals, t1.usd, t1.decimals),
          ),
        );
        poolAddr = await factory.getPool(t0.address, t1.address, u.fee);
        const amt = (t: PoolToken) => (toWad(u.seedUsd) * 10n ** BigInt(t.decimals)) / t.usd;
        const a0 = amt(t0);
        const a1 = amt(t1);
        for (const [t, amount] of [
          [t0, a0],
          [t1, a1],
        ] as const) {
          const erc = await ethers.getContractAt("MockERC20", t.address, signer);
          await send(`mint ${symbolOf(listed, t.address)} for liquidity`, erc.mint(me, amount));
          await send("approve position manager", erc.approve(dep.positionManager, amount));
        }
        const { tickLower, tickUpper } = fullRange(u.fee);
        await send(
          `seed ${s0}/${s1} with $${u.seedUsd.toLocaleString("en-US")} a side`,
          npm.mint({
            token0: t0.address,
            token1: t1.address,
            fee: u.fee,
            tickLower,
            tickUpper,
            amount0Desired: a0,
            amount1Desired: a1,
            amount0Min: 0,
            amount1Min: 0,
            recipient: me,
            deadline: 2n ** 64n,
          }),
        );
      }
    } else if (poolAddr === ethers.ZeroAddress) {
      log(
        `  ! no Uniswap pool ${s0}/${s1} fee ${u.fee} on this network: margin trading and flash liquidation of this pair need one`,
      );
    }
    pools.push({ pair: [s0, s1], token0: t0.address, token1: t1.address, fee: u.fee, address: poolAddr });
  }
  dep.uniswapPools = pools;
  save();

  // ---------------------------------------------------------------- liquidation + margin
  const liqOwner = config.roles.liquidatorOwner ?? me;
  dep.flashLiquidator = await (
    await deploy("flashLiquidator", "FlashLiquidator", [dep.pool, dep.swapRouter, liqOwner])
  ).getAddress();
  dep.dexAdapter = await (await deploy("dexAdapter", "UniswapV3Adapter", [dep.swapRouter])).getAddress();
  const router = await deploy("marginRouter", "MarginRouter", [dep.pool, dep.dexAdapter, me]);
  dep.marginRouter = await router.getAddress();
  const m = config.margin;
  const guards = [BigInt(m.maxDeviationBps), toWad(m.minPositionValueUsd), toWad(m.maxNewDebtPerBlockUsd)];
  const haveGuards = [
    await router.maxDeviationBps(),
    await router.minPositionValue(),
    await router.maxNewDebtPerBlock(),
  ];
  if (guards.some((g, i) => g !== haveGuards[i]))
    await send("margin guards", router.setGuards(guards[0], guards[1], guards[2]));
  const feeRecipient = m.feeRecipient ?? ethers.ZeroAddress;
  if ((await router.feeBps()) !== BigInt(m.feeBps) || (await router.feeRecipient()) !== feeRecipient)
    await send("margin fee", router.setFee(m.feeBps, feeRecipient));
  save();

  // ---------------------------------------------------------------- roles
  for (const g of config.roles.guardians.length ? config.roles.guardians : [me])
    await ensureRole(pool, "pool", ROLE_IDS.GUARDIAN, g);
  const treasury = config.roles.treasury ?? (config.timelock.handOver ? dep.timelock : me);
  await ensureRole(pool, "pool", ROLE_IDS.TREASURY, treasury);

  // ---------------------------------------------------------------- demo accounts (local)
  if (config.local && config.demo && dep.demoAccounts.length === 0) {
    const signers = await ethers.getSigners();
    const accounts = signers.slice(1, 1 + config.demo.accounts);
    for (const s of accounts) {
      for (const [sym, n] of Object.entries(config.demo.amounts)) {
        const a = bySymbol(sym);
        if (!a.mockToken) continue;
        const erc = await ethers.getContractAt("MockERC20", a.address, signer);
        await send(`fund ${s.address} with ${n} ${sym}`, erc.mint(s.address, ethers.parseUnits(String(n), a.decimals)));
      }
    }
    dep.demoAccounts = accounts.map((s) => s.address);
    save();
  }

  // ---------------------------------------------------------------- hand over to the timelock
  if (config.timelock.handOver) {
    const tl = dep.timelock;
    await ensureRole(pool, "pool", ROLE_IDS.RISK_ADMIN, tl);
    await ensureRole(pool, "pool", ROLE_IDS.DEFAULT_ADMIN, tl);
    await ensureRole(router, "marginRouter", ROLE_IDS.MARGIN_ADMIN, tl);
    await ensureRole(router, "marginRouter", ROLE_IDS.DEFAULT_ADMIN, tl);
    await ensureRole(oracle, "volatilityOracle", ROLE_IDS.ORACLE_ADMIN, tl);
    await ensureRole(oracle, "volatilityOracle", ROLE_IDS.DEFAULT_ADMIN, tl);
    await ensureRole(engine, "riskEngine", ROLE_IDS.RISK_ADMIN, tl);
    await ensureRole(engine, "riskEngine", ROLE_IDS.DEFAULT_ADMIN, tl);
    const renounce = async (target: Contract | IFulcraPool, label: string, role: string) => {
      if (await target.hasRole(role, me))
        await send(`${label}: deployer renounces ${roleName(role)}`, target.renounceRole(role, me));
    };
    if (!config.roles.guardians.length || !config.roles.guardians.includes(me)) {
      // The deployer stays guardian only if the config names it.
      if (config.roles.guardians.length) await renounce(pool, "pool", ROLE_IDS.GUARDIAN);
    }
    await renounce(pool, "pool", ROLE_IDS.RISK_ADMIN);
    await renounce(router, "marginRouter", ROLE_IDS.MARGIN_ADMIN);
    await renounce(router, "marginRouter", ROLE_IDS.DEFAULT_ADMIN);
    await renounce(oracle, "volatilityOracle", ROLE_IDS.ORACLE_ADMIN);
    await renounce(oracle, "volatilityOracle", ROLE_IDS.DEFAULT_ADMIN);
    await renounce(engine, "riskEngine", ROLE_IDS.RISK_ADMIN);
    await renounce(engine, "riskEngine", ROLE_IDS.DEFAULT_ADMIN);
    await renounce(pool, "pool", ROLE_IDS.DEFAULT_ADMIN); // last: nothing above needs it
  }

  dep.complete = true;
  save();
  log(txCount === 0 ? "Nothing to do: the deployment matches the configuration." : `Done: ${txCount} transaction(s).`);
  return { deployment: dep, txCount, file: write ? file : undefined };
}

/**
 * The local stack (config/hardhat.ts) on the in-process network, for the keeper tests and the market simulation:
 * `tweak` may edit the configuration first (it is validated afterwards). Neither reads nor writes a deployment file
 * unless `opts.fresh` / `opts.write` say otherwise.
 */
export async function deployLocalStack(
  hre: HardhatRuntimeEnvironment,
  tweak?: (c: NetworkConfig) => void,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const config = localConfig(hre.network.name);
  tweak?.(config);
  return deployStack(hre, config, { log: () => {}, write: false, fresh: true, ...opts });
}

function symbolOf(listed: DeployedAsset[], address: string): string {
  return listed.find((a) => a.address.toLowerCase() === address.toLowerCase())?.symbol ?? address;
}

function roleName(role: string): string {
  for (const [k, v] of Object.entries(ROLE_IDS)) if (v === role) return k;
  return role;
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
  const { IFulcraPool__factory } = await import("../typechain-types");
  return IFulcraPool__factory.connect(address, runner);
}

export { WAD };
