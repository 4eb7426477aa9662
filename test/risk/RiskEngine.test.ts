// RiskEngine with the VolatilityOracle and the pool, end to end: LTV tightens at once, the LT ramp is never
// outrun (stepped every 10 minutes with an attacker calling update at will), one block never makes a healthy
// account liquidatable, the circuit breaker (volatility ceiling with hysteresis, single-move shock with cooldown)
// halts borrowing of and against the asset while repay / supplyCollateral / liquidation keep working, and lifts.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { units } from "../helpers/fixtures";
import { DEFAULT_PROFILES, toOnchainProfile } from "../../config/profiles";
import { gbmPath } from "./reference";
import fc from "fast-check";
import {
  deployRiskFixture,
  setPrices,
  step,
  wethVol,
  ltNow,
  ltvNow,
  HOUR,
  E18,
  PLAIN,
  type RiskFixture,
} from "./fixture";

const P = { ...DEFAULT_PROFILES.WETH, ...PLAIN }; // the fixture's plain profile
const MAX = ethers.MaxUint256;
enum Regime {
  Static,
  Calm,
  Elevated,
  Breaker,
}

/** Borrower: 10 WETH collateral (20,000 USD), `debt` USDC borrowed. */
async function open(f: RiskFixture, who = f.borrower, debt = 14_000) {
  await f.pool.connect(who).supplyCollateral(f.weth.address, units(f.weth, 10), who.address, 0);
  await f.pool.connect(who).borrow(f.usdc.address, units(f.usdc, debt), who.address, 0, who.address);
}

describe("RiskEngine", () => {
  it("starts in the calm profile: pool parameters equal ltvMax / ltMax, regime Calm", async () => {
    const f = await loadFixture(deployRiskFixture);
    const s = await f.engine.status(f.weth.address);
    expect(s.volatility).to.equal(ethers.parseEther("0.6"));
    expect(s.ltvNow).to.equal(P.ltvMax);
    expect(s.ltNow).to.equal(P.ltMax);
    expect(s.ltTarget).to.equal(P.ltMax);
    expect(s.regime).to.equal(Regime.Calm);
    expect(s.rampSecondsLeft).to.equal(0n);
    expect((await f.pool.assetRisk(f.weth.address)).rampBpsPerHour).to.equal(P.rampBpsPerHour);
  });

  it("LTV tightens at once for new borrows and withdrawals; the LT only starts its ramp", async () => {
    const f = await loadFixture(deployRiskFixture);
    await open(f); // 70 % LTV
    const h0 = (await f.pool.accountHealth(f.borrower.address, 0)).healthFactor;
    expect(
      await f.pool
        .connect(f.borrower)
        .borrow.staticCall(f.usdc.address, units(f.usdc, 1000), f.borrower.address, 0, f.borrower.address),
    ).to.be.greaterThan(0n);

    // Volatility 160 %: 10 steps of 10 % above the 60 % reference. LTV -3,000 bps → floor 5,000; LT -1,500 → 6,750.
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("1.6"));
    await expect(f.engine.connect(f.attacker).update(f.weth.address))
      .to.emit(f.engine, "RiskUpdated")
      .withArgs(f.weth.address, ethers.parseEther("1.6"), 8000n, 5000n, 8250n, 6750n, false, Regime.Elevated)
      .and.to.emit(f.pool, "RiskParamsApplied")
      .withArgs(f.weth.address, 8000n, 5000n, 8250n, 6750n, 100n);
    expect(await ltvNow(f)).to.equal(5000);
    expect(await ltNow(f)).to.equal(8250);

    await expect(
      f.pool.connect(f.borrower).borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
    ).to.be.revertedWithCustomError(f.pool, "InsufficientCollateral");
    await expect(
      f.pool
        .connect(f.borrower)
        .withdrawCollateral(f.weth.address, units(f.weth, "0.01"), f.borrower.address, 0, f.borrower.address),
    ).to.be.revertedWithCustomError(f.pool, "InsufficientCollateral");
    // The existing position is untouched: same LT, not liquidatable.
    const h1 = (await f.pool.accountHealth(f.borrower.address, 0)).healthFactor;
    expect(h1).to.be.closeTo(h0, h0 / 1_000_000n);
    await expect(
      f.pool.connect(f.liquidator).liquidate(f.borrower.address, 0, f.weth.address, MAX, 0, f.liquidator.address, "0x"),
    ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
    // Repay and adding collateral work.
    await expect(f.pool.connect(f.borrower).repay(f.usdc.address, units(f.usdc, 1000), f.borrower.address, 0)).to.emit(
      f.pool,
      "Repay",
    );
    await expect(
      f.pool.connect(f.borrower).supplyCollateral(f.weth.address, units(f.weth, 1), f.borrower.address, 0),
    ).to.emit(f.pool, "SupplyCollateral");

    const st = await f.engine.status(f.weth.address);
    expect(st.ltTarget).to.equal(6750n);
    expect(st.rampSecondsLeft).to.be.closeTo(15n * 3600n, 60n); // 1,500 bps at 100 bps/hour
    await time.increase(HOUR);
    expect(await ltNow(f)).to.be.within(8150, 8151);
  });

  it("a parameter change never makes a healthy account liquidatable within its block", async () => {
    const f = await loadFixture(deployRiskFixture);
    await open(f, f.borrower2, 16_000); // at the 80 % LTV limit
    await setPrices(f, 1950); // health 0.825 · 19,500 / 16,000 ≈ 1.0055
    const before = await f.pool.accountHealth(f.borrower2.address, 0);
    expect(before.healthFactor).to.be.within(E18, (E18 * 101n) / 100n);

    // In one block: governance doubles volatility to its worst, the attacker calls update, a liquidator strikes.
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("5"));
    await network.provider.send("evm_setAutomine", [false]);
    try {
      const up = await f.engine.connect(f.attacker).update(f.weth.address, { gasLimit: 1_000_000 });
      const liq = await f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower2.address, 0, f.weth.address, MAX, 0, f.liquidator.address, "0x", { gasLimit: 2_000_000 });
      await network.provider.send("evm_mine");
      const r1 = await ethers.provider.getTransactionReceipt(up.hash);
      const r2 = await ethers.provider.getTransactionReceipt(liq.hash);
      expect(r1!.blockNumber).to.equal(r2!.blockNumber);
      expect(r1!.status).to.equal(1);
      expect(r2!.status, "liquidation in the same block fails").to.equal(0);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
    }
    expect(await ltvNow(f)).to.equal(P.ltvMin);
    expect((await f.pool.assetRisk(f.weth.address)).ltTarget).to.equal(P.ltMin);
    expect(await ltNow(f)).to.equal(P.ltMax); // a second later: not a single bp of the ramp yet
    expect((await f.pool.accountHealth(f.borrower2.address, 0)).healthFactor).to.be.greaterThan(E18);
    await expect(
      f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower2.address, 0, f.weth.address, MAX, 0, f.liquidator.address, "0x"),
    ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
  });

  it("manipulation: update every 10 minutes for a day through a 300 % spike — the LT never outruns the ramp, LTV stays within the profile", async () => {
    const f = await loadFixture(deployRiskFixture);
    await open(f, f.borrower, 12_000);
    const path = gbmPath(
      11,
      2000,
      144,
      () => 600,
      (i) => (i < 42 ? 3.0 : 0.3),
    );
    const samples: { t: number; lt: number }[] = [{ t: await time.latest(), lt: await ltNow(f) }];
    let lagged = 0;
    let minLt = 1e9;
    for (const [i, s] of path.entries()) {
      await step(f, 600, s.price);
      if (i % 24 === 23) {
        // Repay and adding collateral work at every stage of the episode.
        await expect(
          f.pool.connect(f.borrower).repay(f.usdc.address, units(f.usdc, 200), f.borrower.address, 0),
        ).to.emit(f.pool, "Repay");
        await expect(
          f.pool.connect(f.borrower).supplyCollateral(f.weth.address, units(f.weth, "0.1"), f.borrower.address, 0),
        ).to.emit(f.pool, "SupplyCollateral");
      }
      // The attacker hammers both contracts within the same minute.
      await f.engine.connect(f.attacker).update(f.weth.address);
      await f.oracle.connect(f.attacker).update(f.weth.address);
      const t = await time.latest();
      const lt = await ltNow(f);
      const ltv = await ltvNow(f);
      const vol = await f.oracle.volatility(f.weth.address);
      const [tLtv, tLt] = await f.engine.targetsFor(f.weth.address, vol);
      expect(ltv, "LTV is the target at once").to.equal(Number(tLtv));
      expect(ltv).to.be.within(P.ltvMin, P.ltvMax);
      expect(lt).to.be.within(P.ltMin, P.ltMax);
      if (lt > Number(tLt)) lagged++;
      minLt = Math.min(minLt, lt);
      for (const p of samples) {
        if (p.lt > lt) {
          // The threshold lives on a 1-bp grid: over any window it falls at most ceil(rate · Δt).
          expect(p.lt - lt, `LT fell ${p.lt - lt} bps in ${t - p.t} s`).to.be.at.most(
            Math.ceil((P.rampBpsPerHour * (t - p.t)) / HOUR),
          );
        }
      }
      samples.push({ t, lt });
    }
    expect(lagged, "the ramp was binding for a while").to.be.greaterThan(10);
    expect(minLt, "the LT did fall").to.be.lessThan(P.ltMax - 500);
    expect(samples[samples.length - 1].lt, "and came back up at once when calm returned").to.be.greaterThan(minLt);
  });

  it("an account that does not react is liquidatable only once the ramp has walked the LT past it, hours later", async () => {
    const f = await loadFixture(deployRiskFixture);
    await open(f, f.borrower2, 16_000); // health 0.825 · 20,000 / 16,000 = 1.031: crosses 1 when LT < 80 %
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("2.5"));
    await f.engine.update(f.weth.address);
    const t0 = await time.latest();
    const tryLiquidate = () =>
      f.pool
        .connect(f.liquidator)
        .liquidate(f.borrower2.address, 0, f.weth.address, MAX, 0, f.liquidator.address, "0x");
    let firstLiquidatable = 0;
    for (let k = 1; k <= 16 && !firstLiquidatable; k++) {
      await step(f, 900, 2000); // keeper every 15 minutes, price flat
      if ((await f.pool.accountHealth(f.borrower2.address, 0)).healthFactor < E18)
        firstLiquidatable = await time.latest();
      else await expect(tryLiquidate()).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
    }
    // 250 bps at 1 %/h: about 2.5 hours (a little less with the interest accrued meanwhile).
    expect(firstLiquidatable - t0).to.be.within(2.3 * HOUR, 2.6 * HOUR);
    await expect(tryLiquidate()).to.emit(f.pool, "Liquidate");
  });

  it("property (fast-check): under arbitrary volatility jumps and update timings the LT keeps to the ramp and LTV to its target", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ dt: fc.integer({ min: 1, max: 3 * HOUR }), vol: fc.integer({ min: 0, max: 4000 }) }), {
          minLength: 4,
          maxLength: 14,
        }),
        async (moves) => {
          const f = await loadFixture(deployRiskFixture);
          const samples: { t: number; lt: number }[] = [{ t: await time.latest(), lt: await ltNow(f) }];
          for (const m of moves) {
            await time.increase(m.dt);
            await f.oracle.seedVolatility(f.weth.address, (BigInt(m.vol) * E18) / 1000n + 1n); // 0–400 %
            await f.engine.connect(f.attacker).update(f.weth.address);
            const t = await time.latest();
            const lt = await ltNow(f);
            const [tLtv] = await f.engine.targetsFor(f.weth.address, await f.oracle.volatility(f.weth.address));
            if ((await ltvNow(f)) !== Number(tLtv) || lt > P.ltMax || lt < P.ltMin) return false;
            for (const p of samples) {
              if (p.lt - lt > Math.ceil((P.rampBpsPerHour * (t - p.t)) / HOUR)) return false;
            }
            samples.push({ t, lt });
          }
          return true;
        },
      ),
      { numRuns: 20, seed: 42 },
    );
  });

  it("manipulation: re-calling update cannot raise LTV or LT above the calm profile", async () => {
    const f = await loadFixture(deployRiskFixture);
    await f.oracle.seedVolatility(f.weth.address, 1n); // as calm as it gets
    for (let i = 0; i < 3; i++) await step(f, HOUR, 2000);
    expect(await ltvNow(f)).to.equal(P.ltvMax);
    expect(await ltNow(f)).to.equal(P.ltMax);
    expect(await f.engine.targetsFor(f.weth.address, 0)).to.deep.equal([BigInt(P.ltvMax), BigInt(P.ltMax)]);
    // Idempotent: a call with nothing to change emits nothing and leaves the engine's record alone.
    const rec = await f.engine.state(f.weth.address);
    const again = await step(f, HOUR, 2000);
    await expect(again).to.not.emit(f.engine, "RiskUpdated");
    await expect(again).to.not.emit(f.pool, "RiskParamsApplied");
    expect(await f.engine.state(f.weth.address)).to.deep.equal(rec);
    // No direct route around the engine.
    await expect(
      f.pool.connect(f.attacker).applyRiskParams(f.weth.address, 9000, 9500, 200),
    ).to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount");
    await expect(f.pool.connect(f.attacker).setCircuitBreaker(f.weth.address, false)).to.be.revertedWithCustomError(
      f.pool,
      "Unauthorized",
    );
    await expect(
      f.engine.connect(f.attacker).setProfile(f.weth.address, toOnchainProfile({ ...P, ltvMax: 9000, ltMax: 9200 })),
    ).to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount");
    await expect(f.engine.connect(f.attacker).setMode(f.weth.address, false)).to.be.revertedWithCustomError(
      f.engine,
      "AccessControlUnauthorizedAccount",
    );
  });

  describe("circuit breaker", () => {
    it("a crash trips it: borrowing of and against WETH halts; repay, supplyCollateral, liquidation work; it lifts with hysteresis", async () => {
      const f = await loadFixture(deployRiskFixture);
      await open(f, f.borrower, 12_000);
      await open(f, f.borrower2, 16_000);
      // Another user with USDC collateral who will want to borrow WETH, and a WBTC-backed USDC borrower.
      await f.pool.connect(f.user5).supplyCollateral(f.usdc.address, units(f.usdc, 50_000), f.user5.address, 0);

      // -20 % in one hour: |r| = 0.223 > breakerMove 0.15, and the volatility jumps far above the 200 % ceiling.
      const tx = await step(f, HOUR, 1600);
      await expect(tx).to.emit(f.pool, "CircuitBreakerSet").withArgs(f.weth.address, true);
      await expect(tx)
        .to.emit(f.engine, "RiskUpdated")
        .withArgs(f.weth.address, anyValue, 8000n, 5000n, 8250n, 6500n, true, Regime.Breaker);
      expect(await wethVol(f)).to.be.greaterThan(3);
      expect((await f.engine.status(f.weth.address)).regime).to.equal(Regime.Breaker);

      await expect(
        f.pool
          .connect(f.borrower)
          .borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "CircuitBreakerActive");
      await expect(
        f.pool.connect(f.user5).borrow(f.weth.address, units(f.weth, 1), f.user5.address, 0, f.user5.address),
      ).to.be.revertedWithCustomError(f.pool, "CircuitBreakerActive");
      // Other collateral is unaffected.
      await f.pool.connect(f.user5).supplyCollateral(f.wbtc.address, units(f.wbtc, 1), f.user5.address, 1);
      await expect(
        f.pool.connect(f.user5).borrow(f.usdc.address, units(f.usdc, 1000), f.user5.address, 1, f.user5.address),
      ).to.emit(f.pool, "Borrow");
      // Repay, supplyCollateral, liquidation keep working.
      await expect(
        f.pool.connect(f.borrower).repay(f.usdc.address, units(f.usdc, 5000), f.borrower.address, 0),
      ).to.emit(f.pool, "Repay");
      await expect(
        f.pool.connect(f.borrower).supplyCollateral(f.weth.address, units(f.weth, 2), f.borrower.address, 0),
      ).to.emit(f.pool, "SupplyCollateral");
      // Withdrawing collateral within the (tightened) LTV also works.
      await expect(
        f.pool
          .connect(f.borrower)
          .withdrawCollateral(f.weth.address, units(f.weth, "0.5"), f.borrower.address, 0, f.borrower.address),
      ).to.emit(f.pool, "WithdrawCollateral");
      expect((await f.pool.accountHealth(f.borrower2.address, 0)).healthFactor).to.be.lessThan(E18);
      await expect(
        f.pool
          .connect(f.liquidator)
          .liquidate(f.borrower2.address, 0, f.weth.address, MAX, 0, f.liquidator.address, "0x"),
      ).to.emit(f.pool, "Liquidate");

      // Calm returns (flat price). The breaker holds while the volatility is between 90 % of the ceiling and the
      // ceiling (hysteresis) and lifts once below.
      let heldBelowCeiling = 0;
      let lifted = false;
      for (let h = 0; h < 80 && !lifted; h++) {
        const t = await step(f, HOUR, 1600);
        const vol = await wethVol(f);
        const on = (await f.engine.state(f.weth.address)).breaker;
        if (on && vol < P.breakerVol) {
          expect(vol).to.be.at.least(P.breakerVol * 0.9);
          heldBelowCeiling++;
          await expect(
            f.pool
              .connect(f.borrower)
              .borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
          ).to.be.revertedWithCustomError(f.pool, "CircuitBreakerActive");
        }
        if (!on) {
          expect(vol).to.be.lessThan(P.breakerVol * 0.9);
          await expect(t).to.emit(f.pool, "CircuitBreakerSet").withArgs(f.weth.address, false);
          lifted = true;
        }
      }
      expect(heldBelowCeiling, "hours held below the ceiling by hysteresis").to.be.greaterThan(3);
      expect(lifted).to.equal(true);
      await expect(
        f.pool
          .connect(f.borrower)
          .borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
      ).to.emit(f.pool, "Borrow");
      await expect(
        f.pool.connect(f.user5).borrow(f.weth.address, units(f.weth, 1), f.user5.address, 0, f.user5.address),
      ).to.emit(f.pool, "Borrow");
    });

    it("a single large move trips it for the cooldown even at moderate volatility", async () => {
      const f = await loadFixture(deployRiskFixture);
      // A 30-day half-life (both estimates) keeps one move from pushing the volatility past the ceiling: only the
      // move rule acts.
      await f.oracle.setConfig(f.weth.address, 30 * 86_400, HOUR, HOUR, HOUR);
      await f.oracle.setFastHalfLife(f.weth.address, 30 * 86_400);
      await open(f, f.borrower, 10_000);
      await step(f, HOUR, 1700); // |r| = ln(2000/1700) = 0.1625 > 0.15
      const [move, at] = await f.oracle.lastMove(f.weth.address);
      expect(move).to.be.greaterThan(ethers.parseEther("0.15"));
      expect(await wethVol(f)).to.be.lessThan(1);
      expect((await f.engine.state(f.weth.address)).breaker).to.equal(true);
      await expect(
        f.pool
          .connect(f.borrower)
          .borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
      ).to.be.revertedWithCustomError(f.pool, "CircuitBreakerActive");
      // Half-way through the cooldown: still on.
      await step(f, HOUR / 2, 1700);
      expect((await f.engine.state(f.weth.address)).breaker).to.equal(true);
      // At the end of the cooldown it lifts.
      await time.increaseTo(Number(at) + P.cooldown - 4);
      await setPrices(f, 1700);
      await expect(f.engine.update(f.weth.address))
        .to.emit(f.engine, "RiskUpdated")
        .withArgs(f.weth.address, anyValue, anyValue, anyValue, anyValue, anyValue, false, Regime.Elevated);
      await expect(
        f.pool
          .connect(f.borrower)
          .borrow(f.usdc.address, units(f.usdc, 100), f.borrower.address, 0, f.borrower.address),
      ).to.emit(f.pool, "Borrow");
    });

    it("manipulation: updating the oracle again on a small move does not hide a shock from the engine", async () => {
      const f = await loadFixture(deployRiskFixture);
      await f.oracle.setConfig(f.weth.address, 30 * 86_400, 600, HOUR, HOUR); // updates every 10 minutes
      await time.increase(HOUR);
      await setPrices(f, 1700); // the shock round
      await f.oracle.connect(f.attacker).update(f.weth.address);
      await time.increase(600);
      await setPrices(f, 1701); // a calm round, and the attacker updates again before any keeper runs the engine
      await expect(f.oracle.connect(f.attacker).update(f.weth.address)).to.emit(f.oracle, "VolatilityUpdated");
      await expect(f.engine.update(f.weth.address)).to.emit(f.pool, "CircuitBreakerSet").withArgs(f.weth.address, true);
    });

    it("a guardian's manual trip is not undone while the engine sees calm", async () => {
      const f = await loadFixture(deployRiskFixture);
      await f.pool.setCircuitBreaker(f.weth.address, true); // admin holds GUARDIAN in the fixture
      await step(f, HOUR, 2001);
      await step(f, HOUR, 2002);
      expect((await f.pool.assetConfig(f.weth.address)).flags & 16n).to.equal(16n);
    });
  });
});
