// The simulation driver: deploy once, put the population on chain, snapshot; then for each mode (static, dynamic)
// revert to the snapshot and drive the same price path: each step moves the Chainlink mock feeds, arbitrages the
// Uniswap pools to the feed price, lets the keeper update the risk engine and liquidate, lets users react, and
// advances time and blocks. Metrics are collected from receipts and lens snapshots.
import { ethers, network } from "hardhat";
import { Rng } from "./random";
import {
  generatePath,
  realizedVol,
  SIM_ASSETS,
  STEP_SECONDS,
  YEAR_SECONDS,
  type PricePath,
  type SimAsset,
} from "./scenarios";
import { generatePopulation, materialize, type Actor, type BorrowerSpec, type TraderSpec } from "./population";
import { deployWorld, fundArbitrageur, arbitrageTo, setDexLiquidity, type World } from "./world";
import { createKeeper, keeperKind, type LiquidationRecord, type BadDebtRecord, type Watched } from "./keeper";
import { toFeedAnswer } from "../lib/protocol";

export type Mode = "static" | "dynamic";
export const BLOCK_SECONDS = 12;
export const STEP_BLOCKS = STEP_SECONDS / BLOCK_SECONDS; // 75
const WAD = 10n ** 18n;
const FLAG_BREAKER = 16n;
/** EWMA of squared step returns for the pushed (mock) volatility readings: half-life 6 hours. */
export const EWMA_LAMBDA = Math.pow(0.5, 1 / ((6 * 3600) / STEP_SECONDS));

export interface SimOptions {
  scenario: string;
  seed: number;
  accounts: number;
  steps: number;
  modes?: Mode[];
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface StepSample {
  step: number;
  phase: string;
  block: number;
  price: Record<SimAsset, number>;
  vol: number; // WETH volatility the engine sees (annualized, fraction): the oracle's long estimate
  fastVol: number; // the oracle's short estimate (the LTV and the breaker follow the larger of the two)
  realizedVol: number; // WETH realized volatility of the path (16-step window)
  lt: number; // WETH effective LT, bps
  ltv: number; // WETH LTV, bps
  badDebtUsd: number; // cumulative (realized), USD
  liquidations: number; // cumulative
  borrowPowerUsed: number; // Σ debt / Σ borrowing power over all borrowing accounts
  breaker: boolean; // WETH circuit breaker
}

export interface ModeResult {
  mode: Mode;
  liquidations: LiquidationRecord[];
  badDebts: BadDebtRecord[];
  usersLiquidated: number;
  accountsLiquidated: number;
  collateralLiquidatedUsd: bigint;
  collateralLiquidated: Record<string, bigint>; // per asset symbol, token units
  badDebtRealizedUsd: bigint;
  badDebtUnrealizedUsd: bigint; // Σ max(0, debt − collateral) over accounts at the end
  lendersLossUsd: bigint; // socialized part of realized bad debt
  borrowPowerUsedCalm: number;
  /** Mean blocks from the step in which the keeper first went for the account (it found the liquidation worth
   * sending) to the liquidation. */
  keeperLatencyBlocks: number;
  keeperLatencyMaxBlocks: number;
  /** One entry per liquidation: its block, the keeper-latency reference block, the first block the account was seen
   * liquidatable (same episode), and whether the keeper had skipped it as unprofitable before. */
  latencyLog: { block: number; attemptFrom: number; liquidatableFrom: number; skippedBefore: boolean }[];
  /** Mean blocks from the first snapshot showing the account liquidatable to its liquidation (waiting while the
   * liquidation did not pay included: the former keeperLatencyBlocks). */
  liquidatableToLiquidationBlocks: number;
  keeperGas: bigint;
  /** Account·steps the keeper saw liquidatable and skipped (not profitable: slippage above the bonus). */
  failedLiquidationAttempts: number;
  /** Distinct accounts skipped as unprofitable at least once. */
  accountsSkippedUnprofitable: number;
  /** Keeper transactions that reverted on chain (e.g. a liquidation whose swap no longer paid when mined). */
  keeperReverts: number;
  userActions: { repays: number; borrows: number; addMargins: number };
  series: StepSample[];
  startBlock: number;
  endBlock: number;
}

export interface SimResult {
  options: Omit<SimOptions, "onProgress">;
  path: PricePath;
  actors: Actor[];
  world: World;
  results: Partial<Record<Mode, ModeResult>>;
  oracle: "VolatilityOracle" | "MockVolatilityOracle";
  keeperImpl: string;
  setupBlock: number;
}

const usdNum = (v: bigint) => Number(v) / 1e18;

async function mineStep() {
  // 74 blocks at 12 s; the next step's first block lands on the step boundary (see runMode).
  await network.provider.request({
    method: "hardhat_mine",
    params: ["0x" + (STEP_BLOCKS - 1).toString(16), "0x" + BLOCK_SECONDS.toString(16)],
  });
}

export async function runSimulation(opts: SimOptions): Promise<SimResult> {
  const modes = opts.modes ?? ["static", "dynamic"];
  const root = new Rng(opts.seed);
  const path = generatePath(opts.scenario, opts.steps, root.fork(1));
  const specs = generatePopulation(opts.accounts, root.fork(2));
  const behaviourSeed = Math.floor(root.fork(3).next() * 0xffffffff);

  const progress = opts.onProgress ?? (() => {});
  progress("deploy", 0, specs.length);
  const deployBlock = (await ethers.provider.getBlockNumber()) + 1;
  const w = await deployWorld();
  await fundArbitrageur(w);
  const actors = await materialize(w, specs, (d) => progress("population", d, specs.length));
  const setupBlock = await ethers.provider.getBlockNumber();
  let snapshot = (await network.provider.request({ method: "evm_snapshot", params: [] })) as string;

  const results: SimResult["results"] = {};
  for (let m = 0; m < modes.length; m++) {
    if (m > 0) {
      await network.provider.request({ method: "evm_revert", params: [snapshot] });
      if (m < modes.length - 1)
        snapshot = (await network.provider.request({ method: "evm_snapshot", params: [] })) as string;
    }
    results[modes[m]] = await runMode(w, modes[m], path, actors, new Rng(behaviourSeed), deployBlock, (d) =>
      progress(modes[m], d, opts.steps),
    );
  }
  return {
    options: { scenario: opts.scenario, seed: opts.seed, accounts: opts.accounts, steps: opts.steps, modes },
    path,
    actors,
    world: w,
    results,
    oracle: w.risk.pushReadings ? "MockVolatilityOracle" : "VolatilityOracle",
    keeperImpl: keeperKind() === "sim" ? "SimKeeper (in-sim)" : "Keeper (keeper/, in process)",
    setupBlock,
  };
}

async function runMode(
  w: World,
  mode: Mode,
  path: PricePath,
  actors: Actor[],
  rng: Rng,
  deployBlock: number,
  tick: (done: number) => void,
): Promise<ModeResult> {
  const { pool, assets, admin } = w;
  const engine = w.risk.engine;
  const riskAssets = [assets.WETH.address, assets.WBTC.address, assets.USDC.address];
  for (const a of riskAssets) await engine.connect(admin).setMode(a, mode === "dynamic");
  const borrowersAndTraders = actors.filter((a) => a.spec.kind !== "lender");
  const watched: Watched[] = borrowersAndTraders.map((a) => ({ owner: a.address, subId: a.subId }));
  const keeper = createKeeper(w, () => watched, riskAssets, deployBlock);
  const symByAddr: Record<string, string> = {};
  for (const a of Object.values(assets)) symByAddr[a.address] = a.symbol;

  const res: ModeResult = {
    mode,
    liquidations: [],
    badDebts: [],
    usersLiquidated: 0,
    accountsLiquidated: 0,
    collateralLiquidatedUsd: 0n,
    collateralLiquidated: { USDC: 0n, WETH: 0n, WBTC: 0n },
    badDebtRealizedUsd: 0n,
    badDebtUnrealizedUsd: 0n,
    lendersLossUsd: 0n,
    borrowPowerUsedCalm: 0,
    keeperLatencyBlocks: 0,
    keeperLatencyMaxBlocks: 0,
    latencyLog: [],
    liquidatableToLiquidationBlocks: 0,
    keeperGas: 0n,
    failedLiquidationAttempts: 0,
    accountsSkippedUnprofitable: 0,
    keeperReverts: 0,
    userActions: { repays: 0, borrows: 0, addMargins: 0 },
    series: [],
    startBlock: (await ethers.provider.getBlockNumber()) + 1,
    endBlock: 0,
  };
  const pending = new Map<string, number>(); // account → block first seen liquidatable
  const attemptFrom = new Map<string, number>(); // account → snapshot block of the step the keeper first went for it
  const skippedOnce = new Set<string>(); // accounts skipped as unprofitable in the current episode
  const skippedEver = new Set<string>();
  const liquidatedOwners = new Set<string>();
  const liquidatedAccounts = new Set<string>();
  const key = (owner: string, subId: bigint) => `${owner.toLowerCase()}:${subId}`;
  let variance: Record<SimAsset, number> = { WETH: 0.55 ** 2, WBTC: 0.45 ** 2 };
  let calmUsage = 0;
  let calmSamples = 0;

  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the latest block always exists
  const t0 = (await ethers.provider.getBlock("latest"))!.timestamp;
  for (let step = 1; step <= path.steps; step++) {
    // 0. Anchor the step's clock (automined blocks otherwise drift with wall time, differently in each mode).
    const stepStart = t0 + (step - 1) * STEP_SECONDS + 1;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the latest block always exists
    const latestTs = (await ethers.provider.getBlock("latest"))!.timestamp;
    if (stepStart > latestTs)
      await network.provider.request({ method: "evm_setNextBlockTimestamp", params: [stepStart] });
    // 1. Oracles move.
    for (const sym of SIM_ASSETS) await assets[sym].feed.connect(admin).setAnswer(toFeedAnswer(path.prices[sym][step]));
    if (step % 16 === 1) await assets.USDC.feed.connect(admin).setAnswer(toFeedAnswer(1)); // USDC's heartbeat is a day
    // 2. LPs pull or return liquidity at phase changes; arbitrage pulls the DEX pools to the feed price.
    if (path.dexLiquidity[step] !== path.dexLiquidity[step - 1]) {
      for (const sym of SIM_ASSETS) await setDexLiquidity(w, sym, path.dexLiquidity[step]);
    }
    for (const sym of SIM_ASSETS) await arbitrageTo(w, sym, path.prices[sym][step]);
    // 3. Volatility readings (only for the mock oracle; the real oracle reads the feeds itself when updated).
    const dtYears = STEP_SECONDS / YEAR_SECONDS;
    for (const sym of SIM_ASSETS) {
      const r = Math.log(path.prices[sym][step] / path.prices[sym][step - 1]);
      variance[sym] = EWMA_LAMBDA * variance[sym] + (1 - EWMA_LAMBDA) * ((r * r) / dtYears);
      if (w.risk.pushReadings) {
        const vol = BigInt(Math.round(Math.sqrt(variance[sym]) * 1e9)) * 10n ** 9n;
        const move = BigInt(Math.round(Math.abs(r) * 1e9)) * 10n ** 9n;
        await w.risk.oracle.connect(admin).getFunction("setReading")(assets[sym].address, vol, move);
      }
    }
    if (w.risk.pushReadings && step === 1) {
      await w.risk.oracle.connect(admin).getFunction("setReading")(assets.USDC.address, 10n ** 16n, 0n);
    }
    variance = { ...variance };

    // 4. Observe: which accounts are liquidatable now (for keeper latency).
    const observed = await w.lens.snapshot(
      watched.map((a) => a.owner),
      watched.map((a) => a.subId),
    );
    const obsBlock = Number(observed[0]);
    for (const s of observed[2]) {
      const k = key(s.owner, s.subId);
      if (s.ok && s.liquidatable && !pending.has(k)) pending.set(k, obsBlock);
      else if (s.ok && !s.liquidatable) {
        // Healthy again (price moved back, or the user repaid): the liquidatable episode is over.
        pending.delete(k);
        attemptFrom.delete(k);
        skippedOnce.delete(k);
      }
    }

    // 5. Keeper.
    const t = await keeper.tick();
    res.keeperGas += t.gasUsed;
    res.failedLiquidationAttempts += t.failed;
    res.keeperReverts += t.reverted;
    for (const k of t.attempted) if (!attemptFrom.has(k)) attemptFrom.set(k, obsBlock);
    for (const k of t.skipped) {
      skippedOnce.add(k);
      skippedEver.add(k);
    }
    const prices: Record<string, bigint> = {};
    for (const a of Object.values(assets)) prices[a.address] = await pool.price(a.address);
    for (const l of t.liquidations) {
      res.liquidations.push(l);
      const sym = symByAddr[l.collateralAsset];
      res.collateralLiquidated[sym] += l.seized;
      res.collateralLiquidatedUsd += (l.seized * prices[l.collateralAsset]) / WAD;
      liquidatedOwners.add(l.owner.toLowerCase());
      liquidatedAccounts.add(key(l.owner, l.subId));
      const k = key(l.owner, l.subId);
      res.latencyLog.push({
        block: l.block,
        attemptFrom: attemptFrom.get(k) ?? obsBlock,
        liquidatableFrom: pending.get(k) ?? obsBlock,
        skippedBefore: skippedOnce.has(k),
      });
      pending.delete(k);
      attemptFrom.delete(k);
      skippedOnce.delete(k);
    }
    for (const b of t.badDebts) {
      res.badDebts.push(b);
      res.badDebtRealizedUsd += (b.debt * prices[b.asset]) / WAD;
      res.lendersLossUsd += (b.socialized * prices[b.asset]) / WAD;
    }

    // 6. Users react (same random draws in both modes: one per actor per step).
    const ltvs: Record<string, bigint> = {};
    const flags: Record<string, bigint> = {};
    for (const a of Object.values(assets)) {
      const c = await pool.assetConfig(a.address);
      ltvs[a.address] = BigInt(c.ltv);
      flags[a.address] = BigInt(c.flags);
    }
    const snap = await w.lens.snapshot(
      watched.map((a) => a.owner),
      watched.map((a) => a.subId),
    );
    let sumDebt = 0n;
    let sumPower = 0n;
    for (let i = 0; i < borrowersAndTraders.length; i++) {
      const actor = borrowersAndTraders[i];
      const s = snap[2][i];
      const draw = rng.next();
      if (!s.ok) continue;
      const power = (s.collateralValue * ltvs[actor.collateralAsset]) / 10_000n;
      if (s.debtValue > 0n) {
        sumDebt += s.debtValue;
        sumPower += power;
      }
      const spec = actor.spec as BorrowerSpec | TraderSpec;
      if (draw >= spec.b.attentiveness || s.collateralValue === 0n) continue;
      const health = s.debtValue === 0n ? Infinity : Number((s.liquidationValue * 10_000n) / s.debtValue) / 10_000;
      const usage = power === 0n ? Infinity : Number((s.debtValue * 10_000n) / power) / 10_000;
      try {
        if (spec.kind === "borrower") {
          const targetDebt = (power * BigInt(Math.floor(spec.usage * 1e6))) / 10n ** 6n;
          if ((health < spec.b.trigger || usage > 1) && s.debtValue > targetDebt) {
            const wallet = await assets.USDC.token.balanceOf(actor.address);
            let amount = (s.debtValue - targetDebt) / 10n ** 12n; // USDC at $1
            if (amount > wallet) amount = wallet;
            if (amount >= 10n ** 6n) {
              await pool.connect(actor.signer).repay(assets.USDC.address, amount, actor.address, 0);
              res.userActions.repays++;
            }
          } else if (health >= spec.b.trigger && usage <= 1 && s.debtValue * 100n < targetDebt * 85n) {
            const breaker = (flags[actor.collateralAsset] | flags[assets.USDC.address]) & FLAG_BREAKER;
            const amount = (targetDebt - s.debtValue) / 10n ** 12n;
            if (!breaker && amount >= 100n * 10n ** 6n) {
              await pool
                .connect(actor.signer)
                .borrow(assets.USDC.address, amount, actor.address, 0, "0x00000000000000000000000000000000005e4d00");
              res.userActions.borrows++;
            }
          }
        } else if (s.debtValue > 0n && health < spec.b.trigger) {
          // Add margin to bring health to trigger + 0.1: Δcollateral value = (target·debt − LT value) / LT.
          const lt = await pool.effectiveLt(actor.collateralAsset);
          const targetHealth = BigInt(Math.floor((spec.b.trigger + 0.1) * 1e4));
          const needUsd = (((targetHealth * s.debtValue) / 10_000n - s.liquidationValue) * 10_000n) / lt;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- actors post only the world's assets
          const coll = Object.values(assets).find((a) => a.address === actor.collateralAsset)!;
          let amount = (needUsd * WAD) / prices[actor.collateralAsset];
          const wallet = await coll.token.balanceOf(actor.address);
          if (amount > wallet) amount = wallet;
          if (amount > 0n) {
            if (actor.positionId !== 0n) await w.router.connect(actor.signer).addMargin(actor.positionId, amount);
            else
              await pool
                .connect(actor.signer)
                .supplyCollateral(actor.collateralAsset, amount, actor.address, actor.subId);
            res.userActions.addMargins++;
          }
        }
      } catch {
        // A user's transaction that reverts (caps, breaker, rounding at the LTV edge) simply does not happen.
      }
    }
    const usageNow = sumPower === 0n ? 0 : Number((sumDebt * 10_000n) / sumPower) / 10_000;
    if (step <= path.calmSteps) {
      calmUsage += usageNow;
      calmSamples++;
    }

    // 7. Sample for the chart.
    const wethCfg = await pool.assetConfig(assets.WETH.address);
    const vol = Number(await w.risk.oracle.getFunction("volatility")(assets.WETH.address)) / 1e18;
    const fastVol = Number(await w.risk.oracle.getFunction("fastVolatility")(assets.WETH.address)) / 1e18;
    res.series.push({
      step,
      phase: path.phase[step],
      block: await ethers.provider.getBlockNumber(),
      price: { WETH: path.prices.WETH[step], WBTC: path.prices.WBTC[step] },
      vol,
      fastVol,
      realizedVol: realizedVol(path.prices.WETH, step),
      lt: Number(await pool.effectiveLt(assets.WETH.address)),
      ltv: Number(wethCfg.ltv),
      badDebtUsd: usdNum(res.badDebtRealizedUsd),
      liquidations: res.liquidations.length,
      borrowPowerUsed: usageNow,
      breaker: (BigInt(wethCfg.flags) & FLAG_BREAKER) !== 0n,
    });

    // 8. Time passes.
    await mineStep();
    tick(step);
  }

  // Unrealized shortfall at the end: accounts whose debt exceeds their collateral.
  const final = await w.lens.snapshot(
    watched.map((a) => a.owner),
    watched.map((a) => a.subId),
  );
  for (const s of final[2])
    if (s.ok && s.debtValue > s.collateralValue) res.badDebtUnrealizedUsd += s.debtValue - s.collateralValue;
  res.usersLiquidated = liquidatedOwners.size;
  res.accountsLiquidated = liquidatedAccounts.size;
  res.borrowPowerUsedCalm = calmSamples ? calmUsage / calmSamples : 0;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const latencies = res.latencyLog.map((x) => x.block - x.attemptFrom);
  res.keeperLatencyBlocks = mean(latencies);
  res.keeperLatencyMaxBlocks = latencies.length ? Math.max(...latencies) : 0;
  res.liquidatableToLiquidationBlocks = mean(res.latencyLog.map((x) => x.block - x.liquidatableFrom));
  res.accountsSkippedUnprofitable = skippedEver.size;
  res.endBlock = await ethers.provider.getBlockNumber();
  return res;
}
