// VolatilityOracle: the estimator against a floating-point reference on price paths (calm, trending, spike, crash,
// irregular intervals), stale and unchanged feeds, bad answers, the shock memory, bounds, roles and events.
//
// Tolerance: the on-chain volatility must match the TypeScript reference within 1e-12 relative error after every
// step, and each log return within 1e-12 absolute. (Solady's lnWad/expWad are accurate to ~1e-18; what remains is
// the WAD rounding of each step, which the test measures and reports as the largest relative error.)
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { MockPriceFeed, VolatilityOracle } from "../../typechain-types";
import { RefEstimator, gbmPath, toAnswer, fromWad, type PathStep } from "./reference";

const HOUR = 3600;
const DAY = 86_400;
const E18 = 10n ** 18n;
const ASSET = ethers.getAddress("0x00000000000000000000000000000000000a55e7");
const HALF_LIFE = DAY;
const FAST_HALF_LIFE = 2 * HOUR;
const MIN_INTERVAL = 60;
const MAX_AGE = 2 * HOUR;
const SHOCK_WINDOW = HOUR;
const INITIAL_VOL = 0.6;
const REL_TOL = 1e-12;

async function oracleFixture() {
  const [admin, keeper, stranger] = await ethers.getSigners();
  const feed = (await (
    await ethers.getContractFactory("MockPriceFeed")
  ).deploy(8, "WETH / USD", toAnswer(2000))) as unknown as MockPriceFeed;
  const oracle = (await (
    await ethers.getContractFactory("VolatilityOracle")
  ).deploy(admin.address)) as unknown as VolatilityOracle;
  await oracle.grantRole(await oracle.ORACLE_ADMIN_ROLE(), admin.address);
  await oracle.listAsset(
    ASSET,
    await feed.getAddress(),
    HALF_LIFE,
    MIN_INTERVAL,
    MAX_AGE,
    SHOCK_WINDOW,
    ethers.parseEther(String(INITIAL_VOL)),
  );
  await oracle.setFastHalfLife(ASSET, FAST_HALF_LIFE);
  // The first update records the price baseline.
  await oracle.update(ASSET);
  const o = await oracle.observation(ASSET);
  return { admin, keeper, stranger, feed, oracle, t0: Number(o.updatedAt) };
}

type Fx = Awaited<ReturnType<typeof oracleFixture>>;

/** Pushes each step's price at its time and updates; checks every step, both estimates, against the reference. */
async function runPath(f: Fx, steps: PathStep[], onStep?: (i: number, slow: number, fast: number) => void) {
  const ref = new RefEstimator(HALF_LIFE, INITIAL_VOL);
  const fast = new RefEstimator(FAST_HALF_LIFE, INITIAL_VOL);
  let prevFeedTime = Number((await f.oracle.observation(ASSET)).feedTime);
  ref.push({ answer: toAnswer(2000), feedTime: prevFeedTime });
  fast.push({ answer: toAnswer(2000), feedTime: prevFeedTime });
  let t = f.t0;
  let maxRel = 0;
  let peak = 0;
  for (const [i, s] of steps.entries()) {
    t += s.dt;
    await time.setNextBlockTimestamp(t);
    await f.feed.setAnswer(toAnswer(s.price));
    await time.setNextBlockTimestamp(t + 1);
    const receipt = await (await f.oracle.connect(f.keeper).update(ASSET)).wait();
    const r = ref.push({ answer: toAnswer(s.price), feedTime: t });
    fast.push({ answer: toAnswer(s.price), feedTime: t });
    const ev = receipt!.logs.map((l) => f.oracle.interface.parseLog(l)).find((e) => e?.name === "VolatilityUpdated")!;
    expect(ev, "an accepted update emits VolatilityUpdated").to.not.equal(undefined);
    expect(ev.args.asset).to.equal(ethers.getAddress(ASSET));
    expect(ev.args.price).to.equal(toAnswer(s.price));
    expect(ev.args.dt).to.equal(t - prevFeedTime);
    prevFeedTime = t;
    expect(Math.abs(fromWad(ev.args.logReturn) - r)).to.be.lessThan(1e-12);
    const vol = fromWad(await f.oracle.volatility(ASSET));
    expect(ev.args.volatility).to.equal(await f.oracle.volatility(ASSET));
    const rel = Math.abs(vol - ref.vol) / ref.vol;
    maxRel = Math.max(maxRel, rel);
    peak = Math.max(peak, vol);
    expect(rel, `vol ${vol} vs reference ${ref.vol}`).to.be.lessThan(REL_TOL);
    const fastVol = fromWad(await f.oracle.fastVolatility(ASSET));
    expect(ev.args.fastVolatility).to.equal(await f.oracle.fastVolatility(ASSET));
    const relFast = Math.abs(fastVol - fast.vol) / fast.vol;
    maxRel = Math.max(maxRel, relFast);
    expect(relFast, `fast vol ${fastVol} vs reference ${fast.vol}`).to.be.lessThan(REL_TOL);
    onStep?.(i, vol, fastVol);
  }
  return { ref, fast, maxRel, t, peak };
}

describe("VolatilityOracle", () => {
  describe("estimator vs TypeScript reference (relative tolerance 1e-12)", () => {
    it("calm market: 72 hourly steps at 40 % converge toward 40 %", async () => {
      const f = await loadFixture(oracleFixture);
      const steps = gbmPath(
        1,
        2000,
        72,
        () => HOUR,
        () => 0.4,
      );
      const { ref, maxRel } = await runPath(f, steps);
      // Three half-lives: the seed (60 %) keeps 1/8 of its weight; the estimate sits near the true 40 %.
      expect(ref.vol).to.be.within(0.3, 0.55);
      console.log(`      calm: vol ${ref.vol.toFixed(4)}, max rel error ${maxRel.toExponential(2)}`);
    });

    it("trending market: +1 % every hour counts as variance (r² is not demeaned)", async () => {
      const f = await loadFixture(oracleFixture);
      const steps: PathStep[] = Array.from({ length: 48 }, (_, i) => ({
        dt: HOUR,
        price: 2000 * Math.pow(1.01, i + 1),
      }));
      const { ref } = await runPath(f, steps);
      // Stationary level: sqrt(ln(1.01)² · 8760) = 93.1 %; after two half-lives 3/4 of the way from 60 %.
      expect(ref.vol).to.be.within(0.85, 0.94);
    });

    it("volatility spike: 6 hours at 300 % lift the estimate, calm hours bring it back down", async () => {
      const f = await loadFixture(oracleFixture);
      const steps = gbmPath(
        7,
        2000,
        60,
        () => HOUR,
        (i) => (i >= 12 && i < 18 ? 3.0 : 0.4),
      );
      const { ref: done, maxRel, peak } = await runPath(f, steps);
      expect(peak).to.be.greaterThan(1.2);
      expect(done.vol).to.be.lessThan(peak * 0.75);
      console.log(
        `      spike: peak ${peak.toFixed(4)}, final vol ${done.vol.toFixed(4)}, max rel error ${maxRel.toExponential(2)}`,
      );
    });

    it("crash: -30 % over three hours, then flat; records the largest single move", async () => {
      const f = await loadFixture(oracleFixture);
      const steps: PathStep[] = [
        { dt: HOUR, price: 2000 },
        { dt: HOUR, price: 1800 },
        { dt: HOUR, price: 1500 },
        { dt: HOUR, price: 1400 },
        ...Array.from({ length: 6 }, () => ({ dt: HOUR, price: 1400 })),
      ];
      const { ref } = await runPath(f, steps);
      expect(ref.vol).to.be.greaterThan(2.5);
      // The largest move was ln(1800/1500), but the shock window (1 h) has long passed: the last flat update
      // (|r| = 0) replaced it.
      const [move] = await f.oracle.lastMove(ASSET);
      expect(move).to.equal(0n);
    });

    it("irregular intervals (5 minutes to 6 hours) are normalised by dt", async () => {
      const f = await loadFixture(oracleFixture);
      const g = (i: number) => [300, 7 * HOUR - 1, 900, 1800, 6 * HOUR, 420, HOUR, 2 * HOUR + 17][i % 8];
      const steps = gbmPath(3, 2000, 40, g, () => 0.8);
      const { ref, maxRel } = await runPath(f, steps);
      expect(ref.vol).to.be.within(0.4, 1.3);
      console.log(`      irregular: vol ${ref.vol.toFixed(4)}, max rel error ${maxRel.toExponential(2)}`);
    });

    it("the short estimate reacts within hours to a regime change and forgets it as fast", async () => {
      // 24 calm hours at 40 %, then 6 hours at 150 %, then 12 calm hours again, sampled every 15 minutes.
      const f = await loadFixture(oracleFixture);
      const sigma = (i: number) => (i >= 96 && i < 120 ? 1.5 : 0.4);
      const steps = gbmPath(11, 2000, 168, () => 900, sigma);
      let atPeak = { slow: 0, fast: 0 };
      const after = await runPath(f, steps, (i, slow, fast) => {
        if (i === 119) atPeak = { slow, fast };
      });
      // After 6 hours of the new regime the short estimate (2-hour half-life) is most of the way there; the long one
      // (1 day) has moved only a fraction of it.
      expect(atPeak.fast).to.be.greaterThan(1.0);
      expect(atPeak.slow).to.be.lessThan(0.95);
      expect(atPeak.fast).to.be.greaterThan(atPeak.slow + 0.4);
      // 12 calm hours later the short estimate is back under the long one (the storm is passing).
      expect(after.fast.vol).to.be.lessThan(after.ref.vol);
      expect(after.fast.vol).to.be.lessThan(0.6);
      console.log(
        `      regime change: after 6 h at 150 % fast ${atPeak.fast.toFixed(3)} / slow ${atPeak.slow.toFixed(3)}; ` +
          `12 calm hours later fast ${after.fast.vol.toFixed(3)} / slow ${after.ref.vol.toFixed(3)}`,
      );
    });

    it("the same move weighs about the same whether sampled every 5 minutes or once an hour", async () => {
      // One hour, price +5 %: once as a single update, once as 12 updates of equal log steps. The squared-return
      // contribution is ln2·r²/halfLife in both cases up to O(dt/halfLife): the hourly sampling gives r² once, the
      // fine sampling 12·(r/12)² = r²/12 — a smooth trend is *not* variance at finer sampling, as it should be.
      const f = await loadFixture(oracleFixture);
      const coarse = await runPath(f, [{ dt: HOUR, price: 2100 }]);
      const f2 = await loadFixture(oracleFixture);
      const fine = await runPath(
        f2,
        Array.from({ length: 12 }, (_, i) => ({ dt: 300, price: 2000 * Math.pow(1.05, (i + 1) / 12) })),
      );
      expect(coarse.ref.vol).to.be.greaterThan(fine.ref.vol);
      // And a jump (all 5 % in one 5-minute slot, then flat) counts like the coarse hourly move.
      const f3 = await loadFixture(oracleFixture);
      const jump = await runPath(
        f3,
        Array.from({ length: 12 }, () => ({ dt: 300, price: 2100 })),
      );
      expect(Math.abs(jump.ref.vol - coarse.ref.vol) / coarse.ref.vol).to.be.lessThan(0.01);
    });
  });

  describe("feed hygiene", () => {
    it("ignores an unchanged round: returns false, no event, state untouched", async () => {
      const f = await loadFixture(oracleFixture);
      await time.increase(HOUR);
      const before = await f.oracle.observation(ASSET);
      expect(await f.oracle.update.staticCall(ASSET)).to.equal(false);
      await expect(f.oracle.update(ASSET)).to.not.emit(f.oracle, "VolatilityUpdated");
      expect(await f.oracle.observation(ASSET)).to.deep.equal(before);
      expect(await f.oracle.canUpdate(ASSET)).to.equal(false);
    });

    it("ignores a new round id that carries the same updatedAt", async () => {
      const f = await loadFixture(oracleFixture);
      const feedTime = (await f.oracle.observation(ASSET)).feedTime;
      await time.increase(HOUR);
      await f.feed.setAnswerAt(toAnswer(2500), feedTime); // new roundId, same timestamp
      const est = await f.oracle.estimate(ASSET);
      await expect(f.oracle.update(ASSET)).to.not.emit(f.oracle, "VolatilityUpdated");
      expect(await f.oracle.estimate(ASSET)).to.deep.equal(est);
    });

    it("at most once per minimum interval: an early call returns false and changes nothing", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracle.setConfig(ASSET, HALF_LIFE, HOUR, MAX_AGE, SHOCK_WINDOW);
      await time.increase(HOUR);
      await f.feed.setAnswer(toAnswer(2100));
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "VolatilityUpdated");
      const obs = await f.oracle.observation(ASSET);
      await time.increase(HOUR / 2);
      await f.feed.setAnswer(toAnswer(1500));
      expect(await f.oracle.canUpdate(ASSET)).to.equal(false);
      await expect(f.oracle.connect(f.stranger).update(ASSET)).to.not.emit(f.oracle, "VolatilityUpdated");
      expect(await f.oracle.observation(ASSET)).to.deep.equal(obs);
      await time.increaseTo(Number(obs.updatedAt) + HOUR);
      expect(await f.oracle.canUpdate(ASSET)).to.equal(true);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "VolatilityUpdated");
    });

    it("rejects a stale answer without touching state, then spans the gap when the feed recovers", async () => {
      const f = await loadFixture(oracleFixture);
      const obs0 = await f.oracle.observation(ASSET);
      const est0 = await f.oracle.estimate(ASSET);
      // A round posted, then the feed goes silent past maxAge.
      const tRound = f.t0 + HOUR;
      await time.setNextBlockTimestamp(tRound);
      await f.feed.setAnswer(toAnswer(2050));
      await time.increaseTo(tRound + MAX_AGE + 1);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 3n);
      expect(await f.oracle.observation(ASSET)).to.deep.equal(obs0);
      expect(await f.oracle.estimate(ASSET)).to.deep.equal(est0);
      // Recovery: the return spans from the last used round to the new one.
      const tNew = tRound + MAX_AGE + 600;
      await time.setNextBlockTimestamp(tNew);
      await f.feed.setAnswer(toAnswer(1900));
      const ref = new RefEstimator(HALF_LIFE, INITIAL_VOL);
      ref.push({ answer: toAnswer(2000), feedTime: Number(obs0.feedTime) });
      ref.push({ answer: toAnswer(1900), feedTime: tNew });
      await expect(f.oracle.update(ASSET))
        .to.emit(f.oracle, "VolatilityUpdated")
        .withArgs(
          ethers.getAddress(ASSET),
          toAnswer(1900),
          anyValue,
          BigInt(tNew - Number(obs0.feedTime)),
          anyValue,
          anyValue,
        );
      expect(Math.abs(fromWad(await f.oracle.volatility(ASSET)) - ref.vol) / ref.vol).to.be.lessThan(REL_TOL);
    });

    it("rejects non-positive, incomplete, future-dated and reverting feeds (FeedRejected with the reason)", async () => {
      const f = await loadFixture(oracleFixture);
      const obs0 = await f.oracle.observation(ASSET);
      const est0 = await f.oracle.estimate(ASSET);
      const now = async () => (await time.latest()) + 1;
      await time.increase(HOUR);
      await f.feed.setRawRound(50, 0, await now(), await now(), 50);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 1n);
      await f.feed.setRawRound(51, -5, await now(), await now(), 51);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 1n);
      await f.feed.setRawRound(52, toAnswer(2100), await now(), await now(), 51);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 2n);
      await f.feed.setRawRound(53, toAnswer(2100), 0, (await now()) + 1000, 53);
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 4n);
      expect(await f.oracle.observation(ASSET)).to.deep.equal(obs0);
      expect(await f.oracle.estimate(ASSET)).to.deep.equal(est0);
      // A feed that reverts (here: a contract without latestRoundData) is reported, not propagated.
      const notAFeed = await (await ethers.getContractFactory("MockERC20")).deploy("X", "X", 18);
      await f.oracle.setFeed(ASSET, await notAFeed.getAddress());
      await expect(f.oracle.update(ASSET)).to.emit(f.oracle, "FeedRejected").withArgs(ethers.getAddress(ASSET), 0n);
      expect((await f.oracle.observation(ASSET)).vol).to.equal(obs0.vol);
    });

    it("setFeed restarts the price baseline: no return across two feeds", async () => {
      const f = await loadFixture(oracleFixture);
      const other = await (await ethers.getContractFactory("MockPriceFeed")).deploy(8, "WETH / USD 2", toAnswer(4000));
      await expect(f.oracle.setFeed(ASSET, await other.getAddress()))
        .to.emit(f.oracle, "FeedSet")
        .withArgs(ethers.getAddress(ASSET), await f.feed.getAddress(), await other.getAddress());
      await time.increase(HOUR);
      await other.setAnswer(toAnswer(4000));
      const vol = await f.oracle.volatility(ASSET);
      const fastVol = await f.oracle.fastVolatility(ASSET);
      await expect(f.oracle.update(ASSET))
        .to.emit(f.oracle, "VolatilityUpdated")
        .withArgs(ethers.getAddress(ASSET), toAnswer(4000), 0n, 0n, vol, fastVol);
    });
  });

  describe("shock memory (lastMove)", () => {
    it("a smaller later move cannot replace the peak within the shock window", async () => {
      const f = await loadFixture(oracleFixture);
      let t = f.t0 + 600;
      await time.setNextBlockTimestamp(t);
      await f.feed.setAnswer(toAnswer(1600)); // -22.3 %
      await f.oracle.update(ASSET);
      const peakAt = t + 1;
      const [peak, at] = await f.oracle.lastMove(ASSET);
      expect(Math.abs(fromWad(peak) - Math.log(2000 / 1600))).to.be.lessThan(1e-12);
      expect(at).to.equal(BigInt(peakAt));
      // An attacker updates again and again on small moves: the peak stays until the window has passed.
      for (const p of [1610, 1605, 1612]) {
        t += 600;
        await time.setNextBlockTimestamp(t);
        await f.feed.setAnswer(toAnswer(p));
        await f.oracle.update(ASSET);
        expect((await f.oracle.lastMove(ASSET))[1]).to.equal(BigInt(peakAt));
      }
      t = peakAt + SHOCK_WINDOW;
      await time.setNextBlockTimestamp(t);
      await f.feed.setAnswer(toAnswer(1611));
      await f.oracle.update(ASSET);
      const [m2, at2] = await f.oracle.lastMove(ASSET);
      expect(at2).to.equal(BigInt(t + 1));
      expect(Math.abs(fromWad(m2) - Math.log(1612 / 1611))).to.be.lessThan(1e-12);
    });
  });

  describe("governance", () => {
    it("listAsset seeds the volatility and emits the listing, config and seed events", async () => {
      const f = await loadFixture(oracleFixture);
      const asset = ethers.getAddress("0x00000000000000000000000000000000000b0b0b");
      const feed = await f.feed.getAddress();
      await expect(f.oracle.listAsset(asset, feed, DAY, HOUR, HOUR, HOUR, ethers.parseEther("0.5")))
        .to.emit(f.oracle, "AssetListed")
        .withArgs(ethers.getAddress(asset), feed, ethers.parseEther("0.5"))
        .and.to.emit(f.oracle, "ConfigSet")
        .withArgs(ethers.getAddress(asset), DAY, HOUR, HOUR, HOUR)
        .and.to.emit(f.oracle, "VolatilitySeeded")
        .withArgs(ethers.getAddress(asset), 0n, ethers.parseEther("0.5"))
        .and.to.emit(f.oracle, "FastHalfLifeSet")
        .withArgs(ethers.getAddress(asset), 0n, DAY);
      expect(await f.oracle.volatility(asset)).to.equal(ethers.parseEther("0.5"));
      expect((await f.oracle.estimate(asset)).variance).to.equal(ethers.parseEther("0.25"));
      // The short estimate starts equal to the long one, with the same half-life.
      expect(await f.oracle.fastVolatility(asset)).to.equal(ethers.parseEther("0.5"));
      expect(await f.oracle.fastEstimate(asset)).to.deep.equal([
        BigInt(DAY),
        ethers.parseEther("0.5"),
        ethers.parseEther("0.25"),
      ]);
      await expect(f.oracle.listAsset(asset, feed, DAY, HOUR, HOUR, HOUR, E18)).to.be.revertedWithCustomError(
        f.oracle,
        "AssetAlreadyListed",
      );
    });

    it("bounds every parameter", async () => {
      const f = await loadFixture(oracleFixture);
      const feed = await f.feed.getAddress();
      const a = ethers.getAddress("0x00000000000000000000000000000000000c0c0c");
      const ok = [DAY, HOUR, HOUR, HOUR, E18] as const;
      const bad: [number, number, number, number, bigint][] = [
        [HOUR - 1, HOUR, HOUR, HOUR, E18],
        [90 * DAY + 1, HOUR, HOUR, HOUR, E18],
        [DAY, 59, HOUR, HOUR, E18],
        [DAY, DAY + 1, HOUR, HOUR, E18],
        [DAY, HOUR, 59, HOUR, E18],
        [DAY, HOUR, 7 * DAY + 1, HOUR, E18],
        [DAY, HOUR, HOUR, 7 * DAY + 1, E18],
      ];
      for (const b of bad) {
        await expect(f.oracle.listAsset(a, feed, ...b)).to.be.revertedWithCustomError(f.oracle, "InvalidConfig");
      }
      await expect(f.oracle.listAsset(a, feed, DAY, HOUR, HOUR, HOUR, 0n)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidVolatility",
      );
      await expect(f.oracle.listAsset(a, feed, DAY, HOUR, HOUR, HOUR, 10n * E18 + 1n)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidVolatility",
      );
      await expect(f.oracle.listAsset(a, f.stranger.address, ...ok)).to.be.revertedWithCustomError(
        f.oracle,
        "NotAContract",
      );
      await expect(f.oracle.listAsset(a, ethers.ZeroAddress, ...ok)).to.be.revertedWithCustomError(
        f.oracle,
        "ZeroAddress",
      );
      await expect(f.oracle.setConfig(ASSET, HOUR - 1, HOUR, HOUR, HOUR)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidConfig",
      );
      await expect(f.oracle.setConfig(a, DAY, HOUR, HOUR, HOUR)).to.be.revertedWithCustomError(
        f.oracle,
        "UnknownAsset",
      );
      // The short estimate's half-life: 15 minutes to 90 days, listed assets only.
      await expect(f.oracle.setFastHalfLife(ASSET, 15 * 60 - 1)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidConfig",
      );
      await expect(f.oracle.setFastHalfLife(ASSET, 90 * DAY + 1)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidConfig",
      );
      await expect(f.oracle.setFastHalfLife(a, HOUR)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset");
      await expect(f.oracle.setFastHalfLife(ASSET, 15 * 60))
        .to.emit(f.oracle, "FastHalfLifeSet")
        .withArgs(ethers.getAddress(ASSET), FAST_HALF_LIFE, 15 * 60);
      expect((await f.oracle.fastEstimate(ASSET)).halfLife).to.equal(15n * 60n);
    });

    it("only ORACLE_ADMIN configures; anyone may update; unknown assets revert", async () => {
      const f = await loadFixture(oracleFixture);
      const role = await f.oracle.ORACLE_ADMIN_ROLE();
      const s = f.oracle.connect(f.stranger);
      await expect(s.listAsset(f.stranger.address, await f.feed.getAddress(), DAY, HOUR, HOUR, HOUR, E18))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, role);
      await expect(s.setConfig(ASSET, DAY, HOUR, HOUR, HOUR)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(s.setFeed(ASSET, await f.feed.getAddress())).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(s.seedVolatility(ASSET, E18)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(s.setFastHalfLife(ASSET, HOUR))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, role);
      // Move the two estimates apart, then seed: both restart from the seeded volatility.
      await time.increase(HOUR);
      await f.feed.setAnswer(toAnswer(2300));
      await f.oracle.update(ASSET);
      expect(await f.oracle.fastVolatility(ASSET)).to.not.equal(await f.oracle.volatility(ASSET));
      // Read the old volatility before sending: an argument awaited inside withArgs races the automined seed.
      const before = await f.oracle.volatility(ASSET);
      await expect(f.oracle.seedVolatility(ASSET, E18))
        .to.emit(f.oracle, "VolatilitySeeded")
        .withArgs(ethers.getAddress(ASSET), before, E18);
      expect(await f.oracle.volatility(ASSET)).to.equal(E18);
      expect(await f.oracle.fastVolatility(ASSET)).to.equal(E18);
      expect((await f.oracle.fastEstimate(ASSET)).variance).to.equal(E18);
      const unknown = f.stranger.address;
      await expect(f.oracle.update(unknown)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset").withArgs(unknown);
      await expect(f.oracle.volatility(unknown)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset");
      await expect(f.oracle.lastMove(unknown)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset");
      await expect(f.oracle.fastVolatility(unknown)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset");
      expect(await f.oracle.canUpdate(unknown)).to.equal(false);
    });

    it("updateMany counts accepted updates", async () => {
      const f = await loadFixture(oracleFixture);
      await time.increase(HOUR);
      expect(await f.oracle.updateMany.staticCall([ASSET, ASSET])).to.equal(0n);
      await f.feed.setAnswer(toAnswer(2010));
      expect(await f.oracle.updateMany.staticCall([ASSET, ASSET])).to.equal(1n);
    });
  });
});
