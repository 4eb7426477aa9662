// Attack suite (issue 5): unauthorized parameter changes on every contract, timelock bypass, and pause abuse by the
// guardian. Every admin entry point of Pool/PoolExt, RiskEngine, VolatilityOracle, MarginRouter and FlashLiquidator
// is called by a stranger and must revert with the contract's access error, leaving the parameter unchanged.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { listingParams, toFeedAnswer, ROLES, DEMO_ASSETS } from "../../lib/protocol";
import { deployRiskStack, RISK_ROLES } from "../../lib/risk";
import { DEFAULT_PROFILES, toOnchainProfile } from "../../config/profiles";

const MARGIN_ADMIN = ethers.id("MARGIN_ADMIN_ROLE");
const DELAY = 2n * 86_400n;

async function stackFixture() {
  const f = await deployPoolFixture();
  const stack = await deployRiskStack(f.pool, f.admin, [f.usdc, f.weth, f.wbtc]);
  const adapter = await (await ethers.getContractFactory("UniswapV3Adapter")).deploy(f.admin.address);
  const router = await (
    await ethers.getContractFactory("MarginRouter")
  ).deploy(f.poolAddress, await adapter.getAddress(), f.admin.address);
  const liquidator = await (
    await ethers.getContractFactory("FlashLiquidator")
  ).deploy(f.poolAddress, f.admin.address, f.admin.address);
  const stranger = f.users[7];
  return { ...f, ...stack, router, liquidator, stranger };
}

describe("attacks: unauthorized parameter changes", () => {
  it("a stranger is refused by every admin entry point of Pool, RiskEngine, VolatilityOracle, MarginRouter, FlashLiquidator", async () => {
    const f = await loadFixture(stackFixture);
    const s = f.stranger;
    const A = f.weth.address;
    const feed = await f.weth.feed.getAddress();
    const pool = f.pool.connect(s);
    const poolCalls: [string, () => Promise<unknown>, string][] = [
      ["listAsset", () => pool.listAsset(s.address, listingParams(DEMO_ASSETS[0], feed)), ROLES.RISK_ADMIN],
      ["setOracle", () => pool.setOracle(A, feed, 3600, 0, 10n ** 20n), ROLES.RISK_ADMIN],
      ["setCollateralParams", () => pool.setCollateralParams(A, 9000, 9500), ROLES.RISK_ADMIN],
      ["setLiquidationParams", () => pool.setLiquidationParams(A, 0, 100, 0), ROLES.RISK_ADMIN],
      [
        "setLiquidationGlobals",
        () => pool.setLiquidationGlobals((1.01e18).toString(), (0.8e18).toString(), 0),
        ROLES.RISK_ADMIN,
      ],
      ["setRateModel", () => pool.setRateModel(A, 0, 0, 0, 8000), ROLES.RISK_ADMIN],
      ["setReserveFactor", () => pool.setReserveFactor(A, 0), ROLES.RISK_ADMIN],
      ["setCaps", () => pool.setCaps(A, 0, 0, 0, 0), ROLES.RISK_ADMIN],
      ["setBorrowable", () => pool.setBorrowable(A, false), ROLES.RISK_ADMIN],
      ["setFlashFee", () => pool.setFlashFee(A, 100), ROLES.RISK_ADMIN],
      ["applyRiskParams", () => pool.applyRiskParams(A, 9000, 9500, 100), ethers.id("RISK_ENGINE_ROLE")],
      ["setPause", () => pool.setPause(A, true, true), ROLES.GUARDIAN],
      ["withdrawReserves", () => pool.withdrawReserves(A, 1, s.address), ROLES.TREASURY],
      ["withdrawLiquidationFees", () => pool.withdrawLiquidationFees(A, 1, s.address), ROLES.TREASURY],
      ["grantRole", () => pool.grantRole(ROLES.RISK_ADMIN, s.address), ROLES.DEFAULT_ADMIN],
    ];
    const before = [
      String(await f.pool.assetConfig(A)),
      String(await f.pool.market(A)),
      String(await f.pool.assetLimits(A)),
    ];
    for (const [name, fn, role] of poolCalls) {
      await expect(fn(), `Pool.${name}`)
        .to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount")
        .withArgs(s.address, role);
    }
    await expect(pool.setCircuitBreaker(A, true)).to.be.revertedWithCustomError(f.pool, "Unauthorized");
    expect([
      String(await f.pool.assetConfig(A)),
      String(await f.pool.market(A)),
      String(await f.pool.assetLimits(A)),
    ]).to.deep.equal(before);

    const engine = f.engine.connect(s);
    const profile = toOnchainProfile(DEFAULT_PROFILES.WETH);
    for (const [name, fn, role] of [
      ["setProfile", () => engine.setProfile(A, profile), RISK_ROLES.RISK_ADMIN],
      ["setMode", () => engine.setMode(A, false), RISK_ROLES.RISK_ADMIN],
      ["grantRole", () => engine.grantRole(RISK_ROLES.RISK_ADMIN, s.address), RISK_ROLES.DEFAULT_ADMIN],
    ] as const) {
      await expect(fn(), `RiskEngine.${name}`)
        .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
        .withArgs(s.address, role);
    }

    const oracle = f.oracle.connect(s);
    const volBefore = await f.oracle.volatility(A);
    for (const [name, fn, role] of [
      [
        "listAsset",
        () => oracle.listAsset(s.address, feed, 86_400, 3_600, 7_200, 3_600, 10n ** 17n),
        RISK_ROLES.ORACLE_ADMIN,
      ],
      ["setConfig", () => oracle.setConfig(A, 86_400, 3_600, 7_200, 3_600), RISK_ROLES.ORACLE_ADMIN],
      ["setFeed", () => oracle.setFeed(A, feed), RISK_ROLES.ORACLE_ADMIN],
      ["seedVolatility", () => oracle.seedVolatility(A, 1n), RISK_ROLES.ORACLE_ADMIN],
      ["grantRole", () => oracle.grantRole(RISK_ROLES.ORACLE_ADMIN, s.address), RISK_ROLES.DEFAULT_ADMIN],
    ] as const) {
      await expect(fn(), `VolatilityOracle.${name}`)
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.address, role);
    }
    expect(await f.oracle.volatility(A)).to.equal(volBefore);

    const router = f.router.connect(s);
    await expect(router.setFee(50, s.address))
      .to.be.revertedWithCustomError(f.router, "AccessControlUnauthorizedAccount")
      .withArgs(s.address, MARGIN_ADMIN);
    await expect(router.setGuards(500, 0, 0))
      .to.be.revertedWithCustomError(f.router, "AccessControlUnauthorizedAccount")
      .withArgs(s.address, MARGIN_ADMIN);
    await expect(router.grantRole(MARGIN_ADMIN, s.address))
      .to.be.revertedWithCustomError(f.router, "AccessControlUnauthorizedAccount")
      .withArgs(s.address, ROLES.DEFAULT_ADMIN);
    expect([
      await f.router.feeBps(),
      await f.router.maxDeviationBps(),
      await f.router.minPositionValue(),
    ]).to.deep.equal([0n, 100n, 100n * 10n ** 18n]);

    const order = {
      owner: f.users[0].address,
      subId: 0,
      collateralAsset: A,
      debtAsset: f.usdc.address,
      maxRepay: 1,
      minSeized: 0,
      path: "0x",
      minProfit: 0,
    };
    await expect(f.liquidator.connect(s).liquidate(order))
      .to.be.revertedWithCustomError(f.liquidator, "OwnableUnauthorizedAccount")
      .withArgs(s.address);
    await expect(f.liquidator.connect(s).sweep(A, 1, s.address))
      .to.be.revertedWithCustomError(f.liquidator, "OwnableUnauthorizedAccount")
      .withArgs(s.address);
    await expect(f.liquidator.connect(s).transferOwnership(s.address))
      .to.be.revertedWithCustomError(f.liquidator, "OwnableUnauthorizedAccount")
      .withArgs(s.address);
    // Its pool callback cannot be called by anyone but the pool.
    await expect(f.liquidator.connect(s).onFulcraLiquidate(1, 1, "0x")).to.be.revertedWithCustomError(
      f.liquidator,
      "NotPool",
    );
  });
});

describe("attacks: timelock bypass", () => {
  it("with the timelock as sole admin of pool, engine, oracle and router, the proposer itself cannot skip the delay", async () => {
    const f = await loadFixture(stackFixture);
    const [, proposer] = await ethers.getSigners();
    const timelock = await (
      await ethers.getContractFactory("FulcraTimelock")
    ).deploy(DELAY, [proposer.address], [proposer.address], ethers.ZeroAddress);
    const tl = await timelock.getAddress();
    const admin = f.admin.address;
    // Hand every admin role to the timelock; the deployer renounces them.
    const handover: [any, string[]][] = [
      [f.pool, [ROLES.RISK_ADMIN, ROLES.DEFAULT_ADMIN]],
      [f.engine, [RISK_ROLES.RISK_ADMIN, RISK_ROLES.DEFAULT_ADMIN]],
      [f.oracle, [RISK_ROLES.ORACLE_ADMIN, RISK_ROLES.DEFAULT_ADMIN]],
      [f.router, [MARGIN_ADMIN, ROLES.DEFAULT_ADMIN]],
    ];
    for (const [c, roles] of handover) {
      for (const r of roles) await c.grantRole(r, tl);
      for (const r of roles) await c.renounceRole(r, admin);
    }
    const A = f.weth.address;
    // Direct calls by the proposer (or the old admin) fail on every contract.
    for (const who of [proposer, f.admin]) {
      await expect(f.pool.connect(who).setReserveFactor(A, 0)).to.be.revertedWithCustomError(
        f.pool,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.engine.connect(who).setMode(A, false)).to.be.revertedWithCustomError(
        f.engine,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(who).seedVolatility(A, 10n ** 17n)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.router.connect(who).setFee(50, who.address)).to.be.revertedWithCustomError(
        f.router,
        "AccessControlUnauthorizedAccount",
      );
    }
    const target = await f.router.getAddress();
    const data = f.router.interface.encodeFunctionData("setFee", [50, proposer.address]);
    const salt = ethers.id("fee");
    // A shorter delay is refused; so is shortening the delay without going through the timelock itself.
    await expect(timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY - 1n))
      .to.be.revertedWithCustomError(timelock, "TimelockInsufficientDelay")
      .withArgs(DELAY - 1n, DELAY);
    await expect(timelock.connect(proposer).updateDelay(0))
      .to.be.revertedWithCustomError(timelock, "TimelockUnauthorizedCaller")
      .withArgs(proposer.address);
    // Scheduled with the full delay: executing early fails, right after the delay it goes through.
    await timelock.connect(proposer).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await expect(
      timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    await time.increase(DELAY - 10n);
    await expect(
      timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    expect(await f.router.feeBps()).to.equal(0n);
    await time.increase(10n);
    await expect(timelock.connect(proposer).execute(target, 0, data, ethers.ZeroHash, salt))
      .to.emit(f.router, "FeeSet")
      .withArgs(50, proposer.address);
  });
});

describe("attacks: pause abuse by the guardian", () => {
  it("every pause flag and the circuit breaker on every asset: repay, collateral in/out, withdraw and liquidation still work", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender, b, liq] = f.users;
    const guardian = f.users[6];
    await f.pool.grantRole(ROLES.GUARDIAN, guardian.address);
    await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 10_000), 0, lender.address);
    await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
    await f.pool.connect(b).supplyCollateral(f.wbtc.address, units(f.wbtc, 0.01), b.address, 0);
    await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_500), b.address, 0, b.address);
    for (const a of [f.usdc, f.weth, f.wbtc]) {
      await f.pool.connect(guardian).setPause(a.address, true, true);
      await f.pool.connect(guardian).setCircuitBreaker(a.address, true);
    }
    // What the guardian blocks: new supply and new borrows.
    await expect(f.pool.connect(lender).supply(f.usdc.address, 1, 0, lender.address)).to.be.revertedWithCustomError(
      f.pool,
      "SupplyPaused",
    );
    await expect(f.pool.connect(b).borrow(f.usdc.address, 1, b.address, 0, b.address)).to.be.revertedWithCustomError(
      f.pool,
      "BorrowPaused",
    );
    // What it cannot block:
    await expect(f.pool.connect(b).repay(f.usdc.address, units(f.usdc, 100), b.address, 0))
      .to.emit(f.pool, "Repay")
      .withArgs(f.usdc.address, b.address, b.address, 0, units(f.usdc, 100), anyShares());
    await expect(f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 0.1), b.address, 0))
      .to.emit(f.pool, "SupplyCollateral")
      .withArgs(f.weth.address, b.address, b.address, 0, units(f.weth, 0.1));
    await expect(
      f.pool.connect(b).withdrawCollateral(f.wbtc.address, units(f.wbtc, 0.01), b.address, 0, b.address),
    ).to.changeTokenBalance(f.wbtc.token, b, units(f.wbtc, 0.01));
    await expect(
      f.pool.connect(lender).withdraw(f.usdc.address, units(f.usdc, 1_000), 0, lender.address, lender.address),
    ).to.changeTokenBalance(f.usdc.token, lender, units(f.usdc, 1_000));
    // The price falls: 1.1 WETH at 1,400 · 0.825 = 1,270.5 < 1,400 debt. Liquidation goes through.
    await f.weth.feed.setAnswer(toFeedAnswer(1400));
    await f.usdc.feed.setAnswer(toFeedAnswer(1));
    await expect(
      f.pool.connect(liq).liquidate(b.address, 0, f.weth.address, ethers.MaxUint256, 0, liq.address, "0x"),
    ).to.emit(f.pool, "Liquidate");
    // And the guardian has no other power: no parameter change, no reserve withdrawal, no role grant.
    await expect(f.pool.connect(guardian).setCollateralParams(f.weth.address, 0, 0)).to.be.revertedWithCustomError(
      f.pool,
      "AccessControlUnauthorizedAccount",
    );
    await expect(
      f.pool.connect(guardian).withdrawReserves(f.usdc.address, 1, guardian.address),
    ).to.be.revertedWithCustomError(f.pool, "AccessControlUnauthorizedAccount");
    await expect(f.pool.connect(guardian).grantRole(ROLES.GUARDIAN, f.users[5].address)).to.be.revertedWithCustomError(
      f.pool,
      "AccessControlUnauthorizedAccount",
    );
  });
});

function anyShares() {
  return (x: bigint) => x > 0n;
}
