// Coverage (issue 15): RiskEngine paths the main suites leave out: the constructor's zero-address guard, three of
// setProfile's hard bounds, update() of an asset without a profile, the LTV pulled under a capped LT, and targets
// whose LTV is pushed down to keep the 1 % gap under a fast-falling LT.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRiskFixture, PLAIN, HOUR } from "../risk/fixture";
import { DEFAULT_PROFILES, toOnchainProfile, targetsFor } from "../../config/profiles";

const P = { ...DEFAULT_PROFILES.WETH, ...PLAIN, ltHold: 0 };
const P_USDC = { ...DEFAULT_PROFILES.USDC, ...PLAIN, ltHold: 0 };

describe("coverage: RiskEngine guards and target shaping", () => {
  it("the constructor rejects a zero pool, a zero oracle and a zero admin (ZeroAddress)", async () => {
    const f = await loadFixture(deployRiskFixture);
    const factory = await ethers.getContractFactory("RiskEngine");
    const [pool, oracle, admin] = [f.poolAddress, f.oracleAddress, f.admin.address];
    const zero = ethers.ZeroAddress;
    for (const args of [
      [zero, oracle, admin],
      [pool, zero, admin],
      [pool, oracle, zero],
    ] as const) {
      await expect(factory.deploy(...args), JSON.stringify(args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    const ok = await factory.deploy(pool, oracle, admin);
    expect(await ok.POOL()).to.equal(pool);
    expect(await ok.ORACLE()).to.equal(oracle);
    expect(await ok.hasRole(await ok.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
  });

  it("setProfile rejects an LTV floor above the LTV cap, a zero LT floor and an LTV slope over MAX_SLOPE", async () => {
    const f = await loadFixture(deployRiskFixture);
    const before = await f.engine.profile(f.weth.address);
    const maxSlope = Number(await f.engine.MAX_SLOPE());
    expect(maxSlope).to.equal(2000);
    const bad: Partial<typeof P>[] = [
      { ltvMin: 7000, ltvMax: 6900 }, // floor above the cap (every earlier bound holds)
      { ltMin: 0, ltvMin: 0 }, // no LT floor
      { ltvSlope: maxSlope + 1 },
    ];
    for (const b of bad) {
      await expect(
        f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ...b })),
        JSON.stringify(b),
      ).to.be.revertedWithCustomError(f.engine, "InvalidProfile");
    }
    expect(await f.engine.profile(f.weth.address)).to.deep.equal(before);
    // The same slope at the bound is accepted.
    await expect(f.engine.setProfile(f.weth.address, toOnchainProfile({ ...P, ltvSlope: maxSlope }))).to.emit(
      f.engine,
      "ProfileSet",
    );
    expect((await f.engine.profile(f.weth.address)).ltvSlope).to.equal(BigInt(maxSlope));
  });

  it("update of an asset without a profile returns false and does not ask the oracle (unknown there)", async () => {
    const f = await loadFixture(deployRiskFixture);
    const stranger = ethers.Wallet.createRandom().address;
    await expect(f.oracle.update(stranger)).to.be.revertedWithCustomError(f.oracle, "UnknownAsset").withArgs(stranger);
    expect(await f.engine.update.staticCall(stranger)).to.equal(false);
    const tx = f.engine.connect(f.attacker).update(stranger);
    await expect(tx).to.not.emit(f.engine, "RiskUpdated");
    await expect(tx).to.not.emit(f.oracle, "VolatilityUpdated");
    expect(await f.engine.state(stranger)).to.deep.equal([0n, 0n, false, 0n, 0n, 0n]);
  });

  it("targets keep the LTV 1 % under an LT that falls faster than it (LTV pulled down to LT − MIN_GAP)", async () => {
    const f = await loadFixture(deployRiskFixture);
    const steep = { ...P, ltvSlope: 100, ltSlope: 2000 };
    await f.engine.setProfile(f.weth.address, toOnchainProfile(steep));
    // One volatility step (10 %) above refVol: LTV would drop 100 bps to 7,900, LT 2,000 bps to its 6,500 floor.
    const vol = ethers.parseEther(String(steep.refVol + 0.1));
    const [ltv, lt] = await f.engine.targetsFor(f.weth.address, vol);
    expect([ltv, lt]).to.deep.equal([6400n, 6500n]);
    expect(targetsFor(steep, steep.refVol + 0.1)).to.deep.equal({ ltv: 6400, lt: 6500 }); // the reference agrees
    // At refVol the calm pair stands, 250 bps apart.
    expect(await f.engine.targetsFor(f.weth.address, ethers.parseEther(String(steep.refVol)))).to.deep.equal([
      8000n,
      8250n,
    ]);
  });

  it("a calm-market raise capped at the pool's bonus bound also pulls the LTV to 1 % under the capped LT", async () => {
    const f = await loadFixture(deployRiskFixture);
    const usdc = f.usdc.address;
    // A USDC profile whose calm LTV (83 %) sits within 1 % of the smallest bound the pool allows (max bonus 20 %).
    const profile = { ...P_USDC, ltvMax: 8300 };
    await f.engine.setProfile(usdc, toOnchainProfile(profile));
    // Volatility lowers the LT (and the LTV) well below 83.33 %, so that governance can raise the max bonus to 20 %.
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.3"));
    await f.engine.update(usdc);
    await time.increase(8 * HOUR);
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.35"));
    await f.engine.update(usdc);
    expect(await f.pool.effectiveLt(usdc)).to.be.lessThan(8333n);
    await f.pool.setLiquidationParams(usdc, 100, 2_000, 0);
    const bound = (10_000n * 10_000n - 1n) / 12_000n;
    expect(await f.pool.maxLtFor(usdc)).to.equal(bound);
    expect(bound).to.equal(8333n);
    // Calm again: the engine wants LT 85 % and LTV 83 %; it sends LT 83.33 % and LTV 82.33 %.
    await f.oracle.seedVolatility(usdc, ethers.parseEther("0.01"));
    const oldLtv = (await f.pool.assetConfig(usdc)).ltv;
    const oldLt = (await f.pool.assetRisk(usdc)).ltTarget;
    await expect(f.engine.update(usdc))
      .to.emit(f.engine, "RiskUpdated")
      .withArgs(usdc, ethers.parseEther("0.01"), oldLtv, bound - 100n, oldLt, bound, false, 1n);
    expect((await f.pool.assetConfig(usdc)).ltv).to.equal(bound - 100n);
    expect((await f.pool.assetRisk(usdc)).ltTarget).to.equal(bound);
  });
});
