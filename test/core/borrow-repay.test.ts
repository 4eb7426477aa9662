// Borrowers: borrow / repay, the LTV edge, one debt asset per account, caps, minimum borrow and overflow guards.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import {
  expectRevertNoChange,
  listFunded,
  plainSpec,
  toAssetsUp,
  toSharesDown,
  toSharesUp,
  VIRTUAL_SHARES,
} from "../helpers/core";

const E18 = 10n ** 18n;

/** Lender 0 supplied 100,000 USDC and 100 WETH; borrower 1 posted 1 WETH ($2,000; borrowing power $1,600). */
async function baseFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 100), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 1), borrower.address, 0);
  await f.pool.connect(borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, 0.1), borrower.address, 1);
  return f;
}

/** baseFixture + borrower 1 borrowed 1,000 USDC, then 90 days passed (feeds refreshed). */
async function debtFixture() {
  const f = await baseFixture();
  const [, b] = f.users;
  await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_000), b.address, 0, b.address);
  await time.increase(90 * 86_400);
  for (const a of [f.usdc, f.weth, f.wbtc]) await a.feed.setAnswer(await a.feed.latestAnswer());
  return f;
}

/**
 * A market at the maximum rate model (base 100 %, slopes 200 % / 600 %: 900 %/year at full utilization), fully
 * borrowed and left for two years: the share prices rise ~e^18 ≈ 6.6e7-fold, so 1 wei buys or repays no share.
 */
async function hyperFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  const hyp = await listFunded(
    f,
    plainSpec("HYP", {
      reserveFactorBps: 0,
      rate: { baseBps: 10_000, slope1Bps: 20_000, slope2Bps: 60_000, kinkBps: 9_900 },
    }),
    [lender, borrower],
    E18,
  );
  const col = await listFunded(f, plainSpec("COL"), [borrower], E18 * 1_000n);
  await f.pool.connect(lender).supply(hyp.address, 1_000_000n, 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(col.address, E18, borrower.address, 0);
  await f.pool.connect(borrower).borrow(hyp.address, 1_000_000n, borrower.address, 0, borrower.address);
  await time.increase(2 * 365 * 86_400);
  await f.pool.accrueInterest(hyp.address);
  return { ...f, hyp, col };
}

describe("core: borrow", () => {
  it("first borrow mints assets·1e6 debt shares, sends exactly to the receiver and emits Borrow", async () => {
    const f = await loadFixture(baseFixture);
    const [, b, , receiver] = f.users;
    const amount = units(f.usdc, 1_000);
    expect(await f.pool.connect(b).borrow.staticCall(f.usdc.address, amount, b.address, 0, receiver.address)).to.equal(
      amount * VIRTUAL_SHARES,
    );
    const tx = f.pool.connect(b).borrow(f.usdc.address, amount, b.address, 0, receiver.address);
    await expect(tx)
      .to.emit(f.pool, "Borrow")
      .withArgs(f.usdc.address, b.address, b.address, 0, receiver.address, amount, amount * VIRTUAL_SHARES);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [b, receiver, f.pool], [0n, amount, -amount]);
    const [debtAsset, shares, debt] = await f.pool.accountOf(b.address, 0);
    expect(debtAsset).to.equal(f.usdc.address);
    expect(shares).to.equal(amount * VIRTUAL_SHARES);
    expect(debt).to.equal(amount);
    const m = await f.pool.market(f.usdc.address);
    expect(m.totalBorrowAssets).to.equal(amount);
    expect(m.totalBorrowShares).to.equal(amount * VIRTUAL_SHARES);
  });

  it("borrows exactly the borrowing power (1 WETH · 2,000 · 80 % = 1,600 USDC); one unit more reverts", async () => {
    const f = await loadFixture(baseFixture);
    const [, b] = f.users;
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_600) + 1n, b.address, 0, b.address),
      f.pool,
      "InsufficientCollateral",
    );
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_600), b.address, 0, b.address);
    const h = await f.pool.accountHealth(b.address, 0);
    expect(h.borrowingPower).to.equal(1_600n * E18);
    expect(h.debtValue).to.equal(1_600n * E18);
    expect(h.healthFactor).to.equal((1_650n * E18 * E18) / (1_600n * E18)); // LT 82.5 %
  });

  it("a second borrow after interest mints shares rounded up", async () => {
    const f = await loadFixture(debtFixture);
    const [, b] = f.users;
    const amount = units(f.usdc, 123.456789);
    const [, sharesBefore] = await f.pool.accountOf(b.address, 0);
    await f.pool.connect(b).borrow(f.usdc.address, amount, b.address, 0, b.address);
    const [, sharesAfter] = await f.pool.accountOf(b.address, 0);
    const minted = sharesAfter - sharesBefore;
    const m = await f.pool.market(f.usdc.address);
    expect(minted).to.equal(toSharesUp(amount, m.totalBorrowAssets - amount, m.totalBorrowShares - minted));
    expect(minted).to.be.gt(toSharesDown(amount, m.totalBorrowAssets - amount, m.totalBorrowShares - minted));
  });

  it("up to the borrow cap exactly; one more unit reverts BorrowCapExceeded", async () => {
    const f = await loadFixture(baseFixture);
    const [, b] = f.users;
    await f.pool.setCaps(f.usdc.address, 10n ** 30n, units(f.usdc, 500), 10n ** 30n, units(f.usdc, 100));
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 500) + 1n, b.address, 0, b.address),
      f.pool,
      "BorrowCapExceeded",
    );
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 500), b.address, 0, b.address);
  });

  it("minimum borrow: exactly 100 USDC passes, 1 unit less reverts BelowMinBorrow", async () => {
    const f = await loadFixture(baseFixture);
    const [, b] = f.users;
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100) - 1n, b.address, 0, b.address),
      f.pool,
      "BelowMinBorrow",
    );
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address);
    // Once above the minimum, a small top-up is fine.
    await f.pool.connect(b).borrow(f.usdc.address, 1n, b.address, 0, b.address);
  });

  describe("reverts, leaving the pool untouched", () => {
    it("ZeroAmount", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, 0, b.address, 0, b.address),
        f.pool,
        "ZeroAmount",
      );
    });
    it("ZeroAddress for receiver 0", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, 1, b.address, 0, ethers.ZeroAddress),
        f.pool,
        "ZeroAddress",
      );
    });
    it("Unauthorized for a stranger borrowing against someone's account", async () => {
      const f = await loadFixture(baseFixture);
      const [, b, s] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(s).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, s.address),
        f.pool,
        "Unauthorized",
      );
    });
    it("AssetNotListed", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(b.address, 1, b.address, 0, b.address),
        f.pool,
        "AssetNotListed",
      );
    });
    it("NotBorrowable after setBorrowable(false)", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await f.pool.setBorrowable(f.usdc.address, false);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
        f.pool,
        "NotBorrowable",
      );
    });
    it("BorrowPaused while the guardian pauses borrow", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await f.pool.setPause(f.usdc.address, false, true);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
        f.pool,
        "BorrowPaused",
      );
    });
    it("CircuitBreakerActive when the debt asset's breaker is on", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await f.pool.setCircuitBreaker(f.usdc.address, true);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
        f.pool,
        "CircuitBreakerActive",
      );
    });
    it("CircuitBreakerActive when a collateral asset's breaker is on", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await f.pool.setCircuitBreaker(f.weth.address, true);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
        f.pool,
        "CircuitBreakerActive",
      );
    });
    it("DebtAssetMismatch when the account already owes another asset", async () => {
      const f = await loadFixture(debtFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.wbtc.address, 1000n, b.address, 0, b.address),
        f.pool,
        "DebtAssetMismatch",
      );
    });
    it("CollateralIsDebtAsset when borrowing an asset the account posts as collateral", async () => {
      const f = await loadFixture(baseFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.weth.address, units(f.weth, 0.1), b.address, 0, b.address),
        f.pool,
        "CollateralIsDebtAsset",
      );
    });
    it("InsufficientLiquidity beyond what lenders supplied", async () => {
      const f = await loadFixture(baseFixture);
      const [, b, rich] = f.users;
      await f.pool.connect(rich).supplyCollateral(f.wbtc.address, units(f.wbtc, 10), rich.address, 0);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(rich).borrow(f.usdc.address, units(f.usdc, 100_000) + 1n, rich.address, 0, rich.address),
        f.pool,
        "InsufficientLiquidity",
      );
      void b;
    });
    it("InsufficientCollateral for an account with no collateral", async () => {
      const f = await loadFixture(baseFixture);
      const [, , s] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(s).borrow(f.usdc.address, units(f.usdc, 100), s.address, 0, s.address),
        f.pool,
        "InsufficientCollateral",
      );
    });
    it("AmountTooLarge when one account's debt shares would exceed uint120", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [lender, b] = f.users;
      const big = await listFunded(f, plainSpec("BIG"), [lender], 10n ** 31n);
      const col = await listFunded(f, plainSpec("COL"), [b], 10n ** 32n);
      await f.pool.connect(lender).supply(big.address, 2n * 10n ** 30n, 0, lender.address);
      await f.pool.connect(b).supplyCollateral(col.address, 10n ** 31n, b.address, 0);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(big.address, 14n * 10n ** 29n, b.address, 0, b.address),
        f.pool,
        "AmountTooLarge",
        [big, col],
      );
      await f.pool.connect(b).borrow(big.address, 13n * 10n ** 29n, b.address, 0, b.address);
    });
  });
});

describe("core: repay", () => {
  it("partial repay burns shares rounded down, pulls exactly and emits Repay", async () => {
    const f = await loadFixture(debtFixture);
    const [, b] = f.users;
    const amount = units(f.usdc, 400);
    const [, sharesBefore] = await f.pool.accountOf(b.address, 0);
    const tx = await f.pool.connect(b).repay(f.usdc.address, amount, b.address, 0);
    const [, sharesAfter] = await f.pool.accountOf(b.address, 0);
    const burnt = sharesBefore - sharesAfter;
    await expect(tx).to.emit(f.pool, "Repay").withArgs(f.usdc.address, b.address, b.address, 0, amount, burnt);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [b, f.pool], [-amount, amount]);
    const m = await f.pool.market(f.usdc.address);
    expect(burnt).to.equal(toSharesDown(amount, m.totalBorrowAssets + amount, m.totalBorrowShares + burnt));
  });

  it("repay all (max uint256) pulls the debt rounded up and clears the account", async () => {
    const f = await loadFixture(debtFixture);
    const [, b] = f.users;
    const [, shares] = await f.pool.accountOf(b.address, 0);
    const before = await f.usdc.token.balanceOf(b.address);
    const tx = await f.pool.connect(b).repay(f.usdc.address, ethers.MaxUint256, b.address, 0);
    const paid = before - (await f.usdc.token.balanceOf(b.address));
    await expect(tx).to.emit(f.pool, "Repay").withArgs(f.usdc.address, b.address, b.address, 0, paid, shares);
    const m = await f.pool.market(f.usdc.address);
    // The only borrower: the debt side is empty, and what was paid is the rounded-up value of the shares.
    expect(m.totalBorrowShares).to.equal(0n);
    expect(m.totalBorrowAssets).to.equal(0n);
    const [debtAsset, left] = await f.pool.accountOf(b.address, 0);
    expect(debtAsset).to.equal(ethers.ZeroAddress);
    expect(left).to.equal(0n);
    expect(paid).to.be.gt(units(f.usdc, 1_000)); // interest was paid
    // It can now borrow another asset.
    await f.pool.connect(f.users[0]).supply(f.wbtc.address, units(f.wbtc, 1), 0, f.users[0].address);
    await f.pool.connect(b).borrow(f.wbtc.address, 10n ** 5n, b.address, 0, b.address);
  });

  it("repay all with two borrowers pays exactly toAssetsUp of the shares", async () => {
    const f = await loadFixture(debtFixture);
    const [, b, c] = f.users;
    await f.pool.connect(c).supplyCollateral(f.weth.address, units(f.weth, 1), c.address, 0);
    await f.pool.connect(c).borrow(f.usdc.address, units(f.usdc, 700), c.address, 0, c.address);
    await time.increase(86_400);
    const [, shares] = await f.pool.accountOf(b.address, 0);
    const before = await f.usdc.token.balanceOf(b.address);
    await f.pool.connect(b).repay(f.usdc.address, ethers.MaxUint256, b.address, 0);
    const paid = before - (await f.usdc.token.balanceOf(b.address));
    const m = await f.pool.market(f.usdc.address);
    expect(paid).to.equal(toAssetsUp(shares, m.totalBorrowAssets + paid, m.totalBorrowShares + shares));
  });

  it("anyone may repay for anyone; the payer pays, the borrower's debt falls", async () => {
    const f = await loadFixture(debtFixture);
    const [, b, payer] = f.users;
    const amount = units(f.usdc, 100);
    const tx = f.pool.connect(payer).repay(f.usdc.address, amount, b.address, 0);
    await expect(tx)
      .to.emit(f.pool, "Repay")
      .withArgs(f.usdc.address, payer.address, b.address, 0, amount, (x: bigint) => x > 0n);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [payer, b], [-amount, 0n]);
  });

  it("a partial repay may leave less than the minimum borrow (repay is never refused for size)", async () => {
    const f = await loadFixture(debtFixture);
    const [, b] = f.users;
    const [, , debt] = await f.pool.accountOf(b.address, 0);
    await f.pool.connect(b).repay(f.usdc.address, debt - units(f.usdc, 1), b.address, 0);
    const [, , left] = await f.pool.accountOf(b.address, 0);
    expect(left).to.be.lt(units(f.usdc, 100));
    expect(left).to.be.gte(units(f.usdc, 1));
  });

  describe("reverts, leaving the pool untouched", () => {
    it("ZeroAmount", async () => {
      const f = await loadFixture(debtFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).repay(f.usdc.address, 0, b.address, 0),
        f.pool,
        "ZeroAmount",
      );
    });
    it("NoDebt for an account without debt", async () => {
      const f = await loadFixture(debtFixture);
      const [, b] = f.users;
      await expectRevertNoChange(f, () => f.pool.connect(b).repay(f.usdc.address, 1, b.address, 1), f.pool, "NoDebt");
    });
    it("DebtAssetMismatch for another asset", async () => {
      const f = await loadFixture(debtFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).repay(f.weth.address, 1, b.address, 0),
        f.pool,
        "DebtAssetMismatch",
      );
    });
    it("RepayExceedsDebt for more than the debt", async () => {
      const f = await loadFixture(debtFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).repay(f.usdc.address, units(f.usdc, 2_000), b.address, 0),
        f.pool,
        "RepayExceedsDebt",
      );
    });
  });
});

describe("core: 1-wei edges at a 6.6e7-fold share price", () => {
  it("supply of 1 wei reverts ZeroShares; repay of 1 wei reverts ZeroShares; state unchanged", async () => {
    const f = await loadFixture(hyperFixture);
    const [lender, b] = f.users;
    const m = await f.pool.market(f.hyp.address);
    expect(m.totalSupplyAssets).to.be.gt(1_000_000n * 10n ** 7n); // grew > 1e7-fold
    await expectRevertNoChange(
      f,
      () => f.pool.connect(lender).supply(f.hyp.address, 1n, 0, lender.address),
      f.pool,
      "ZeroShares",
      [f.hyp],
    );
    await f.hyp.token.mint(b.address, 10n ** 15n);
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).repay(f.hyp.address, 1n, b.address, 0),
      f.pool,
      "ZeroShares",
      [f.hyp],
    );
  });

  it("supply by shares (1 share) still pulls at least 1 wei", async () => {
    const f = await loadFixture(hyperFixture);
    const [lender] = f.users;
    const tx = f.pool.connect(lender).supply(f.hyp.address, 0, 1n, lender.address);
    await expect(tx)
      .to.emit(f.pool, "Supply")
      .withArgs(f.hyp.address, lender.address, lender.address, (x: bigint) => x >= 1n, 1n);
  });
});
