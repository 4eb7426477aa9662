// The simulated population: lenders, borrowers with a realistic spread of borrowing-power usage, margin traders with
// a spread of leverage. Generated from the seed in plain JS (so both modes get the same people), then put on chain.
//
// Distributions (documented in docs/simulation.md):
//  - shares of accounts: 20 % lenders, 55 % borrowers, 25 % margin traders;
//  - borrower collateral: log-normal, median $60k, log-σ 1.0, clipped to $5k–$1.5M; WETH 65 %, WBTC 35 %;
//  - borrowing power used at entry: Beta(4, 2.2) (mean 0.65, most between 0.4 and 0.9), clipped to 0.15–0.97;
//  - margin: log-normal, median $15k, log-σ 0.8, clipped to $2k–$300k; long WETH 55 %, long WBTC 25 %, short WETH 20 %;
//  - leverage: 1.2× + Beta(2, 2.5)·(max − 1.2×), i.e. mostly 2–3.5×, a tail up to the router's maximum;
//  - behaviour: 20 % never look at their position; the others check it with a per-step probability drawn
//    log-normally (median 0.08: about once every 3 hours), and act when their health factor is below a personal
//    trigger (uniform 1.05–1.25): borrowers repay down to their target usage of the *current* borrowing power from a
//    wallet reserve (10–60 % of their debt), traders add margin from a reserve (10–60 % of their margin). When prices
//    rise, attentive borrowers borrow back up to their target. Borrowed money is spent (sent to a sink).
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Rng } from "./random";
import { INITIAL_PRICES, type SimAsset } from "./scenarios";
import { arbitrageTo, addDexLiquidity, simSigner, SPENT_SINK, DEX_DEPTH, pathKey, type World } from "./world";

export interface Behaviour {
  attentiveness: number; // probability of checking the position in a step (0: never)
  trigger: number; // health factor below which the user acts
  reserveShare: number; // wallet reserve, as a share of debt (borrowers) or margin (traders)
}

export interface LenderSpec {
  kind: "lender";
  asset: "USDC" | "WETH";
  usd: number;
}
export interface BorrowerSpec {
  kind: "borrower";
  collateral: SimAsset;
  usd: number;
  usage: number; // target share of borrowing power
  b: Behaviour;
}
export interface TraderSpec {
  kind: "trader";
  base: SimAsset;
  isLong: boolean;
  usd: number; // margin value
  leverage: number;
  b: Behaviour;
}
export type ActorSpec = LenderSpec | BorrowerSpec | TraderSpec;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function behaviour(rng: Rng): Behaviour {
  const passive = rng.next() < 0.2;
  const attentiveness = clip(rng.logNormal(0.08, 0.8), 0.01, 0.6);
  const trigger = rng.uniform(1.05, 1.25);
  const reserveShare = rng.uniform(0.1, 0.6);
  return { attentiveness: passive ? 0 : attentiveness, trigger, reserveShare };
}

/** Max leverage the router allows at calm LTVs (1 / (1 − LTV) less its 2 % buffer), minus a margin for swap costs. */
const MAX_LEV: Record<SimAsset | "USDC", number> = { WETH: 4.7, WBTC: 3.5, USDC: 4.7 };

export function generatePopulation(n: number, rng: Rng): ActorSpec[] {
  const nLenders = Math.max(2, Math.round(n * 0.2));
  const nTraders = Math.max(1, Math.round(n * 0.25));
  const nBorrowers = Math.max(1, n - nLenders - nTraders);
  const out: ActorSpec[] = [];
  for (let i = 0; i < nBorrowers; i++) {
    const collateral = rng.pick<SimAsset>(["WETH", "WBTC"], [0.65, 0.35]);
    const usd = clip(rng.logNormal(60_000, 1.0), 5_000, 1_500_000);
    const usage = clip(rng.beta(4, 2.2), 0.15, 0.97);
    out.push({ kind: "borrower", collateral, usd, usage, b: behaviour(rng) });
  }
  for (let i = 0; i < nTraders; i++) {
    const side = rng.pick(["long-WETH", "long-WBTC", "short-WETH"], [0.55, 0.25, 0.2]);
    const base: SimAsset = side === "long-WBTC" ? "WBTC" : "WETH";
    const isLong = side !== "short-WETH";
    const usd = clip(rng.logNormal(15_000, 0.8), 2_000, 300_000);
    const max = MAX_LEV[isLong ? base : "USDC"];
    const leverage = 1.2 + rng.beta(2, 2.5) * (max - 1.2);
    out.push({ kind: "trader", base, isLong, usd, leverage, b: behaviour(rng) });
  }
  // Lenders supply enough USDC for 1.6× the borrowers' and longs' demand, and WETH for 3× the shorts' demand.
  let usdcDemand = 0;
  let wethDemand = 0;
  for (const a of out) {
    if (a.kind === "borrower") usdcDemand += a.usd * 0.8 * a.usage;
    else if (a.kind === "trader") {
      if (a.isLong) usdcDemand += a.usd * (a.leverage - 1);
      else wethDemand += a.usd * (a.leverage - 1);
    }
  }
  const nWethLenders = Math.max(1, Math.round(nLenders / 4));
  const weightsU = Array.from({ length: nLenders - nWethLenders }, () => rng.logNormal(1, 0.7));
  const weightsW = Array.from({ length: nWethLenders }, () => rng.logNormal(1, 0.7));
  const sumU = weightsU.reduce((s, w) => s + w, 0);
  const sumW = weightsW.reduce((s, w) => s + w, 0);
  for (const w of weightsU) out.push({ kind: "lender", asset: "USDC", usd: (1.6 * usdcDemand * w) / sumU });
  for (const w of weightsW) out.push({ kind: "lender", asset: "WETH", usd: ((3 * wethDemand + 200_000) * w) / sumW });
  return out;
}

export interface Actor {
  index: number;
  spec: ActorSpec;
  signer: HardhatEthersSigner;
  address: string;
  subId: bigint; // borrowers 0, traders their position's sub-account
  positionId: bigint;
  collateralAsset: string; // address ("" for lenders)
  debtAsset: string;
}

/** Sub-account of a margin position built by looping (supply, borrow, swap, supply) instead of the router. */
export const LOOP_SUB_ID = 1n;

/** Leverage by looping: post the margin, then borrow the debt asset, buy collateral on Uniswap and post it, until the
 * collateral is `leverage` × margin (what the router does in one flash-loan transaction). */
async function openByLooping(
  w: World,
  signer: HardhatEthersSigner,
  collSym: "USDC" | SimAsset,
  debtSym: "USDC" | SimAsset,
  margin: bigint,
  leverage: number,
) {
  const { pool, poolAddress, assets } = w;
  const coll = assets[collSym];
  const debt = assets[debtSym];
  const me = signer.address;
  await coll.token.connect(signer).approve(poolAddress, ethers.MaxUint256);
  await debt.token.connect(signer).approve(w.uni.addresses.router, ethers.MaxUint256);
  await pool.connect(signer).supplyCollateral(coll.address, margin, me, LOOP_SUB_ID);
  const target = (margin * BigInt(Math.floor(leverage * 1e6))) / 10n ** 6n;
  let held = margin;
  const pC = await pool.price(coll.address);
  const pD = await pool.price(debt.address);
  for (let i = 0; i < 16 && held * 1000n < target * 995n; i++) {
    if (process.env.SIM_DEBUG) console.error("[loop]", i, held, target);
    const h = await pool.accountHealth(me, LOOP_SUB_ID);
    const room = ((h.borrowingPower - h.debtValue) * 97n) / 100n;
    let value = ((((target - held) * pC) / 10n ** 18n) * 101n) / 100n;
    if (value > room) value = room;
    const amount = (value * 10n ** 18n) / pD;
    if (amount === 0n) break;
    await pool.connect(signer).borrow(debt.address, amount, me, LOOP_SUB_ID, me);
    const before = await coll.token.balanceOf(me);
    await (w.uni.router.connect(signer) as import("ethers").Contract).exactInputSingle({
      tokenIn: debt.address,
      tokenOut: coll.address,
      fee: 3000,
      recipient: me,
      deadline: 2n ** 64n,
      amountIn: amount,
      amountOutMinimum: 0n,
      sqrtPriceLimitX96: 0n,
    });
    const bought = (await coll.token.balanceOf(me)) - before;
    await pool.connect(signer).supplyCollateral(coll.address, bought, me, LOOP_SUB_ID);
    held += bought;
  }
}

const units = (usd: number, price: number, decimals: number) =>
  ethers.parseUnits((usd / price).toFixed(Math.min(decimals, 8)), decimals);

/** Puts the population on chain: lenders supply, borrowers post collateral and borrow, traders open positions. */
export async function materialize(w: World, specs: ActorSpec[], onProgress?: (done: number) => void): Promise<Actor[]> {
  const { pool, poolAddress, assets } = w;
  const usdc = assets.USDC;
  const priceOf = (s: string) => (s === "USDC" ? 1 : INITIAL_PRICES[s as SimAsset]);
  // DEX depth: DEX_DEPTH × the protocol's collateral in each asset.
  const collUsd: Record<SimAsset, number> = { WETH: 0, WBTC: 0 };
  for (const s of specs) {
    if (s.kind === "borrower") collUsd[s.collateral] += s.usd;
    if (s.kind === "trader" && s.isLong) collUsd[s.base] += s.usd * s.leverage;
  }
  for (const sym of ["WETH", "WBTC"] as SimAsset[])
    await addDexLiquidity(w, sym, Math.max(1_000_000, DEX_DEPTH * collUsd[sym]), INITIAL_PRICES[sym]);

  const actors: Actor[] = [];
  // Lenders first so that there is something to borrow.
  const order = specs
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.kind === "lender" ? 0 : 1) - (b.s.kind === "lender" ? 0 : 1));
  let done = 0;
  const dbg = process.env.SIM_DEBUG ? (...a: unknown[]) => console.error("[pop]", ...a) : () => {};
  for (const { s, i } of order) {
    dbg(i, s.kind);
    const signer = await simSigner(i, "actor");
    const address = signer.address;
    const actor: Actor = {
      index: i,
      spec: s,
      signer,
      address,
      subId: 0n,
      positionId: 0n,
      collateralAsset: "",
      debtAsset: "",
    };
    if (s.kind === "lender") {
      const a = assets[s.asset];
      const amount = units(s.usd, priceOf(s.asset), a.spec.decimals);
      await a.token.mint(address, amount);
      await a.token.connect(signer).approve(poolAddress, ethers.MaxUint256);
      await pool.connect(signer).supply(a.address, amount, 0, address);
    } else if (s.kind === "borrower") {
      const c = assets[s.collateral];
      const amount = units(s.usd, INITIAL_PRICES[s.collateral], c.spec.decimals);
      await c.token.mint(address, amount);
      await c.token.connect(signer).approve(poolAddress, ethers.MaxUint256);
      await usdc.token.connect(signer).approve(poolAddress, ethers.MaxUint256);
      await pool.connect(signer).supplyCollateral(c.address, amount, address, 0);
      const h = await pool.accountHealth(address, 0);
      const debtUsd = (h.borrowingPower * BigInt(Math.floor(s.usage * 1e6))) / 10n ** 6n; // 18-dec USD
      const borrow = debtUsd / 10n ** 12n; // USDC at $1
      if (borrow >= 100n * 10n ** 6n) await pool.connect(signer).borrow(usdc.address, borrow, address, 0, SPENT_SINK);
      await usdc.token.mint(address, (borrow * BigInt(Math.floor(s.b.reserveShare * 1e6))) / 10n ** 6n);
      actor.collateralAsset = c.address;
      actor.debtAsset = usdc.address;
    } else {
      const base = assets[s.base];
      const coll = s.isLong ? base : usdc;
      const margin = units(s.usd, priceOf(s.isLong ? s.base : "USDC"), coll.spec.decimals);
      const reserve = (margin * BigInt(Math.floor(s.b.reserveShare * 1e6))) / 10n ** 6n;
      await coll.token.mint(address, margin + reserve);
      await coll.token.connect(signer).approve(await w.router.getAddress(), ethers.MaxUint256);
      await pool.connect(signer).setAuthorization(await w.router.getAddress(), true);
      const debtSym = s.isLong ? "USDC" : s.base;
      const collSym = s.isLong ? s.base : "USDC";
      const positionId = await w.router.nextPositionId();
      const block = await ethers.provider.getBlock("latest");
      try {
        await w.router.connect(signer).openPosition({
          base: base.address,
          quote: usdc.address,
          isLong: s.isLong,
          margin,
          leverage: BigInt(Math.floor(s.leverage * 1e6)) * 10n ** 12n,
          minOut: 0n,
          route: w.paths[pathKey(debtSym, collSym)],
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the latest block always exists
          deadline: BigInt(block!.timestamp + 3600),
        });
        actor.positionId = positionId;
        actor.subId = await w.router.subIdOf(positionId);
      } catch (e) {
        // The router refused (e.g. the swap would move the pool beyond its oracle-deviation guard): build the same
        // position by looping on the pool instead.
        dbg("router refused", i, JSON.stringify(s), (e as Error).message.slice(0, 160));
        await openByLooping(w, signer, collSym, debtSym, margin, s.leverage);
        actor.subId = LOOP_SUB_ID;
      }
      await arbitrageTo(w, s.base, INITIAL_PRICES[s.base]);
      actor.collateralAsset = coll.address;
      actor.debtAsset = s.isLong ? usdc.address : base.address;
    }
    actors.push(actor);
    onProgress?.(++done);
  }
  return actors.sort((a, b) => a.index - b.index);
}
