// The price router: Chainlink answers normalized to 18-decimal USD, and every bad answer rejected with its error.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { expectRevertNoChange } from "../helpers/core";
import { toFeedAnswer } from "../../lib/protocol";

/** Lender supplies 100,000 USDC; borrower 1 posts 1 WETH and borrows 500 USDC; borrower 2 posts 1 WETH, no debt. */
async function oracleFixture() {
  const f = await deployPoolFixture();
  const [lender, b, c] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
  await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 500), b.address, 0, b.address);
  await f.pool.connect(c).supplyCollateral(f.weth.address, units(f.weth, 1), c.address, 0);
  return f;
}

const ANSWER = toFeedAnswer(2000);

describe("core: oracle", () => {
  it("normalizes to 18-decimal USD per token unit: USDC (6) 1e30, WETH (18) 2000e18, WBTC (8) 6e32", async () => {
    const f = await loadFixture(oracleFixture);
    expect(await f.pool.price(f.usdc.address)).to.equal(10n ** 30n);
    expect(await f.pool.price(f.weth.address)).to.equal(2000n * 10n ** 18n);
    expect(await f.pool.price(f.wbtc.address)).to.equal(60_000n * 10n ** 28n);
    // value = amount · price / 1e18: 1 WBTC is 60,000 USD.
    expect((10n ** 8n * (await f.pool.price(f.wbtc.address))) / 10n ** 18n).to.equal(60_000n * 10n ** 18n);
  });

  it("an 18-decimal feed gives the same price (setOracle emits OracleSet)", async () => {
    const f = await loadFixture(oracleFixture);
    const feed18 = await (
      await ethers.getContractFactory("MockPriceFeed")
    ).deploy(18, "WETH / USD", 2000n * 10n ** 18n);
    await expect(f.pool.setOracle(f.weth.address, await feed18.getAddress(), 3600, 0, 10n ** 28n))
      .to.emit(f.pool, "OracleSet")
      .withArgs(f.weth.address, await feed18.getAddress(), 3600, 0, 10n ** 28n);
    expect(await f.pool.price(f.weth.address)).to.equal(2000n * 10n ** 18n);
    expect((await f.pool.assetConfig(f.weth.address)).scaleExp).to.equal(0n);
  });

  describe("each bad answer reverts with its error, in views and in a borrow (state unchanged)", () => {
    async function expectBad(f: Awaited<ReturnType<typeof oracleFixture>>, error: string) {
      const [, b] = f.users;
      await expect(f.pool.price(f.weth.address)).to.be.revertedWithCustomError(f.pool, error);
      // Health follows the liquidation rule: the untrusted WETH counts as zero (issue #15, finding 2).
      const h = await f.pool.accountHealth(b.address, 0);
      expect([h.collateralValue, h.liquidationValue]).to.deep.equal([0n, 0n]);
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
        f.pool,
        error,
      );
      await expectRevertNoChange(
        f,
        () => f.pool.connect(b).withdrawCollateral(f.weth.address, 1n, b.address, 0, b.address),
        f.pool,
        error,
      );
    }

    it("StalePrice: older than the heartbeat (exactly the heartbeat is still fine)", async () => {
      const f = await loadFixture(oracleFixture);
      const now = BigInt(await time.latest());
      await f.weth.feed.setAnswerAt(ANSWER, now + 10n - 3600n);
      await time.setNextBlockTimestamp(now + 10n); // the borrow sees an answer exactly 3,600 s old
      await expect(
        f.pool
          .connect(f.users[1])
          .borrow(f.usdc.address, units(f.usdc, 100), f.users[1].address, 0, f.users[1].address),
      ).to.emit(f.pool, "Borrow");
      await f.weth.feed.setAnswerAt(ANSWER, now - 3600n);
      await expectBad(f, "StalePrice");
    });
    it("StalePrice: dated in the future", async () => {
      const f = await loadFixture(oracleFixture);
      await f.weth.feed.setAnswerAt(ANSWER, BigInt(await time.latest()) + 3600n);
      await expectBad(f, "StalePrice");
    });
    it("NonPositivePrice: zero", async () => {
      const f = await loadFixture(oracleFixture);
      const now = await time.latest();
      await f.weth.feed.setRawRound(9, 0, now, now, 9);
      await expectBad(f, "NonPositivePrice");
    });
    it("NonPositivePrice: negative", async () => {
      const f = await loadFixture(oracleFixture);
      const now = await time.latest();
      await f.weth.feed.setRawRound(9, -1n, now, now, 9);
      await expectBad(f, "NonPositivePrice");
    });
    it("IncompleteRound: answeredInRound behind roundId", async () => {
      const f = await loadFixture(oracleFixture);
      const now = await time.latest();
      await f.weth.feed.setRawRound(9, ANSWER, now, now, 8);
      await expectBad(f, "IncompleteRound");
    });
    it("IncompleteRound: updatedAt 0", async () => {
      const f = await loadFixture(oracleFixture);
      await f.weth.feed.setRawRound(9, ANSWER, 0, 0, 9);
      await expectBad(f, "IncompleteRound");
    });
    it("PriceAtBound: at the configured minimum and maximum (one unit inside passes)", async () => {
      const f = await loadFixture(oracleFixture);
      const min = toFeedAnswer(1000);
      const max = toFeedAnswer(3000);
      await f.pool.setOracle(f.weth.address, await f.weth.feed.getAddress(), 3600, min, max);
      await f.weth.feed.setAnswer(min + 1n);
      expect(await f.pool.price(f.weth.address)).to.equal((min + 1n) * 10n ** 10n);
      await f.weth.feed.setAnswer(max - 1n);
      expect(await f.pool.price(f.weth.address)).to.equal((max - 1n) * 10n ** 10n);
      await f.weth.feed.setAnswer(min);
      await expectBad(f, "PriceAtBound");
      await f.weth.feed.setAnswer(max);
      await expectBad(f, "PriceAtBound");
    });
    it("bounds are stored as 24-bit decimal floats rounded inward (min up, max down): PriceAtBound at the stored ones", async () => {
      // Issue #16: the bounds share the feed's slot; a mantissa is below 2^24 = 16,777,216. Min 123,456,789 → 12,345,679·10
      // (up), max 987,654,329 → 9,876,543·100 (down).
      const f = await loadFixture(oracleFixture);
      const feed = await f.weth.feed.getAddress();
      const [minS, maxS] = [123_456_790n, 987_654_300n];
      await expect(f.pool.setOracle(f.weth.address, feed, 3600, 123_456_789n, 987_654_329n))
        .to.emit(f.pool, "OracleSet")
        .withArgs(f.weth.address, feed, 3600, minS, maxS);
      const r = await f.pool.assetRisk(f.weth.address);
      expect([r.minAnswer, r.maxAnswer]).to.deep.equal([minS, maxS]);
      await f.weth.feed.setAnswer(minS + 1n);
      expect(await f.pool.price(f.weth.address)).to.equal((minS + 1n) * 10n ** 10n);
      await f.weth.feed.setAnswer(minS); // above the given minimum, at the stored one
      await expectBad(f, "PriceAtBound");
      await f.weth.feed.setAnswer(maxS); // below the given maximum, at the stored one
      await expectBad(f, "PriceAtBound");
      // Exactly representable bounds are kept exactly; bounds that meet once rounded are refused.
      await f.pool.setOracle(f.weth.address, feed, 3600, 1, 10n ** 28n);
      const r2 = await f.pool.assetRisk(f.weth.address);
      expect([r2.minAnswer, r2.maxAnswer]).to.deep.equal([1n, 10n ** 28n]);
      await expect(
        f.pool.setOracle(f.weth.address, feed, 3600, 123_456_781n, 123_456_789n),
      ).to.be.revertedWithCustomError(f.pool, "InvalidOracleConfig");
    });
    it("PriceAtBound: a crash clamped by the aggregator to its floor (1), with the pool's bound set to it", async () => {
      const f = await loadFixture(oracleFixture);
      await f.pool.setOracle(f.weth.address, await f.weth.feed.getAddress(), 3600, 1, 10n ** 20n);
      await f.weth.feed.setAnswer(-5n); // the feed clamps to its minAnswer 1
      expect(await f.weth.feed.latestAnswer()).to.equal(1n);
      await expectBad(f, "PriceAtBound");
    });
  });

  it("repay, supplyCollateral, lender withdraw and collateral withdrawal without debt need no price", async () => {
    const f = await loadFixture(oracleFixture);
    const [lender, b, c] = f.users;
    const now = BigInt(await time.latest());
    await f.weth.feed.setAnswerAt(ANSWER, now - 10n * 3600n);
    await f.usdc.feed.setAnswerAt(toFeedAnswer(1), now - 10n * 86_400n);
    await expect(f.pool.connect(b).repay(f.usdc.address, units(f.usdc, 100), b.address, 0)).to.emit(f.pool, "Repay");
    await expect(f.pool.connect(b).supplyCollateral(f.weth.address, 1n, b.address, 0)).to.emit(
      f.pool,
      "SupplyCollateral",
    );
    await expect(f.pool.connect(lender).withdraw(f.usdc.address, 1n, 0, lender.address, lender.address)).to.emit(
      f.pool,
      "Withdraw",
    );
    await expect(
      f.pool.connect(c).withdrawCollateral(f.weth.address, ethers.MaxUint256, c.address, 0, c.address),
    ).to.emit(f.pool, "WithdrawCollateral");
    await expect(f.pool.connect(b).repay(f.usdc.address, ethers.MaxUint256, b.address, 0)).to.emit(f.pool, "Repay");
  });

  it("a stale feed also blocks liquidation (StalePrice), never prices on a bad answer", async () => {
    const f = await loadFixture(oracleFixture);
    const [, b, , liq] = f.users;
    await f.weth.feed.setAnswerAt(toFeedAnswer(500), BigInt(await time.latest()) - 7200n);
    await expect(
      f.pool.connect(liq).liquidate(b.address, 0, f.weth.address, ethers.MaxUint256, 0, liq.address, "0x"),
    ).to.be.revertedWithCustomError(f.pool, "StalePrice");
  });

  describe("setOracle validation", () => {
    it("ZeroAddress feed; InvalidOracleConfig for heartbeat 59 / 7 days + 1, minAnswer < 0, maxAnswer ≤ minAnswer", async () => {
      const f = await loadFixture(oracleFixture);
      const feed = await f.weth.feed.getAddress();
      await expect(f.pool.setOracle(f.weth.address, ethers.ZeroAddress, 3600, 0, 1)).to.be.revertedWithCustomError(
        f.pool,
        "ZeroAddress",
      );
      for (const [hb, mn, mx] of [
        [59, 0n, 10n],
        [7 * 86_400 + 1, 0n, 10n],
        [3600, -1n, 10n],
        [3600, 10n, 10n],
        [3600, 11n, 10n],
      ] as const) {
        await expect(
          f.pool.setOracle(f.weth.address, feed, hb, mn, mx),
          `${hb} ${mn} ${mx}`,
        ).to.be.revertedWithCustomError(f.pool, "InvalidOracleConfig");
      }
      await f.pool.setOracle(f.weth.address, feed, 60, 0, 1);
      await f.pool.setOracle(f.weth.address, feed, 7 * 86_400, 0, 10n ** 20n);
      expect((await f.pool.assetConfig(f.weth.address)).heartbeat).to.equal(7n * 86_400n);
    });
    it("UnsupportedDecimals when token + feed decimals exceed 36", async () => {
      const f = await loadFixture(oracleFixture);
      const feed19 = await (await ethers.getContractFactory("MockPriceFeed")).deploy(19, "X", 1n);
      await expect(
        f.pool.setOracle(f.weth.address, await feed19.getAddress(), 3600, 0, 10n ** 28n),
      ).to.be.revertedWithCustomError(f.pool, "UnsupportedDecimals");
    });
    it("RISK_ADMIN only; AssetNotListed for an unlisted asset", async () => {
      const f = await loadFixture(oracleFixture);
      const feed = await f.weth.feed.getAddress();
      await expect(f.pool.connect(f.users[1]).setOracle(f.weth.address, feed, 3600, 0, 10n))
        .to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount")
        .withArgs(f.users[1].address, ethers.id("RISK_ADMIN_ROLE"));
      await expect(f.pool.setOracle(f.users[1].address, feed, 3600, 0, 10n)).to.be.revertedWithCustomError(
        f.pool,
        "AssetNotListed",
      );
    });
  });
});
