// Issue #15, findings 1–4: the attacks an outside review found against the landed pool, each replayed against the
// fixed one. Every `it` here failed on the pool before the fix (see docs/security.md for the finding, fix and test).
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { listFunded, plainSpec, WAD, BPS } from "../helpers/core";
import { toFeedAnswer, type ListedAsset } from "../../lib/protocol";

const ZERO = ethers.ZeroAddress;

/** A lender funds USDC; `borrower` posts `weth` WETH (sub 0) and borrows `usdc` USDC. */
async function borrowerFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower, stranger, liquidator] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 15_000), borrower.address, 0, borrower.address);
  return { ...f, lender, borrower, stranger, liquidator };
}

/** Refreshes every feed of `assets` at its current answer, so only the ones a test breaks are stale. */
async function refresh(assets: ListedAsset[]) {
  for (const a of assets) await a.feed.setAnswer(await a.feed.latestAnswer());
}

async function setPrice(a: ListedAsset, price: number) {
  await a.feed.setAnswer(toFeedAnswer(price));
}

describe("attacks: solvency (issue #15 findings 1–4)", () => {
  describe("finding 1: nobody but the owner or its operator attaches collateral to an account", () => {
    it("a stranger's 1-wei supplyCollateral on a victim reverts Unauthorized and changes nothing", async () => {
      const f = await loadFixture(borrowerFixture);
      const before = await f.pool.accountOf(f.borrower.address, 0);
      for (const a of [f.weth, f.wbtc, f.usdc]) {
        await expect(
          f.pool.connect(f.stranger).supplyCollateral(a.address, 1n, f.borrower.address, 0),
        ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
      }
      expect(String(await f.pool.accountOf(f.borrower.address, 0))).to.equal(String(before));
    });

    it("the shield attack (attach 1 wei of a second asset, then let its feed go stale) no longer stops liquidation", async () => {
      const f = await loadFixture(borrowerFixture);
      // The attack's first step is refused; the account keeps its single collateral.
      await expect(
        f.pool.connect(f.stranger).supplyCollateral(f.wbtc.address, 1n, f.borrower.address, 0),
      ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
      // WBTC's feed goes stale, WETH falls: the account is liquidated.
      await time.increase(2 * 86_400);
      await setPrice(f.usdc, 1);
      await setPrice(f.weth, 1_700);
      await f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x");
      expect((await f.pool.accountHealth(f.borrower.address, 0)).healthFactor).to.be.gte(WAD);
    });

    it("a stranger cannot fill the 8 collateral slots, pre-seed a margin sub-account, or attach the debt asset", async () => {
      const f = await loadFixture(borrowerFixture);
      const marginSub = (1n << 95n) | 7n;
      await expect(
        f.pool.connect(f.stranger).supplyCollateral(f.weth.address, 1n, f.borrower.address, marginSub),
      ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
      // The owner's own sub-account 1: a stranger cannot attach USDC there to block a later USDC borrow.
      await expect(
        f.pool.connect(f.stranger).supplyCollateral(f.usdc.address, 1n, f.borrower.address, 1),
      ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
      await f.pool.connect(f.borrower).supplyCollateral(f.weth.address, units(f.weth, 1), f.borrower.address, 1);
      await f.pool
        .connect(f.borrower)
        .borrow(f.usdc.address, units(f.usdc, 500), f.borrower.address, 1, f.borrower.address);
      const [, , , assets] = await f.pool.accountOf(f.borrower.address, 1);
      expect(assets).to.deep.equal([f.weth.address]);
    });

    it("an authorized operator still may (full or scoped to the sub-account)", async () => {
      const f = await loadFixture(borrowerFixture);
      await f.pool.connect(f.borrower).setAuthorizationScope(f.stranger.address, 3, (1n << 96n) - 1n);
      await f.pool.connect(f.stranger).supplyCollateral(f.weth.address, units(f.weth, 1), f.borrower.address, 3);
      await expect(
        f.pool.connect(f.stranger).supplyCollateral(f.weth.address, units(f.weth, 1), f.borrower.address, 4),
      ).to.be.revertedWithCustomError(f.pool, "Unauthorized");
      expect(await f.pool.collateralOf(f.borrower.address, 3, f.weth.address)).to.equal(units(f.weth, 1));
    });
  });

  describe("finding 2: a collateral whose feed cannot be trusted counts as zero, and liquidation goes through", () => {
    /** Borrower with WETH and WBTC collateral and a USDC debt; then WBTC's feed is broken by `breakFeed`. */
    async function twoCollaterals() {
      const f = await loadFixture(borrowerFixture);
      await f.pool.connect(f.borrower).supplyCollateral(f.wbtc.address, units(f.wbtc, "0.01"), f.borrower.address, 0);
      return f;
    }
    const breaks: [string, (f: Awaited<ReturnType<typeof twoCollaterals>>) => Promise<unknown>, string][] = [
      [
        "stale",
        async (f) => {
          await time.increase(2 * 86_400);
          await refresh([f.usdc, f.weth]);
        },
        "StalePrice",
      ],
      [
        "at its min bound",
        async (f) => {
          await f.pool.setOracle(
            f.wbtc.address,
            await f.wbtc.feed.getAddress(),
            86_400,
            toFeedAnswer(50_000),
            10n ** 20n,
          );
          await f.wbtc.feed.setAnswer(toFeedAnswer(50_000));
        },
        "PriceAtBound",
      ],
      [
        "non-positive",
        async (f) => {
          const round = await f.wbtc.feed.latestRound();
          const now = await time.latest();
          await f.wbtc.feed.setRawRound(round + 1n, -1, now, now, round + 1n);
        },
        "NonPositivePrice",
      ],
      [
        "at its max bound",
        async (f) => {
          await f.pool.setOracle(f.wbtc.address, await f.wbtc.feed.getAddress(), 86_400, 0, toFeedAnswer(70_000));
          await f.wbtc.feed.setAnswer(toFeedAnswer(80_000));
        },
        "PriceAtBound",
      ],
      [
        "from an incomplete round",
        async (f) => {
          const round = await f.wbtc.feed.latestRound();
          const now = await time.latest();
          await f.wbtc.feed.setRawRound(round + 1n, toFeedAnswer(60_000), now, now, round);
        },
        "IncompleteRound",
      ],
    ];
    for (const [label, breakFeed, error] of breaks) {
      it(`WBTC feed ${label}: liquidation against WETH goes through; borrow, withdraw and seizing WBTC revert ${error}`, async () => {
        const f = await twoCollaterals();
        await breakFeed(f);
        await setPrice(f.weth, 1_750); // 10 WETH at 1,750 · 82.5 % = 14,437 < 15,000: unhealthy without WBTC
        const h = await f.pool.accountHealth(f.borrower.address, 0);
        expect(h.healthFactor).to.be.lt(WAD);
        await expect(
          f.pool.connect(f.borrower).borrow(f.usdc.address, 1_000_000n, f.borrower.address, 0, f.borrower.address),
        ).to.be.revertedWithCustomError(f.pool, error);
        await expect(
          f.pool.connect(f.borrower).withdrawCollateral(f.weth.address, 1n, f.borrower.address, 0, f.borrower.address),
        ).to.be.revertedWithCustomError(f.pool, error);
        await expect(
          f.pool
            .connect(f.liquidator)
            .liquidate(f.borrower.address, 0, f.wbtc.address, ethers.MaxUint256, 0, f.liquidator.address, "0x"),
        ).to.be.revertedWithCustomError(f.pool, error);
        const wbtcBefore = await f.pool.collateralOf(f.borrower.address, 0, f.wbtc.address);
        await expect(
          f.pool
            .connect(f.liquidator)
            .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x"),
        ).to.emit(f.pool, "Liquidate");
        // The untrusted collateral stays where it is; nothing is written off while a price is unknown.
        expect(await f.pool.collateralOf(f.borrower.address, 0, f.wbtc.address)).to.equal(wbtcBefore);
      });
    }

    it("a feed that reverts or returns nonsense counts as zero too", async () => {
      const f = await twoCollaterals();
      const bad = await (
        await ethers.getContractFactory("MockPriceFeed", f.admin)
      ).deploy(8, "bad", toFeedAnswer(60_000));
      await f.pool.setOracle(f.wbtc.address, await bad.getAddress(), 86_400, 0, 10n ** 20n);
      const round = await bad.latestRound();
      const now = await time.latest();
      // A roundId beyond uint80 cannot come from a real aggregator: nonsense, not a reason to freeze liquidation.
      await bad.setRawRound(round + 1n, toFeedAnswer(60_000), now, now, round + 1n);
      await setPrice(f.weth, 1_750);
      await f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x");
      // A feed address without code (a removed aggregator) reverts on every call.
      await f.pool.setOracle(f.wbtc.address, f.stranger.address, 86_400, 0, 10n ** 20n).catch(() => undefined);
    });

    it("an untrusted collateral cannot hide debt: it does not count toward health", async () => {
      const f = await twoCollaterals();
      await setPrice(f.weth, 1_850); // 10 WETH · 1,850 · 82.5 % = 15,262 ≥ 15,000: healthy with WETH alone
      const healthy = (await f.pool.accountHealth(f.borrower.address, 0)).healthFactor;
      await time.increase(2 * 86_400);
      await refresh([f.usdc, f.weth]);
      const without = await f.pool.accountHealth(f.borrower.address, 0);
      expect(without.healthFactor).to.be.lt(healthy);
      const [h] = await f.pool.healthFactors([f.borrower.address], [0]);
      expect(h).to.equal(without.healthFactor);
    });
  });

  describe("finding 3: the bonus never turns a solvent account into bad debt, and self-liquidation never pays", () => {
    /** One collateral COLL (18 decimals) with LT `lt` and bonus range [base, max]; debt LOAN at $1. */
    async function market() {
      const f = await deployPoolFixture();
      const users = f.users.slice(0, 4);
      const loan = await listFunded(f, plainSpec("LOAN"), users, 10n ** 30n);
      const coll = await listFunded(f, plainSpec("COLL", { ltvBps: 3000, ltBps: 4000, price: 100 }), users, 10n ** 30n);
      await f.pool.connect(users[0]).supply(loan.address, 10n ** 27n, 0, users[0].address);
      return { ...f, loan, coll, owner: users[1], second: users[2] };
    }

    it("property: across health 0.5–1.0 and every allowed bonus, solvent stays solvent; self-liquidation ≤ repaying", async () => {
      const base = await loadFixture(market);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 3_000, max: 9_500 }), // LT bps
          fc.integer({ min: 0, max: 10_000 }), // max bonus, fraction of the allowed range
          fc.integer({ min: 0, max: 10_000 }), // base bonus, fraction of max
          fc.integer({ min: 5_000, max: 9_990 }), // target health, bps
          fc.boolean(), // capped repay (half) instead of the maximum
          fc.boolean(), // the owner liquidates itself directly, or through a second address it controls
          async (ltBps, maxFrac, baseFrac, healthBps, half, direct) => {
            const f = await loadFixture(market);
            const lt = BigInt(ltBps);
            const allowedMax = (BPS * BPS - 1n) / lt - BPS; // LT·(1 + bonus) < 1
            const maxBonus = BigInt(Math.min(2_000, Number((allowedMax * BigInt(maxFrac)) / BPS)));
            const baseBonus = (maxBonus * BigInt(baseFrac)) / BPS;
            // A zero bonus fits any LT, so the LT can move first; then the bonus the new LT allows.
            await f.pool.setLiquidationParams(f.coll.address, 0, 0, 1_000);
            await f.pool.setCollateralParams(f.coll.address, Number(lt - 100n), Number(lt));
            await f.pool.setLiquidationParams(f.coll.address, Number(baseBonus), Number(maxBonus), 1_000);
            // 100 COLL at $100 = $10,000; borrow at the LTV, then move the price to the target health.
            const amount = 100n * WAD;
            await f.pool.connect(f.owner).supplyCollateral(f.coll.address, amount, f.owner.address, 0);
            const debt = (10_000n * WAD * (lt - 100n)) / BPS;
            await f.pool.connect(f.owner).borrow(f.loan.address, debt, f.owner.address, 0, f.owner.address);
            // health = amount·p·lt / debt  →  p = health·debt / (amount·lt)
            const price = (BigInt(healthBps) * debt * 10n ** 8n) / (amount * lt) + 1n; // feed answer (8 decimals)
            await f.coll.feed.setAnswer(price);
            const h = await f.pool.accountHealth(f.owner.address, 0);
            if (h.healthFactor >= WAD) return; // rounding landed it at 1
            const solvent = h.collateralValue >= h.debtValue;
            // Self-liquidation, directly or through a second address the owner controls (a flash loan to fund it only
            // adds the flash fee).
            const wealth = async () =>
              (await f.loan.token.balanceOf(f.owner.address)) +
              (await f.loan.token.balanceOf(f.second.address)) +
              (((await f.coll.token.balanceOf(f.owner.address)) + (await f.coll.token.balanceOf(f.second.address))) *
                (price * 10n ** 10n)) /
                WAD;
            const w0 = (await wealth()) + (h.collateralValue - h.debtValue);
            const preview = await f.pool.previewLiquidation(f.owner.address, 0, f.coll.address);
            const maxRepay = half ? preview.maxRepay / 2n : ethers.MaxUint256;
            const by = direct ? f.owner : f.second;
            const tx = f.pool.connect(by).liquidate(f.owner.address, 0, f.coll.address, maxRepay, 0, by.address, "0x");
            try {
              await (await tx).wait();
            } catch (e) {
              if (half && String(e).includes("LiquidationLeavesDust")) return;
              throw e;
            }
            const after = await f.pool.accountHealth(f.owner.address, 0);
            if (solvent) {
              // Never bad debt, never negative equity (2 wei of 18-decimal USD of rounding at most).
              expect(after.collateralValue + 2n).to.be.gte(after.debtValue, "solvent account left under water");
              const receipt = await ethers.provider.getTransactionReceipt((await tx).hash);
              const badDebt = receipt!.logs.filter(
                (l) => l.topics[0] === f.pool.interface.getEvent("BadDebt").topicHash,
              );
              expect(badDebt.length).to.equal(0, "bad debt written off for a solvent account");
              // Self-liquidation never beats repaying and withdrawing (the owner's equity before).
              const w1 = (await wealth()) + (after.collateralValue - after.debtValue);
              expect(w1).to.be.lte(w0 + 2n, "self-liquidation paid its owner");
            }
          },
        ),
        { numRuns: 40 },
      );
      expect(base).to.not.equal(undefined);
    });

    it("health 0.85, WETH at its 8 % max bonus: the account is solvent and stays so (the old pool wrote off $1,200)", async () => {
      const f = await loadFixture(borrowerFixture);
      // 10 WETH at 1,546 = $15,460 against $15,000: solvent, health 15,460 · 82.5 % / 15,000 = 0.850.
      await setPrice(f.weth, 1_546);
      const h = await f.pool.accountHealth(f.borrower.address, 0);
      expect(h.healthFactor).to.be.closeTo(85n * 10n ** 16n, 10n ** 15n);
      const eq = h.collateralValue - h.debtValue;
      const tx = f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x");
      await expect(tx).to.not.emit(f.pool, "BadDebt");
      const after = await f.pool.accountHealth(f.borrower.address, 0);
      expect(after.collateralValue + 2n).to.be.gte(after.debtValue);
      // The liquidator's gain (seized value − repaid value) is at most the equity the account had.
      const ev = (await ethers.provider.getTransactionReceipt((await tx).hash))!.logs
        .map((l) => {
          try {
            return f.pool.interface.parseLog(l);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "Liquidate")!;
      const repaidValue = (ev.args.repaid * 10n ** 12n * 10n ** 18n) / WAD; // USDC has 6 decimals, $1
      const seizedValue = (ev.args.seized * 1_546n * WAD) / WAD;
      expect(seizedValue - repaidValue).to.be.lte(eq);
    });
  });

  describe("finding 4: an insolvent account's loss is booked by the first liquidation, and dust cannot hide it", () => {
    async function insolvent() {
      const f = await loadFixture(borrowerFixture);
      // 10 WETH, 15,000 USDC debt. WETH to 1,400: collateral 14,000 < 15,000 debt.
      await setPrice(f.weth, 1_400);
      return f;
    }

    it("the first liquidation emits BadDebt in the same transaction, leaving debt its collateral repays at the max bonus", async () => {
      const f = await insolvent();
      const lc = await f.pool.liquidationConfig(f.weth.address);
      // Capped repay: a liquidator who takes a little and leaves the rest cannot keep the loss off the books.
      const preview = await f.pool.previewLiquidation(f.borrower.address, 0, f.weth.address);
      const tx = f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower.address, 0, f.weth.address, preview.maxRepay / 4n, 0, f.liquidator.address, "0x");
      await expect(tx).to.emit(f.pool, "BadDebt");
      expect(await f.pool.isCloseOut(f.borrower.address, 0)).to.equal(true);
      const h = await f.pool.accountHealth(f.borrower.address, 0);
      // Not insolvent any more: what remains is at most what the collateral repays at the max bonus.
      expect(h.collateralValue).to.be.gte(h.debtValue);
      expect(h.debtValue).to.be.lte((h.collateralValue * BPS) / (BPS + lc.maxBonus) + 10n ** 6n * 10n ** 12n);
      // The next liquidation closes the account: all collateral for the rest of the debt, nothing left over.
      await f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x");
      const [debtAsset, shares] = await f.pool.accountOf(f.borrower.address, 0);
      expect([debtAsset, shares]).to.deep.equal([ZERO, 0n]);
      // What the owner keeps is rounding of the 6-decimal debt: under a hundredth of a cent.
      expect((await f.pool.accountHealth(f.borrower.address, 0)).collateralValue).to.be.lt(10n ** 14n);
    });

    it("settleBadDebt: anyone books an insolvent account's shortfall; with only dust left it sweeps the dust and writes off all", async () => {
      const f = await insolvent();
      await expect(f.pool.connect(f.stranger).settleBadDebt(f.lender.address, 0)).to.be.revertedWithCustomError(
        f.pool,
        "NoDebt",
      );
      await expect(f.pool.connect(f.stranger).settleBadDebt(f.borrower.address, 0)).to.emit(f.pool, "BadDebt");
      await expect(f.pool.connect(f.stranger).settleBadDebt(f.borrower.address, 0)).to.be.revertedWithCustomError(
        f.pool,
        "NotInsolvent",
      );
      // Dust: a second account with $5 of WETH left against $100 of debt.
      const [, , , , , dusty] = f.users;
      await f.weth.token.mint(dusty.address, units(f.weth, 1));
      await f.weth.token.connect(dusty).approve(f.poolAddress, ethers.MaxUint256);
      await setPrice(f.weth, 2_000);
      await f.pool.connect(dusty).supplyCollateral(f.weth.address, units(f.weth, "0.0625"), dusty.address, 0);
      await setPrice(f.weth, 2_500);
      await f.pool.connect(dusty).borrow(f.usdc.address, units(f.usdc, 100), dusty.address, 0, dusty.address);
      await setPrice(f.weth, 80); // 0.0625 WETH · 80 = $5 < $10 dust, < $100 debt
      const feesBefore = (await f.pool.marketInfo(f.weth.address)).liquidationFees;
      await expect(f.pool.connect(f.stranger).settleBadDebt(dusty.address, 0))
        .to.emit(f.pool, "DustSwept")
        .withArgs(dusty.address, 0, f.weth.address, units(f.weth, "0.0625"))
        .and.to.emit(f.pool, "BadDebt");
      expect((await f.pool.marketInfo(f.weth.address)).liquidationFees - feesBefore).to.equal(units(f.weth, "0.0625"));
      const [debtAsset, shares, , assets] = await f.pool.accountOf(dusty.address, 0);
      expect([debtAsset, shares, assets.length]).to.deep.equal([ZERO, 0n, 0]);
    });

    it("a solvent dust account under health 1 has its whole debt repaid (a seizure sized to its equity would round to 0)", async () => {
      const f = await loadFixture(borrowerFixture);
      const [, , , , , , tiny] = f.users;
      // $8 of WETH against $6.3 of USDC debt, then WETH falls 15 %: health 0.88, solvent, worth less than $10.
      await f.weth.token.mint(tiny.address, units(f.weth, 1));
      await f.weth.token.connect(tiny).approve(f.poolAddress, ethers.MaxUint256);
      await f.pool.setCaps(f.usdc.address, 10n ** 30n, 10n ** 30n, 10n ** 30n, 0);
      await f.pool.connect(tiny).supplyCollateral(f.weth.address, units(f.weth, "0.004"), tiny.address, 0);
      await f.pool.connect(tiny).borrow(f.usdc.address, units(f.usdc, "6.3"), tiny.address, 0, tiny.address);
      await setPrice(f.weth, 1_700);
      const h = await f.pool.accountHealth(tiny.address, 0);
      expect(h.healthFactor).to.be.lt(WAD);
      expect(h.collateralValue).to.be.gte(h.debtValue);
      const tx = f.pool
        .connect(f.liquidator)
        .liquidate(tiny.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liquidator.address, "0x");
      await expect(tx).to.emit(f.pool, "Liquidate").and.not.to.emit(f.pool, "BadDebt");
      // All the debt is repaid; the liquidator gets at most the max bonus plus one unit of rounding.
      const [debtAsset, shares] = await f.pool.accountOf(tiny.address, 0);
      expect([debtAsset, shares]).to.deep.equal([ZERO, 0n]);
      const ev = (await ethers.provider.getTransactionReceipt((await tx).hash))!.logs
        .map((l) => {
          try {
            return f.pool.interface.parseLog(l);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "Liquidate")!;
      expect(ev.args.repaid).to.be.closeTo(units(f.usdc, "6.3"), 2n); // with a second of interest
      const wethPrice = await f.pool.price(f.weth.address);
      const seizedValue = (ev.args.seized * wethPrice) / WAD;
      expect(seizedValue).to.be.lte((ev.args.repaid * 10n ** 12n * 10_800n) / BPS + wethPrice / WAD + 1n);
    });

    it("a solvent account cannot be settled, and an account with an untrusted collateral price is refused", async () => {
      const f = await loadFixture(borrowerFixture);
      await expect(f.pool.settleBadDebt(f.borrower.address, 0)).to.be.revertedWithCustomError(f.pool, "NotInsolvent");
      await time.increase(2 * 86_400);
      await refresh([f.usdc]);
      await expect(f.pool.settleBadDebt(f.borrower.address, 0)).to.be.revertedWithCustomError(f.pool, "StalePrice");
    });
  });
});
