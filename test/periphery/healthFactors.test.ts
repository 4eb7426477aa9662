// Pool.healthFactors (PoolExt) and FulcraLens.healthFactors: the batch health view the keeper scans with. It reads
// each asset's price, effective LT and accrued debt totals once per call, so it must return exactly what
// accountHealth returns account by account — checked on random accounts (1–3 collaterals, debt in any asset or none,
// interest pending, an LT ramp half way, moved prices) — and 0 (not a reverted batch) for accounts needing a broken
// feed, on the collateral side and on the debt side.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { toFeedAnswer, type ListedAsset } from "../../lib/protocol";
import type { FulcraLens } from "../../typechain-types";

const MAX_UINT = ethers.MaxUint256;
// Instrumented bytecode (npm run coverage) is slow and its traces are large: fewer sub-accounts per borrower there.
const COVERAGE = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);
const SUBS = COVERAGE ? 4n : 10n;
const WAD = 10n ** 18n;

function rng(seed: number) {
  return () => {
    let t = (seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World extends PoolFixture {
  lens: FulcraLens;
  owners: string[];
  subIds: bigint[];
  debtOf: (string | undefined)[]; // debt asset per account
  collOf: string[][]; // collateral assets per account
}

/** 7 borrowers × 10 sub-accounts (4 under coverage) with random collateral sets and debts, an empty account, and a never-used one. */
async function world(): Promise<World> {
  const f = await deployPoolFixture();
  const [lender, ...borrowers] = f.users.slice(0, 8);
  const assets: ListedAsset[] = [f.usdc, f.weth, f.wbtc];
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 900_000), 0, lender.address);
  await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 50_000), 0, lender.address);
  await f.pool.connect(lender).supply(f.wbtc.address, units(f.wbtc, 900), 0, lender.address);
  const rand = rng(8);
  const owners: string[] = [];
  const subIds: bigint[] = [];
  const debtOf: (string | undefined)[] = [];
  const collOf: string[][] = [];
  for (const b of borrowers) {
    for (let sub = 0n; sub < SUBS; sub++) {
      const colls = assets.filter(() => rand() < 0.55);
      if (colls.length === 0) colls.push(assets[Math.floor(rand() * 3)]);
      for (const c of colls) {
        const usd = 500 + rand() * 20_000;
        await f.pool
          .connect(b)
          .supplyCollateral(c.address, units(c, (usd / c.spec.price).toFixed(c.spec.decimals)), b.address, sub);
      }
      const debtChoices = assets.filter((a) => !colls.includes(a));
      let debt: ListedAsset | undefined;
      if (debtChoices.length > 0 && rand() < 0.85) {
        debt = debtChoices[Math.floor(rand() * debtChoices.length)];
        const power = (await f.pool.accountHealth(b.address, sub)).borrowingPower;
        const usage = 0.3 + rand() * 0.69;
        const amount = (power * BigInt(Math.floor(usage * 1e6))) / 10n ** 6n / 1n;
        const raw = (amount * WAD) / (await f.pool.price(debt.address));
        if (raw > BigInt(debt.spec.minBorrow))
          await f.pool.connect(b).borrow(debt.address, raw, b.address, sub, b.address);
        else debt = undefined;
      }
      owners.push(b.address);
      subIds.push(sub);
      debtOf.push(debt?.address);
      collOf.push(colls.map((c) => c.address));
    }
  }
  // An account with collateral only was made above at random; add one with nothing at all and one never touched.
  owners.push(lender.address, ethers.Wallet.createRandom().address);
  subIds.push(7n, 123456789n);
  debtOf.push(undefined, undefined);
  collOf.push([], []);
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  // Interest pending on every market, an LT ramp under way on WETH, prices moved (and fresh).
  await f.pool.connect(f.admin).grantRole(ethers.id("RISK_ENGINE_ROLE"), f.admin.address);
  await f.pool.applyRiskParams(f.weth.address, 7000, 7500, 200);
  await time.increase(1_000);
  await f.weth.feed.setAnswer(toFeedAnswer("1870.37"));
  await f.wbtc.feed.setAnswer(toFeedAnswer("61234.5"));
  await f.usdc.feed.setAnswer(toFeedAnswer("0.9993"));
  return { ...f, lens, owners, subIds, debtOf, collOf };
}

/** accountHealth(i).healthFactor at `blockTag`, or 0 if it reverts (what the batch must report). */
async function oneByOne(w: World, blockTag: number): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < w.owners.length; i++) {
    try {
      out.push((await w.pool.accountHealth(w.owners[i], w.subIds[i], { blockTag })).healthFactor);
    } catch {
      out.push(0n);
    }
  }
  return out;
}

describe("Pool.healthFactors / FulcraLens.healthFactors (batch health view)", function () {
  it("equals accountHealth for every random account (interest pending, LT ramping, prices moved)", async function () {
    const w = await loadFixture(world);
    const block = await ethers.provider.getBlockNumber();
    // Interest is pending (the markets were last accrued before the time jump) and the WETH LT is mid-ramp.
    expect((await w.pool.market(w.usdc.address)).lastUpdate).to.be.lessThan(await time.latest());
    const lt = await w.pool.effectiveLt(w.weth.address);
    expect(lt).to.be.lessThan(8250n).and.greaterThan(7500n);
    const expected = await oneByOne(w, block);
    const batch = await w.pool.healthFactors(w.owners, w.subIds, { blockTag: block });
    expect(batch).to.deep.equal(expected);
    // The mix is what the test claims: debts in all three assets, accounts without debt, 1–3 collaterals.
    expect(new Set(w.debtOf.filter(Boolean)).size).to.equal(3);
    expect(expected.filter((h) => h === MAX_UINT).length).to.be.greaterThan(2);
    expect(expected.filter((h) => h !== MAX_UINT && h > 0n).length).to.be.greaterThan(COVERAGE ? 15 : 40);
    expect(Math.max(...w.collOf.map((c) => c.length))).to.equal(3);
    // Some are now below 1 (WETH fell while its LT ramps down): the values are not all trivially healthy.
    expect(expected.some((h) => h < WAD)).to.equal(true);
    const [lensBlock, lensHealths] = await w.lens.healthFactors(w.owners, w.subIds, { blockTag: block });
    expect(lensBlock).to.equal(BigInt(block));
    expect(lensHealths).to.deep.equal(expected);
    // Shuffled and with repeats: still per-account (the per-asset cache does not leak between accounts).
    const last = w.owners.length - 1;
    const idx = [5, 0, 5, last, last - 1, 23, 12, 12, 1];
    const sub = await w.pool.healthFactors(
      idx.map((i) => w.owners[i]),
      idx.map((i) => w.subIds[i]),
      { blockTag: block },
    );
    expect(sub).to.deep.equal(idx.map((i) => expected[i]));
  });

  it("stays equal after more time (interest accrues in the view) and after an accrual on chain", async function () {
    const w = await loadFixture(world);
    await time.increase(1_800);
    for (const a of [w.usdc, w.weth, w.wbtc]) await a.feed.setAnswer(await a.feed.latestAnswer());
    let block = await ethers.provider.getBlockNumber();
    expect(await w.pool.healthFactors(w.owners, w.subIds, { blockTag: block })).to.deep.equal(await oneByOne(w, block));
    await w.pool.accrueInterest(w.usdc.address);
    block = await ethers.provider.getBlockNumber();
    expect(await w.pool.healthFactors(w.owners, w.subIds, { blockTag: block })).to.deep.equal(await oneByOne(w, block));
  });

  it("values a collateral with a broken feed at zero (the liquidation rule), 0 for a broken debt feed; others exact", async function () {
    const w = await loadFixture(world);
    // WBTC's feed goes stale (heartbeat one hour).
    await w.wbtc.feed.setAnswerAt(toFeedAnswer("61234.5"), (await time.latest()) - 2 * 3600);
    const block = await ethers.provider.getBlockNumber();
    const expected = await oneByOne(w, block);
    const batch = await w.pool.healthFactors(w.owners, w.subIds, { blockTag: block });
    expect(batch).to.deep.equal(expected);
    // An account holding WBTC beside a priced collateral keeps a non-zero health (WBTC counts as zero, not the
    // whole account), where the old batch returned 0 for it.
    const mixed = w.collOf.findIndex(
      (c, i) =>
        c.includes(w.wbtc.address) && c.length > 1 && w.debtOf[i] !== w.wbtc.address && batch[i] !== 2n ** 256n - 1n,
    );
    expect(mixed).to.be.gte(0);
    expect(batch[mixed]).to.be.gt(0n);
    const k = w.collOf.findIndex((c) => c.includes(w.wbtc.address));
    const h = await w.pool.accountHealth(w.owners[k], w.subIds[k]);
    expect(h.collateralValue).to.be.gte(0n); // no revert: the stale WBTC counts as zero
  });

  it("reports 0 for accounts whose debt asset's feed is broken (collateral feeds fine)", async function () {
    const w = await loadFixture(world);
    // USDC at its feed's lower bound: unusable. Accounts with USDC debt and no USDC collateral are affected only
    // through the debt side.
    const feed = await ethers.getContractAt("MockPriceFeed", await w.usdc.feed.getAddress());
    await feed.setRawRound(99, 0, await time.latest(), await time.latest(), 99);
    const block = await ethers.provider.getBlockNumber();
    const expected = await oneByOne(w, block);
    const batch = await w.pool.healthFactors(w.owners, w.subIds, { blockTag: block });
    expect(batch).to.deep.equal(expected);
    const debtOnly = w.debtOf.map((d, i) => d === w.usdc.address && !w.collOf[i].includes(w.usdc.address));
    expect(debtOnly.filter(Boolean).length).to.be.greaterThan(COVERAGE ? 0 : 3);
    debtOnly.forEach((x, i) => {
      if (x) expect(batch[i], `account ${i}`).to.equal(0n);
    });
    const i = debtOnly.indexOf(true);
    await expect(w.pool.accountHealth(w.owners[i], w.subIds[i])).to.be.revertedWithCustomError(
      w.pool,
      "NonPositivePrice",
    );
    // Accounts not touching USDC still get their exact health.
    const clean = w.debtOf.findIndex(
      (d, j) => d !== undefined && d !== w.usdc.address && !w.collOf[j].includes(w.usdc.address),
    );
    expect(batch[clean]).to.be.greaterThan(0n).and.lessThan(MAX_UINT);
  });

  it("rejects arrays of different lengths; an empty batch is empty", async function () {
    const w = await loadFixture(world);
    await expect(w.pool.healthFactors([w.owners[0]], [])).to.be.revertedWithCustomError(w.pool, "InconsistentInput");
    await expect(w.lens.healthFactors([w.owners[0]], [])).to.be.revertedWithCustomError(w.lens, "LengthMismatch");
    expect(await w.pool.healthFactors([], [])).to.deep.equal([]);
    const [, hs] = await w.lens.healthFactors([], []);
    expect(hs).to.deep.equal([]);
  });

  it("costs far less gas per account than one accountHealth call per account", async function () {
    if (COVERAGE) this.skip(); // gas of instrumented bytecode means nothing (and estimateGas re-runs it many times)
    const w = await loadFixture(world);
    const n = w.owners.length;
    const batchGas = await ethers.provider.estimateGas({
      to: w.poolAddress,
      data: w.pool.interface.encodeFunctionData("healthFactors", [w.owners, w.subIds]),
    });
    const oneGas = await ethers.provider.estimateGas({
      to: w.poolAddress,
      data: w.pool.interface.encodeFunctionData("accountHealth", [w.owners[0], w.subIds[0]]),
    });
    // Each account: its two storage slots and some arithmetic; no external call, no feed read.
    expect(batchGas / BigInt(n)).to.be.lessThan(12_000n);
    expect(batchGas).to.be.lessThan((oneGas * BigInt(n)) / 4n);
  });
});
