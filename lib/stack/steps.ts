// The steps of deployStack (lib/deploy.ts), in the order it runs them. Each looks at the chain first and sends only
// what is missing, so a re-run of a complete deployment sends nothing.
import type { Contract } from "ethers";
import type { IFulcraPool } from "../../typechain-types";
import { toOnchainProfile } from "../../config/profiles";
import { ROLE_IDS, roleName, toWad } from "../constants";
import { UNISWAP_ARTIFACTS, fullRange, sortTokens, sqrtPriceX96, type PoolToken } from "../uniswap";
import {
  deployFlashLiquidator,
  deployLens,
  deployMarginContracts,
  deployPoolContracts,
  deployRiskContracts,
} from "./contracts";
import type { StackContext } from "./context";
import {
  DeploymentMismatchError,
  connectPool,
  listingParams,
  usdToAnswer,
  type DeployedAsset,
  type DeployedUniswapPool,
} from "./deployment";
import erc20Artifact from "@openzeppelin/contracts/build/contracts/IERC20Metadata.json";
import feedAbi from "@chainlink/contracts/abi/v0.8/AggregatorV3Interface.json";

/** The timelock, then the pool (PoolExt + Pool, the deployer as first admin). */
export async function governanceAndPool(ctx: StackContext): Promise<IFulcraPool> {
  const { config, dep, me, ethers, deploy } = ctx;
  const proposers = config.roles.proposers.length ? config.roles.proposers : [me];
  const executors = config.roles.executors.length ? config.roles.executors : [me];
  const timelock = await deploy("timelock", "FulcraTimelock", [
    config.timelock.minDelay,
    proposers,
    executors,
    ethers.ZeroAddress,
  ]);
  dep.timelock = await timelock.getAddress();
  const { ext, pool } = await deployPoolContracts(deploy, me);
  dep.poolExt = await ext.getAddress();
  dep.pool = await pool.getAddress();
  dep.deployBlock = dep.contracts.pool.block; // where an indexer (the keeper) starts reading the pool's events
  return connectPool(dep.pool, ctx.signer);
}

/** The listed assets by symbol (every symbol the configuration names). */
export type AssetsBySymbol = (symbol: string) => DeployedAsset;

/** Tokens and feeds (mocks deployed, real ones checked), their listings, flash fees, liquidation settings. */
export async function tokensOraclesAndListings(ctx: StackContext, pool: IFulcraPool): Promise<AssetsBySymbol> {
  const { hre, ethers, config, dep, me, signer, deploy, send, save, ensureRole } = ctx;
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
  return (s: string) => {
    const asset = listed.find((x) => x.symbol === s);
    // validateConfig (config/types.ts) already refused a configuration naming an unlisted symbol.
    if (!asset) throw new Error(`no asset ${s} in the deployment: add it to the configuration's assets`);
    return asset;
  };
}

/**
 * The volatility oracle and the risk engine, wired the way lib/risk.ts (deployRiskStack) wires a fresh stack, step by
 * step and idempotent: the engine holds the pool's RISK_ENGINE_ROLE, every asset with oracle settings is listed in
 * the oracle (its feed taken from the listing), every asset with a profile gets it, and one initial update records
 * the price baseline.
 */
export async function riskEngine(ctx: StackContext, pool: IFulcraPool, bySymbol: AssetsBySymbol) {
  const { config, dep, me, deploy, send, ensureRole } = ctx;
  const { oracle, engine } = await deployRiskContracts(deploy, dep.pool, me);
  dep.volatilityOracle = await oracle.getAddress();
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
      await send(
        `${a.symbol}: risk profile (${r.dynamic ? "dynamic" : "static"})`,
        engine.setProfile(asset.address, toOnchainProfile(r, r.dynamic)),
      );
    }
    if (a.oracle && Number((await oracle.observation(asset.address)).feedTime) === 0) initial.push(asset.address);
  }
  if (initial.length) await send("risk engine: initial update", engine.updateMany(initial));
  return { oracle, engine };
}

/** FulcraLens. */
export async function lens(ctx: StackContext): Promise<void> {
  ctx.dep.lens = await (await deployLens(ctx.deploy, ctx.dep.pool)).getAddress();
}

/**
 * Uniswap V3: deployed whole (local), periphery only, or existing; then each configured pair's pool, created at the
 * feed price and seeded full-range where this deployment owns the DEX.
 */
export async function dex(ctx: StackContext, bySymbol: AssetsBySymbol): Promise<void> {
  const { ethers, config, dep, me, signer, deploy, send, save, log } = ctx;
  const u = config.uniswap;
  if (u.deploy === true) {
    const weth = bySymbol(config.assets.some((a) => a.symbol === "WETH") ? "WETH" : config.assets[0].symbol);
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
  const entry = (s: string) => {
    const a = config.assets.find((x) => x.symbol === s);
    if (!a) throw new Error(`uniswap.pairs names ${s}, which is not among the configuration's assets: list it first`);
    return a;
  };
  const pools: DeployedUniswapPool[] = [];
  for (const [s0, s1] of u.pairs) {
    const A = entry(s0);
    const B = entry(s1);
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
          await send(`mint ${symbolOf(dep.assets, t.address)} for liquidity`, erc.mint(me, amount));
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
}

/** The FlashLiquidator, then the DEX adapter and the MarginRouter with the configured guards and fee. */
export async function liquidatorAndMargin(ctx: StackContext): Promise<Contract> {
  const { ethers, config, dep, me, deploy, send, save } = ctx;
  const liqOwner = config.roles.liquidatorOwner ?? me;
  dep.flashLiquidator = await (await deployFlashLiquidator(deploy, dep.pool, dep.swapRouter, liqOwner)).getAddress();
  const { adapter, router } = await deployMarginContracts(deploy, dep.pool, dep.swapRouter, me);
  dep.dexAdapter = await adapter.getAddress();
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
  return router;
}

/** Guardians and treasury on the pool. */
export async function operatorRoles(ctx: StackContext, pool: IFulcraPool): Promise<void> {
  const { config, dep, me, ensureRole } = ctx;
  for (const g of config.roles.guardians.length ? config.roles.guardians : [me])
    await ensureRole(pool, "pool", ROLE_IDS.GUARDIAN, g);
  const treasury = config.roles.treasury ?? (config.timelock.handOver ? dep.timelock : me);
  await ensureRole(pool, "pool", ROLE_IDS.TREASURY, treasury);
}

/** Local networks: funds the demo accounts with the mock tokens, once. */
export async function demoAccounts(ctx: StackContext, bySymbol: AssetsBySymbol): Promise<void> {
  const { ethers, config, dep, signer, send, save } = ctx;
  if (!(config.local && config.demo && dep.demoAccounts.length === 0)) return;
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

/** Hands every admin role to the timelock and renounces the deployer's (when the configuration says so). */
export async function handOverToTimelock(
  ctx: StackContext,
  pool: IFulcraPool,
  router: Contract,
  oracle: Contract,
  engine: Contract,
): Promise<void> {
  const { config, dep, me, send, ensureRole } = ctx;
  if (!config.timelock.handOver) return;
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

function symbolOf(listed: DeployedAsset[], address: string): string {
  return listed.find((a) => a.address.toLowerCase() === address.toLowerCase())?.symbol ?? address;
}
