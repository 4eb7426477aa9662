// Interest: the kinked model, continuous compounding against the closed form e^(r·t), the reserve factor's share,
// and the treasury's reserves (never more than the reserves, never lenders' money).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { expectRevertNoChange, toAssetsDown, WAD, YEAR } from "../helpers/core";
import type { ListedAsset } from "../../lib/protocol";

// WETH's model in the fixture: base 0, slope1 3 %, slope2 80 %, kink 80 %, reserve factor 15 %.
const RF = 1_500n;
/** Closed-form tolerance: 1e-9 relative (float exp is exact to ~1e-16; the per-second rate is floored to 1 wei). */
const REL_TOL = 1e-9;

function annualBps(u: number, base: number, s1: number, s2: number, kink: number): number {
  return u <= kink ? base + (s1 * u) / kink : base + s1 + (s2 * (Math.min(u, 1) - kink)) / (1 - kink);
}

/** Contract's borrowRatePerSecond, in bigint. */
function ratePerSecond(util: bigint, base: bigint, s1: bigint, s2: bigint, kinkBps: bigint): bigint {
  const kink = kinkBps * 10n ** 14n;
  let a: bigint;
  if (util <= kink) a = base * WAD + (s1 * util * WAD) / kink;
  else {
    const excess = util > WAD ? WAD - kink : util - kink;
    a = (base + s1) * WAD + (s2 * excess * WAD) / (WAD - kink);
  }
  return a / (10_000n * YEAR);
}

function expectClose(actual: bigint, expected: number, what: string) {
  const rel = Math.abs(Number(actual) - expected) / expected;
  expect(rel, `${what}: ${actual} vs closed form ${expected}`).to.be.lte(REL_TOL);
}

/** Lender 0 supplies 100 WETH; borrower 1 (5 WBTC of collateral) borrows `borrowWeth`; returns the borrow time. */
async function borrowWeth(f: PoolFixture, borrowWeth: bigint) {
  const [lender, b] = f.users;
  await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 100), 0, lender.address);
  await f.pool.connect(b).supplyCollateral(f.wbtc.address, units(f.wbtc, 5), b.address, 0);
  await f.pool.connect(b).borrow(f.weth.address, borrowWeth, b.address, 0, b.address);
  return (await f.pool.market(f.weth.address)).lastUpdate;
}

async function oneYearLater(f: PoolFixture, asset: ListedAsset, from: bigint) {
  await time.setNextBlockTimestamp(from + YEAR);
  return f.pool.accrueInterest(asset.address);
}

describe("core: interest", () => {
  for (const [label, borrowed, u] of [
    ["below the kink (U = 50 %)", 50, 0.5],
    ["at the kink (U = 80 %)", 80, 0.8],
    ["above the kink (U = 90 %)", 90, 0.9],
    ["at full utilization (U = 100 %)", 100, 1],
  ] as const) {
    it(`one year ${label}: debt = B·e^(r·t) within 1e-9, r from the kinked model`, async () => {
      const f = await loadFixture(deployPoolFixture);
      const b0 = units(f.weth, borrowed);
      const t0 = await borrowWeth(f, b0);
      const r = annualBps(u, 0, 300, 8000, 0.8) / 10_000;
      expect(await f.pool.borrowRate(f.weth.address)).to.equal(
        ratePerSecond((b0 * WAD) / units(f.weth, 100), 0n, 300n, 8000n, 8000n),
      );
      await oneYearLater(f, f.weth, t0);
      const m = await f.pool.market(f.weth.address);
      expectClose(m.totalBorrowAssets, Number(b0) * Math.exp(r), "debt");
      const [, , debt] = await f.pool.accountOf(f.users[1].address, 0);
      expectClose(debt, Number(b0) * Math.exp(r), "account debt");
      expect(m.totalSupplyAssets - units(f.weth, 100)).to.equal(m.totalBorrowAssets - b0); // lenders' side grew as much
    });
  }

  it("compounding does not depend on how often the market is touched (12 monthly accruals = 1 yearly)", async () => {
    const f = await loadFixture(deployPoolFixture);
    await f.pool.setRateModel(f.weth.address, 1_000, 0, 0, 8_000); // a flat 10 %/year
    const b0 = units(f.weth, 50);
    const t0 = await borrowWeth(f, b0);
    for (let i = 1n; i <= 12n; i++) {
      await time.setNextBlockTimestamp(t0 + (YEAR * i) / 12n);
      await f.pool.accrueInterest(f.weth.address);
    }
    const m = await f.pool.market(f.weth.address);
    expectClose(m.totalBorrowAssets, Number(b0) * Math.exp(0.1), "debt after 12 accruals");
  });

  it("AccrueInterest carries the rate, the interest and the reserve's shares exactly", async () => {
    const f = await loadFixture(deployPoolFixture);
    const t0 = await borrowWeth(f, units(f.weth, 60));
    const before = await f.pool.market(f.weth.address);
    const rate = ratePerSecond((before.totalBorrowAssets * WAD) / before.totalSupplyAssets, 0n, 300n, 8000n, 8000n);
    const tx = await oneYearLater(f, f.weth, t0);
    const after = await f.pool.market(f.weth.address);
    await expect(tx)
      .to.emit(f.pool, "AccrueInterest")
      .withArgs(
        f.weth.address,
        rate,
        after.totalBorrowAssets - before.totalBorrowAssets,
        after.reserveShares - before.reserveShares,
      );
    expect(after.lastUpdate).to.equal(t0 + YEAR);
  });

  it("the reserve factor's share goes to reserves; lenders get the rest (to the wei)", async () => {
    const f = await loadFixture(deployPoolFixture);
    const t0 = await borrowWeth(f, units(f.weth, 90));
    await oneYearLater(f, f.weth, t0);
    const m = await f.pool.market(f.weth.address);
    const interest = m.totalBorrowAssets - units(f.weth, 90);
    const fee = (interest * RF) / 10_000n;
    const reserves = toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares);
    expect(fee - reserves)
      .to.be.gte(0n)
      .and.lte(2n);
    const info = await f.pool.marketInfo(f.weth.address);
    expect(info.reserves).to.equal(reserves);
    const lender = await f.pool.supplyBalance(f.weth.address, f.users[0].address);
    expect(units(f.weth, 100) + interest - fee - lender)
      .to.be.gte(0n)
      .and.lte(2n);
  });

  it("with a zero reserve factor lenders get all the interest and no reserve shares are minted", async () => {
    const f = await loadFixture(deployPoolFixture);
    await f.pool.setReserveFactor(f.weth.address, 0);
    const t0 = await borrowWeth(f, units(f.weth, 50));
    await oneYearLater(f, f.weth, t0);
    const m = await f.pool.market(f.weth.address);
    expect(m.reserveShares).to.equal(0n);
    const interest = m.totalBorrowAssets - units(f.weth, 50);
    expect(units(f.weth, 100) + interest - (await f.pool.supplyBalance(f.weth.address, f.users[0].address))).to.be.lte(
      1n,
    );
  });

  it("no borrows: accrual moves the clock only and emits nothing", async () => {
    const f = await loadFixture(deployPoolFixture);
    await f.pool.connect(f.users[0]).supply(f.weth.address, units(f.weth, 1), 0, f.users[0].address);
    await time.increase(YEAR);
    const tx = await f.pool.accrueInterest(f.weth.address);
    await expect(tx).not.to.emit(f.pool, "AccrueInterest");
    const m = await f.pool.market(f.weth.address);
    expect(m.totalSupplyAssets).to.equal(units(f.weth, 1));
    expect(m.lastUpdate).to.equal((await ethers.provider.getBlock("latest"))!.timestamp);
  });

  it("accrueInterest reverts AssetNotListed for an unlisted asset", async () => {
    const f = await loadFixture(deployPoolFixture);
    await expect(f.pool.accrueInterest(f.users[0].address)).to.be.revertedWithCustomError(f.pool, "AssetNotListed");
  });

  it("marketInfo: utilization, rates, APYs (e^(r·year) − 1), totals and reserves", async () => {
    const f = await loadFixture(deployPoolFixture);
    await borrowWeth(f, units(f.weth, 90));
    const info = await f.pool.marketInfo(f.weth.address);
    const util = (units(f.weth, 90) * WAD) / units(f.weth, 100);
    expect(info.utilization).to.equal(util);
    const rate = ratePerSecond(util, 0n, 300n, 8000n, 8000n);
    expect(info.borrowRatePerSecond).to.equal(rate);
    expect(info.supplyRatePerSecond).to.equal((((rate * util) / WAD) * (10_000n - RF)) / 10_000n);
    expectClose(info.borrowApy, (Math.exp(Number(rate * YEAR) / 1e18) - 1) * 1e18, "borrow APY");
    expect(Number(info.borrowApy) / 1e18).to.be.closeTo(Math.exp(0.43) - 1, 1e-9);
    expect(info.totalSupplyAssets).to.equal(units(f.weth, 100));
    expect(info.totalBorrowAssets).to.equal(units(f.weth, 90));
    expect(info.reserves).to.equal(0n);
    expect(info.totalCollateral).to.equal(0n);
  });

  it("setRateModel accrues at the old model first, then applies the new one", async () => {
    const f = await loadFixture(deployPoolFixture);
    const t0 = await borrowWeth(f, units(f.weth, 50));
    await time.setNextBlockTimestamp(t0 + YEAR);
    const tx = f.pool.setRateModel(f.weth.address, 500, 0, 0, 5_000);
    await expect(tx).to.emit(f.pool, "AccrueInterest");
    await expect(tx).to.emit(f.pool, "RateModelSet").withArgs(f.weth.address, 500, 0, 0, 5_000);
    const m = await f.pool.market(f.weth.address);
    expectClose(m.totalBorrowAssets, Number(units(f.weth, 50)) * Math.exp(0.01875), "debt at the old model");
    expect(await f.pool.borrowRate(f.weth.address)).to.equal(ratePerSecond(0n, 500n, 0n, 0n, 5_000n));
  });

  it("setReserveFactor accrues at the old factor first and emits old and new", async () => {
    const f = await loadFixture(deployPoolFixture);
    const t0 = await borrowWeth(f, units(f.weth, 50));
    await time.setNextBlockTimestamp(t0 + YEAR);
    const tx = f.pool.setReserveFactor(f.weth.address, 3_000);
    await expect(tx).to.emit(f.pool, "ReserveFactorSet").withArgs(f.weth.address, RF, 3_000);
    await expect(tx).to.emit(f.pool, "AccrueInterest");
    const m = await f.pool.market(f.weth.address);
    const fee = ((m.totalBorrowAssets - units(f.weth, 50)) * RF) / 10_000n;
    expect(fee - toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares)).to.be.lte(2n);
  });
});

describe("core: withdrawReserves", () => {
  /** A year of interest on 50 WETH borrowed from 100; then the borrower repays everything. */
  async function reservesFixture() {
    const f = await deployPoolFixture();
    const t0 = await borrowWeth(f, units(f.weth, 50));
    await oneYearLater(f, f.weth, t0);
    await f.pool.connect(f.users[1]).repay(f.weth.address, ethers.MaxUint256, f.users[1].address, 0);
    return f;
  }

  it("the treasury withdraws exactly the reserves; lenders' shares and claim are untouched", async () => {
    const f = await loadFixture(reservesFixture);
    const [lender, , , treasuryWallet] = f.users;
    const m = await f.pool.market(f.weth.address);
    const reserves = toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares);
    const lenderBefore = await f.pool.supplyBalance(f.weth.address, lender.address);
    const tx = f.pool.withdrawReserves(f.weth.address, reserves, treasuryWallet.address);
    await expect(tx).to.changeTokenBalances(f.weth.token, [treasuryWallet, f.pool], [reserves, -reserves]);
    const after = await f.pool.market(f.weth.address);
    await expect(tx)
      .to.emit(f.pool, "ReservesWithdrawn")
      .withArgs(f.weth.address, treasuryWallet.address, reserves, m.reserveShares - after.reserveShares);
    // What is left of the reserve shares is worth less than 1 wei (the withdrawal rounded against the treasury).
    expect(toAssetsDown(after.reserveShares, after.totalSupplyAssets, after.totalSupplyShares)).to.equal(0n);
    expect(await f.pool.supplyBalance(f.weth.address, lender.address)).to.be.gte(lenderBefore);
    // The lender can still take out everything it was owed.
    await f.pool.connect(lender).withdraw(f.weth.address, lenderBefore, 0, lender.address, lender.address);
  });

  it("InsufficientReserves one wei above the reserves", async () => {
    const f = await loadFixture(reservesFixture);
    const m = await f.pool.market(f.weth.address);
    const reserves = toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares);
    await expectRevertNoChange(
      f,
      () => f.pool.withdrawReserves(f.weth.address, reserves + 2n, f.admin.address),
      f.pool,
      "InsufficientReserves",
    );
  });

  it("never lenders' money: with no reserves even 1 wei reverts InsufficientReserves", async () => {
    const f = await loadFixture(deployPoolFixture);
    await f.pool.connect(f.users[0]).supply(f.usdc.address, units(f.usdc, 1_000), 0, f.users[0].address);
    await expectRevertNoChange(
      f,
      () => f.pool.withdrawReserves(f.usdc.address, 1n, f.admin.address),
      f.pool,
      "InsufficientReserves",
    );
  });

  it("InsufficientLiquidity when the reserves are lent out", async () => {
    const f = await loadFixture(reservesFixture);
    const [, , c] = f.users;
    await f.pool.connect(c).supplyCollateral(f.wbtc.address, units(f.wbtc, 10), c.address, 0);
    for (const a of [f.weth, f.wbtc]) await a.feed.setAnswer(await a.feed.latestAnswer());
    const m = await f.pool.market(f.weth.address);
    await f.pool.connect(c).borrow(f.weth.address, m.totalSupplyAssets, c.address, 0, c.address);
    await expectRevertNoChange(
      f,
      () => f.pool.withdrawReserves(f.weth.address, 1n, f.admin.address),
      f.pool,
      "InsufficientLiquidity",
    );
  });

  it("ZeroAmount, ZeroAddress, AssetNotListed and the TREASURY role", async () => {
    const f = await loadFixture(reservesFixture);
    const [, , , stranger] = f.users;
    await expect(f.pool.withdrawReserves(f.weth.address, 0, f.admin.address)).to.be.revertedWithCustomError(
      f.pool,
      "ZeroAmount",
    );
    await expect(f.pool.withdrawReserves(f.weth.address, 1, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      f.pool,
      "ZeroAddress",
    );
    await expect(f.pool.withdrawReserves(stranger.address, 1, f.admin.address)).to.be.revertedWithCustomError(
      f.pool,
      "AssetNotListed",
    );
    await expect(f.pool.connect(stranger).withdrawReserves(f.weth.address, 1, stranger.address))
      .to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount")
      .withArgs(stranger.address, ethers.id("TREASURY_ROLE"));
  });
});

describe("core: interest saturates instead of overflowing (uint128 totals)", () => {
  /** Max-rate market (900 %/year at full use), 1e24 wei borrowed, then untouched for 20 years (r·t ≈ 180). */
  async function idleFixture() {
    const f = await deployPoolFixture();
    const [lender, b] = f.users;
    const { listFunded, plainSpec } = await import("../helpers/core");
    const hyp = await listFunded(
      f,
      plainSpec("HYP", { rate: { baseBps: 10_000, slope1Bps: 20_000, slope2Bps: 60_000, kinkBps: 9_900 } }),
      [lender, b],
      10n ** 30n,
    );
    const col = await listFunded(f, plainSpec("COL"), [b], 10n ** 30n);
    await f.pool.connect(lender).supply(hyp.address, 10n ** 24n, 0, lender.address);
    await f.pool.connect(b).supplyCollateral(col.address, 10n ** 25n, b.address, 0);
    await f.pool.connect(b).borrow(hyp.address, 10n ** 24n, b.address, 0, b.address);
    await time.increase(20n * YEAR);
    return { ...f, hyp };
  }

  it("accrual after 20 idle years at the maximum rate neither reverts nor wraps; the market stays usable", async () => {
    const f = await loadFixture(idleFixture);
    const MAX128 = (1n << 128n) - 1n;
    const view = await f.pool.expectedMarket(f.hyp.address);
    expect(view.totalSupplyAssets).to.be.lte(MAX128);
    await expect(f.pool.accrueInterest(f.hyp.address)).to.emit(f.pool, "AccrueInterest");
    const m = await f.pool.market(f.hyp.address);
    expect(m.totalSupplyAssets).to.equal(MAX128);
    expect(m.totalBorrowAssets).to.equal(MAX128);
    expect(m.totalSupplyAssets).to.equal(view.totalSupplyAssets);
    // Saturated: later accruals add nothing and do not revert; the borrower can still repay everything.
    await time.increase(YEAR);
    await f.pool.accrueInterest(f.hyp.address);
    expect((await f.pool.market(f.hyp.address)).totalBorrowAssets).to.equal(MAX128);
    const b = f.users[1];
    await f.hyp.token.mint(b.address, MAX128);
    await expect(f.pool.connect(b).repay(f.hyp.address, ethers.MaxUint256, b.address, 0)).to.emit(f.pool, "Repay");
    expect((await f.pool.market(f.hyp.address)).totalBorrowShares).to.equal(0n);
    const [debtAsset, shares] = await f.pool.accountOf(b.address, 0);
    expect([debtAsset, shares]).to.deep.equal([ethers.ZeroAddress, 0n]);
  });

  it("a flash-loan fee credited to the saturated supply total reverts SafeCastOverflow instead of wrapping it", async () => {
    // Issue #16 (SafeCastLib): before, `uint128(total + fee)` stored the total wrapped to about the fee.
    const f = await loadFixture(idleFixture);
    const MAX128 = (1n << 128n) - 1n;
    await f.pool.accrueInterest(f.hyp.address);
    const b = f.users[1];
    await f.hyp.token.mint(b.address, MAX128);
    await f.pool.connect(b).repay(f.hyp.address, ethers.MaxUint256, b.address, 0); // the pool now holds the cash
    expect((await f.pool.market(f.hyp.address)).totalSupplyAssets).to.equal(MAX128);
    await f.pool.setFlashFee(f.hyp.address, 100);
    const fb = await (await ethers.getContractFactory("TrivialFlashBorrower")).deploy(f.poolAddress);
    await fb.approveLender(f.hyp.address);
    await f.hyp.token.mint(await fb.getAddress(), 10n ** 22n); // the fee
    await expect(fb.borrow(f.hyp.address, 10n ** 24n))
      .to.be.revertedWithCustomError(f.pool, "SafeCastOverflow")
      .withArgs(128, MAX128 + 10n ** 22n);
    expect((await f.pool.market(f.hyp.address)).totalSupplyAssets).to.equal(MAX128);
    // Without a fee nothing is credited and the loan goes through.
    await f.pool.setFlashFee(f.hyp.address, 0);
    await expect(fb.borrow(f.hyp.address, 10n ** 24n)).to.emit(f.pool, "FlashLoan");
  });
});
