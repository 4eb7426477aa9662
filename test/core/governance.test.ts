// Governance: roles on every guarded function, bounds on every setter, pause semantics, the timelock path, views.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { expectRevertNoChange, plainSpec } from "../helpers/core";
import { deployPool, listingParams, toFeedAnswer, ROLES, DEMO_ASSETS } from "../../lib/protocol";
import { IFulcraPoolExt__factory } from "../../typechain-types";

const RISK_ENGINE = ethers.id("RISK_ENGINE_ROLE");

async function newTokenAndFeed(decimals = 18) {
  const token = await (await ethers.getContractFactory("MockERC20")).deploy("New", "NEW", decimals);
  const feed = await (await ethers.getContractFactory("MockPriceFeed")).deploy(8, "NEW / USD", toFeedAnswer(1));
  return { token: await token.getAddress(), feed: await feed.getAddress() };
}

/** The pool fixture plus one account per role (and nothing else) and a non-collateral asset. */
async function rolesFixture() {
  const f = await deployPoolFixture();
  const [, , , , , riskAdmin, guardian, treasury, engine] = await ethers.getSigners();
  await f.pool.grantRole(ROLES.RISK_ADMIN, riskAdmin.address);
  await f.pool.grantRole(ROLES.GUARDIAN, guardian.address);
  await f.pool.grantRole(ROLES.TREASURY, treasury.address);
  await f.pool.grantRole(RISK_ENGINE, engine.address);
  const nc = await newTokenAndFeed();
  await f.pool.listAsset(nc.token, listingParams(plainSpec("NC", { ltvBps: 0, ltBps: 0 }), nc.feed));
  return { ...f, riskAdmin, guardian, treasury, engine, nc: nc.token };
}
type Fx = Awaited<ReturnType<typeof rolesFixture>>;

describe("core: roles", () => {
  const guarded: [string, string, (f: Fx) => [string, unknown[]]][] = [
    [
      "listAsset",
      ROLES.RISK_ADMIN,
      (f) => ["listAsset", [f.users[9].address, listingParams(DEMO_ASSETS[0], f.users[9].address)]],
    ],
    ["setOracle", ROLES.RISK_ADMIN, (f) => ["setOracle", [f.weth.address, f.users[9].address, 3600, 0, 10]]],
    ["setCollateralParams", ROLES.RISK_ADMIN, (f) => ["setCollateralParams", [f.weth.address, 7000, 7500]]],
    ["setLiquidationParams", ROLES.RISK_ADMIN, (f) => ["setLiquidationParams", [f.weth.address, 100, 500, 1000]]],
    [
      "setLiquidationGlobals",
      ROLES.RISK_ADMIN,
      () => ["setLiquidationGlobals", [(1.05e18).toString(), (0.95e18).toString(), 10n ** 19n]],
    ],
    ["setRateModel", ROLES.RISK_ADMIN, (f) => ["setRateModel", [f.weth.address, 0, 400, 6000, 9000]]],
    ["setReserveFactor", ROLES.RISK_ADMIN, (f) => ["setReserveFactor", [f.weth.address, 1000]]],
    ["setCaps", ROLES.RISK_ADMIN, (f) => ["setCaps", [f.weth.address, 1, 1, 1, 1]]],
    ["setBorrowable", ROLES.RISK_ADMIN, (f) => ["setBorrowable", [f.weth.address, false]]],
    ["setFlashFee", ROLES.RISK_ADMIN, (f) => ["setFlashFee", [f.weth.address, 1]]],
    ["applyRiskParams", RISK_ENGINE, (f) => ["applyRiskParams", [f.weth.address, 7000, 7500, 100]]],
    ["setPause", ROLES.GUARDIAN, (f) => ["setPause", [f.weth.address, true, true]]],
    ["withdrawReserves", ROLES.TREASURY, (f) => ["withdrawReserves", [f.weth.address, 1, f.users[0].address]]],
    [
      "withdrawLiquidationFees",
      ROLES.TREASURY,
      (f) => ["withdrawLiquidationFees", [f.weth.address, 1, f.users[0].address]],
    ],
    ["grantRole", ROLES.DEFAULT_ADMIN, (f) => ["grantRole", [ROLES.GUARDIAN, f.users[0].address]]],
  ];
  for (const [name, role, build] of guarded) {
    it(`${name} refuses every account without its role (stranger and the other role holders)`, async () => {
      const f = await loadFixture(rolesFixture);
      const [fn, args] = build(f);
      const holders: Record<string, string> = {
        [ROLES.RISK_ADMIN]: f.riskAdmin.address,
        [ROLES.GUARDIAN]: f.guardian.address,
        [ROLES.TREASURY]: f.treasury.address,
        [RISK_ENGINE]: f.engine.address,
      };
      const callers = [f.users[0], f.riskAdmin, f.guardian, f.treasury, f.engine].filter(
        (s) => s.address !== holders[role],
      );
      for (const s of callers) {
        await expect((f.pool.connect(s) as any)[fn](...args), `${name} by ${s.address}`)
          .to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount")
          .withArgs(s.address, role);
      }
    });
  }

  it("setCircuitBreaker: the risk engine and the guardian may, anyone else reverts Unauthorized", async () => {
    const f = await loadFixture(rolesFixture);
    await expect(f.pool.connect(f.engine).setCircuitBreaker(f.weth.address, true))
      .to.emit(f.pool, "CircuitBreakerSet")
      .withArgs(f.weth.address, true);
    await expect(f.pool.connect(f.guardian).setCircuitBreaker(f.weth.address, false))
      .to.emit(f.pool, "CircuitBreakerSet")
      .withArgs(f.weth.address, false);
    for (const s of [f.users[0], f.riskAdmin, f.treasury]) {
      await expect(f.pool.connect(s).setCircuitBreaker(f.weth.address, true)).to.be.revertedWithCustomError(
        f.pool,
        "Unauthorized",
      );
    }
    await expect(f.pool.connect(f.guardian).setCircuitBreaker(f.users[0].address, true)).to.be.revertedWithCustomError(
      f.pool,
      "AssetNotListed",
    );
  });

  it("every setter reverts AssetNotListed for an unlisted asset", async () => {
    const f = await loadFixture(rolesFixture);
    const x = f.users[9].address;
    const calls = [
      () => f.pool.setOracle(x, f.users[8].address, 3600, 0, 10),
      () => f.pool.setCollateralParams(x, 7000, 7500),
      () => f.pool.setLiquidationParams(x, 100, 500, 1000),
      () => f.pool.setRateModel(x, 0, 400, 6000, 9000),
      () => f.pool.setReserveFactor(x, 1000),
      () => f.pool.setCaps(x, 1, 1, 1, 1),
      () => f.pool.setBorrowable(x, true),
      () => f.pool.setFlashFee(x, 1),
      () => f.pool.setPause(x, true, true),
      () => f.pool.connect(f.engine).applyRiskParams(x, 7000, 7500, 100),
      () => f.pool.withdrawLiquidationFees(x, 1, f.admin.address),
    ];
    for (const c of calls) await expect(c()).to.be.revertedWithCustomError(f.pool, "AssetNotListed");
  });

  it("the extension called directly holds no roles: its guarded functions revert", async () => {
    const f = await loadFixture(rolesFixture);
    // The extension at its own address: it implements the Ext half of the API.
    const ext = IFulcraPoolExt__factory.connect(await f.pool.EXTENSION(), f.admin);
    await expect(ext.setCaps(f.weth.address, 1, 1, 1, 1)).to.be.revertedWithCustomError(
      ext,
      "AccessControlUnauthorizedAccount",
    );
    await expect(ext.setPause(f.weth.address, true, true)).to.be.revertedWithCustomError(
      ext,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("the vault deployer serves only its pool (OnlyPool)", async () => {
    const f = await loadFixture(rolesFixture);
    const deployer = await ethers.getContractAt("VaultDeployer", await f.pool.vaultDeployer());
    expect(await deployer.POOL()).to.equal(f.poolAddress);
    await expect(deployer.deploy(f.weth.address)).to.be.revertedWithCustomError(deployer, "OnlyPool");
  });

  it("the pool constructor rejects a zero admin or extension (ZeroAddress)", async () => {
    const [admin] = await ethers.getSigners();
    const Pool = await ethers.getContractFactory("Pool");
    await expect(Pool.deploy(ethers.ZeroAddress, admin.address)).to.be.revertedWithCustomError(Pool, "ZeroAddress");
    await expect(Pool.deploy(admin.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(Pool, "ZeroAddress");
  });
});

describe("core: pause", () => {
  /** USDC market with a borrower (1 WETH, 1,000 USDC debt), an unhealthy one (1 WETH, 1,600 USDC), both paused. */
  async function pausedFixture() {
    const f = await deployPoolFixture();
    const [lender, b, u, liq] = f.users;
    await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
    await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_000), b.address, 0, b.address);
    await f.pool.connect(u).supplyCollateral(f.weth.address, units(f.weth, 1), u.address, 0);
    await f.pool.connect(u).borrow(f.usdc.address, units(f.usdc, 1_600), u.address, 0, u.address);
    await f.weth.feed.setAnswer(toFeedAnswer(1_800));
    for (const a of [f.usdc, f.weth]) {
      await expect(f.pool.setPause(a.address, true, true))
        .to.emit(f.pool, "PauseSet")
        .withArgs(a.address, true, true);
    }
    return { ...f, liq };
  }

  it("refuses supply (SupplyPaused) and borrow (BorrowPaused); flash loans have their own pause (FlashPaused)", async () => {
    const f = await loadFixture(pausedFixture);
    const [lender, b] = f.users;
    await expectRevertNoChange(
      f,
      () => f.pool.connect(lender).supply(f.usdc.address, 1, 0, lender.address),
      f.pool,
      "SupplyPaused",
    );
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 100), b.address, 0, b.address),
      f.pool,
      "BorrowPaused",
    );
    expect(await f.pool.maxFlashLoan(f.usdc.address)).to.be.gt(0n);
    await f.pool.setFlashPause(f.usdc.address, true);
    expect(await f.pool.maxFlashLoan(f.usdc.address)).to.equal(0n);
    const borrower = await (await ethers.getContractFactory("MockFlashBorrower")).deploy(f.poolAddress);
    await expect(borrower.borrow(f.usdc.address, 1)).to.be.revertedWithCustomError(f.pool, "FlashPaused");
  });

  it("keeps repay, supplyCollateral, withdraw, withdrawCollateral and liquidation working", async () => {
    const f = await loadFixture(pausedFixture);
    const [lender, b, u] = f.users;
    await expect(f.pool.connect(b).repay(f.usdc.address, units(f.usdc, 100), b.address, 0)).to.emit(f.pool, "Repay");
    await expect(f.pool.connect(b).supplyCollateral(f.weth.address, 1n, b.address, 0)).to.emit(
      f.pool,
      "SupplyCollateral",
    );
    await expect(
      f.pool.connect(lender).withdraw(f.usdc.address, units(f.usdc, 1), 0, lender.address, lender.address),
    ).to.emit(f.pool, "Withdraw");
    await expect(f.pool.connect(b).withdrawCollateral(f.weth.address, 1n, b.address, 0, b.address)).to.emit(
      f.pool,
      "WithdrawCollateral",
    );
    await expect(
      f.pool.connect(f.liq).liquidate(u.address, 0, f.weth.address, ethers.MaxUint256, 0, f.liq.address, "0x"),
    ).to.emit(f.pool, "Liquidate");
  });

  it("unpausing restores supply and borrow; pausing only supply leaves borrow open", async () => {
    const f = await loadFixture(pausedFixture);
    const [lender, b] = f.users;
    await f.pool.setPause(f.usdc.address, true, false);
    await expect(f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 10), b.address, 0, b.address)).to.emit(
      f.pool,
      "Borrow",
    );
    await expect(f.pool.connect(lender).supply(f.usdc.address, 1, 0, lender.address)).to.be.revertedWithCustomError(
      f.pool,
      "SupplyPaused",
    );
    await f.pool.setPause(f.usdc.address, false, false);
    await expect(f.pool.connect(lender).supply(f.usdc.address, 1, 0, lender.address)).to.emit(f.pool, "Supply");
    expect((await f.pool.assetConfig(f.usdc.address)).flags & 12n).to.equal(0n);
  });
});

describe("core: bounds on every setter", () => {
  async function fresh(f: PoolFixture, over: Record<string, unknown>) {
    const { token, feed } = await newTokenAndFeed();
    return f.pool.listAsset(token, { ...listingParams(plainSpec("N"), feed), ...over });
  }

  it("listAsset: InvalidRiskParams for LT > 9,700, LTV + 1 % > LT, LTV without LT; bounds accepted", async () => {
    const f = await loadFixture(rolesFixture);
    for (const [ltv, lt] of [
      [0, 9701],
      [8000, 8099],
      [1, 0],
    ]) {
      await expect(fresh(f, { ltv, lt }), `${ltv}/${lt}`).to.be.revertedWithCustomError(f.pool, "InvalidRiskParams");
    }
    await fresh(f, { ltv: 9600, lt: 9700 });
    await fresh(f, { ltv: 8000, lt: 8100 });
    await fresh(f, { ltv: 0, lt: 0 });
  });

  it("listAsset: InvalidRateModel for each parameter one past its bound; the bounds themselves accepted", async () => {
    const f = await loadFixture(rolesFixture);
    for (const over of [{ baseRate: 10_001 }, { slope1: 20_001 }, { slope2: 60_001 }, { kink: 999 }, { kink: 9_901 }]) {
      await expect(fresh(f, over), JSON.stringify(over)).to.be.revertedWithCustomError(f.pool, "InvalidRateModel");
    }
    await fresh(f, { baseRate: 10_000, slope1: 20_000, slope2: 60_000, kink: 1_000 });
    await fresh(f, { kink: 9_900 });
  });

  it("listAsset: InvalidReserveFactor above 50 %, InvalidOracleConfig, ZeroAddress, AssetAlreadyListed", async () => {
    const f = await loadFixture(rolesFixture);
    await expect(fresh(f, { reserveFactor: 5_001 })).to.be.revertedWithCustomError(f.pool, "InvalidReserveFactor");
    await fresh(f, { reserveFactor: 5_000 });
    await expect(fresh(f, { heartbeat: 59 })).to.be.revertedWithCustomError(f.pool, "InvalidOracleConfig");
    await expect(fresh(f, { feed: ethers.ZeroAddress })).to.be.revertedWithCustomError(f.pool, "ZeroAddress");
    const { feed } = await newTokenAndFeed();
    await expect(
      f.pool.listAsset(ethers.ZeroAddress, listingParams(plainSpec("N"), feed)),
    ).to.be.revertedWithCustomError(f.pool, "ZeroAddress");
    await expect(f.pool.listAsset(f.weth.address, listingParams(plainSpec("N"), feed))).to.be.revertedWithCustomError(
      f.pool,
      "AssetAlreadyListed",
    );
  });

  it("listAsset: assigns the next id, deploys the vault and emits the full set of events", async () => {
    const f = await loadFixture(rolesFixture);
    const { token, feed } = await newTokenAndFeed(8);
    const p = listingParams(plainSpec("N", { reserveFactorBps: 1234 }), feed);
    const id = (await f.pool.assetCount()) + 1n;
    const tx = await f.pool.listAsset(token, p);
    const [, , , , , vault] = await f.pool.assetLimits(token);
    await expect(tx).to.emit(f.pool, "AssetListed").withArgs(token, id, vault);
    await expect(tx).to.emit(f.pool, "CollateralParamsSet").withArgs(token, 0, p.ltv, 0, p.lt);
    await expect(tx).to.emit(f.pool, "RateModelSet").withArgs(token, p.baseRate, p.slope1, p.slope2, p.kink);
    await expect(tx).to.emit(f.pool, "ReserveFactorSet").withArgs(token, 0, 1234);
    await expect(tx).to.emit(f.pool, "CapsSet").withArgs(token, p.supplyCap, p.borrowCap, p.collateralCap, p.minBorrow);
    await expect(tx).to.emit(f.pool, "BorrowableSet").withArgs(token, true);
    await expect(tx).to.emit(f.pool, "OracleSet").withArgs(token, feed, p.heartbeat, p.minAnswer, p.maxAnswer);
    expect(await f.pool.assetById(id)).to.equal(token);
    expect(await f.pool.assetCount()).to.equal(id);
    const v = await ethers.getContractAt("FulcraVault", vault);
    expect(await v.asset()).to.equal(token);
    expect(await v.symbol()).to.equal("fNEW");
    expect(await v.name()).to.equal("Fulcra NEW Supply");
    expect((await f.pool.assetConfig(token)).scaleExp).to.equal(36n - 8n - 8n);
  });

  it("setCollateralParams: event with old and new values; InvalidRiskParams incl. LT·(1 + max bonus) ≥ 1", async () => {
    const f = await loadFixture(rolesFixture);
    await expect(f.pool.setCollateralParams(f.weth.address, 7000, 7500))
      .to.emit(f.pool, "CollateralParamsSet")
      .withArgs(f.weth.address, 8000, 7000, 8250, 7500);
    await expect(f.pool.setCollateralParams(f.weth.address, 7500, 7599)).to.be.revertedWithCustomError(
      f.pool,
      "InvalidRiskParams",
    );
    await expect(f.pool.setCollateralParams(f.weth.address, 0, 9701)).to.be.revertedWithCustomError(
      f.pool,
      "InvalidRiskParams",
    );
    // WETH's max bonus is 8 %: LT may not exceed 9,999.9999 / 1.08 → 9,259 bps.
    await expect(f.pool.setCollateralParams(f.weth.address, 9000, 9260)).to.be.revertedWithCustomError(
      f.pool,
      "InvalidRiskParams",
    );
    await f.pool.setCollateralParams(f.weth.address, 9000, 9259);
    expect(await f.pool.effectiveLt(f.weth.address)).to.equal(9259n);
  });

  it("applyRiskParams: LTV at once, LT ramps down at the given speed; bounds and NotCollateral", async () => {
    const f = await loadFixture(rolesFixture);
    const e = f.pool.connect(f.engine);
    await expect(e.applyRiskParams(f.weth.address, 7000, 8050, 100))
      .to.emit(f.pool, "RiskParamsApplied")
      .withArgs(f.weth.address, 8000, 7000, 8250, 8050, 100);
    expect((await f.pool.assetConfig(f.weth.address)).ltv).to.equal(7000n);
    expect(await f.pool.effectiveLt(f.weth.address)).to.equal(8250n);
    await time.increase(3600);
    expect(await f.pool.effectiveLt(f.weth.address)).to.equal(8150n);
    await time.increase(3 * 3600);
    expect(await f.pool.effectiveLt(f.weth.address)).to.equal(8050n);
    for (const [ltv, lt, ramp] of [
      [7000, 0, 100],
      [7000, 8000, 0],
      [7000, 8000, 201],
      [7950, 8000, 100],
      [7000, 9260, 100],
    ]) {
      await expect(
        e.applyRiskParams(f.weth.address, ltv, lt, ramp),
        `${ltv}/${lt}/${ramp}`,
      ).to.be.revertedWithCustomError(f.pool, "InvalidRiskParams");
    }
    await expect(e.applyRiskParams(f.nc, 0, 100, 100)).to.be.revertedWithCustomError(f.pool, "NotCollateral");
  });

  it("maxLtFor: MAX_LT or the bonus bound LT·(1 + maxBonus) < 1; setCollateralParams and applyRiskParams accept it, not one more", async () => {
    const f = await loadFixture(rolesFixture);
    const e = f.pool.connect(f.engine);
    const bound = (maxBonus: bigint) => (10_000n * 10_000n - 1n) / (10_000n + maxBonus);
    // WETH lists with an 8 % max bonus: 9,259 bps.
    expect(await f.pool.maxLtFor(f.weth.address))
      .to.equal(bound(800n))
      .and.to.equal(9259n);
    // Falling bonuses raise the bound (the LT is raised to each; a lower bonus never conflicts with the LT set).
    for (const maxBonus of [1500n, 1000n, 300n]) {
      await f.pool.setLiquidationParams(f.weth.address, 100, maxBonus, 1000);
      const max = await f.pool.maxLtFor(f.weth.address);
      expect(max, `max bonus ${maxBonus}`).to.equal(bound(maxBonus) < 9700n ? bound(maxBonus) : 9700n);
      await expect(f.pool.setCollateralParams(f.weth.address, 7000, max + 1n)).to.be.revertedWithCustomError(
        f.pool,
        "InvalidRiskParams",
      );
      await expect(e.applyRiskParams(f.weth.address, 7000, max + 1n, 100)).to.be.revertedWithCustomError(
        f.pool,
        "InvalidRiskParams",
      );
      await e.applyRiskParams(f.weth.address, 7000, max, 100);
      expect(await f.pool.effectiveLt(f.weth.address)).to.equal(max); // a raise applies at once
      await f.pool.setCollateralParams(f.weth.address, 7000, max);
    }
    // A 3 % bonus would allow 9,708 and a 1 % one 9,900: both are capped at MAX_LT.
    expect(bound(300n)).to.equal(9708n);
    expect(await f.pool.maxLtFor(f.weth.address)).to.equal(await f.pool.MAX_LT());
    await f.pool.setLiquidationParams(f.weth.address, 100, 100, 1000);
    expect(await f.pool.maxLtFor(f.weth.address)).to.equal(9700n);
    // An unlisted asset has no bonus: the bound is MAX_LT.
    expect(await f.pool.maxLtFor(f.users[9].address)).to.equal(9700n);
  });

  it("setLiquidationParams: InvalidLiquidationParams for base > max, max > 20 %, share > 50 %, LT·(1+max) ≥ 1", async () => {
    const f = await loadFixture(rolesFixture);
    for (const [base, max, share] of [
      [600, 500, 1000],
      [100, 2001, 1000],
      [100, 500, 5001],
    ]) {
      await expect(f.pool.setLiquidationParams(f.weth.address, base, max, share)).to.be.revertedWithCustomError(
        f.pool,
        "InvalidLiquidationParams",
      );
    }
    // USDC's LT 85 %: a max bonus of 17.65 % or more would make LT·(1 + bonus) ≥ 1.
    await expect(f.pool.setLiquidationParams(f.usdc.address, 100, 1765, 1000)).to.be.revertedWithCustomError(
      f.pool,
      "InvalidLiquidationParams",
    );
    await expect(f.pool.setLiquidationParams(f.usdc.address, 200, 1764, 5000))
      .to.emit(f.pool, "LiquidationParamsSet")
      .withArgs(f.usdc.address, 200, 1764, 5000);
    const c = await f.pool.liquidationConfig(f.usdc.address);
    expect([c.baseBonus, c.maxBonus, c.protocolShare]).to.deep.equal([200n, 1764n, 5000n]);
  });

  it("setLiquidationGlobals: each bound, one past it reverts; the bounds are accepted", async () => {
    const f = await loadFixture(rolesFixture);
    const e = 10n ** 16n; // 0.01
    const ok = [105n * e, 95n * e, 10n * 10n ** 18n];
    const bad = [
      [101n * e - 1n, ok[1], ok[2]],
      [125n * e + 1n, ok[1], ok[2]],
      [ok[0], 80n * e - 1n, ok[2]],
      [ok[0], 99n * e + 1n, ok[2]],
      [ok[0], ok[1], 1000n * 10n ** 18n + 1n],
    ];
    for (const b of bad) {
      await expect(f.pool.setLiquidationGlobals(b[0], b[1], b[2])).to.be.revertedWithCustomError(
        f.pool,
        "InvalidLiquidationParams",
      );
    }
    await expect(f.pool.setLiquidationGlobals(101n * e, 80n * e, 0))
      .to.emit(f.pool, "LiquidationGlobalsSet")
      .withArgs(101n * e, 80n * e, 0);
    await f.pool.setLiquidationGlobals(125n * e, 99n * e, 1000n * 10n ** 18n);
    const g = await f.pool.liquidationGlobals();
    expect([g[0], g[1], g[2]]).to.deep.equal([125n * e, 99n * e, 1000n * 10n ** 18n]);
  });

  it("setRateModel: InvalidRateModel for each out-of-bound parameter; setReserveFactor: InvalidReserveFactor", async () => {
    const f = await loadFixture(rolesFixture);
    for (const args of [
      [10_001, 0, 0, 5000],
      [0, 20_001, 0, 5000],
      [0, 0, 60_001, 5000],
      [0, 0, 0, 999],
      [0, 0, 0, 9901],
    ] as const) {
      await expect(f.pool.setRateModel(f.weth.address, ...args)).to.be.revertedWithCustomError(
        f.pool,
        "InvalidRateModel",
      );
    }
    await expect(f.pool.setReserveFactor(f.weth.address, 5_001)).to.be.revertedWithCustomError(
      f.pool,
      "InvalidReserveFactor",
    );
    await expect(f.pool.setReserveFactor(f.weth.address, 5_000))
      .to.emit(f.pool, "ReserveFactorSet")
      .withArgs(f.weth.address, 1500, 5000);
  });

  it("setCaps and setBorrowable emit and apply; lowering a cap below the current total touches no position", async () => {
    const f = await loadFixture(rolesFixture);
    const [l] = f.users;
    await f.pool.connect(l).supply(f.usdc.address, 1_000n, 0, l.address);
    await expect(f.pool.setCaps(f.usdc.address, 10n, 20n, 30n, 40n))
      .to.emit(f.pool, "CapsSet")
      .withArgs(f.usdc.address, 10n, 20n, 30n, 40n);
    const lim = await f.pool.assetLimits(f.usdc.address);
    expect([lim[0], lim[1], lim[2], lim[3]]).to.deep.equal([10n, 20n, 30n, 40n]);
    expect(await f.pool.supplyBalance(f.usdc.address, l.address)).to.equal(1_000n);
    await f.pool.connect(l).withdraw(f.usdc.address, 1_000n, 0, l.address, l.address);
    await expect(f.pool.setBorrowable(f.usdc.address, false))
      .to.emit(f.pool, "BorrowableSet")
      .withArgs(f.usdc.address, false);
    expect((await f.pool.assetConfig(f.usdc.address)).flags & 2n).to.equal(0n);
  });
});

describe("core: timelock", () => {
  const DELAY = 2n * 86_400n;

  async function timelockFixture() {
    const [eoa, proposer, lender] = await ethers.getSigners();
    const timelock = await (
      await ethers.getContractFactory("FulcraTimelock")
    ).deploy(DELAY, [proposer.address], [proposer.address], ethers.ZeroAddress);
    const tl = await timelock.getAddress();
    const pool = await deployPool(eoa, eoa.address);
    // Hand-over: the timelock gets DEFAULT_ADMIN and RISK_ADMIN, the deploying EOA renounces both.
    await pool.grantRole(ROLES.DEFAULT_ADMIN, tl);
    await pool.grantRole(ROLES.RISK_ADMIN, tl);
    await pool.grantRole(ROLES.RISK_ADMIN, eoa.address);
    const token = await (await ethers.getContractFactory("MockERC20")).deploy("USD Coin", "USDC", 6);
    const feed = await (await ethers.getContractFactory("MockPriceFeed")).deploy(8, "USDC / USD", toFeedAnswer(1));
    await pool.listAsset(await token.getAddress(), listingParams(DEMO_ASSETS[0], await feed.getAddress()));
    await pool.renounceRole(ROLES.RISK_ADMIN, eoa.address);
    await pool.renounceRole(ROLES.DEFAULT_ADMIN, eoa.address);
    void lender;
    return { eoa, proposer, timelock, pool, asset: await token.getAddress() };
  }

  const salt = ethers.ZeroHash;

  it("a parameter change only works after schedule + delay + execute; early execution reverts", async () => {
    const { proposer, timelock, pool, asset } = await loadFixture(timelockFixture);
    const data = pool.interface.encodeFunctionData("setReserveFactor", [asset, 2_000]);
    const target = await pool.getAddress();
    await timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await expect(
      timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    await time.increase(DELAY - 5n);
    await expect(
      timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    expect((await pool.market(asset)).reserveFactor).to.equal(1000n);
    await time.increase(5n);
    await expect(timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt))
      .to.emit(pool, "ReserveFactorSet")
      .withArgs(asset, 1000, 2000);
    expect((await pool.market(asset)).reserveFactor).to.equal(2000n);
  });

  it("the old EOA can no longer change parameters nor grant roles", async () => {
    const { eoa, pool, asset } = await loadFixture(timelockFixture);
    await expect(pool.connect(eoa).setReserveFactor(asset, 2_000))
      .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
      .withArgs(eoa.address, ROLES.RISK_ADMIN);
    await expect(pool.connect(eoa).grantRole(ROLES.RISK_ADMIN, eoa.address))
      .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
      .withArgs(eoa.address, ROLES.DEFAULT_ADMIN);
  });

  it("only the proposer may schedule; bounds still apply when the timelock executes (InvalidReserveFactor bubbles up)", async () => {
    const { eoa, proposer, timelock, pool, asset } = await loadFixture(timelockFixture);
    const data = pool.interface.encodeFunctionData("setReserveFactor", [asset, 5_001]);
    const target = await pool.getAddress();
    await expect(
      timelock.connect(eoa).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY),
    ).to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount");
    await timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await time.increase(DELAY);
    await expect(
      timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(pool, "InvalidReserveFactor");
  });

  it("roles are granted through the timelock too (a guardian appointed after the delay can pause at once)", async () => {
    const { proposer, timelock, pool, asset } = await loadFixture(timelockFixture);
    const [, , guardian] = await ethers.getSigners();
    const data = pool.interface.encodeFunctionData("grantRole", [ROLES.GUARDIAN, guardian.address]);
    const target = await pool.getAddress();
    await timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await time.increase(DELAY);
    await timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt);
    await expect(pool.connect(guardian).setPause(asset, true, true))
      .to.emit(pool, "PauseSet")
      .withArgs(asset, true, true);
  });
});

describe("core: views", () => {
  it("constants, globals, ids, extension and per-asset views agree with the listing", async () => {
    const f = await loadFixture(rolesFixture);
    expect(await f.pool.MAX_LT()).to.equal(9_700n);
    expect(await f.pool.MAX_RESERVE_FACTOR()).to.equal(5_000n);
    expect(await f.pool.MAX_FLASH_FEE()).to.equal(100n);
    expect(await f.pool.MAX_COLLATERALS()).to.equal(8n);
    const g = await f.pool.liquidationGlobals();
    expect([g[0], g[1], g[2]]).to.deep.equal([105n * 10n ** 16n, 95n * 10n ** 16n, 10n * 10n ** 18n]);
    expect(await f.pool.assetCount()).to.equal(4n);
    expect(await f.pool.assetById(2)).to.equal(f.weth.address);
    const c = await f.pool.assetConfig(f.weth.address);
    expect([c.id, c.ltv, c.lt, c.heartbeat]).to.deep.equal([2n, 8000n, 8250n, 3600n]);
    const r = await f.pool.assetRisk(f.weth.address);
    expect(r.ltTarget).to.equal(8250n);
    expect(await f.pool.effectiveLt(f.weth.address)).to.equal(8250n);
    const lc = await f.pool.liquidationConfig(f.weth.address);
    expect([lc.baseBonus, lc.maxBonus, lc.protocolShare]).to.deep.equal([100n, 800n, 1000n]);
  });

  it("accountHealth, previewLiquidation and collateralOf for a healthy borrower and an empty account", async () => {
    const f = await loadFixture(rolesFixture);
    const [l, b, empty] = f.users;
    await f.pool.connect(l).supply(f.usdc.address, units(f.usdc, 10_000), 0, l.address);
    await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_000), b.address, 0, b.address);
    const h = await f.pool.accountHealth(b.address, 0);
    expect(h.collateralValue).to.equal(2_000n * 10n ** 18n);
    expect(h.borrowingPower).to.equal(1_600n * 10n ** 18n);
    expect(h.liquidationValue).to.equal(1_650n * 10n ** 18n);
    expect(h.debtValue).to.equal(1_000n * 10n ** 18n);
    expect(h.healthFactor).to.equal(1_650_000_000_000_000_000n);
    const p = await f.pool.previewLiquidation(b.address, 0, f.weth.address);
    expect(p.liquidatable).to.equal(false);
    expect(p.healthFactor).to.equal(h.healthFactor);
    expect(p.debtAsset).to.equal(f.usdc.address);
    const e = await f.pool.accountHealth(empty.address, 0);
    expect(e.healthFactor).to.equal(ethers.MaxUint256);
    expect((await f.pool.previewLiquidation(empty.address, 0, f.weth.address)).healthFactor).to.equal(
      ethers.MaxUint256,
    );
    expect(await f.pool.collateralOf(b.address, 0, f.weth.address)).to.equal(units(f.weth, 1));
    expect(await f.pool.collateralOf(b.address, 0, f.wbtc.address)).to.equal(0n);
  });
});
