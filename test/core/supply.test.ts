// Lenders: supply / withdraw by assets and by shares, receivers, operators, rounding edges and overflow guards.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import {
  expectRevertNoChange,
  listFunded,
  plainSpec,
  toAssetsDown,
  toAssetsUp,
  toSharesDown,
  toSharesUp,
  VIRTUAL_SHARES,
} from "../helpers/core";
import { MAX_UINT128 } from "../../lib/protocol";

/** Lender 0 supplied 10,000 USDC; borrower 2 borrowed 5,000 USDC against 10 WETH; 30 days of interest elapsed. */
async function activeMarket() {
  const f = await deployPoolFixture();
  const [lender, , borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 10_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 5_000), borrower.address, 0, borrower.address);
  await time.increase(30 * 86_400);
  await f.usdc.feed.setAnswer(100_000_000n);
  await f.weth.feed.setAnswer(2000n * 100_000_000n);
  return f;
}

describe("core: supply", () => {
  it("first supply by assets mints assets·1e6 shares, pulls the exact amount and emits Supply", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender] = f.users;
    const amount = units(f.usdc, 10_000);
    const tx = f.pool.connect(lender).supply(f.usdc.address, amount, 0, lender.address);
    await expect(tx)
      .to.emit(f.pool, "Supply")
      .withArgs(f.usdc.address, lender.address, lender.address, amount, amount * VIRTUAL_SHARES);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [lender, f.pool], [-amount, amount]);
    const m = await f.pool.market(f.usdc.address);
    expect(m.totalSupplyAssets).to.equal(amount);
    expect(m.totalSupplyShares).to.equal(amount * VIRTUAL_SHARES);
    expect(await f.pool.supplyShares(f.usdc.address, lender.address)).to.equal(amount * VIRTUAL_SHARES);
    expect(await f.pool.supplyBalance(f.usdc.address, lender.address)).to.equal(amount);
  });

  it("supply by shares pulls the assets rounded up (1e6+1 shares cost 2 wei on an empty market)", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender] = f.users;
    const tx = f.pool.connect(lender).supply(f.weth.address, 0, VIRTUAL_SHARES + 1n, lender.address);
    await expect(tx)
      .to.emit(f.pool, "Supply")
      .withArgs(f.weth.address, lender.address, lender.address, 2n, VIRTUAL_SHARES + 1n);
    await expect(tx).to.changeTokenBalances(f.weth.token, [lender, f.pool], [-2n, 2n]);
  });

  it("1 wei supply mints exactly 1e6 shares and can be withdrawn back in full", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender] = f.users;
    await expect(f.pool.connect(lender).supply(f.weth.address, 1n, 0, lender.address))
      .to.emit(f.pool, "Supply")
      .withArgs(f.weth.address, lender.address, lender.address, 1n, VIRTUAL_SHARES);
    await expect(f.pool.connect(lender).withdraw(f.weth.address, 1n, 0, lender.address, lender.address))
      .to.emit(f.pool, "Withdraw")
      .withArgs(f.weth.address, lender.address, lender.address, lender.address, 1n, VIRTUAL_SHARES);
    const m = await f.pool.market(f.weth.address);
    expect(m.totalSupplyAssets).to.equal(0n);
    expect(m.totalSupplyShares).to.equal(0n);
  });

  it("supplies on behalf of another address: the caller pays, the beneficiary owns the shares", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [payer, beneficiary] = f.users;
    const amount = units(f.usdc, 250);
    const tx = f.pool.connect(payer).supply(f.usdc.address, amount, 0, beneficiary.address);
    await expect(tx)
      .to.emit(f.pool, "Supply")
      .withArgs(f.usdc.address, payer.address, beneficiary.address, amount, amount * VIRTUAL_SHARES);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [payer, beneficiary, f.pool], [-amount, 0n, amount]);
    expect(await f.pool.supplyShares(f.usdc.address, payer.address)).to.equal(0n);
    expect(await f.pool.supplyShares(f.usdc.address, beneficiary.address)).to.equal(amount * VIRTUAL_SHARES);
  });

  it("after interest, shares are minted rounded down (by assets) and assets pulled rounded up (by shares)", async () => {
    const f = await loadFixture(activeMarket);
    const [, lender2] = f.users;
    const amount = units(f.usdc, 1_234.567891);
    await f.pool.connect(lender2).supply(f.usdc.address, amount, 0, lender2.address);
    let m = await f.pool.market(f.usdc.address);
    const minted = await f.pool.supplyShares(f.usdc.address, lender2.address);
    const preA = m.totalSupplyAssets - amount;
    const preS = m.totalSupplyShares - minted;
    expect(minted).to.equal(toSharesDown(amount, preA, preS));
    // The share price exceeds 1e-6 after interest: the exact product would not be an integer.
    expect(minted).to.be.lt((amount * (preS + VIRTUAL_SHARES)) / (preA + 1n) + 1n);

    const shares = 777_777_777_777n;
    const before = await f.usdc.token.balanceOf(lender2.address);
    await f.pool.connect(lender2).supply(f.usdc.address, 0, shares, lender2.address);
    const paid = before - (await f.usdc.token.balanceOf(lender2.address));
    m = await f.pool.market(f.usdc.address);
    expect(paid).to.equal(toAssetsUp(shares, m.totalSupplyAssets - paid, m.totalSupplyShares - shares));
    expect(paid).to.be.gt(toAssetsDown(shares, m.totalSupplyAssets - paid, m.totalSupplyShares - shares));
  });

  it("supply up to exactly the supply cap passes; one more wei reverts SupplyCapExceeded", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender] = f.users;
    await f.pool.setCaps(f.usdc.address, 1_000_000n, 1n, 1n, 0n);
    await f.pool.connect(lender).supply(f.usdc.address, 999_999n, 0, lender.address);
    await expectRevertNoChange(
      f,
      () => f.pool.connect(lender).supply(f.usdc.address, 2n, 0, lender.address),
      f.pool,
      "SupplyCapExceeded",
    );
    await f.pool.connect(lender).supply(f.usdc.address, 1n, 0, lender.address);
    expect((await f.pool.market(f.usdc.address)).totalSupplyAssets).to.equal(1_000_000n);
  });

  it("a supply cap of 0 forbids supply", async () => {
    const f = await loadFixture(deployPoolFixture);
    await f.pool.setCaps(f.usdc.address, 0n, 0n, 0n, 0n);
    await expect(
      f.pool.connect(f.users[0]).supply(f.usdc.address, 1n, 0, f.users[0].address),
    ).to.be.revertedWithCustomError(f.pool, "SupplyCapExceeded");
  });

  describe("reverts, leaving the pool untouched", () => {
    it("InconsistentInput when both assets and shares are zero", async () => {
      const f = await loadFixture(deployPoolFixture);
      const u = f.users[0];
      await expectRevertNoChange(
        f,
        () => f.pool.connect(u).supply(f.usdc.address, 0, 0, u.address),
        f.pool,
        "InconsistentInput",
      );
    });
    it("InconsistentInput when both assets and shares are non-zero", async () => {
      const f = await loadFixture(deployPoolFixture);
      const u = f.users[0];
      await expectRevertNoChange(
        f,
        () => f.pool.connect(u).supply(f.usdc.address, 1, 1, u.address),
        f.pool,
        "InconsistentInput",
      );
    });
    it("ZeroAddress for onBehalf 0", async () => {
      const f = await loadFixture(deployPoolFixture);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(f.users[0]).supply(f.usdc.address, 1, 0, ethers.ZeroAddress),
        f.pool,
        "ZeroAddress",
      );
    });
    it("AssetNotListed for an unlisted token", async () => {
      const f = await loadFixture(deployPoolFixture);
      const t = await (await ethers.getContractFactory("MockERC20")).deploy("X", "X", 18);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(f.users[0]).supply(t.target, 1, 0, f.users[0].address),
        f.pool,
        "AssetNotListed",
      );
    });
    it("SupplyPaused while the guardian pauses supply", async () => {
      const f = await loadFixture(deployPoolFixture);
      await f.pool.setPause(f.usdc.address, true, false);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(f.users[0]).supply(f.usdc.address, 1, 0, f.users[0].address),
        f.pool,
        "SupplyPaused",
      );
    });
    it("the token's own error without an allowance", async () => {
      const f = await loadFixture(deployPoolFixture);
      const u = f.users[0];
      await f.usdc.token.connect(u).approve(f.poolAddress, 0);
      await expect(f.pool.connect(u).supply(f.usdc.address, 1, 0, u.address)).to.be.revertedWithCustomError(
        f.usdc.token,
        "ERC20InsufficientAllowance",
      );
    });
    it("arithmetic panic (not a silent wrap) for assets = max uint256 and shares = max uint256", async () => {
      const f = await loadFixture(deployPoolFixture);
      const u = f.users[0];
      await expect(f.pool.connect(u).supply(f.usdc.address, ethers.MaxUint256, 0, u.address)).to.be.revertedWithPanic(
        0x11,
      );
      await expect(f.pool.connect(u).supply(f.usdc.address, 0, ethers.MaxUint256, u.address)).to.be.revertedWithPanic(
        0x11,
      );
    });
    it("SupplyCapExceeded for amounts above uint128 even with the cap unlimited", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [u] = f.users;
      const big = await listFunded(f, plainSpec("BIG"), [u], 1n << 200n);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(u).supply(big.address, MAX_UINT128 + 1n, 0, u.address),
        f.pool,
        "SupplyCapExceeded",
        [big],
      );
    });
    it("AmountTooLarge when the minted shares would overflow the uint128 share total (no truncation)", async () => {
      // 2^128 / 1e6 assets mint more than 2^128 shares at the launch price: the total must not wrap, or the
      // supplier would own more shares than the market counts and could drain the other lenders.
      const f = await loadFixture(deployPoolFixture);
      const [victim, attacker] = f.users;
      const big = await listFunded(f, plainSpec("BIG"), [victim, attacker], 1n << 200n);
      await f.pool.connect(victim).supply(big.address, 1_000n * 10n ** 18n, 0, victim.address);
      const amount = (1n << 128n) / VIRTUAL_SHARES + 1n;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(attacker).supply(big.address, amount, 0, attacker.address),
        f.pool,
        "AmountTooLarge",
        [big],
      );
      // Just below the limit it is accepted and the books stay exact.
      const ok =
        (MAX_UINT128 - (await f.pool.market(big.address)).totalSupplyShares - VIRTUAL_SHARES) / VIRTUAL_SHARES / 2n;
      await f.pool.connect(attacker).supply(big.address, ok, 0, attacker.address);
      const m = await f.pool.market(big.address);
      expect(m.totalSupplyShares).to.equal(
        (await f.pool.supplyShares(big.address, victim.address)) +
          (await f.pool.supplyShares(big.address, attacker.address)),
      );
    });
  });
});

describe("core: withdraw", () => {
  it("withdraw by assets to a receiver burns shares rounded up and pays exactly", async () => {
    const f = await loadFixture(activeMarket);
    const [lender, , , receiver] = f.users;
    const amount = units(f.usdc, 1_000);
    const sharesBefore = await f.pool.supplyShares(f.usdc.address, lender.address);
    const tx = await f.pool.connect(lender).withdraw(f.usdc.address, amount, 0, lender.address, receiver.address);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [lender, receiver, f.pool], [0n, amount, -amount]);
    const burnt = sharesBefore - (await f.pool.supplyShares(f.usdc.address, lender.address));
    await expect(tx)
      .to.emit(f.pool, "Withdraw")
      .withArgs(f.usdc.address, lender.address, lender.address, receiver.address, amount, burnt);
    const m = await f.pool.market(f.usdc.address);
    expect(burnt).to.equal(toSharesUp(amount, m.totalSupplyAssets + amount, m.totalSupplyShares + burnt));
  });

  it("withdraw by shares (all of them) pays the assets rounded down and empties the position", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender, lender2] = f.users;
    await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100), 0, lender.address);
    await f.pool.connect(lender2).supply(f.usdc.address, units(f.usdc, 100), 0, lender2.address);
    const shares = await f.pool.supplyShares(f.usdc.address, lender.address);
    const m = await f.pool.market(f.usdc.address);
    const expected = toAssetsDown(shares, m.totalSupplyAssets, m.totalSupplyShares);
    await expect(f.pool.connect(lender).withdraw(f.usdc.address, 0, shares, lender.address, lender.address))
      .to.emit(f.pool, "Withdraw")
      .withArgs(f.usdc.address, lender.address, lender.address, lender.address, expected, shares);
    expect(await f.pool.supplyShares(f.usdc.address, lender.address)).to.equal(0n);
    // 1e8 units against 1e14 + 1e6 virtual shares... rounding leaves the pool at most 1 wei.
    expect(units(f.usdc, 100) - expected).to.be.lte(1n);
  });

  it("withdrawing 1 share pays 0 assets: rounding favours the pool", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender] = f.users;
    await f.pool.connect(lender).supply(f.usdc.address, 10n, 0, lender.address);
    await expect(f.pool.connect(lender).withdraw(f.usdc.address, 0, 1n, lender.address, lender.address))
      .to.emit(f.pool, "Withdraw")
      .withArgs(f.usdc.address, lender.address, lender.address, lender.address, 0n, 1n);
    expect(await f.pool.supplyShares(f.usdc.address, lender.address)).to.equal(10n * VIRTUAL_SHARES - 1n);
  });

  it("withdrawing 1 wei after interest burns at least one share", async () => {
    const f = await loadFixture(activeMarket);
    const [lender] = f.users;
    const before = await f.pool.supplyShares(f.usdc.address, lender.address);
    await f.pool.connect(lender).withdraw(f.usdc.address, 1n, 0, lender.address, lender.address);
    const burnt = before - (await f.pool.supplyShares(f.usdc.address, lender.address));
    expect(burnt).to.be.gte(1n);
    const m = await f.pool.market(f.usdc.address);
    expect(burnt).to.equal(toSharesUp(1n, m.totalSupplyAssets + 1n, m.totalSupplyShares + burnt));
  });

  it("an authorized operator withdraws for the owner to any receiver; revoked, it is refused", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [owner, operator, receiver] = f.users;
    await f.pool.connect(owner).supply(f.usdc.address, units(f.usdc, 100), 0, owner.address);
    await expect(f.pool.connect(owner).setAuthorization(operator.address, true))
      .to.emit(f.pool, "SetAuthorization")
      .withArgs(owner.address, operator.address, true);
    const amount = units(f.usdc, 40);
    const tx = f.pool.connect(operator).withdraw(f.usdc.address, amount, 0, owner.address, receiver.address);
    await expect(tx)
      .to.emit(f.pool, "Withdraw")
      .withArgs(f.usdc.address, operator.address, owner.address, receiver.address, amount, amount * VIRTUAL_SHARES);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [owner, operator, receiver], [0n, 0n, amount]);
    await f.pool.connect(owner).setAuthorization(operator.address, false);
    await expectRevertNoChange(
      f,
      () => f.pool.connect(operator).withdraw(f.usdc.address, 1, 0, owner.address, operator.address),
      f.pool,
      "Unauthorized",
    );
  });

  describe("reverts, leaving the pool untouched", () => {
    it("Unauthorized for a stranger", async () => {
      const f = await loadFixture(activeMarket);
      const [lender, stranger] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(stranger).withdraw(f.usdc.address, 1, 0, lender.address, stranger.address),
        f.pool,
        "Unauthorized",
      );
    });
    it("InsufficientBalance one wei above the position (by assets) and one share above (by shares)", async () => {
      const f = await loadFixture(deployPoolFixture);
      const [lender, other] = f.users;
      await f.pool.connect(lender).supply(f.usdc.address, 1000n, 0, lender.address);
      await f.pool.connect(other).supply(f.usdc.address, 1000n, 0, other.address);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(lender).withdraw(f.usdc.address, 1001n, 0, lender.address, lender.address),
        f.pool,
        "InsufficientBalance",
      );
      await expectRevertNoChange(
        f,
        () =>
          f.pool
            .connect(lender)
            .withdraw(f.usdc.address, 0, 1000n * VIRTUAL_SHARES + 1n, lender.address, lender.address),
        f.pool,
        "InsufficientBalance",
      );
    });
    it("InsufficientLiquidity when the assets are lent out", async () => {
      const f = await loadFixture(activeMarket);
      const [lender] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(lender).withdraw(f.usdc.address, units(f.usdc, 5_001), 0, lender.address, lender.address),
        f.pool,
        "InsufficientLiquidity",
      );
    });
    it("InconsistentInput for (0, 0) and (x, y)", async () => {
      const f = await loadFixture(activeMarket);
      const [l] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(l).withdraw(f.usdc.address, 0, 0, l.address, l.address),
        f.pool,
        "InconsistentInput",
      );
      await expectRevertNoChange(
        f,
        () => f.pool.connect(l).withdraw(f.usdc.address, 1, 1, l.address, l.address),
        f.pool,
        "InconsistentInput",
      );
    });
    it("ZeroAddress for receiver 0", async () => {
      const f = await loadFixture(activeMarket);
      const [l] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(l).withdraw(f.usdc.address, 1, 0, l.address, ethers.ZeroAddress),
        f.pool,
        "ZeroAddress",
      );
    });
    it("AssetNotListed for an unlisted token", async () => {
      const f = await loadFixture(activeMarket);
      const [l] = f.users;
      await expectRevertNoChange(
        f,
        () => f.pool.connect(l).withdraw(l.address, 1, 0, l.address, l.address),
        f.pool,
        "AssetNotListed",
      );
    });
  });
});

describe("core: setAuthorization", () => {
  it("ZeroAddress for operator 0", async () => {
    const f = await loadFixture(deployPoolFixture);
    await expect(f.pool.connect(f.users[0]).setAuthorization(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
      f.pool,
      "ZeroAddress",
    );
  });

  it("is per owner: an operator of A cannot act for B; isAuthorized reflects each grant", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [a, b, op] = f.users;
    await f.pool.connect(b).supply(f.usdc.address, 100n, 0, b.address);
    await f.pool.connect(a).setAuthorization(op.address, true);
    expect(await f.pool.isAuthorized(a.address, op.address)).to.equal(true);
    expect(await f.pool.isAuthorized(b.address, op.address)).to.equal(false);
    await expect(
      f.pool.connect(op).withdraw(f.usdc.address, 1, 0, b.address, op.address),
    ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
  });

  it("an operator borrows and withdraws collateral for the owner's sub-account; a stranger is refused both", async () => {
    const f = await loadFixture(activeMarket);
    const [, , owner, op, stranger] = f.users;
    await f.pool.connect(owner).supplyCollateral(f.weth.address, units(f.weth, 1), owner.address, 7);
    await f.pool.connect(owner).setAuthorization(op.address, true);
    const amount = units(f.usdc, 500);
    await expect(f.pool.connect(op).borrow(f.usdc.address, amount, owner.address, 7, op.address))
      .to.emit(f.pool, "Borrow")
      .withArgs(f.usdc.address, op.address, owner.address, 7, op.address, amount, anyShares());
    await expect(
      f.pool.connect(stranger).borrow(f.usdc.address, amount, owner.address, 7, stranger.address),
    ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
    await expect(
      f.pool.connect(stranger).withdrawCollateral(f.weth.address, 1n, owner.address, 7, stranger.address),
    ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
    await f.pool.connect(op).repay(f.usdc.address, ethers.MaxUint256, owner.address, 7);
    await expect(f.pool.connect(op).withdrawCollateral(f.weth.address, ethers.MaxUint256, owner.address, 7, op.address))
      .to.emit(f.pool, "WithdrawCollateral")
      .withArgs(f.weth.address, op.address, owner.address, 7, op.address, units(f.weth, 1));
  });
});

function anyShares() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS-only entry of the chai matchers
  return require("@nomicfoundation/hardhat-chai-matchers/withArgs").anyUint;
}
