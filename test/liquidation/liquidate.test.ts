// Liquidation engine: partial liquidation to the target health, full liquidation, dust rules, bonus curve, slippage,
// protocol fee, bad debt, pause / circuit breaker, flash-liquidation callback, self-liquidation.
// Every amount is checked against the bigint reference in test/helpers/liquidation.ts (a mirror of
// Pool._assessLiquidation / liquidate / _realizeBadDebt), computed on the state of the block the liquidation lands in.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { toFeedAnswer, type ListedAsset } from "../../lib/protocol";
import {
  WAD,
  BPS,
  HealthyAccountError,
  assessLiquidation,
  simulateLiquidation,
  loadLiquidationInputs,
  healthAfter,
  mulDivDown,
  mulDivUp,
  toAssetsDown,
  toAssetsUp,
  type LoadedInputs,
  type LiquidationResult,
} from "../helpers/liquidation";
import type { MockLiquidator } from "../../typechain-types";

const MAX = ethers.MaxUint256;
const DAY = 24 * 3600;
const YEAR = 365 * DAY;
const RISK_ENGINE_ROLE = ethers.id("RISK_ENGINE_ROLE");
const TREASURY_ROLE = ethers.id("TREASURY_ROLE");
const USD = WAD; // 1 USD in the pool's 18-decimal value unit
const TARGET_HEALTH = 105n * 10n ** 16n;

async function setPrice(asset: ListedAsset, usd: string) {
  await asset.feed.setAnswer(toFeedAnswer(usd));
}

/** Fixes the timestamp of the next block, so the reference reads the state that block will see ("pending"). */
async function pinNextBlock(): Promise<bigint> {
  const t = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(t);
  return t;
}

function assetOf(f: PoolFixture, address: string): ListedAsset {
  const a = [f.usdc, f.weth, f.wbtc].find((x) => x.address.toLowerCase() === address.toLowerCase());
  if (!a) throw new Error(`unknown asset ${address}`);
  return a;
}

/**
 * balance == supply cash (totalSupplyAssets − totalBorrowAssets) + totalCollateral + liquidationFees, per asset, up to
 * 2 wei in the pool's favour: a write-off subtracts the debt rounded up from totalBorrowAssets, floored at zero, so when
 * the last shares go the books can show up to a wei or two less cash than the pool holds (never more).
 */
async function expectReconciled(f: PoolFixture) {
  for (const a of [f.usdc, f.weth, f.wbtc]) {
    const m = await f.pool.market(a.address);
    const [, , , , totalCollateral] = await f.pool.assetLimits(a.address);
    const info = await f.pool.marketInfo(a.address);
    const books = m.totalSupplyAssets - m.totalBorrowAssets + totalCollateral + info.liquidationFees;
    const balance = await a.token.balanceOf(f.poolAddress);
    expect(balance - books, `${a.symbol} balance reconciles`)
      .to.be.gte(0n)
      .and.lte(2n);
  }
}

/** Reads the inputs for a liquidation in the next (pinned) block and runs the reference on them. */
async function preview(
  f: PoolFixture,
  owner: string,
  collateral: ListedAsset,
  maxRepay: bigint,
  minSeized = 0n,
  subId = 0n,
): Promise<{ inputs: LoadedInputs; r: LiquidationResult }> {
  await pinNextBlock();
  const inputs = await loadLiquidationInputs(f.pool, owner, subId, collateral.address);
  return { inputs, r: simulateLiquidation(inputs, maxRepay, minSeized) };
}

/**
 * Liquidates from `caller` in a pinned block after computing the exact outcome with the reference, and checks the
 * Liquidate event, the token movements, the account and the debt market afterwards.
 */
async function liquidateExact(
  f: PoolFixture,
  caller: HardhatEthersSigner,
  owner: string,
  collateral: ListedAsset,
  maxRepay: bigint,
  opts: { subId?: bigint; minSeized?: bigint; receiver?: string } = {},
) {
  const subId = opts.subId ?? 0n;
  const minSeized = opts.minSeized ?? 0n;
  const receiver = opts.receiver ?? caller.address;
  const { inputs, r } = await preview(f, owner, collateral, maxRepay, minSeized, subId);
  expect(r.slippage, "reference expects SlippageExceeded").to.equal(false);
  expect(r.leavesDust, "reference expects LiquidationLeavesDust").to.equal(false);
  const debt = assetOf(f, inputs.debtAsset);
  const tx = await f.pool
    .connect(caller)
    .liquidate(owner, subId, collateral.address, maxRepay, minSeized, receiver, "0x");
  await expect(tx)
    .to.emit(f.pool, "Liquidate")
    .withArgs(
      owner,
      subId,
      caller.address,
      debt.address,
      collateral.address,
      r.repaid,
      r.repaidShares,
      r.seized,
      r.protocolFee,
    );
  await expect(tx).to.changeTokenBalances(debt.token, [caller, f.pool], [-r.repaid, r.repaid]);
  await expect(tx).to.changeTokenBalances(collateral.token, [receiver, f.pool], [r.sentToReceiver, -r.sentToReceiver]);
  for (const bd of [r.assessment.writeOff, r.badDebt]) {
    if (bd) {
      await expect(tx)
        .to.emit(f.pool, "BadDebt")
        .withArgs(debt.address, owner, subId, bd.debt, bd.covered, bd.socialized);
    }
  }
  if (!r.assessment.writeOff && !r.badDebt) await expect(tx).not.to.emit(f.pool, "BadDebt");
  for (const d of r.swept) {
    await expect(tx).to.emit(f.pool, "DustSwept").withArgs(owner, subId, d.asset, d.amount);
  }
  // The account afterwards.
  const [debtAsset, sharesAfter, , assets, amounts] = await f.pool.accountOf(owner, subId);
  expect(sharesAfter).to.equal(r.borrowSharesLeft);
  expect(debtAsset).to.equal(r.borrowSharesLeft === 0n ? ethers.ZeroAddress : debt.address);
  expect(await f.pool.collateralOf(owner, subId, collateral.address)).to.equal(r.collateralLeft);
  expect(assets.length).to.equal(r.collateralCountAfter);
  const swept = r.swept.reduce((t, d) => t + d.amount, 0n);
  expect(amounts.reduce((s, x) => s + x, 0n)).to.equal(
    inputs.collaterals.reduce((s, c) => s + c.amount, 0n) - r.seized - swept,
  );
  // The debt market as the reference booked it (nothing else happened in that block).
  const m = await f.pool.market(debt.address);
  expect(m.totalBorrowAssets).to.equal(r.debtMarketAfter.totalBorrowAssets);
  expect(m.totalBorrowShares).to.equal(r.debtMarketAfter.totalBorrowShares);
  expect(m.totalSupplyAssets).to.equal(r.debtMarketAfter.totalSupplyAssets);
  expect(m.totalSupplyShares).to.equal(r.debtMarketAfter.totalSupplyShares);
  expect(m.reserveShares).to.equal(r.debtMarketAfter.reserveShares);
  return { inputs, r, tx };
}

// ---------------------------------------------------------------- fixtures

/** Lender supplies 1,000,000 USDC; borrower posts 10 WETH ($20,000) and borrows 16,000 USDC (max LTV, health 1.03). */
async function positionFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_000), borrower.address, 0, borrower.address);
  return f;
}

/**
 * USDC rate model at zero (no interest, so health values are exact), 16,500 USDC borrowed against 10 WETH at a WETH
 * price of 2,100, then WETH back at 2,000: LT value 10 · 2000 · 0.825 = 16,500 = debt value, health exactly 1.
 * At WETH = 1980 / 1900 / 1800 / 1600 the health is exactly 0.99 / 0.95 / 0.90 / 0.80.
 */
async function exactFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.setRateModel(f.usdc.address, 0, 0, 0, 9000);
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await setPrice(f.weth, "2100");
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_500), borrower.address, 0, borrower.address);
  await setPrice(f.weth, "2000");
  return f;
}

/** Borrower with two collaterals, 5 WETH then 0.05594 WBTC, and 10,000 USDC of debt. */
async function multiFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 5), borrower.address, 0);
  await f.pool.connect(borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, "0.05594"), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 10_000), borrower.address, 0, borrower.address);
  return f;
}

/**
 * A year of interest at high utilization builds USDC reserves (reserve factor 10 %): a whale borrows 900,000 USDC
 * against WBTC next to the 16,000 USDC WETH-backed position. Feeds are refreshed after the jump.
 */
async function reservesFixture() {
  const f = await positionFixture();
  const whale = f.users[3];
  await f.pool.connect(whale).supplyCollateral(f.wbtc.address, units(f.wbtc, 30), whale.address, 0);
  await f.pool.connect(whale).borrow(f.usdc.address, units(f.usdc, 900_000), whale.address, 0, whale.address);
  await time.increase(YEAR);
  await setPrice(f.usdc, "1");
  await setPrice(f.wbtc, "60000");
  await setPrice(f.weth, "2000");
  await f.pool.accrueInterest(f.usdc.address);
  return f;
}

/** 16,000 USDC against 10 WETH in a USDC market that keeps no reserves (reserve factor 0), after 30 days. */
async function noReservesFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.setReserveFactor(f.usdc.address, 0);
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 20_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_000), borrower.address, 0, borrower.address);
  await time.increase(30 * DAY);
  await setPrice(f.usdc, "1");
  await setPrice(f.wbtc, "60000");
  return f;
}

/** 5 WETH and 0.0001 WBTC (≈ $6) against 7,900 USDC: once WETH is gone, only WBTC dust is left. */
async function dustLeftFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 5), borrower.address, 0);
  await f.pool.connect(borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, "0.0001"), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 7_900), borrower.address, 0, borrower.address);
  return f;
}

/** No interest; 10 WETH posted at WETH 2,100; each property run borrows and moves the price itself. */
async function propertyFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.setRateModel(f.usdc.address, 0, 0, 0, 9000);
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await setPrice(f.weth, "2100");
  return f;
}

// ================================================================ tests

describe("Liquidation", () => {
  describe("eligibility and input checks", () => {
    it("reverts HealthyAccount at health exactly 1; one feed unit lower it is liquidatable at the base bonus", async () => {
      const f = await loadFixture(exactFixture);
      const [, borrower, liquidator] = f.users;
      const h = await f.pool.accountHealth(borrower.address, 0);
      expect(h.liquidationValue).to.equal(16_500n * USD);
      expect(h.debtValue).to.equal(16_500n * USD);
      expect(h.healthFactor).to.equal(WAD);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
      await pinNextBlock();
      const inputs = await loadLiquidationInputs(f.pool, borrower.address, 0, f.weth.address);
      expect(() => assessLiquidation(inputs)).to.throw(HealthyAccountError);

      // WETH 1,999.99999999: LT value 16,499.9999999175 → health 1 − 5e-12, depth too small to raise the bonus.
      await setPrice(f.weth, "1999.99999999");
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(r.assessment.health).to.equal(999_999_999_995_000_000n);
      expect(r.assessment.bonus).to.equal(100n);
    });

    it("reverts HealthyAccount on a comfortably healthy account", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.be.gt(103n * 10n ** 16n);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
    });

    it("reverts NoDebt for an account with collateral only and for an empty account", async () => {
      const f = await loadFixture(positionFixture);
      const [, , liquidator, , holder, nobody] = f.users;
      await f.pool.connect(holder).supplyCollateral(f.weth.address, units(f.weth, 1), holder.address, 0);
      await expect(
        f.pool.connect(liquidator).liquidate(holder.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "NoDebt");
      await expect(
        f.pool.connect(liquidator).liquidate(nobody.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "NoDebt");
      // Another sub-account of the borrower (who has debt in sub-account 0) has none either.
      await expect(
        f.pool.connect(liquidator).liquidate(f.users[1].address, 1, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "NoDebt");
    });

    it("reverts NotAccountCollateral for a listed asset the account lacks, the debt asset and an unlisted token", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1800"); // deeply unhealthy: the collateral check still comes first
      const stray = await (await ethers.getContractFactory("MockERC20")).deploy("Stray", "STRAY", 18);
      for (const asset of [f.wbtc.address, f.usdc.address, await stray.getAddress()]) {
        await expect(
          f.pool.connect(liquidator).liquidate(borrower.address, 0, asset, MAX, 0, liquidator.address, "0x"),
        ).to.be.revertedWithCustomError(f.pool, "NotAccountCollateral");
      }
    });

    it("reverts ZeroAmount for maxRepay 0 and ZeroAddress for receiver 0 (amount checked first)", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900");
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, 0, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "ZeroAmount");
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, MAX, 0, ethers.ZeroAddress, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "ZeroAddress");
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, 0, 0, ethers.ZeroAddress, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "ZeroAmount");
    });
  });

  describe("partial liquidation", () => {
    it("at health ~0.98 repays exactly enough to restore health 1.05 (within 1e-6), with the exact bonus and fee", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900"); // 19,000 · 0.825 / 16,000 ≈ 0.9797 (a little less with interest)
      const { inputs, r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const a = r.assessment;
      expect(a.health)
        .to.be.gt(979n * 10n ** 15n)
        .and.lt(98n * 10n ** 16n);
      expect(a.bonus).to.equal(100n + (700n * (WAD - a.health)) / 10n ** 17n);
      expect(a.bonus).to.equal(242n);
      expect(a.fullByHealth || a.debtDust || a.collateralLimited || a.collateralDust).to.equal(false);
      expect(r.repaid).to.be.lt(a.debt);
      // Health after: at least the target, and within a hair of it; exactly what the reference's books give.
      const after = (await f.pool.accountHealth(borrower.address, 0)).healthFactor;
      expect(after).to.equal(healthAfter(inputs, r));
      expect(after).to.be.gte(TARGET_HEALTH);
      expect(after - TARGET_HEALTH).to.be.lt(10n ** 12n);
      // Repaid ≈ (1.05·D − L) / (1.05 − 1.0242·0.825) ≈ $5,487; seized ≈ repaid · 1.0242 / 1900.
      expect(r.repaid).to.be.gt(units(f.usdc, 5_480)).and.lt(units(f.usdc, 5_495));
      await expectReconciled(f);
    });

    it("caps the repay at the allowed amount: maxRepay = MaxUint256 and maxRepay = whole debt give the same", async () => {
      let f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      // Both runs move the price at the same block time (and liquidate one block later), so the same interest has
      // accrued whatever wall-clock time passes between them (it does under coverage's slow, instrumented EVM).
      const at = (await time.latest()) + 60;
      await time.setNextBlockTimestamp(at);
      await setPrice(f.weth, "1900");
      const full = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(full.r.repaid).to.equal(full.r.assessment.repayAssets);

      f = await loadFixture(positionFixture);
      await time.setNextBlockTimestamp(at);
      await setPrice(f.weth, "1900");
      const debt = (await f.pool.accountOf(borrower.address, 0))[2];
      const capped = await liquidateExact(f, liquidator, borrower.address, f.weth, debt);
      expect(capped.r.repaid).to.equal(full.r.repaid);
      expect(capped.r.seized).to.equal(full.r.seized);
      expect(capped.r.repaid).to.be.lt(debt);
    });

    it("maxRepay below the allowed amount seizes proportionally (rounded down)", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900");
      const { r: whole } = await preview(f, borrower.address, f.weth, MAX);
      const maxRepay = whole.repaid / 3n;
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, maxRepay);
      expect(r.repaid).to.equal(maxRepay);
      expect(r.seized).to.equal((whole.seized * maxRepay) / whole.repaid);
      expect(r.protocolFee).to.equal(
        ((r.seized - mulDivUp(r.seized, BPS, BPS + whole.assessment.bonus)) * 1000n) / BPS,
      );
      // Still unhealthy: the rest can be liquidated.
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.be.lt(WAD);
      await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.be.gte(TARGET_HEALTH);
    });

    it("a liquidator cannot seize more than allowed from a barely-unhealthy account, whatever maxRepay", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1937.4"); // health ≈ 0.999
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, units(f.usdc, 1_000_000));
      const a = r.assessment;
      expect(a.health)
        .to.be.gt(998n * 10n ** 15n)
        .and.lt(WAD);
      expect(a.bonus).to.equal(107n);
      // ≈ $3,775 of 16,000 repaid and ≈ 1.97 of 10 WETH seized, worth no more than repaid · (1 + bonus).
      expect(r.repaid).to.be.lt(units(f.usdc, 3_800));
      expect(r.seized).to.be.lt(units(f.weth, 2));
      const seizedValue = mulDivDown(r.seized, await f.pool.price(f.weth.address), WAD);
      expect(seizedValue).to.be.lte(mulDivDown(r.repaid * 10n ** 12n, BPS + a.bonus, BPS));
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.be.gte(TARGET_HEALTH);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
    });
  });

  describe("full liquidation and the dust rules", () => {
    it("below health 0.95 the whole debt may be repaid at once", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1800"); // health ≈ 0.928
      const { inputs, r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const a = r.assessment;
      expect(a.fullByHealth).to.equal(true);
      expect(a.health).to.be.lt(95n * 10n ** 16n);
      expect(a.bonus).to.equal(100n + (700n * (WAD - a.health)) / 10n ** 17n);
      expect(r.repaid).to.equal(a.debt);
      expect(r.repaidShares).to.equal(inputs.borrowShares); // every debt share burnt
      const [debtAsset, shares, debt, assets, amounts] = await f.pool.accountOf(borrower.address, 0);
      expect([debtAsset, shares, debt]).to.deep.equal([ethers.ZeroAddress, 0n, 0n]);
      expect([...assets]).to.deep.equal([f.weth.address]);
      expect([...amounts]).to.deep.equal([units(f.weth, 10) - r.seized]);
      await expectReconciled(f);
    });

    it("remaining debt worth under 10 USD after a partial liquidation: the whole debt may be repaid", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [lender, borrower, liquidator] = f.users;
      const [supplyCap, borrowCap, collateralCap] = await f.pool.assetLimits(f.usdc.address);
      await f.pool.setCaps(f.usdc.address, supplyCap, borrowCap, collateralCap, units(f.usdc, 1));
      await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000), 0, lender.address);
      await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, "0.01"), borrower.address, 0);
      await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 15), borrower.address, 0, borrower.address);
      await setPrice(f.weth, "1750"); // health ≈ 0.9625: partial by health

      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const a = r.assessment;
      expect(a.fullByHealth).to.equal(false);
      // The target repay would have left 15 − ~6.7 ≈ $8.3 of debt: dust, so the whole debt goes.
      expect(a.targetRepayValue).to.be.lt(a.debtValue);
      expect(a.debtValue - a.targetRepayValue).to.be.lt(10n * USD);
      expect(a.debtDust).to.equal(true);
      expect(r.repaid).to.equal(a.debt);
      const [debtAsset, shares, , assets, amounts] = await f.pool.accountOf(borrower.address, 0);
      expect([debtAsset, shares]).to.deep.equal([ethers.ZeroAddress, 0n]);
      // The borrower keeps what the full repay did not pay for (no debt is left to back).
      expect([...assets]).to.deep.equal([f.weth.address]);
      expect([...amounts]).to.deep.equal([units(f.weth, "0.01") - r.seized]);
      await expectReconciled(f);
    });

    it("remaining collateral worth under 10 USD: all of that collateral is seized", async () => {
      const f = await loadFixture(multiFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1717"); // health ≈ 0.97
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.wbtc, MAX);
      const a = r.assessment;
      expect(a.fullByHealth || a.debtDust || a.collateralLimited).to.equal(false);
      const leftValue = a.collValue - mulDivUp(a.targetRepayValue, BPS + a.bonus, BPS);
      expect(leftValue)
        .to.be.gt(0n)
        .and.lt(10n * USD); // ≈ $5 of WBTC would have been left
      expect(a.collateralDust).to.equal(true);
      expect(r.seized).to.equal(units(f.wbtc, "0.05594"));
      // Debt remains (partial), backed by the WETH alone; no bad debt since WETH is still there.
      const [debtAsset, , debt, assets, amounts] = await f.pool.accountOf(borrower.address, 0);
      expect(debtAsset).to.equal(f.usdc.address);
      expect(debt).to.be.gt(0n);
      expect([...assets]).to.deep.equal([f.weth.address]);
      expect([...amounts]).to.deep.equal([units(f.weth, 5)]);
      await expectReconciled(f);
    });

    it("a capped repay that would leave debt worth under 10 USD reverts LiquidationLeavesDust; $10 more passes", async () => {
      const f = await loadFixture(exactFixture); // no interest: debt is exactly 16,500 USDC
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1800"); // health 0.90: the whole debt may be repaid
      const debt = units(f.usdc, 16_500);
      const { r: dusty } = await preview(f, borrower.address, f.weth, debt - units(f.usdc, "9.99"));
      expect(dusty.leavesDust).to.equal(true);
      await expect(
        f.pool
          .connect(liquidator)
          .liquidate(borrower.address, 0, f.weth.address, debt - units(f.usdc, "9.99"), 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "LiquidationLeavesDust");
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, debt - units(f.usdc, 10));
      expect(r.repaid).to.equal(debt - units(f.usdc, 10));
      expect((await f.pool.accountOf(borrower.address, 0))[2]).to.equal(units(f.usdc, 10));
      // $10 of debt is left against ≈ 0.106 WETH (≈ $190): healthy again, nothing left for a liquidator.
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.be.gt(WAD);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
      await expectReconciled(f);
    });

    it("a capped repay that would leave collateral worth under 10 USD reverts LiquidationLeavesDust", async () => {
      const f = await loadFixture(multiFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1717"); // the WBTC liquidation takes all of it (≈ $5 would be left otherwise)
      const { r: whole } = await preview(f, borrower.address, f.wbtc, MAX);
      expect(whole.assessment.collateralDust).to.equal(true);
      // Repaying 0.1 % less would leave ≈ $3.4 of WBTC behind.
      const capped = whole.repaid - whole.repaid / 1000n;
      const { r } = await preview(f, borrower.address, f.wbtc, capped);
      expect(r.leavesDust).to.equal(true);
      expect(mulDivDown(r.collateralLeft, await f.pool.price(f.wbtc.address), WAD))
        .to.be.gt(0n)
        .and.lt(10n * USD);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.wbtc.address, capped, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "LiquidationLeavesDust");
      // Half of it leaves plenty of WBTC: fine.
      await liquidateExact(f, liquidator, borrower.address, f.wbtc, whole.repaid / 2n);
      await expectReconciled(f);
    });
  });

  describe("bonus curve", () => {
    // WETH price → exact health (zero interest) → bonus: base 1 % at health 1, +7 % over BONUS_RAMP (0.1), capped at 8 %.
    const cases = [
      { price: "1980", health: 99n * 10n ** 16n, bonus: 170n, full: false },
      { price: "1900", health: 95n * 10n ** 16n, bonus: 450n, full: false }, // at the threshold: still partial
      { price: "1800", health: 90n * 10n ** 16n, bonus: 800n, full: true },
      { price: "1600", health: 80n * 10n ** 16n, bonus: 800n, full: true }, // capped
    ];
    for (const c of cases) {
      it(`health ${ethers.formatEther(c.health)} → bonusBps ${c.bonus} in previewLiquidation, and the liquidation`, async () => {
        const f = await loadFixture(exactFixture);
        const [, borrower, liquidator] = f.users;
        await setPrice(f.weth, c.price);
        expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.equal(c.health);
        // The Liquidate event no longer logs the bonus and the health (issue #16): the preview gives both.
        const p = await f.pool.previewLiquidation(borrower.address, 0, f.weth.address);
        expect([p.bonusBps, p.healthFactor]).to.deep.equal([c.bonus, c.health]);
        const { r, tx } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
        expect(r.assessment.health).to.equal(c.health);
        expect(r.assessment.bonus).to.equal(c.bonus);
        const ev = (await tx.wait())!.logs
          .map((l) => f.pool.interface.parseLog(l))
          .find((e) => e?.name === "Liquidate")!;
        expect([ev.args.seized, ev.args.protocolFee]).to.deep.equal([p.seized, p.protocolFee]);
        expect(r.assessment.fullByHealth).to.equal(c.full);
        if (!c.full) expect(r.repaid).to.be.lt(units(f.usdc, 16_500));
        await expectReconciled(f);
      });
    }

    it("follows setLiquidationParams (base 2 %, max 6 %, protocol share 20 %)", async () => {
      const f = await loadFixture(exactFixture);
      const [, borrower, liquidator] = f.users;
      await expect(f.pool.setLiquidationParams(f.weth.address, 200, 600, 2000))
        .to.emit(f.pool, "LiquidationParamsSet")
        .withArgs(f.weth.address, 200, 600, 2000);
      const lc = await f.pool.liquidationConfig(f.weth.address);
      expect([lc.baseBonus, lc.maxBonus, lc.protocolShare]).to.deep.equal([200n, 600n, 2000n]);
      await setPrice(f.weth, "1900"); // health 0.95: halfway up the ramp
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(r.assessment.bonus).to.equal(400n);
      expect(r.protocolFee).to.equal(((r.seized - mulDivUp(r.seized, BPS, BPS + 400n)) * 2000n) / BPS);
    });
  });

  describe("slippage guard", () => {
    it("reverts SlippageExceeded when minSeized is above what the receiver gets; passes at exactly that amount", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900");
      // Interest accrues every second, so the numbers are only exact for a given timestamp: every attempt below is
      // previewed (by the pool and by the reference) under the pinned timestamp of the block it is sent in.
      const { r } = await preview(f, borrower.address, f.weth, MAX);
      const p = await f.pool.previewLiquidation(borrower.address, 0, f.weth.address, { blockTag: "pending" });
      expect([p.maxRepay, p.seized, p.protocolFee]).to.deep.equal([r.repaid, r.seized, r.protocolFee]);
      expect(r.protocolFee).to.be.gt(0n);
      await expect(
        f.pool
          .connect(liquidator)
          .liquidate(borrower.address, 0, f.weth.address, MAX, r.sentToReceiver + 1n, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "SlippageExceeded");

      // A new pinned block: preview again, one unit more still reverts (checked by a call in that very block)...
      const { r: r2 } = await preview(f, borrower.address, f.weth, MAX);
      const p2 = await f.pool.previewLiquidation(borrower.address, 0, f.weth.address, { blockTag: "pending" });
      expect(p2.seized - p2.protocolFee).to.equal(r2.sentToReceiver);
      await expect(
        f.pool
          .connect(liquidator)
          .liquidate.staticCall(
            borrower.address,
            0,
            f.weth.address,
            MAX,
            r2.sentToReceiver + 1n,
            liquidator.address,
            "0x",
            {
              blockTag: "pending",
            },
          ),
      ).to.be.revertedWithCustomError(f.pool, "SlippageExceeded");
      // ...and exactly the previewed net amount goes through in that block, returning it.
      const done = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX, { minSeized: r2.sentToReceiver });
      expect(done.r.seized).to.equal(r2.seized);
      expect(done.r.sentToReceiver).to.equal(p2.seized - p2.protocolFee);
    });

    it("reverts SlippageExceeded when a tiny maxRepay would seize nothing", async () => {
      const f = await loadFixture(positionFixture);
      const [, , liquidator] = f.users;
      await setPrice(f.weth, "1900");
      // 1e-6 USDC of WBTC (8 decimals) is 1.8e-11 BTC: the proportional seizure rounds to 0 units.
      const other = f.users[4];
      await f.pool.connect(other).supplyCollateral(f.wbtc.address, units(f.wbtc, 1), other.address, 0);
      await f.pool.connect(other).borrow(f.usdc.address, units(f.usdc, 43_000), other.address, 0, other.address);
      await setPrice(f.wbtc, "55000");
      const { r } = await preview(f, other.address, f.wbtc, 1n);
      expect(r.seized).to.equal(0n);
      expect(r.slippage).to.equal(true);
      await expect(
        f.pool.connect(liquidator).liquidate(other.address, 0, f.wbtc.address, 1n, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "SlippageExceeded");
    });

    // `minSeized` is compared with what the receiver gets (the seizure net of the protocol fee), which is also what
    // `liquidate` returns.
    it("minSeized bounds the collateral the receiver actually gets (net of the protocol fee)", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900");
      const { r } = await preview(f, borrower.address, f.weth, MAX);
      expect(r.protocolFee).to.be.gt(0n);
      // The receiver would get r.sentToReceiver < r.seized: a minimum at the gross seizure must revert (it used to
      // pass, handing the receiver less than its stated minimum).
      expect(r.sentToReceiver).to.be.lt(r.seized);
      await expect(
        f.pool
          .connect(liquidator)
          .liquidate(borrower.address, 0, f.weth.address, MAX, r.seized, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "SlippageExceeded");
    });
  });

  describe("several collaterals", () => {
    it("the liquidator may choose each collateral in turn; each is priced and weighted on its own", async () => {
      for (const pick of ["weth", "wbtc"] as const) {
        const f = await loadFixture(multiFixture);
        const [, borrower, liquidator] = f.users;
        await setPrice(f.weth, "1717"); // health ≈ 0.97 on both collaterals
        const asset = f[pick];
        const other = pick === "weth" ? f.wbtc : f.weth;
        const otherBefore = await f.pool.collateralOf(borrower.address, 0, other.address);
        const { inputs, r } = await liquidateExact(f, liquidator, borrower.address, asset, MAX);
        expect(inputs.collaterals.map((c) => c.lt)).to.deep.equal([8250n, 7800n]);
        expect(inputs.pos).to.equal(pick === "weth" ? 0 : 1);
        // Only the chosen collateral moves.
        expect(await f.pool.collateralOf(borrower.address, 0, other.address)).to.equal(otherBefore);
        if (pick === "weth") {
          // Partial, to the target: WETH weighs 1.031 · 0.825 per dollar repaid.
          expect(r.collateralLeft).to.be.gt(0n);
          const after = (await f.pool.accountHealth(borrower.address, 0)).healthFactor;
          expect(after).to.equal(healthAfter(inputs, r));
          expect(after)
            .to.be.gte(TARGET_HEALTH)
            .and.lt(TARGET_HEALTH + 10n ** 12n);
        } else {
          expect(r.collateralLeft).to.equal(0n); // the dust rule takes all of it (see the dust test)
        }
        await expectReconciled(f);
      }
    });

    it("deep under water: the first liquidation books the shortfall, then WETH and WBTC go at the max bonus", async () => {
      const f = await loadFixture(multiFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1000"); // collateral $8,356 < debt $10,000: insolvent
      const first = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      // The loss is on the books before anything is seized: debt − what the collateral repays at 8 % (WETH, WBTC).
      const wo = first.r.assessment.writeOff!;
      expect(wo).to.not.equal(undefined);
      expect(wo.debt).to.be.gt(units(f.usdc, 2_250)).and.lt(units(f.usdc, 2_275));
      expect(first.r.assessment.bonus).to.equal(800n);
      expect(first.r.seized).to.equal(units(f.weth, 5));
      expect(await f.pool.isCloseOut(borrower.address, 0)).to.equal(true);
      // WETH was first in the list: WBTC took its place.
      let [debtAsset, , , assets] = await f.pool.accountOf(borrower.address, 0);
      expect(debtAsset).to.equal(f.usdc.address);
      expect([...assets]).to.deep.equal([f.wbtc.address]);
      const h = await f.pool.accountHealth(borrower.address, 0);
      expect(h.collateralValue).to.be.gte(h.debtValue); // no longer insolvent

      const second = await liquidateExact(f, liquidator, borrower.address, f.wbtc, MAX);
      expect(second.inputs.pos).to.equal(0);
      expect(second.r.assessment.writeOff).to.equal(undefined);
      expect(second.r.assessment.bonus).to.be.lte(800n);
      [debtAsset, , , assets] = await f.pool.accountOf(borrower.address, 0);
      expect(debtAsset).to.equal(ethers.ZeroAddress);
      // At most rounding is left to the owner (the debt is in 6-decimal USDC): under a tenth of a cent.
      expect((await f.pool.accountHealth(borrower.address, 0)).collateralValue).to.be.lt(10n ** 15n);
      await expectReconciled(f);
    });
  });

  describe("protocol fee", () => {
    it("liquidationFees grow by the exact fee; only the treasury withdraws them, never more than collected", async () => {
      const f = await loadFixture(positionFixture);
      const [lender, borrower, liquidator, , , , treasuryReceiver] = f.users;
      await setPrice(f.weth, "1900");
      const one = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(one.r.protocolFee).to.be.gt(0n);
      // 10 % of the bonus part of the seizure.
      expect(one.r.protocolFee).to.equal(
        ((one.r.seized - mulDivUp(one.r.seized, BPS, BPS + one.r.assessment.bonus)) * 1000n) / BPS,
      );
      expect((await f.pool.marketInfo(f.weth.address)).liquidationFees).to.equal(one.r.protocolFee);
      await expectReconciled(f);

      await setPrice(f.weth, "1750"); // unhealthy again
      const two = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const fees = one.r.protocolFee + two.r.protocolFee;
      expect((await f.pool.marketInfo(f.weth.address)).liquidationFees).to.equal(fees);
      expect((await f.pool.marketInfo(f.usdc.address)).liquidationFees).to.equal(0n);
      await expectReconciled(f);

      // Fees are not lenders' money: the WETH market's supply books are untouched.
      expect((await f.pool.market(f.weth.address)).totalSupplyAssets).to.equal(0n);

      await expect(f.pool.connect(lender).withdrawLiquidationFees(f.weth.address, fees, lender.address))
        .to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount")
        .withArgs(lender.address, TREASURY_ROLE);
      await expect(
        f.pool.withdrawLiquidationFees(f.weth.address, fees + 1n, treasuryReceiver.address),
      ).to.be.revertedWithCustomError(f.pool, "InsufficientReserves");
      await expect(
        f.pool.withdrawLiquidationFees(f.usdc.address, 1n, treasuryReceiver.address),
      ).to.be.revertedWithCustomError(f.pool, "InsufficientReserves");
      await expect(
        f.pool.withdrawLiquidationFees(f.weth.address, 0n, treasuryReceiver.address),
      ).to.be.revertedWithCustomError(f.pool, "ZeroAmount");
      await expect(
        f.pool.withdrawLiquidationFees(f.weth.address, 1n, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.pool, "ZeroAddress");

      const part = fees / 3n;
      const tx1 = await f.pool.withdrawLiquidationFees(f.weth.address, part, treasuryReceiver.address);
      await expect(tx1)
        .to.emit(f.pool, "LiquidationFeesWithdrawn")
        .withArgs(f.weth.address, treasuryReceiver.address, part);
      await expect(tx1).to.changeTokenBalances(f.weth.token, [treasuryReceiver, f.pool], [part, -part]);
      expect((await f.pool.marketInfo(f.weth.address)).liquidationFees).to.equal(fees - part);
      await expectReconciled(f);
      await expect(
        f.pool.withdrawLiquidationFees(f.weth.address, fees - part + 1n, treasuryReceiver.address),
      ).to.be.revertedWithCustomError(f.pool, "InsufficientReserves");
      const tx2 = await f.pool.withdrawLiquidationFees(f.weth.address, fees - part, treasuryReceiver.address);
      await expect(tx2).to.changeTokenBalances(f.weth.token, [treasuryReceiver, f.pool], [fees - part, part - fees]);
      expect((await f.pool.marketInfo(f.weth.address)).liquidationFees).to.equal(0n);
      await expectReconciled(f);
    });
  });

  describe("bad debt", () => {
    /** Non-reserve supply value: what lenders own, valued at the share price (rounded down). */
    function lendersValue(m: { totalSupplyAssets: bigint; totalSupplyShares: bigint; reserveShares: bigint }) {
      return toAssetsDown(m.totalSupplyShares - m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares);
    }

    it("reserves cover part of it, lenders absorb the rest; share price falls only by the socialized part", async () => {
      const f = await loadFixture(reservesFixture);
      const [lender, borrower, liquidator] = f.users;
      await setPrice(f.weth, "200"); // 10 WETH = $2,000 against ≈ $18,300 of debt
      const { inputs: pre } = await preview(f, borrower.address, f.weth, MAX);
      const m0 = pre.debtMarket;
      const reserves0 = toAssetsDown(m0.reserveShares, m0.totalSupplyAssets, m0.totalSupplyShares);
      const lender0 = await f.pool.supplyBalance(f.usdc.address, lender.address, { blockTag: "pending" });

      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const bd = r.writtenOff;
      expect(r.assessment.writeOff).to.not.equal(undefined);
      // All the WETH but rounding (the last 6-decimal USDC unit of the close-out).
      expect(units(f.weth, 10) - r.seized).to.be.lt(10n ** 10n);
      // Written off: everything the seizure did not repay (the shortfall first, any rounding rest after).
      const debt0 = toAssetsUp(pre.borrowShares, m0.totalBorrowAssets, m0.totalBorrowShares);
      expect(bd.debt + r.repaid - debt0)
        .to.be.gte(0n)
        .and.lte(2n);
      expect(reserves0).to.be.gt(units(f.usdc, 10_000)); // a year of 10 % of ≈ $135k interest
      expect(bd.covered).to.equal(reserves0); // all the reserves...
      expect(bd.socialized).to.equal(bd.debt - reserves0); // ...and the rest on lenders
      expect(bd.socialized).to.be.gt(0n);

      const m1 = await f.pool.expectedMarket(f.usdc.address);
      expect(m1.totalSupplyShares - m1.reserveShares).to.equal(m0.totalSupplyShares - m0.reserveShares);
      const drop = lendersValue(m0) - lendersValue(m1);
      expect(drop - bd.socialized)
        .to.be.gte(-2n)
        .and.lte(2n);
      const lender1 = await f.pool.supplyBalance(f.usdc.address, lender.address);
      expect(lender0 - lender1 - bd.socialized)
        .to.be.gte(-2n)
        .and.lte(2n);
      const reserves1 = (await f.pool.marketInfo(f.usdc.address)).reserves;
      expect(reserves1).to.equal(toAssetsDown(m1.reserveShares, m1.totalSupplyAssets, m1.totalSupplyShares));
      expect(reserves0 - reserves1 - bd.covered)
        .to.be.gte(-1n)
        .and.lte(1n);
      const [debtAsset, shares, debt] = await f.pool.accountOf(borrower.address, 0);
      expect([debtAsset, shares, debt]).to.deep.equal([ethers.ZeroAddress, 0n, 0n]);
      await expectReconciled(f);
    });

    it("reserves large enough cover all of it: nothing is socialized and lenders lose nothing", async () => {
      const f = await loadFixture(reservesFixture);
      const [lender, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1000"); // 10 WETH = $10,000 against ≈ $18,300 of debt
      const { inputs: pre } = await preview(f, borrower.address, f.weth, MAX);
      const m0 = pre.debtMarket;
      const reserves0 = toAssetsDown(m0.reserveShares, m0.totalSupplyAssets, m0.totalSupplyShares);
      const lender0 = await f.pool.supplyBalance(f.usdc.address, lender.address, { blockTag: "pending" });

      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const bd = r.writtenOff;
      expect(bd.debt).to.be.gt(0n).and.lt(reserves0);
      expect(bd.covered).to.equal(bd.debt);
      expect(bd.socialized).to.equal(0n);
      const m1 = await f.pool.expectedMarket(f.usdc.address);
      const lender1 = await f.pool.supplyBalance(f.usdc.address, lender.address);
      expect(lender1 - lender0)
        .to.be.gte(0n)
        .and.lte(1n);
      expect(lendersValue(m1) - lendersValue(m0))
        .to.be.gte(0n)
        .and.lte(1n);
      const reserves1 = (await f.pool.marketInfo(f.usdc.address)).reserves;
      expect(reserves0 - reserves1 - bd.covered)
        .to.be.gte(-1n)
        .and.lte(1n);
      await expectReconciled(f);
    });

    it("with no reserves the whole remainder is socialized", async () => {
      const f = await loadFixture(noReservesFixture);
      const [lender, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1000");
      const { inputs: pre } = await preview(f, borrower.address, f.weth, MAX);
      expect(pre.debtMarket.reserveShares).to.equal(0n);
      const lender0 = await f.pool.supplyBalance(f.usdc.address, lender.address, { blockTag: "pending" });
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const bd = r.writtenOff;
      expect(bd.covered).to.equal(0n);
      expect(bd.socialized).to.equal(bd.debt);
      const debt0 = toAssetsUp(pre.borrowShares, pre.debtMarket.totalBorrowAssets, pre.debtMarket.totalBorrowShares);
      expect(bd.debt + r.repaid - debt0)
        .to.be.gte(0n)
        .and.lte(2n);
      const lender1 = await f.pool.supplyBalance(f.usdc.address, lender.address);
      expect(lender0 - lender1 - bd.socialized)
        .to.be.gte(-1n)
        .and.lte(1n);
      const [debtAsset, shares] = await f.pool.accountOf(borrower.address, 0);
      expect([debtAsset, shares]).to.deep.equal([ethers.ZeroAddress, 0n]);
      await expectReconciled(f);
    });
  });

  describe("bad debt with only dust left", () => {
    it("an insolvent account with a dust collateral: the shortfall is booked at once, the dust swept with the rest", async () => {
      const f = await loadFixture(dustLeftFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1000"); // $5,000 of WETH and $6 of WBTC against $7,900 of debt: insolvent
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      // Booked before the seizure: without it ≈ $3,270 of debt would sit behind $6 of WBTC nobody takes at a gas loss.
      expect(r.assessment.writeOff!.debt).to.be.gt(units(f.usdc, 3_200)).and.lt(units(f.usdc, 3_400));
      expect(r.seized).to.equal(units(f.weth, 5));
      // Then only the $6 of WBTC backs ≈ $5.6 of debt: it goes to the protocol, the rest is written off.
      expect(r.badDebt).to.not.equal(undefined);
      expect(r.swept).to.deep.equal([{ asset: f.wbtc.address, amount: units(f.wbtc, "0.0001") }]);
      const [debtAsset, shares, , assets] = await f.pool.accountOf(borrower.address, 0);
      expect([debtAsset, shares, assets.length]).to.deep.equal([ethers.ZeroAddress, 0n, 0]);
      expect((await f.pool.marketInfo(f.wbtc.address)).liquidationFees).to.be.gte(units(f.wbtc, "0.0001"));
      await expectReconciled(f);
    });

    it("a solvent remainder worth at least the dust value is left for the next liquidator", async () => {
      const f = await loadFixture(dustLeftFixture);
      const [, borrower, liquidator] = f.users;
      await f.pool.connect(borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, "0.0001"), borrower.address, 0);
      await setPrice(f.weth, "1000"); // $12 of WBTC now
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(r.badDebt).to.equal(undefined);
      expect(r.borrowSharesLeft).to.be.gt(0n);
      // The next liquidator takes the WBTC at the close-out bonus; nothing is left to write off.
      const { r: r2 } = await liquidateExact(f, liquidator, borrower.address, f.wbtc, MAX);
      expect(r2.assessment.bonus).to.be.lte(800n);
      expect((await f.pool.accountOf(borrower.address, 0))[0]).to.equal(ethers.ZeroAddress);
      await expectReconciled(f);
    });
  });

  describe("pause and circuit breaker", () => {
    it("works while supply and borrow of both assets are paused", async () => {
      const f = await loadFixture(positionFixture);
      const [lender, borrower, liquidator] = f.users;
      await f.pool.setPause(f.usdc.address, true, true);
      await f.pool.setPause(f.weth.address, true, true);
      await expect(
        f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1), 0, lender.address),
      ).to.be.revertedWithCustomError(f.pool, "SupplyPaused");
      await expect(
        f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 100), borrower.address, 0, borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "BorrowPaused");
      await setPrice(f.weth, "1900");
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(r.repaid).to.be.gt(0n);
      await expectReconciled(f);
    });

    it("works while the circuit breaker is on for both the debt and the collateral asset", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      const engine = f.users[9];
      await f.pool.grantRole(RISK_ENGINE_ROLE, engine.address);
      await f.pool.connect(engine).setCircuitBreaker(f.usdc.address, true);
      await f.pool.connect(engine).setCircuitBreaker(f.weth.address, true);
      await expect(
        f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 100), borrower.address, 0, borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "CircuitBreakerActive");
      await setPrice(f.weth, "1900");
      const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      expect(r.repaid).to.be.gt(0n);
      await expectReconciled(f);
    });
  });

  describe("flash liquidation (onFulcraLiquidate)", () => {
    async function withLiquidator() {
      const f = await positionFixture();
      const liq = (await (
        await ethers.getContractFactory("MockLiquidator")
      ).deploy(f.poolAddress)) as unknown as MockLiquidator;
      await setPrice(f.weth, "1900");
      return { ...f, liq };
    }
    const dataFor = (asset: string) => ethers.AbiCoder.defaultAbiCoder().encode(["address"], [asset]);

    it("a liquidator holding no debt tokens liquidates through the callback, which gets the exact amounts", async () => {
      const f = await loadFixture(withLiquidator);
      const [, borrower] = f.users;
      const receiver = f.users[6];
      const liqAddress = await f.liq.getAddress();
      expect(await f.usdc.token.balanceOf(liqAddress)).to.equal(0n);
      const data = dataFor(f.usdc.address);
      const { inputs, r } = await preview(f, borrower.address, f.weth, MAX);
      const tx = await f.liq.liquidate(borrower.address, 0, f.weth.address, MAX, 0, receiver.address, data);
      await expect(tx)
        .to.emit(f.pool, "Liquidate")
        .withArgs(
          borrower.address,
          0,
          liqAddress,
          f.usdc.address,
          f.weth.address,
          r.repaid,
          r.repaidShares,
          r.seized,
          r.protocolFee,
        );
      expect(await f.liq.callbackCount()).to.equal(1n);
      expect(await f.liq.lastRepaid()).to.equal(r.repaid);
      expect(await f.liq.lastSeized()).to.equal(r.sentToReceiver);
      expect(await f.liq.lastCollateralReceived()).to.equal(r.sentToReceiver);
      expect(await f.liq.lastData()).to.equal(data);
      await expect(tx).to.changeTokenBalances(f.weth.token, [receiver, f.pool], [r.sentToReceiver, -r.sentToReceiver]);
      await expect(tx).to.changeTokenBalances(f.usdc.token, [liqAddress, f.pool], [0n, r.repaid]);
      expect(await f.usdc.token.balanceOf(liqAddress)).to.equal(0n);
      expect(await f.pool.collateralOf(borrower.address, 0, f.weth.address)).to.equal(r.collateralLeft);
      expect((await f.pool.accountHealth(borrower.address, 0)).healthFactor).to.equal(healthAfter(inputs, r));
      await expectReconciled(f);
    });

    it("re-entering the pool from the callback reverts Reentrancy", async () => {
      const f = await loadFixture(withLiquidator);
      const [, borrower] = f.users;
      const liqAddress = await f.liq.getAddress();
      const data = dataFor(f.usdc.address);
      const calls = [
        f.pool.interface.encodeFunctionData("supply", [f.usdc.address, 1n, 0n, liqAddress]),
        f.pool.interface.encodeFunctionData("repay", [f.usdc.address, 1n, borrower.address, 0n]),
        f.pool.interface.encodeFunctionData("liquidate", [
          borrower.address,
          0n,
          f.weth.address,
          MAX,
          0n,
          liqAddress,
          "0x",
        ]),
        f.pool.interface.encodeFunctionData("supplyCollateral", [f.weth.address, 1n, liqAddress, 0n]),
      ];
      for (const call of calls) {
        await f.liq.setReenter(f.poolAddress, call);
        await expect(
          f.liq.liquidate(borrower.address, 0, f.weth.address, MAX, 0, liqAddress, data),
        ).to.be.revertedWithCustomError(f.pool, "Reentrancy");
      }
      expect(await f.liq.callbackCount()).to.equal(0n);
    });

    it("the debt is pulled after the callback: a callback that does not pay reverts the whole liquidation", async () => {
      const f = await loadFixture(withLiquidator);
      const [, borrower] = f.users;
      const liqAddress = await f.liq.getAddress();
      await f.liq.setMode(2); // NoPay
      await expect(
        f.liq.liquidate(borrower.address, 0, f.weth.address, MAX, 0, liqAddress, dataFor(f.usdc.address)),
      ).to.be.revertedWithCustomError(f.usdc.token, "ERC20InsufficientAllowance");
      // Without data there is no callback: the mock never gets the chance to mint and approve.
      await f.liq.setMode(0); // Pay
      await expect(
        f.liq.liquidate(borrower.address, 0, f.weth.address, MAX, 0, liqAddress, "0x"),
      ).to.be.revertedWithCustomError(f.usdc.token, "ERC20InsufficientAllowance");
      expect(await f.pool.collateralOf(borrower.address, 0, f.weth.address)).to.equal(units(f.weth, 10));
    });
  });

  describe("self-liquidation", () => {
    it("is not profitable: the borrower's two addresses end with exactly the protocol fee's value less", async () => {
      const f = await loadFixture(exactFixture); // no interest: every value below is exact
      const [, borrower, alt] = f.users; // `alt` is another address the borrower controls
      await setPrice(f.weth, "1900"); // health 0.95, bonus 4.5 %
      const assets = [f.usdc, f.weth, f.wbtc];
      async function totalValue(): Promise<bigint> {
        let v = 0n;
        for (const a of assets) {
          const p = await f.pool.price(a.address);
          for (const who of [borrower, alt]) v += mulDivDown(await a.token.balanceOf(who.address), p, WAD);
        }
        const h = await f.pool.accountHealth(borrower.address, 0); // the position's equity counts too
        return v + h.collateralValue - h.debtValue;
      }
      const altWethBefore = await f.weth.token.balanceOf(alt.address);
      const before = await totalValue();
      const { r } = await liquidateExact(f, alt, borrower.address, f.weth, MAX);
      const after = await totalValue();
      const wethPrice = await f.pool.price(f.weth.address);
      const feeValue = mulDivDown(r.protocolFee, wethPrice, WAD);
      expect(after).to.be.lt(before);
      expect(before - after).to.equal(feeValue);
      // ≈ $8,782 repaid, ≈ $9,178 of WETH seized: $395 of bonus, of which $39.5 is lost to the protocol and the
      // rest merely moves from the borrower's position to its other address.
      expect(feeValue)
        .to.be.gt(39n * USD)
        .and.lt(40n * USD);
      const altGain =
        mulDivDown((await f.weth.token.balanceOf(alt.address)) - altWethBefore, wethPrice, WAD) - r.repaid * 10n ** 12n;
      expect(altGain).to.be.gt(300n * USD);
    });
  });
  describe("attacks", () => {
    it("splitting a liquidation into pieces earns no more collateral per dollar repaid than one liquidation", async () => {
      let f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await setPrice(f.weth, "1900");
      const one = await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);

      f = await loadFixture(positionFixture);
      await setPrice(f.weth, "1900");
      const piece = one.r.repaid / 3n;
      let repaid = 0n;
      let received = 0n;
      const bonuses: bigint[] = [];
      for (let k = 0; k < 2; k++) {
        const { r } = await liquidateExact(f, liquidator, borrower.address, f.weth, piece);
        repaid += r.repaid;
        received += r.sentToReceiver;
        bonuses.push(r.assessment.bonus);
      }
      // Each piece raises health, so the bonus falls; in total the pieces buy collateral at a worse rate. (Two thirds
      // of the single repay already make the account healthy: a third piece reverts HealthyAccount.)
      expect(bonuses[0]).to.be.gt(bonuses[1]);
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.weth.address, piece, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
      expect(received * one.r.repaid).to.be.lt(one.r.sentToReceiver * repaid);
    });

    it("cannot reach collateral of another sub-account of the same owner, and leaves it untouched", async () => {
      const f = await loadFixture(positionFixture);
      const [, borrower, liquidator] = f.users;
      await f.pool.connect(borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, 1), borrower.address, 1);
      await f.pool
        .connect(borrower)
        .borrow(f.usdc.address, units(f.usdc, 1_000), borrower.address, 1, borrower.address);
      await setPrice(f.weth, "1800");
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 0, f.wbtc.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "NotAccountCollateral");
      await expect(
        f.pool.connect(liquidator).liquidate(borrower.address, 1, f.wbtc.address, MAX, 0, liquidator.address, "0x"),
      ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
      const sub1Before = await f.pool.accountOf(borrower.address, 1);
      await liquidateExact(f, liquidator, borrower.address, f.weth, MAX);
      const sub1After = await f.pool.accountOf(borrower.address, 1);
      expect(sub1After[1]).to.equal(sub1Before[1]); // same debt shares
      expect([...sub1After[4]]).to.deep.equal([units(f.wbtc, 1)]);
    });

    it("self-liquidation with no protocol share is exactly zero-sum, and an account cannot push itself below LT", async () => {
      const f = await loadFixture(exactFixture); // no interest
      const [, borrower, alt] = f.users;
      // The borrower cannot make its own account liquidatable: withdrawals and borrows stop at the LTV, below LT.
      await expect(
        f.pool
          .connect(borrower)
          .withdrawCollateral(f.weth.address, units(f.weth, "0.01"), borrower.address, 0, borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "InsufficientCollateral");
      await expect(
        f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 1), borrower.address, 0, borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "InsufficientCollateral");
      await f.pool.setLiquidationParams(f.weth.address, 100, 800, 0);
      await setPrice(f.weth, "1900");
      async function totalValue(): Promise<bigint> {
        let v = 0n;
        for (const a of [f.usdc, f.weth]) {
          const p = await f.pool.price(a.address);
          for (const who of [borrower, alt]) v += (await a.token.balanceOf(who.address)) * p;
        }
        // Exact equity of the position (unrounded, in 1e-36 USD).
        const [, , debt, , amounts] = await f.pool.accountOf(borrower.address, 0);
        return v + amounts[0] * (await f.pool.price(f.weth.address)) - debt * (await f.pool.price(f.usdc.address));
      }
      const before = await totalValue();
      const { r } = await liquidateExact(f, alt, borrower.address, f.weth, MAX);
      expect(r.protocolFee).to.equal(0n);
      expect(await totalValue()).to.equal(before); // the bonus only moves between the borrower's own addresses
    });
  });
  describe("property: random positions, prices and repay caps against the reference", () => {
    it("every outcome matches the reference to the unit; partial ones land at the target; books reconcile", async () => {
      const [, borrower, liquidator] = (await loadFixture(propertyFixture)).users;
      let liquidated = 0;
      let partialAtTarget = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1_000, max: 16_800 }), // USDC borrowed against 10 WETH at 2,100 (max LTV 80 %)
          fc.integer({ min: 800, max: 1_010 }), // health aimed at, per mille (sets the WETH price afterwards)
          fc.integer({ min: 0, max: 2_000 }), // maxRepay: above 1,000 unlimited, else per mille of the allowed repay
          async (borrowed, healthPerMille, capPerMille) => {
            const f = await loadFixture(propertyFixture);
            await f.pool
              .connect(borrower)
              .borrow(f.usdc.address, units(f.usdc, borrowed), borrower.address, 0, borrower.address);
            // price = health · debt / (10 WETH · LT 0.825), to 8 decimals (the feed's precision)
            await setPrice(f.weth, ((borrowed * healthPerMille) / 1000 / 8.25).toFixed(8));
            const h = (await f.pool.accountHealth(borrower.address, 0)).healthFactor;
            if (h >= WAD) {
              await expect(
                f.pool
                  .connect(liquidator)
                  .liquidate(borrower.address, 0, f.weth.address, MAX, 0, liquidator.address, "0x"),
              ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
              return;
            }
            const { r: whole } = await preview(f, borrower.address, f.weth, MAX);
            const maxRepay = capPerMille > 1_000 ? MAX : (whole.repaid * BigInt(capPerMille)) / 1000n;
            const { r: planned } = await preview(f, borrower.address, f.weth, maxRepay === 0n ? 1n : maxRepay);
            if (maxRepay === 0n || planned.leavesDust || planned.slippage) {
              const error = maxRepay !== 0n && planned.leavesDust ? "LiquidationLeavesDust" : "SlippageExceeded";
              await expect(
                f.pool
                  .connect(liquidator)
                  .liquidate(borrower.address, 0, f.weth.address, maxRepay, 0, liquidator.address, "0x"),
              ).to.be.revertedWithCustomError(f.pool, maxRepay === 0n ? "ZeroAmount" : error);
              return;
            }
            const { inputs, r } = await liquidateExact(f, liquidator, borrower.address, f.weth, maxRepay);
            liquidated++;
            const a = r.assessment;
            // Never more collateral than repaid value · (1 + bonus), at oracle prices.
            const wethPrice = await f.pool.price(f.weth.address);
            expect(mulDivDown(r.seized, wethPrice, WAD)).to.be.lte(mulDivUp(r.repaid * 10n ** 12n, BPS + a.bonus, BPS));
            const partial = !(a.fullByHealth || a.debtDust || a.collateralLimited || a.collateralDust);
            if (partial && maxRepay === MAX) {
              const after = (await f.pool.accountHealth(borrower.address, 0)).healthFactor;
              expect(after).to.equal(healthAfter(inputs, r));
              expect(after)
                .to.be.gte(TARGET_HEALTH)
                .and.lt(TARGET_HEALTH + 10n ** 12n);
              partialAtTarget++;
            }
            await expectReconciled(f);
          },
        ),
        { numRuns: 60, seed: 4242 },
      );
      console.log(`      ${liquidated} liquidations checked, ${partialAtTarget} partial ones at the target health`);
      expect(liquidated).to.be.gte(30);
      expect(partialAtTarget).to.be.gte(5);
    });
  });
});
