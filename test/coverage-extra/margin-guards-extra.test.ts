// Coverage (issue 5): MarginRouter's input validation, admin bounds, ownership checks and views — everything that
// is decided before a swap, so no DEX is needed (the adapter points at an address with no code and is never
// reached). Trading paths on a real Uniswap V3 pool are tested in test/margin.
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  loadFixture,
  time,
  impersonateAccount,
  stopImpersonatingAccount,
  setBalance,
} from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture } from "../helpers/fixtures";
import { expectedMaxLeverage } from "../helpers/margin";
import type { MarginRouter } from "../../typechain-types";

const WAD = 10n ** 18n;

async function routerFixture() {
  const f = await deployPoolFixture();
  const adapter = f.users[9].address; // never called by these tests
  const router = (await (
    await ethers.getContractFactory("MarginRouter")
  ).deploy(f.poolAddress, adapter, f.admin.address)) as unknown as MarginRouter;
  const trader = f.users[1];
  await f.pool.connect(trader).setAuthorization(await router.getAddress(), true);
  return { ...f, router, trader, adapter };
}

function params(f: Awaited<ReturnType<typeof routerFixture>>, over: Record<string, unknown> = {}) {
  return {
    base: f.weth.address,
    quote: f.usdc.address,
    isLong: true,
    margin: WAD,
    leverage: 2n * WAD,
    minOut: 0n,
    route: "0x",
    deadline: 2n ** 40n,
    ...over,
  };
}

describe("coverage: MarginRouter guards without a DEX", () => {
  it("constructor refuses a zero pool, adapter or admin (InvalidParams)", async () => {
    const f = await loadFixture(routerFixture);
    const F = await ethers.getContractFactory("MarginRouter");
    const z = ethers.ZeroAddress;
    for (const args of [
      [z, f.adapter, f.admin.address],
      [f.poolAddress, z, f.admin.address],
      [f.poolAddress, f.adapter, z],
    ]) {
      await expect(F.deploy(args[0], args[1], args[2])).to.be.revertedWithCustomError(f.router, "InvalidParams");
    }
  });

  it("setFee and setGuards: bounds (InvalidParams one past each), events with the values", async () => {
    const f = await loadFixture(routerFixture);
    const r = f.router;
    await expect(r.setFee(51, f.admin.address)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.setFee(1, ethers.ZeroAddress)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.setFee(50, f.admin.address)).to.emit(r, "FeeSet").withArgs(50, f.admin.address);
    await expect(r.setFee(0, ethers.ZeroAddress)).to.emit(r, "FeeSet").withArgs(0, ethers.ZeroAddress);
    expect([await r.feeBps(), await r.feeRecipient()]).to.deep.equal([0n, ethers.ZeroAddress]);
    await expect(r.setGuards(0, 0, 0)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.setGuards(501, 0, 0)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.setGuards(500, 1_000_000n * WAD + 1n, 0)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.setGuards(500, 1_000_000n * WAD, 7n * WAD))
      .to.emit(r, "GuardsSet")
      .withArgs(500, 1_000_000n * WAD, 7n * WAD);
    expect([await r.maxDeviationBps(), await r.minPositionValue(), await r.maxNewDebtPerBlock()]).to.deep.equal([
      500n,
      1_000_000n * WAD,
      7n * WAD,
    ]);
  });

  it("maxLeverage: the opening flow's exact bound less 2 bps, following LTV, deviation bound and fee; 1 for a non-collateral; 0 under the circuit breaker", async () => {
    const f = await loadFixture(routerFixture);
    // WETH LTV 80 %, dev 1 %: 1.008 / 0.208 = 4.84615…x, less 2 bps; WBTC 73 %: 1.0073 / 0.2773.
    expect(await f.router.maxLeverage(f.weth.address)).to.equal(4845184615384615383n);
    expect(await f.router.maxLeverage(f.weth.address)).to.equal(expectedMaxLeverage(8000n));
    expect(await f.router.maxLeverage(f.wbtc.address)).to.equal(expectedMaxLeverage(7300n));
    // a wider deviation bound lowers it (the flash-loaned floor counts for less at the borrow), and so does a fee
    await f.router.setGuards(500, 100n * WAD, 0);
    expect(await f.router.maxLeverage(f.weth.address)).to.equal(expectedMaxLeverage(8000n, 500n));
    await f.router.setFee(50, f.admin.address);
    expect(await f.router.maxLeverage(f.weth.address)).to.equal(expectedMaxLeverage(8000n, 500n, 50n));
    await f.pool.setCollateralParams(f.usdc.address, 0, 0);
    expect(await f.router.maxLeverage(f.usdc.address)).to.equal(WAD);
    await f.pool.setCircuitBreaker(f.weth.address, true);
    expect(await f.router.maxLeverage(f.weth.address)).to.equal(0n);
  });

  it("openPosition: InvalidParams (same/zero assets, leverage ≤ 1), ZeroAmount, Expired, breaker, LeverageTooHigh, PositionTooSmall", async () => {
    const f = await loadFixture(routerFixture);
    const r = f.router.connect(f.trader);
    await expect(r.openPosition(params(f, { quote: f.weth.address }))).to.be.revertedWithCustomError(
      r,
      "InvalidParams",
    );
    await expect(r.openPosition(params(f, { base: ethers.ZeroAddress }))).to.be.revertedWithCustomError(
      r,
      "InvalidParams",
    );
    await expect(r.openPosition(params(f, { quote: ethers.ZeroAddress }))).to.be.revertedWithCustomError(
      r,
      "InvalidParams",
    );
    await expect(r.openPosition(params(f, { margin: 0n }))).to.be.revertedWithCustomError(r, "ZeroAmount");
    const now = BigInt(await time.latest());
    await expect(r.openPosition(params(f, { deadline: now }))).to.be.revertedWithCustomError(r, "Expired");
    await expect(r.openPosition(params(f, { leverage: WAD }))).to.be.revertedWithCustomError(r, "InvalidParams");
    const max = await f.router.maxLeverage(f.weth.address);
    await expect(r.openPosition(params(f, { leverage: max + 1n })))
      .to.be.revertedWithCustomError(r, "LeverageTooHigh")
      .withArgs(max + 1n, max);
    // 0.01 WETH at 2x: 40 USD of notional < the 100 USD minimum.
    await expect(r.openPosition(params(f, { margin: WAD / 100n }))).to.be.revertedWithCustomError(
      r,
      "PositionTooSmall",
    );
    // Breaker on the debt asset (long: USDC), then on the collateral (WETH).
    await f.pool.setCircuitBreaker(f.usdc.address, true);
    await expect(r.openPosition(params(f))).to.be.revertedWithCustomError(r, "CircuitBreakerActive");
    await f.pool.setCircuitBreaker(f.usdc.address, false);
    await f.pool.setCircuitBreaker(f.weth.address, true);
    await expect(r.openPosition(params(f))).to.be.revertedWithCustomError(r, "CircuitBreakerActive");
    // Short: collateral USDC, debt WETH — the same checks on the other side.
    await expect(r.openPosition(params(f, { isLong: false, margin: 10n ** 6n }))).to.be.revertedWithCustomError(
      r,
      "CircuitBreakerActive",
    );
    expect(await f.router.nextPositionId()).to.equal(1n);
  });

  it("the per-block cap on new margin debt refuses an open above it (BlockDebtCapExceeded)", async () => {
    const f = await loadFixture(routerFixture);
    await f.router.setGuards(100, 100n * WAD, 1_000n * WAD); // 1,000 USD of new debt per block
    await f.weth.token.connect(f.trader).approve(await f.router.getAddress(), ethers.MaxUint256);
    // 1 WETH at 2x: 2,000 USD of debt.
    await expect(f.router.connect(f.trader).openPosition(params(f))).to.be.revertedWithCustomError(
      f.router,
      "BlockDebtCapExceeded",
    );
  });

  it("positions that do not exist or are not the caller's: NotTrader on every trader action; views report nothing", async () => {
    const f = await loadFixture(routerFixture);
    const r = f.router.connect(f.trader);
    await expect(r.increase(1, params(f))).to.be.revertedWithCustomError(r, "NotTrader");
    await expect(r.decrease(1, WAD / 2n, 0, "0x", 2n ** 40n)).to.be.revertedWithCustomError(r, "NotTrader");
    await expect(r.close(1, 0, "0x", 2n ** 40n)).to.be.revertedWithCustomError(r, "NotTrader");
    await expect(r.addMargin(1, 1)).to.be.revertedWithCustomError(r, "NotTrader");
    await expect(r.removeMargin(1, 1)).to.be.revertedWithCustomError(r, "NotTrader");
    await expect(r.addMargin(1, 0)).to.be.revertedWithCustomError(r, "ZeroAmount");
    await expect(r.removeMargin(1, 0)).to.be.revertedWithCustomError(r, "ZeroAmount");
    await expect(r.decrease(1, 0, 0, "0x", 2n ** 40n)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.decrease(1, WAD + 1n, 0, "0x", 2n ** 40n)).to.be.revertedWithCustomError(r, "InvalidParams");
    await expect(r.decrease(1, WAD, 0, "0x", 0)).to.be.revertedWithCustomError(r, "Expired");
    const v = await f.router.positionInfo(1);
    expect([v.trader, v.open, v.size, v.debt]).to.deep.equal([ethers.ZeroAddress, false, 0n, 0n]);
    expect(await f.router.positionsOf(f.trader.address)).to.deep.equal([]);
  });

  it("onFlashLoan only serves the pool's loans it started itself (BadCallback)", async () => {
    const f = await loadFixture(routerFixture);
    const routerAddress = await f.router.getAddress();
    await expect(
      f.router.connect(f.trader).onFlashLoan(routerAddress, f.usdc.address, 1, 0, "0x"),
    ).to.be.revertedWithCustomError(f.router, "BadCallback");
    // Through the pool, but started by someone else (initiator ≠ router).
    await f.pool.connect(f.users[0]).supply(f.usdc.address, 10n ** 9n, 0, f.users[0].address);
    await expect(
      f.pool.connect(f.trader).flashLoan(routerAddress, f.usdc.address, 1, "0x"),
    ).to.be.revertedWithCustomError(f.router, "BadCallback");
  });

  it("onFulcraRepay only serves a repayAndCall the router started itself (BadCallback)", async () => {
    const f = await loadFixture(routerFixture);
    await expect(f.router.connect(f.trader).onFulcraRepay(1n, "0x")).to.be.revertedWithCustomError(
      f.router,
      "BadCallback",
    );
    // Even from the pool's address, outside the router's own repayAndCall (no transient flag set).
    await impersonateAccount(f.poolAddress);
    await setBalance(f.poolAddress, 10n ** 18n);
    const asPool = await ethers.getSigner(f.poolAddress);
    await expect(f.router.connect(asPool).onFulcraRepay(1n, "0x")).to.be.revertedWithCustomError(
      f.router,
      "BadCallback",
    );
    await stopImpersonatingAccount(f.poolAddress);
  });
});
