// "Warn via LTV, liquidate via LT gradually": the engine's LTV and circuit breaker follow the larger of the oracle's
// short and long volatility estimates, the LT the long one (or the larger with LT_FOLLOWS_FAST), and the profile's
// ltHold flags stop the LT from tightening while the breaker is on (HOLD_ON_BREAKER) or while the short estimate is
// below the long one (HOLD_WHEN_EASING), and RELEASE_ON_BREAKER returns it to the calm LT while the breaker is on and
// for RELEASE_WINDOW after it lifts. Real VolatilityOracle and pool; every expectation is computed from the
// oracle's own readings through the engine's targetsFor.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { DEFAULT_PROFILES, toOnchainProfile, LT_HOLD, type RiskProfile } from "../../config/profiles";
import { deployPoolFixture } from "../helpers/fixtures";
import { deployRiskStack, DEFAULT_ORACLE_PARAMS } from "../../lib/risk";
import { deployRiskFixture, setPrices, step, ltNow, ltvNow, HOUR, type RiskFixture } from "./fixture";

const P = DEFAULT_PROFILES.WETH;
enum Regime {
  Static,
  Calm,
  Elevated,
  Breaker,
}

/** The risk fixture with a 2-hour short estimate for WETH and WETH's default profile with `ltHold`. */
async function setup(ltHold: number, over: Partial<RiskProfile> = {}): Promise<RiskFixture> {
  const f = await loadFixture(deployRiskFixture);
  await f.oracle.setFastHalfLife(f.weth.address, 2 * HOUR);
  await f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ...over, ltHold }));
  return f;
}

const vols = async (f: RiskFixture) => ({
  slow: await f.oracle.volatility(f.weth.address),
  fast: await f.oracle.fastVolatility(f.weth.address),
});
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const ltTarget = async (f: RiskFixture) => Number((await f.pool.assetRisk(f.weth.address)).ltTarget);
const breakerOn = async (f: RiskFixture) => (BigInt((await f.pool.assetConfig(f.weth.address)).flags) & 16n) !== 0n;

/** Hourly WETH moves alternating ±`pct` % around 2,000 (a choppy market, no trend). */
async function chop(f: RiskFixture, hours: number, pct: number) {
  for (let i = 0; i < hours; i++) await step(f, HOUR, i % 2 === 0 ? 2000 * (1 + pct / 100) : 2000);
}

describe("RiskEngine: short and long volatility, LT hold", () => {
  it("LTV and breaker follow the larger estimate, the LT the long one", async () => {
    const f = await setup(0);
    for (let i = 0; i < 3; i++) {
      await step(f, HOUR, i % 2 === 0 ? 2030 : 2000); // ±1.5 % an hour: ~140 % annualized
      const { slow, fast } = await vols(f);
      expect(fast).to.be.greaterThan(slow); // the short estimate reacts first
      const [ltvFast] = await f.engine.targetsFor(f.weth.address, fast);
      const [, ltSlow] = await f.engine.targetsFor(f.weth.address, slow);
      expect(await ltvNow(f)).to.equal(Number(ltvFast));
      expect(await ltTarget(f)).to.equal(Number(ltSlow));
    }
    const { slow, fast } = await vols(f);
    const [, ltFast] = await f.engine.targetsFor(f.weth.address, fast);
    expect(ltFast).to.be.lessThan(await ltTarget(f)); // the LT did not follow the short estimate
    expect(slow).to.be.lessThan(ethers.parseEther("0.8"));
    expect(fast).to.be.greaterThan(ethers.parseEther("1.0"));
    // The event and state report the volatility behind the LTV (the larger estimate).
    const s = await f.engine.state(f.weth.address);
    expect(s.vol).to.equal(fast);
    expect((await f.engine.status(f.weth.address)).regime).to.equal(Regime.Elevated);

    // ±6 % an hour: the short estimate passes the 200 % ceiling while the long one is still far below it; the
    // breaker (a borrow-side tool) trips on the short one. No single move reaches the 15 % move bound.
    let tripped = false;
    for (let i = 0; i < 4 && !tripped; i++) {
      await step(f, HOUR, i % 2 === 0 ? 2120 : 2000);
      tripped = await breakerOn(f);
    }
    const v = await vols(f);
    expect(tripped).to.equal(true);
    expect(v.fast).to.be.greaterThanOrEqual(ethers.parseEther("2"));
    expect(v.slow).to.be.lessThan(ethers.parseEther("2"));
    expect((await f.engine.status(f.weth.address)).regime).to.equal(Regime.Breaker);
    expect((await f.engine.state(f.weth.address)).breaker).to.equal(true);

    // Quiet hours: the short estimate falls back under the long one and the LTV follows the long one again.
    for (let i = 0; i < 10; i++) await step(f, HOUR, 2000);
    const q = await vols(f);
    expect(q.fast).to.be.lessThan(q.slow);
    const [ltvSlow] = await f.engine.targetsFor(f.weth.address, q.slow);
    expect(await ltvNow(f)).to.equal(Number(ltvSlow));
  });

  it("LT_FOLLOWS_FAST: the LT target follows the larger estimate too", async () => {
    const f = await setup(LT_HOLD.FOLLOWS_FAST);
    await chop(f, 3, 1.5);
    const { slow, fast } = await vols(f);
    expect(fast).to.be.greaterThan(slow);
    const [ltv, lt] = await f.engine.targetsFor(f.weth.address, max(fast, slow));
    expect(await ltvNow(f)).to.equal(Number(ltv));
    expect(await ltTarget(f)).to.equal(Number(lt));
  });

  it("HOLD_WHEN_EASING: the LT ramp stops where it stands once the short estimate falls under the long one, and resumes when it rises again", async () => {
    // A steeper LT slope than the default so that the ramp (1 %/h) is still on its way when the burst ends.
    const run = async (ltHold: number) => {
      const f = await setup(ltHold, { ltSlope: 400, rampBpsPerHour: 100 });
      await chop(f, 5, 3); // ±3 % an hour: both estimates rise, the LT target falls and the ramp starts
      const rising = await vols(f);
      expect(rising.fast).to.be.greaterThan(rising.slow);
      const [, target] = await f.engine.targetsFor(f.weth.address, rising.slow);
      expect(await ltTarget(f)).to.equal(Number(target));
      expect(await ltNow(f)).to.be.greaterThan(Number(target)); // still ramping
      // Quiet hour after quiet hour until the short estimate is under the long one.
      let easing = false;
      let tx;
      for (let i = 0; i < 12 && !easing; i++) {
        tx = await step(f, HOUR, 2000);
        const v = await vols(f);
        easing = v.fast < v.slow;
      }
      expect(easing).to.equal(true);
      return { f, tx: tx, target };
    };

    // Without the flag the ramp goes on toward the long estimate's target.
    const plain = await run(0);
    const l0 = await ltNow(plain.f);
    await time.increase(2 * HOUR);
    await setPrices(plain.f, 2000);
    expect(await ltNow(plain.f)).to.be.lessThan(l0);

    // With it, the update that sees the short estimate under the long one pins the target at the current LT.
    const held = await run(LT_HOLD.WHEN_EASING);
    const lHeld = await ltNow(held.f);
    expect(lHeld).to.be.greaterThan(Number(held.target));
    await expect(held.tx)
      .to.emit(held.f.pool, "RiskParamsApplied")
      .withArgs(held.f.weth.address, anyValue, await ltvNow(held.f), lHeld, lHeld, 100);
    expect(await ltTarget(held.f)).to.equal(lHeld);
    // Hours later (the short estimate still under the long one) the LT has not moved; the LTV follows the long
    // estimate down as it decays.
    for (let i = 0; i < 3; i++) {
      await step(held.f, HOUR, 2000);
      expect(await ltNow(held.f)).to.equal(lHeld);
      expect(await ltTarget(held.f)).to.equal(lHeld);
      const [ltv] = await held.f.engine.targetsFor(held.f.weth.address, (await vols(held.f)).slow);
      expect(await ltvNow(held.f)).to.equal(Number(ltv));
    }
    // A new burst: the short estimate is above the long one again and the ramp resumes toward the long target.
    await chop(held.f, 2, 4);
    const v = await vols(held.f);
    expect(v.fast).to.be.greaterThan(v.slow);
    const [, resumed] = await held.f.engine.targetsFor(held.f.weth.address, v.slow);
    expect(await ltTarget(held.f)).to.equal(Number(resumed));
    expect(resumed).to.be.lessThan(lHeld);
    await time.increase(HOUR);
    await setPrices(held.f, 2000);
    expect(await ltNow(held.f)).to.be.lessThan(lHeld);
  });

  it("HOLD_ON_BREAKER: a crash trips the breaker and drops the LTV, the LT stays where it was until the breaker lifts", async () => {
    const f = await setup(LT_HOLD.ON_BREAKER);
    await step(f, HOUR, 1600); // -22 % in one update: move bound and ceiling
    expect(await breakerOn(f)).to.equal(true);
    const { slow, fast } = await vols(f);
    const [ltv] = await f.engine.targetsFor(f.weth.address, max(slow, fast));
    expect(await ltvNow(f)).to.equal(Number(ltv));
    expect(await ltTarget(f)).to.equal(P.ltMax); // held at the LT of the moment: the calm one
    for (let i = 0; i < 3; i++) await step(f, HOUR, 1600 - 10 * i);
    expect(await breakerOn(f)).to.equal(true);
    expect(await ltNow(f)).to.equal(P.ltMax);
    // Governance resets the estimate (both estimates equal, under the lift level, cooldown over): the breaker
    // lifts and the LT starts its ramp toward the target of the new volatility.
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("0.9"));
    const tx = await step(f, HOUR, 1580);
    const v = await vols(f);
    expect(v.slow).to.be.lessThan(ethers.parseEther("1"));
    const [ltv2, lt2] = await f.engine.targetsFor(f.weth.address, max(v.slow, v.fast));
    await expect(tx)
      .to.emit(f.engine, "RiskUpdated")
      .withArgs(f.weth.address, max(v.slow, v.fast), anyValue, ltv2, P.ltMax, lt2, false, Regime.Elevated);
    expect(await breakerOn(f)).to.equal(false);
    expect(await ltTarget(f)).to.equal(Number(lt2));
    expect(lt2).to.be.lessThan(P.ltMax);
    await time.increase(HOUR);
    expect(await ltNow(f)).to.be.lessThan(P.ltMax);
  });

  it("RELEASE_ON_BREAKER: the LT tightens while volatility builds, returns to the calm LT when the breaker trips, stays there until RELEASE_WINDOW after it lifts, then the ramp resumes", async () => {
    const flags = LT_HOLD.FOLLOWS_FAST | LT_HOLD.RELEASE_ON_BREAKER;
    const f = await setup(flags, { ltSlope: 400 });
    const window = Number(await f.engine.RELEASE_WINDOW());
    expect(window).to.equal(12 * HOUR);
    await chop(f, 5, 1.5); // turbulence (~140 %, under the breaker): the LT target falls, the ramp walks the LT down
    expect(await breakerOn(f)).to.equal(false);
    const lowered = await ltNow(f);
    expect(lowered).to.be.lessThan(P.ltMax);
    expect(await ltTarget(f)).to.be.lessThan(lowered);

    // The crash: -22 % in one update trips the breaker; the LT target is the calm LT and the pool raises it at once,
    // while the LTV (new borrows) follows the larger estimate down.
    const tx = await step(f, HOUR, 1600);
    expect(await breakerOn(f)).to.equal(true);
    const v = await vols(f);
    const [ltv] = await f.engine.targetsFor(f.weth.address, max(v.slow, v.fast));
    await expect(tx)
      .to.emit(f.engine, "RiskUpdated")
      .withArgs(f.weth.address, max(v.slow, v.fast), anyValue, ltv, anyValue, P.ltMax, true, Regime.Breaker);
    expect(await ltNow(f)).to.equal(P.ltMax);
    expect(await ltTarget(f)).to.equal(P.ltMax);
    expect(await ltvNow(f)).to.equal(Number(ltv));
    for (let i = 0; i < 3; i++) {
      await step(f, HOUR, 1600 - 10 * i);
      expect(await breakerOn(f)).to.equal(true);
      expect(await ltNow(f)).to.equal(P.ltMax);
    }

    // Governance resets the estimate above the reference: the breaker lifts, the lift is recorded, and the LT stays
    // released although the volatility's own target is lower.
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("1.1"));
    const lift = await step(f, HOUR, 1580);
    expect(await breakerOn(f)).to.equal(false);
    const liftedAt = (await ethers.provider.getBlock(lift.blockNumber!))!.timestamp;
    expect((await f.engine.state(f.weth.address)).breakerLiftedAt).to.equal(BigInt(liftedAt));
    const lv = await vols(f);
    const [, ltVol] = await f.engine.targetsFor(f.weth.address, max(lv.slow, lv.fast));
    expect(ltVol).to.be.lessThan(P.ltMax);
    expect(await ltTarget(f)).to.equal(P.ltMax);
    // Hourly updates inside the window leave the LT at the calm value.
    for (let h = 1; h < 12; h++) {
      await step(f, HOUR, h % 2 === 0 ? 1580 : 1600);
      expect(await ltNow(f)).to.equal(P.ltMax);
    }
    // The first update at or after RELEASE_WINDOW: the target is the volatility's again and the ramp starts.
    await time.setNextBlockTimestamp(liftedAt + window);
    await setPrices(f, 1580);
    await f.engine.update(f.weth.address);
    const w = await vols(f);
    const [, ltAfter] = await f.engine.targetsFor(f.weth.address, max(w.slow, w.fast));
    expect(ltAfter).to.be.lessThan(P.ltMax);
    expect(await ltTarget(f)).to.equal(Number(ltAfter));
    await time.increase(HOUR);
    expect(await ltNow(f)).to.equal(P.ltMax - P.rampBpsPerHour);

    // The same path without the flag: the LT keeps tightening into the crash (no breaker hold either).
    const g = await setup(LT_HOLD.FOLLOWS_FAST, { ltSlope: 400 });
    await chop(g, 5, 1.5);
    await step(g, HOUR, 1600);
    expect(await breakerOn(g)).to.equal(true);
    expect(await ltNow(g)).to.be.lessThan(lowered);
  });

  it("a hold never blocks a rise, and a calm market under a hold changes nothing", async () => {
    const f = await setup(LT_HOLD.ON_BREAKER | LT_HOLD.WHEN_EASING);
    // Quiet: a small move, then flat — the short estimate drops under the long one, both under the reference.
    await step(f, HOUR, 2002);
    await expect(step(f, HOUR, 2002)).to.not.emit(f.engine, "RiskUpdated");
    const v = await vols(f);
    expect(v.fast).to.be.lessThan(v.slow);
    expect(await ltNow(f)).to.equal(P.ltMax);
    // Lower the LT by a spike (short above long: no hold), let it ramp, then seed a calm volatility: the LT target
    // returns to the calm one at once although the breaker-and-easing flags are set.
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("1.2"));
    await step(f, HOUR, 2039.5); // +1.85 %: a 160 % sample lifts the short estimate above the long one
    const up = await vols(f);
    expect(up.fast).to.be.greaterThan(up.slow);
    await time.increase(2 * HOUR);
    expect(await ltNow(f)).to.be.lessThan(P.ltMax);
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("0.5"));
    await step(f, HOUR, 2039.5); // flat: the short estimate decays under the long one (easing), both calm
    const down = await vols(f);
    expect(down.fast).to.be.lessThan(down.slow);
    expect(await ltNow(f)).to.equal(P.ltMax);
    expect(await ltvNow(f)).to.equal(P.ltvMax);
  });

  it("deployRiskStack's defaults: a 2-hour short estimate, updates every 10 minutes, all four LT flags", async () => {
    const base = await loadFixture(deployPoolFixture);
    const stack = await deployRiskStack(base.pool, base.admin, [base.usdc, base.weth, base.wbtc]);
    for (const a of [base.usdc, base.weth, base.wbtc]) {
      expect((await stack.oracle.fastEstimate(a.address)).halfLife).to.equal(
        BigInt(DEFAULT_ORACLE_PARAMS[a.symbol].fastHalfLife!),
      );
      expect((await stack.oracle.config(a.address)).minInterval).to.equal(600n);
      expect((await stack.engine.profile(a.address)).ltHold).to.equal(15n);
    }
    expect(DEFAULT_ORACLE_PARAMS.WETH.fastHalfLife).to.equal(2 * HOUR);
  });

  it("setProfile bounds ltHold to the four flags", async () => {
    const f = await loadFixture(deployRiskFixture);
    await expect(
      f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ltHold: 16 })),
    ).to.be.revertedWithCustomError(f.engine, "InvalidProfile");
    await expect(f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ltHold: 15 }))).to.emit(
      f.engine,
      "ProfileSet",
    );
    expect((await f.engine.profile(f.weth.address)).ltHold).to.equal(15n);
  });
});
