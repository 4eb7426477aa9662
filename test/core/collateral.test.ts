// Borrowers' collateral: supplyCollateral / withdrawCollateral, sub-accounts, the 8-asset list, caps and LTV.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { expectRevertNoChange, listFunded, plainSpec } from "../helpers/core";
import type { ListedAsset } from "../../lib/protocol";

/** Six more collateral assets (9 collateral-capable in all) and a listed asset that is not collateral. */
async function manyAssetsFixture() {
  const f = await deployPoolFixture();
  const extra: ListedAsset[] = [];
  for (let i = 0; i < 6; i++)
    extra.push(await listFunded(f, plainSpec(`C${i}`, { price: 10 }), f.users.slice(0, 2), 10n ** 24n));
  const nonColl = await listFunded(f, plainSpec("NC", { ltvBps: 0, ltBps: 0 }), f.users.slice(0, 2), 10n ** 24n);
  return { ...f, extra, nonColl };
}

/** Borrower 1 posted 1 WETH ($2,000, LTV 80 %) and borrowed 1,000 USDC from lender 0's 100,000. */
async function borrowedFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 1), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 1_000), borrower.address, 0, borrower.address);
  return f;
}

async function totalCollateral(f: PoolFixture, a: ListedAsset) {
  return (await f.pool.assetLimits(a.address))[4];
}

describe("core: supplyCollateral", () => {
  it("adds collateral, pulls exactly, emits SupplyCollateral and updates the account and the total", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b] = f.users;
    const amount = units(f.weth, 2.5);
    const tx = f.pool.connect(b).supplyCollateral(f.weth.address, amount, b.address, 0);
    await expect(tx).to.emit(f.pool, "SupplyCollateral").withArgs(f.weth.address, b.address, b.address, 0, amount);
    await expect(tx).to.changeTokenBalances(f.weth.token, [b, f.pool], [-amount, amount]);
    expect(await f.pool.collateralOf(b.address, 0, f.weth.address)).to.equal(amount);
    expect(await totalCollateral(f, f.weth)).to.equal(amount);
    const [debtAsset, , , assets, amounts] = await f.pool.accountOf(b.address, 0);
    expect(debtAsset).to.equal(ethers.ZeroAddress);
    expect([...assets]).to.deep.equal([f.weth.address]);
    expect([...amounts]).to.deep.equal([amount]);
    // Collateral is not lent out: the lending market is untouched.
    expect((await f.pool.market(f.weth.address)).totalSupplyAssets).to.equal(0n);
  });

  it("only the owner or its operator adds to an account (a stranger reverts Unauthorized); sub-accounts are separate", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [payer, owner] = f.users;
    await expect(
      f.pool.connect(payer).supplyCollateral(f.wbtc.address, 123n, owner.address, 42),
    ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
    await f.pool.connect(owner).setAuthorization(payer.address, true);
    await expect(f.pool.connect(payer).supplyCollateral(f.wbtc.address, 123n, owner.address, 42))
      .to.emit(f.pool, "SupplyCollateral")
      .withArgs(f.wbtc.address, payer.address, owner.address, 42, 123n);
    expect(await f.pool.collateralOf(owner.address, 42, f.wbtc.address)).to.equal(123n);
    expect(await f.pool.collateralOf(owner.address, 0, f.wbtc.address)).to.equal(0n);
    expect(await f.pool.collateralOf(payer.address, 42, f.wbtc.address)).to.equal(0n);
  });

  it("a second deposit of the same asset adds to the same list entry", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b] = f.users;
    await f.pool.connect(b).supplyCollateral(f.weth.address, 5n, b.address, 0);
    await f.pool.connect(b).supplyCollateral(f.wbtc.address, 7n, b.address, 0);
    await f.pool.connect(b).supplyCollateral(f.weth.address, 1n, b.address, 0);
    const [, , , assets, amounts] = await f.pool.accountOf(b.address, 0);
    expect([...assets]).to.deep.equal([f.weth.address, f.wbtc.address]);
    expect([...amounts]).to.deep.equal([6n, 7n]);
  });

  it("up to the collateral cap exactly; one more wei reverts CollateralCapExceeded", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b] = f.users;
    await f.pool.setCaps(f.weth.address, 0n, 0n, 1000n, 0n);
    await f.pool.connect(b).supplyCollateral(f.weth.address, 1000n, b.address, 0);
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).supplyCollateral(f.weth.address, 1n, b.address, 0),
      f.pool,
      "CollateralCapExceeded",
    );
  });

  it("8 collateral assets fit; a 9th reverts TooManyCollaterals", async () => {
    const f = await loadFixture(manyAssetsFixture);
    const [b] = f.users;
    const eight = [f.weth, f.wbtc, ...f.extra];
    for (const a of eight) await f.pool.connect(b).supplyCollateral(a.address, 1000n, b.address, 0);
    const [, , , assets] = await f.pool.accountOf(b.address, 0);
    expect([...assets]).to.deep.equal(eight.map((a) => a.address));
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).supplyCollateral(f.usdc.address, 1000n, b.address, 0),
      f.pool,
      "TooManyCollaterals",
    );
    // Adding more of an asset already in the list still works.
    await f.pool.connect(b).supplyCollateral(f.extra[5].address, 1n, b.address, 0);
    expect(await f.pool.collateralOf(b.address, 0, f.extra[5].address)).to.equal(1001n);
  });

  it("removing a middle entry moves the last one into its place, amounts and all", async () => {
    const f = await loadFixture(manyAssetsFixture);
    const [b] = f.users;
    const list = [f.weth, f.wbtc, ...f.extra];
    for (let i = 0; i < list.length; i++)
      await f.pool.connect(b).supplyCollateral(list[i].address, 100n + BigInt(i), b.address, 0);
    await f.pool.connect(b).withdrawCollateral(f.wbtc.address, ethers.MaxUint256, b.address, 0, b.address);
    const [, , , assets, amounts] = await f.pool.accountOf(b.address, 0);
    expect([...assets]).to.deep.equal([f.weth, f.extra[5], ...f.extra.slice(0, 5)].map((a) => a.address));
    expect([...amounts]).to.deep.equal([100n, 107n, 102n, 103n, 104n, 105n, 106n]);
    for (let i = 0; i < list.length; i++) {
      expect(await f.pool.collateralOf(b.address, 0, list[i].address)).to.equal(i === 1 ? 0n : 100n + BigInt(i));
    }
  });

  describe("reverts, leaving the pool untouched", () => {
    it("ZeroAmount", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).supplyCollateral(f.weth.address, 0, b.address, 0),
        f.pool,
        "ZeroAmount",
      );
    });
    it("ZeroAddress for owner 0", async () => {
      const f = await loadFixture(deployPoolFixture);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(f.users[0]).supplyCollateral(f.weth.address, 1, ethers.ZeroAddress, 0),
        f.pool,
        "ZeroAddress",
      );
    });
    it("AssetNotListed", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).supplyCollateral(b.address, 1, b.address, 0),
        f.pool,
        "AssetNotListed",
      );
    });
    it("NotCollateral for an asset listed with LT 0", async () => {
      const f = await loadFixture(manyAssetsFixture);
      const [b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).supplyCollateral(f.nonColl.address, 1, b.address, 0),
        f.pool,
        "NotCollateral",
        [f.nonColl],
      );
    });
    it("CollateralIsDebtAsset when the account borrows that asset", async () => {
      const f = await loadFixture(borrowedFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).supplyCollateral(f.usdc.address, 1, b.address, 0),
        f.pool,
        "CollateralIsDebtAsset",
      );
      // Another sub-account of the same owner may post it.
      await f.pool.connect(b).supplyCollateral(f.usdc.address, 1, b.address, 1);
    });
  });
});

describe("core: withdrawCollateral", () => {
  it("withdraws part to a receiver, emits WithdrawCollateral and returns the amount", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b, receiver] = f.users;
    await f.pool.connect(b).supplyCollateral(f.weth.address, 1000n, b.address, 3);
    expect(
      await f.pool.connect(b).withdrawCollateral.staticCall(f.weth.address, 400n, b.address, 3, receiver.address),
    ).to.equal(400n);
    const tx = f.pool.connect(b).withdrawCollateral(f.weth.address, 400n, b.address, 3, receiver.address);
    await expect(tx)
      .to.emit(f.pool, "WithdrawCollateral")
      .withArgs(f.weth.address, b.address, b.address, 3, receiver.address, 400n);
    await expect(tx).to.changeTokenBalances(f.weth.token, [b, receiver, f.pool], [0n, 400n, -400n]);
    expect(await f.pool.collateralOf(b.address, 3, f.weth.address)).to.equal(600n);
    expect(await totalCollateral(f, f.weth)).to.equal(600n);
  });

  it("max uint256 withdraws all of it and removes the asset from the list", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b] = f.users;
    await f.pool.connect(b).supplyCollateral(f.weth.address, 1000n, b.address, 0);
    await expect(f.pool.connect(b).withdrawCollateral(f.weth.address, ethers.MaxUint256, b.address, 0, b.address))
      .to.emit(f.pool, "WithdrawCollateral")
      .withArgs(f.weth.address, b.address, b.address, 0, b.address, 1000n);
    const [, , , assets] = await f.pool.accountOf(b.address, 0);
    expect(assets.length).to.equal(0);
    expect(await totalCollateral(f, f.weth)).to.equal(0n);
  });

  it("with debt: withdraws down to the LTV limit (within 1e-6 USD); beyond it reverts InsufficientCollateral", async () => {
    const f = await loadFixture(borrowedFixture);
    const [, b] = f.users;
    // Debt 1,000 USDC (+ interest by now) at LTV 80 %: the WETH must stay worth debt / 0.8 ≈ 1,250 USD.
    const h = await f.pool.accountHealth(b.address, 0);
    // Interest accrues one second per block: leave one second of interest as margin, then probe the exact edge.
    const needed = ((h.debtValue + 10n ** 12n) * 10_000n) / 8_000n; // USD (18 dec) of collateral to keep
    const keep = (needed * 10n ** 18n + 2000n * 10n ** 18n - 1n) / (2000n * 10n ** 18n); // WETH wei, rounded up
    const free = units(f.weth, 1) - keep;
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).withdrawCollateral(f.weth.address, units(f.weth, 0.5), b.address, 0, b.address),
      f.pool,
      "InsufficientCollateral",
    );
    await f.pool.connect(b).withdrawCollateral(f.weth.address, free, b.address, 0, b.address);
    const after = await f.pool.accountHealth(b.address, 0);
    expect(after.borrowingPower).to.be.gte(after.debtValue);
    expect(after.borrowingPower - after.debtValue).to.be.lte(10n ** 12n + 2_000n); // the 1e-6 USD margin + 1 wei
  });

  it("works with debt while supply and borrow are paused and the collateral's breaker is on", async () => {
    const f = await loadFixture(borrowedFixture);
    const [, b] = f.users;
    await f.pool.setPause(f.weth.address, true, true);
    await f.pool.setPause(f.usdc.address, true, true);
    await f.pool.grantRole(ethers.id("RISK_ENGINE_ROLE"), f.admin.address);
    await f.pool.setCircuitBreaker(f.usdc.address, true);
    await expect(
      f.pool.connect(b).withdrawCollateral(f.weth.address, units(f.weth, 0.1), b.address, 0, b.address),
    ).to.emit(f.pool, "WithdrawCollateral");
  });

  describe("reverts, leaving the pool untouched", () => {
    it("ZeroAmount", async () => {
      const f = await loadFixture(borrowedFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.weth.address, 0, b.address, 0, b.address),
        f.pool,
        "ZeroAmount",
      );
    });
    it("ZeroAddress for receiver 0", async () => {
      const f = await loadFixture(borrowedFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.weth.address, 1, b.address, 0, ethers.ZeroAddress),
        f.pool,
        "ZeroAddress",
      );
    });
    it("Unauthorized for a stranger", async () => {
      const f = await loadFixture(borrowedFixture);
      const [, b, s] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(s).withdrawCollateral(f.weth.address, 1, b.address, 0, s.address),
        f.pool,
        "Unauthorized",
      );
    });
    it("InsufficientCollateral for an asset not posted and for one wei more than posted", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [b] = f.users;
      await f.pool.connect(b).supplyCollateral(f.weth.address, 1000n, b.address, 0);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.wbtc.address, 1, b.address, 0, b.address),
        f.pool,
        "InsufficientCollateral",
      );
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.weth.address, 1001n, b.address, 0, b.address),
        f.pool,
        "InsufficientCollateral",
      );
    });
    it("InsufficientCollateral when withdrawing everything with debt outstanding", async () => {
      const f = await loadFixture(borrowedFixture);
      const [, b] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.weth.address, ethers.MaxUint256, b.address, 0, b.address),
        f.pool,
        "InsufficientCollateral",
      );
    });
  });
});
