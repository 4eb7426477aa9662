// The simulated world: the Fulcra stack (pool, three markets, lens, risk engine, margin router, flash liquidator),
// a real Uniswap V3 with WETH/USDC and WBTC/USDC pools, and the actors that are not users (admin, keeper,
// arbitrageur, liquidity provider, and a "spent" sink where borrowed money goes).
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Contract } from "ethers";
import { deployDemoPool, MAX_UINT128, type ListedAsset } from "../lib/protocol";
import { deployFlashLiquidator, deployLens, deployMarginContracts, freshDeployer } from "../lib/stack/contracts";
import { DEFAULT_PROFILES, toOnchainProfile, type RiskProfile } from "../config/profiles";
import { deployRiskStack, type OracleParams } from "../lib/risk";
import { mined } from "../lib/tx";
import {
  deployUniswapV3,
  createPoolAtPrice,
  addFullRangeLiquidity,
  encodePath,
  encodeSqrtPriceX96,
  sortTokens,
  poolContract,
  FEE,
  type UniswapV3,
} from "../lib/uniswap";
import { INITIAL_PRICES, type SimAsset } from "./scenarios";
import type { FulcraLens, IFulcraPool, RiskEngine, MarginRouter, FlashLiquidator } from "../typechain-types";

export const SUB_FLAG = 1n << 95n;
/** Where borrowed money "goes" (spent by the borrower): an address nobody controls, counted in conservation checks. */
export const SPENT_SINK = "0x00000000000000000000000000000000005e4d00";
/** Liquidity of each DEX pool, as a multiple of the protocol's collateral in that asset (see docs/simulation.md). */
export const DEX_DEPTH = 2;

export interface RiskStack {
  engine: RiskEngine;
  oracle: Contract;
  /** true if the oracle is the mock whose readings the driver pushes (until the real VolatilityOracle is merged). */
  pushReadings: boolean;
}

export interface World {
  admin: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  arb: HardhatEthersSigner;
  lp: HardhatEthersSigner;
  pool: IFulcraPool;
  poolAddress: string;
  assets: Record<"USDC" | SimAsset, ListedAsset>;
  lens: FulcraLens;
  risk: RiskStack;
  uni: UniswapV3;
  dexPools: Record<SimAsset, Contract>; // X/USDC pools
  paths: Record<string, string>; // "WETH>USDC" → packed path
  router: MarginRouter;
  adapter: string;
  liquidator: FlashLiquidator;
  /** The LP's full-range position in each DEX pool: NFT id and its liquidity at setup. */
  lpPositions: Partial<Record<SimAsset, { tokenId: bigint; liquidity0: bigint }>>;
}

export const pathKey = (from: string, to: string) => `${from}>${to}`;

/** Deploys the risk stack (VolatilityOracle + RiskEngine, default profiles) in static mode; each run picks its mode.
 * SIM_MOCK_ORACLE=1 swaps in the mock oracle whose readings the driver pushes (an EWMA of the path's returns). */
async function deployRisk(pool: IFulcraPool, admin: HardhatEthersSigner, assets: ListedAsset[]): Promise<RiskStack> {
  if (process.env.SIM_MOCK_ORACLE !== "1") {
    // SIM_PROFILES='{"WETH":{"ltSlope":300}}' overrides profile fields (for design experiments; reported in the JSON).
    const over = JSON.parse(process.env.SIM_PROFILES ?? "{}") as Record<string, Partial<RiskProfile>>;
    // SIM_ORACLE='{"WETH":{"fastHalfLife":7200}}' overrides estimator parameters the same way.
    const overOracle = JSON.parse(process.env.SIM_ORACLE ?? "{}") as Record<string, Partial<OracleParams>>;
    const riskAssets = assets.map((a) => ({
      symbol: a.symbol,
      address: a.address,
      profile: { ...DEFAULT_PROFILES[a.symbol], ...(over[a.symbol] ?? {}) },
      oracle: overOracle[a.symbol],
    }));
    const { engine, oracle } = await deployRiskStack(pool, admin, riskAssets, { staticMode: true });
    return { engine, oracle: oracle as unknown as Contract, pushReadings: false };
  }
  const oracle = (await (
    await ethers.getContractFactory("MockVolatilityOracle", admin)
  ).deploy()) as unknown as Contract;
  const engine = (await (
    await ethers.getContractFactory("RiskEngine", admin)
  ).deploy(await pool.getAddress(), await oracle.getAddress(), admin.address)) as unknown as RiskEngine;
  await engine.grantRole(await engine.RISK_ADMIN_ROLE(), admin.address);
  await pool.grantRole(ethers.id("RISK_ENGINE_ROLE"), await engine.getAddress());
  for (const a of assets) {
    const p = DEFAULT_PROFILES[a.symbol];
    if (p) await engine.setProfile(a.address, toOnchainProfile(p, false));
  }
  return { engine, oracle, pushReadings: true };
}

export async function deployWorld(): Promise<World> {
  const [admin, keeper, arb, lp] = await ethers.getSigners();
  const { pool, listed } = await deployDemoPool(admin);
  const assets = { USDC: listed[0], WETH: listed[1], WBTC: listed[2] };
  const poolAddress = await pool.getAddress();
  const deploy = freshDeployer(ethers, admin);
  const lens = (await deployLens(deploy, poolAddress)) as unknown as FulcraLens;
  const risk = await deployRisk(pool, admin, listed);

  const uni = await deployUniswapV3(admin);
  const dexPools = {} as Record<SimAsset, Contract>;
  for (const sym of ["WETH", "WBTC"] as SimAsset[]) {
    dexPools[sym] = await createPoolAtPrice(
      uni,
      assets[sym].address,
      assets.USDC.address,
      FEE.MEDIUM,
      INITIAL_PRICES[sym],
      assets[sym].spec.decimals,
      6,
    );
  }
  const paths: Record<string, string> = {};
  for (const sym of ["WETH", "WBTC"]) {
    const a = assets[sym as SimAsset].address;
    paths[pathKey(sym, "USDC")] = encodePath([a, assets.USDC.address], [FEE.MEDIUM]);
    paths[pathKey("USDC", sym)] = encodePath([assets.USDC.address, a], [FEE.MEDIUM]);
  }
  const margin = await deployMarginContracts(deploy, poolAddress, uni.addresses.router, admin.address);
  const adapter = margin.adapter;
  const router = margin.router as unknown as MarginRouter;
  const liquidator = (await deployFlashLiquidator(
    deploy,
    poolAddress,
    uni.addresses.router,
    keeper.address,
  )) as unknown as FlashLiquidator;

  return {
    admin,
    keeper,
    arb,
    lp,
    pool,
    poolAddress,
    assets,
    lens,
    risk,
    uni,
    dexPools,
    paths,
    router,
    adapter: await adapter.getAddress(),
    liquidator,
    lpPositions: {},
  };
}

/** Adds full-range liquidity worth `usdValue` per side to the X/USDC pool at the current price. */
export async function addDexLiquidity(w: World, sym: SimAsset, usdValue: number, price: number) {
  const a = w.assets[sym];
  const amountX = ethers.parseUnits((usdValue / price).toFixed(a.spec.decimals), a.spec.decimals);
  const amountU = ethers.parseUnits(usdValue.toFixed(6), 6);
  await a.token.mint(w.lp.address, amountX);
  await w.assets.USDC.token.mint(w.lp.address, amountU);
  const m = await addFullRangeLiquidity(w.uni, w.lp, a.address, w.assets.USDC.address, FEE.MEDIUM, amountX, amountU);
  w.lpPositions[sym] = { tokenId: m.tokenId, liquidity0: m.liquidity };
}

/**
 * Sets the LP's position in the X/USDC pool to `fraction` of its setup liquidity: LPs pull liquidity when volatility
 * spikes (as on 12 March 2020 and 19 May 2021) and come back later. Withdrawals are collected to the LP's wallet;
 * a return re-adds what the wallet holds (at the new price one side may be partly unused).
 */
export async function setDexLiquidity(w: World, sym: SimAsset, fraction: number) {
  const pos = w.lpPositions[sym];
  if (!pos) return;
  const npm = w.uni.positionManager.connect(w.lp) as Contract;
  const current: bigint = (await npm.positions(pos.tokenId))[7];
  const target = (pos.liquidity0 * BigInt(Math.round(fraction * 1e6))) / 10n ** 6n;
  const deadline = 2n ** 64n;
  if (target < current) {
    await npm.decreaseLiquidity({
      tokenId: pos.tokenId,
      liquidity: current - target,
      amount0Min: 0n,
      amount1Min: 0n,
      deadline,
    });
    await npm.collect({
      tokenId: pos.tokenId,
      recipient: w.lp.address,
      amount0Max: MAX_UINT128,
      amount1Max: MAX_UINT128,
    });
  } else if (target > current) {
    const a = w.assets[sym];
    const [t0, t1] = sortTokens(a, w.assets.USDC);
    const b0 = await t0.token.balanceOf(w.lp.address);
    const b1 = await t1.token.balanceOf(w.lp.address);
    // Add at most what brings the position back to `target` (scaled from the wallet by the missing share).
    const share = ((target - current) * 10n ** 6n) / (pos.liquidity0 - current || 1n);
    const k = share > 10n ** 6n ? 10n ** 6n : share;
    await npm.increaseLiquidity({
      tokenId: pos.tokenId,
      amount0Desired: (b0 * k) / 10n ** 6n,
      amount1Desired: (b1 * k) / 10n ** 6n,
      amount0Min: 0n,
      amount1Min: 0n,
      deadline,
    });
  }
}

/** sqrtPriceX96 of the X/USDC pool for `price` USD per X (exact to 12 significant digits of the price). */
export function sqrtPriceX96For(x: string, xDecimals: number, usdc: string, price: number): bigint {
  const p12 = price.toPrecision(12).includes("e") ? price.toFixed(12) : price.toPrecision(12);
  return encodeSqrtPriceX96(x, usdc, p12, xDecimals, 6);
}

/** Swaps the X/USDC pool to `price` (USD per X) from the arbitrageur's inventory: the sqrt-price limit stops it there. */
export async function arbitrageTo(w: World, sym: SimAsset, price: number): Promise<bigint> {
  const a = w.assets[sym];
  const usdc = w.assets.USDC.address;
  const pool = w.dexPools[sym];
  const current: bigint = (await pool.slot0())[0];
  const target = sqrtPriceX96For(a.address, a.spec.decimals, usdc, price);
  const diff = current > target ? current - target : target - current;
  if (diff * 1_000_000n < current) return 0n; // within 1 ppm (0.0002 % in price): nothing worth doing
  const [token0] = sortTokens(a.address, usdc);
  const zeroForOne = target < current;
  const tokenIn = zeroForOne ? token0 : token0 === usdc ? a.address : usdc;
  const tokenOut = tokenIn === usdc ? a.address : usdc;
  const tx = await (w.uni.router.connect(w.arb) as Contract).exactInputSingle({
    tokenIn,
    tokenOut,
    fee: FEE.MEDIUM,
    recipient: w.arb.address,
    deadline: 2n ** 64n,
    amountIn: tokenIn === usdc ? 10n ** 15n : ethers.parseUnits("1000000", a.spec.decimals),
    amountOutMinimum: 0n,
    sqrtPriceLimitX96: target,
  });
  return (await mined(tx)).gasUsed;
}

/** Gives the arbitrageur a fixed inventory once (no minting during a run, so token supplies stay constant). */
export async function fundArbitrageur(w: World) {
  await w.assets.USDC.token.mint(w.arb.address, 10n ** 15n * 2n); // 2 billion USDC
  await w.assets.WETH.token.mint(w.arb.address, ethers.parseUnits("2000000", 18));
  await w.assets.WBTC.token.mint(w.arb.address, ethers.parseUnits("2000000", 8));
  for (const a of Object.values(w.assets))
    await a.token.connect(w.arb).approve(w.uni.addresses.router, ethers.MaxUint256);
}

/** A signer for a deterministic simulated address (impersonated: no keys, no signing cost). */
export async function simSigner(index: number, salt: string): Promise<HardhatEthersSigner> {
  const address = ethers.getAddress("0x" + ethers.id(`fulcra-sim:${salt}:${index}`).slice(26));
  await network.provider.request({ method: "hardhat_impersonateAccount", params: [address] });
  await network.provider.request({ method: "hardhat_setBalance", params: [address, "0x56BC75E2D63100000"] });
  return ethers.getImpersonatedSigner(address);
}

export { poolContract };
