// RiskEngine governance: profiles through an OpenZeppelin TimelockController (only after the delay), hard bounds,
// static mode (the pool's parameters are left alone; the engine's breaker is lifted), and re-sync when dynamic mode
// returns.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DEFAULT_PROFILES, toOnchainProfile, targetsFor } from "../../config/profiles";
import { RISK_ROLES, deployRiskStack } from "../../lib/risk";
import { deployPoolFixture } from "../helpers/fixtures";
import { deployAndListTestAsset, DEMO_ASSETS } from "../../lib/protocol";
import type { FulcraTimelock } from "../../typechain-types";
import { deployRiskFixture, step, ltNow, ltvNow, HOUR } from "./fixture";

const P = DEFAULT_PROFILES.WETH;
const P_USDC = DEFAULT_PROFILES.USDC;
const DELAY = 2 * 86_400;

describe("RiskEngine governance", () => {
  async function timelockFixture() {
    const f = await deployRiskFixture();
    const [, proposer] = await ethers.getSigners();
    const timelock = (await (
      await ethers.getContractFactory("FulcraTimelock")
    ).deploy(
      DELAY,
      [proposer.address],
      [ethers.ZeroAddress], // anyone may execute once ready
      ethers.ZeroAddress,
    )) as unknown as FulcraTimelock;
    const tl = await timelock.getAddress();
    await f.engine.grantRole(RISK_ROLES.RISK_ADMIN, tl);
    await f.engine.renounceRole(RISK_ROLES.RISK_ADMIN, f.admin.address);
    return { ...f, timelock, tl, proposer };
  }

  it("setProfile through the timelock works only after the delay", async () => {
    const f = await loadFixture(timelockFixture);
    const tighter = toOnchainProfile({ ...P, ltvMax: 7500, ltMax: 8000 });
    // Direct calls no longer work, not even from the deployer.
    await expect(f.engine.setProfile(f.weth.address, tighter))
      .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
      .withArgs(f.admin.address, RISK_ROLES.RISK_ADMIN);
    const data = f.engine.interface.encodeFunctionData("setProfile", [f.weth.address, tighter]);
    const engine = await f.engine.getAddress();
    const salt = ethers.id("tighten WETH");
    await f.timelock.connect(f.proposer).schedule(engine, 0, data, ethers.ZeroHash, salt, DELAY);
    const id = await f.timelock.hashOperation(engine, 0, data, ethers.ZeroHash, salt);
    await expect(f.timelock.execute(engine, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
      f.timelock,
      "TimelockUnexpectedOperationState",
    );
    await time.increase(DELAY - 10);
    await expect(f.timelock.execute(engine, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
      f.timelock,
      "TimelockUnexpectedOperationState",
    );
    expect((await f.engine.profile(f.weth.address)).ltvMax).to.equal(P.ltvMax);
    await time.increase(10);
    await expect(f.timelock.execute(engine, 0, data, ethers.ZeroHash, salt))
      .to.emit(f.engine, "ProfileSet")
      .and.to.emit(f.timelock, "CallExecuted")
      .withArgs(id, 0, engine, 0, data);
    const p = await f.engine.profile(f.weth.address);
    expect([p.ltvMax, p.ltMax]).to.deep.equal([7500n, 8000n]);
    // The next update applies it: LTV at once, LT toward 8,000 over the ramp.
    await step(f, HOUR, 2000);
    expect(await ltvNow(f)).to.equal(7500);
    expect((await f.pool.assetRisk(f.weth.address)).ltTarget).to.equal(8000n);
  });

  it("setProfile enforces the hard bounds", async () => {
    const f = await loadFixture(deployRiskFixture);
    const bad: Partial<typeof P>[] = [
      { ltMax: 9701, ltvMax: 9000 },
      { ltvMax: 8200 }, // LTV within 1 % of LT
      { ltvMin: 6450 }, // floor gap
      { ltMin: 8300 }, // floor above max
      { ltSlope: 2001 },
      { rampBpsPerHour: 0 },
      { rampBpsPerHour: 201 },
      { refVol: 0.04 },
      { refVol: 3.1, breakerVol: 4 },
      { breakerVol: 0.6 }, // not above refVol
      { breakerVol: 10.1 },
      { breakerMove: 0.01 },
      { breakerMove: 1.1 },
      { cooldown: 7 * 86_400 + 1 },
      { ltHold: 16 },
    ];
    for (const b of bad) {
      await expect(
        f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ...b })),
        JSON.stringify(b),
      ).to.be.revertedWithCustomError(f.engine, "InvalidProfile");
    }
    // LT·(1 + maxBonus) must stay below 1: WETH's max bonus is 8 %, so the calm LT is capped at 92.59 %.
    await expect(f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ltvMax: 9000, ltMax: 9300 })))
      .to.be.revertedWithCustomError(f.engine, "LtAboveLiquidationBound")
      .withArgs(9300n, 9259n);
    expect(await f.pool.maxLtFor(f.weth.address)).to.equal(9259n); // the engine's bound is the pool's view
    // The asset must be listed in the pool, and a dynamic profile needs it in the oracle.
    const stranger = (await ethers.getSigners())[9].address;
    await expect(f.engine.setProfile(stranger, toOnchainProfile(P))).to.be.revertedWithCustomError(
      f.engine,
      "AssetNotListed",
    );
    const fresh = await deployAndListTestAsset(f.pool, f.admin, { ...DEMO_ASSETS[1], symbol: "NEW" });
    await expect(f.engine.setProfile(fresh.address, toOnchainProfile(P)))
      .to.be.revertedWithCustomError(f.oracle, "UnknownAsset")
      .withArgs(fresh.address);
    await expect(f.engine.setProfile(fresh.address, toOnchainProfile(P, false))).to.emit(f.engine, "ProfileSet");
    await expect(f.engine.setMode(fresh.address, true)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset");
    await expect(f.engine.setProfile(ethers.ZeroAddress, toOnchainProfile(P))).to.be.revertedWithCustomError(
      f.engine,
      "ZeroAddress",
    );
    await expect(f.engine.setMode(stranger, true)).to.be.revertedWithCustomError(f.engine, "NoProfile");
  });

  describe("static mode", () => {
    it("leaves the pool's parameters alone whatever the volatility, and still refreshes the oracle", async () => {
      const f = await loadFixture(deployRiskFixture);
      await expect(f.engine.setMode(f.weth.address, false))
        .to.emit(f.engine, "ModeSet")
        .withArgs(f.weth.address, false);
      await f.pool.setCollateralParams(f.weth.address, 7000, 7500); // governance's fixed parameters
      const cfg = await f.pool.assetConfig(f.weth.address);
      const risk = await f.pool.assetRisk(f.weth.address);
      await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("5"));
      const obs = await f.oracle.observation(f.weth.address);
      for (const price of [1500, 1000, 1800]) {
        const tx = await step(f, HOUR, price);
        await expect(tx).to.not.emit(f.pool, "RiskParamsApplied");
        await expect(tx).to.not.emit(f.pool, "CircuitBreakerSet");
        await expect(tx).to.not.emit(f.engine, "RiskUpdated");
      }
      expect(await f.engine.update.staticCall(f.weth.address)).to.equal(false);
      expect(await f.pool.assetConfig(f.weth.address)).to.deep.equal(cfg);
      expect(await f.pool.assetRisk(f.weth.address)).to.deep.equal(risk);
      expect((await f.oracle.observation(f.weth.address)).updatedAt).to.be.greaterThan(obs.updatedAt);
      expect((await f.engine.status(f.weth.address)).regime).to.equal(0n); // Static

      // Back to dynamic: the next update brings the pool back to the profile (compared with the pool, not a cache).
      await f.engine.setMode(f.weth.address, true);
      const vol = await f.oracle.volatility(f.weth.address);
      const [tLtv, tLt] = await f.engine.targetsFor(f.weth.address, vol);
      await expect(step(f, HOUR, 1800)).to.emit(f.pool, "RiskParamsApplied");
      expect(await ltvNow(f)).to.equal(Number(tLtv));
      expect((await f.pool.assetRisk(f.weth.address)).ltTarget).to.equal(tLt);
      expect(await ltNow(f)).to.equal(7500); // ramps down from governance's 7,500
    });

    it("switching to static (setMode or a static profile) lifts the engine's breaker", async () => {
      const f = await loadFixture(deployRiskFixture);
      await expect(step(f, HOUR, 1500))
        .to.emit(f.pool, "CircuitBreakerSet")
        .withArgs(f.weth.address, true);
      await expect(f.engine.setMode(f.weth.address, false))
        .to.emit(f.pool, "CircuitBreakerSet")
        .withArgs(f.weth.address, false);
      expect((await f.engine.state(f.weth.address)).breaker).to.equal(false);

      await f.engine.setMode(f.weth.address, true);
      await expect(step(f, HOUR, 1100))
        .to.emit(f.pool, "CircuitBreakerSet")
        .withArgs(f.weth.address, true);
      await expect(f.engine.setProfile(f.weth.address, toOnchainProfile(P, false)))
        .to.emit(f.pool, "CircuitBreakerSet")
        .withArgs(f.weth.address, false);
      const cfg = await f.pool.assetConfig(f.weth.address);
      expect(cfg.flags & 16n).to.equal(0n);
    });
  });

  it("the chart's TypeScript curves (config/profiles.ts) equal the contract's targets for the deployed profiles", async () => {
    const f = await loadFixture(deployRiskFixture);
    for (const a of [f.usdc, f.weth, f.wbtc]) {
      const p = DEFAULT_PROFILES[a.symbol];
      await f.engine.setProfile(a.address, toOnchainProfile(p)); // the fixture runs a plainer profile
      const onchain = await f.engine.profile(a.address);
      expect(onchain.ltvMax).to.equal(p.ltvMax);
      expect(onchain.refVol).to.equal(ethers.parseEther(String(p.refVol)));
      const vols = Array.from({ length: 101 }, (_, i) => i * 0.025).concat([
        p.refVol,
        p.breakerVol,
        0.123456,
        0.7,
        0.8,
        0.9,
        1.3,
      ]);
      const got = await Promise.all(vols.map((v) => f.engine.targetsFor(a.address, ethers.parseEther(v.toFixed(6)))));
      vols.forEach((v, i) => {
        const t = targetsFor(p, v);
        expect([Number(got[i][0]), Number(got[i][1])], `${a.symbol} at ${v}`).to.deep.equal([t.ltv, t.lt]);
      });
    }
  });

  it("an asset governance retires as collateral keeps its breaker, is not re-raised, and never blocks a batch", async () => {
    const f = await loadFixture(deployRiskFixture);
    await f.pool.setCollateralParams(f.weth.address, 0, 0);
    await time.increase(HOUR);
    await f.usdc.feed.setAnswer(100_000_000n);
    await f.wbtc.feed.setAnswer(60_000n * 100_000_000n);
    await f.weth.feed.setAnswer(1500n * 100_000_000n);
    const tx = f.engine.updateMany([f.usdc.address, f.weth.address, f.wbtc.address]);
    await expect(tx).to.emit(f.pool, "CircuitBreakerSet").withArgs(f.weth.address, true);
    await expect(tx).to.not.emit(f.pool, "RiskParamsApplied");
    // Governance's retirement stands: LTV 0 at once, LT ramping to 0 at the pool's maximum pace.
    expect((await f.pool.assetConfig(f.weth.address)).ltv).to.equal(0n);
    expect((await f.pool.assetRisk(f.weth.address)).ltTarget).to.equal(0n);
    expect(await f.pool.effectiveLt(f.weth.address)).to.be.lessThan(8250n);
  });

  it("a raise the pool's bonus rule no longer allows is capped at the bound: a larger max bonus set later never blocks a batch", async () => {
    const f = await loadFixture(deployRiskFixture);
    const usdc = f.usdc.address;
    const lt = async () => Number(await f.pool.effectiveLt(usdc));
    // USDC's calm LT is 85 %; volatility lowers it (20 %, then 25 %: the second target re-anchors the ramp below 83.33 %).
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.2"));
    await f.engine.update(usdc);
    await time.increase(4 * HOUR);
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.25"));
    await f.engine.update(usdc);
    const lowered = await lt();
    expect(lowered).to.be.lessThan(8333);
    // Governance raises USDC's maximum bonus to 20 %: allowed now (LT·1.2 < 1), but the calm 85 % no longer is.
    await f.pool.setLiquidationParams(usdc, 100, 2_000, 0);
    await expect(f.engine.setProfile(usdc, toOnchainProfile(P_USDC)))
      .to.be.revertedWithCustomError(f.engine, "LtAboveLiquidationBound")
      .withArgs(8500n, 8333n);
    // Calm again: the engine wants the calm 85 % back. It sends the bound instead (LT·1.2 < 1), and the batch with
    // the other assets goes through.
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.01"));
    await expect(f.engine.updateMany([usdc, f.weth.address, f.wbtc.address])).to.emit(f.engine, "RiskUpdated");
    const bound = Math.floor((10_000 * 10_000 - 1) / 12_000);
    expect(bound).to.equal(8333);
    expect(await f.pool.maxLtFor(usdc)).to.equal(BigInt(bound));
    expect(Number((await f.pool.assetRisk(usdc)).ltTarget)).to.equal(bound);
    expect(await lt()).to.equal(bound); // a raise applies at once
    expect(Number((await f.pool.assetConfig(usdc)).ltv)).to.equal(P_USDC.ltvMax); // 80 %: still 1 % under the LT
  });

  it("deployRiskStack: governor handover, and static mode for the simulation's baseline", async () => {
    const base = await loadFixture(deployPoolFixture);
    const [, , , , , , , , , gov] = await ethers.getSigners();
    // Static stack: profiles set, the pool's listing parameters left alone.
    await base.pool.setCollateralParams(base.weth.address, 7000, 7600);
    const { engine, oracle } = await deployRiskStack(base.pool, base.admin, [base.usdc, base.weth, base.wbtc], {
      staticMode: true,
      governor: gov.address,
    });
    expect((await base.pool.assetConfig(base.weth.address)).ltv).to.equal(7000n);
    expect((await base.pool.assetRisk(base.weth.address)).ltTarget).to.equal(7600n);
    expect((await engine.status(base.weth.address)).regime).to.equal(0n);
    expect((await oracle.observation(base.weth.address)).feedTime).to.be.greaterThan(0n); // oracle still refreshed
    expect(await base.pool.hasRole(RISK_ROLES.RISK_ENGINE, await engine.getAddress())).to.equal(true);
    for (const [c, role] of [
      [engine, RISK_ROLES.RISK_ADMIN],
      [oracle, RISK_ROLES.ORACLE_ADMIN],
    ] as const) {
      expect(await c.hasRole(role, gov.address)).to.equal(true);
      expect(await c.hasRole(RISK_ROLES.DEFAULT_ADMIN, gov.address)).to.equal(true);
      expect(await c.hasRole(role, base.admin.address)).to.equal(false);
      expect(await c.hasRole(RISK_ROLES.DEFAULT_ADMIN, base.admin.address)).to.equal(false);
    }
    await expect(engine.connect(gov).setMode(base.weth.address, true)).to.emit(engine, "ModeSet");
  });

  it("updateMany counts the assets whose parameters changed", async () => {
    const f = await loadFixture(deployRiskFixture);
    await f.oracle.seedVolatility(f.weth.address, ethers.parseEther("1"));
    await f.oracle.seedVolatility(f.wbtc.address, ethers.parseEther("1"));
    const assets = [f.usdc.address, f.weth.address, f.wbtc.address];
    expect(await f.engine.updateMany.staticCall(assets)).to.equal(2n);
    await f.engine.updateMany(assets);
    expect(await f.engine.updateMany.staticCall(assets)).to.equal(0n);
  });
});
