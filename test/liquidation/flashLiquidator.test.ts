// FlashLiquidator end to end on REAL Uniswap V3 pools (factory, SwapRouter, QuoterV2 and position manager deployed
// from the npm artifacts, liquidity minted through the position manager): the pool hands over the seized collateral
// in `onFulcraLiquidate`, the liquidator sells it on Uniswap V3, the pool pulls the repay, the profit goes to the
// owner — and it is what the Lens predicted (bonus value minus the swap cost quoted by QuoterV2).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toFeedAnswer } from "../../lib/protocol";
import {
  deployUniswapV3,
  createPoolAtPrice,
  addLiquidityAroundPrice,
  encodePath,
  quoteExactInput,
  movePoolPrice,
  FEE,
} from "../../lib/uniswap";
import { WAD, mulDivDown } from "../helpers/liquidation";
import type { FlashLiquidator, FulcraLens, MarginRouter } from "../../typechain-types";

const MAX = ethers.MaxUint256;
const TARGET_HEALTH = 105n * 10n ** 16n;

async function flashFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower, , , , keeper, stranger, trader] = f.users;
  const admin = f.admin;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_000), borrower.address, 0, borrower.address);

  // Uniswap V3 with WETH/USDC (0.3 %) at 2,000, and WETH/WBTC + WBTC/USDC (0.05 %) for a two-hop route.
  const uni = await deployUniswapV3(admin);
  await f.weth.token.mint(admin.address, units(f.weth, 100_000));
  await f.usdc.token.mint(admin.address, units(f.usdc, 100_000_000));
  await f.wbtc.token.mint(admin.address, units(f.wbtc, 10_000));
  await createPoolAtPrice(uni, f.weth.token, f.usdc.token, FEE.MEDIUM, 2000, 18, 6);
  await addLiquidityAroundPrice(
    uni,
    admin,
    f.weth.token,
    f.usdc.token,
    FEE.MEDIUM,
    units(f.weth, 1_000),
    units(f.usdc, 2_000_000),
    30,
  );
  await createPoolAtPrice(uni, f.weth.token, f.wbtc.token, FEE.LOW, "0.0333333333", 18, 8);
  await addLiquidityAroundPrice(
    uni,
    admin,
    f.weth.token,
    f.wbtc.token,
    FEE.LOW,
    units(f.weth, 1_000),
    units(f.wbtc, 34),
    30,
  );
  await createPoolAtPrice(uni, f.wbtc.token, f.usdc.token, FEE.LOW, 60000, 8, 6);
  await addLiquidityAroundPrice(
    uni,
    admin,
    f.wbtc.token,
    f.usdc.token,
    FEE.LOW,
    units(f.wbtc, 34),
    units(f.usdc, 2_000_000),
    30,
  );

  const liquidator = (await (
    await ethers.getContractFactory("FlashLiquidator")
  ).deploy(f.poolAddress, uni.addresses.router, keeper.address)) as unknown as FlashLiquidator;
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  return { ...f, uni, liquidator, lens, keeper, stranger, trader, borrower };
}

type Fx = Awaited<ReturnType<typeof flashFixture>>;

/** Oracle and Uniswap both at `price` for WETH (the Uniswap pool is arbitraged to it). */
async function wethAt(f: Fx, price: string, uniPrice = price) {
  await f.weth.feed.setAnswer(toFeedAnswer(price));
  await movePoolPrice(f.uni, f.admin, f.weth.token, f.usdc.token, FEE.MEDIUM, uniPrice, 18, 6);
}

/** The Lens's view of the account in the next block (timestamp pinned), and QuoterV2's price for its seizure. */
async function predict(f: Fx, owner: string, subId: bigint, path: string) {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  const [, , [s]] = await f.lens.snapshot([owner], [subId], { blockTag: "pending" });
  const quoteOut = await quoteExactInput(f.uni, path, s.seized);
  return { s, quoteOut, profit: quoteOut - s.maxRepay };
}

function order(f: Fx, owner: string, subId: bigint, path: string, minProfit: bigint, minSeized = 0n) {
  return {
    owner,
    subId,
    collateralAsset: f.weth.address,
    debtAsset: f.usdc.address,
    maxRepay: MAX,
    minSeized,
    path,
    minProfit,
  };
}

describe("FlashLiquidator on Uniswap V3", () => {
  it("liquidates through the callback, sells the seizure on Uniswap, repays, and pays the Lens-predicted profit to its owner", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const liqAddress = await f.liquidator.getAddress();
    expect(await f.usdc.token.balanceOf(liqAddress)).to.equal(0n); // no capital

    const { s, quoteOut, profit } = await predict(f, f.borrower.address, 0n, path);
    expect(s.liquidatable).to.equal(true);
    expect(s.bestCollateral).to.equal(f.weth.address);
    // The Lens's terms: bonus value at oracle prices, minus the swap cost (oracle value of the seizure − what
    // Uniswap pays for it, per QuoterV2). USDC's oracle price is exactly 1, so both sides are in the same unit; the
    // only difference is the Lens rounding the repay value up: at most one USDC unit (1e12 in 18-decimal USD).
    const seizedValue = mulDivDown(s.seized, await f.pool.price(f.weth.address), WAD);
    const swapCost = seizedValue - quoteOut * 10n ** 12n;
    expect(swapCost).to.be.gt(0n); // 0.3 % fee and price impact
    const lensProfit = s.bonusValue - swapCost;
    const diff = profit * 10n ** 12n - lensProfit;
    expect(diff)
      .to.be.gte(-(10n ** 12n))
      .and.lte(10n ** 12n);
    expect(profit).to.be.gt(units(f.usdc, 50)); // ≈ $5.5k repaid at a 2.4 % bonus less the 10 % fee and swap costs

    const tx = f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, profit, s.seized));
    await expect(tx)
      .to.emit(f.liquidator, "Liquidated")
      .withArgs(f.borrower.address, 0n, f.weth.address, f.usdc.address, s.maxRepay, s.seized, profit);
    await expect(tx).to.emit(f.pool, "Liquidate");
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.keeper, f.pool], [profit, s.maxRepay]);
    await expect(tx).to.changeTokenBalances(f.weth.token, [f.pool], [-s.seized]);
    expect(await f.usdc.token.balanceOf(liqAddress)).to.equal(0n);
    expect(await f.weth.token.balanceOf(liqAddress)).to.equal(0n);
    const h = (await f.pool.accountHealth(f.borrower.address, 0)).healthFactor;
    expect(h)
      .to.be.gte(TARGET_HEALTH)
      .and.lt(TARGET_HEALTH + 10n ** 12n);
    const receipt = await (await tx).wait();
    console.log(
      `      flash liquidation: repaid ${ethers.formatUnits(s.maxRepay, 6)} USDC, profit ${ethers.formatUnits(profit, 6)} USDC` +
        ` (Lens ${ethers.formatUnits(lensProfit, 18)} USD), ${receipt!.gasUsed.toLocaleString("en-US")} gas`,
    );
  });

  it("issue #15 finding 5: flash liquidation works under every pause the guardian can set (supply, borrow, flash, breaker)", async () => {
    const f = await loadFixture(flashFixture);
    const engine = f.users[9];
    await f.pool.grantRole(ethers.id("RISK_ENGINE_ROLE"), engine.address);
    for (const a of [f.usdc, f.weth, f.wbtc]) {
      await f.pool.setPause(a.address, true, true);
      await f.pool.setFlashPause(a.address, true);
      await f.pool.connect(engine).setCircuitBreaker(a.address, true);
    }
    await wethAt(f, "1900");
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const { s, profit } = await predict(f, f.borrower.address, 0n, path);
    expect(s.liquidatable).to.equal(true);
    const tx = f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, profit, s.seized));
    await expect(tx)
      .to.emit(f.liquidator, "Liquidated")
      .withArgs(f.borrower.address, 0n, f.weth.address, f.usdc.address, s.maxRepay, s.seized, profit);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.keeper, f.pool], [profit, s.maxRepay]);
  });

  it("the Lens read one block earlier predicts the profit within 0.1 % (interest accrues in between)", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const [, , [s]] = await f.lens.snapshot([f.borrower.address], [0n]); // the latest block, not the next one
    const predicted = (await quoteExactInput(f.uni, path, s.seized)) - s.maxRepay;
    await time.increase(12);
    const before = await f.usdc.token.balanceOf(f.keeper.address);
    await f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, (predicted * 999n) / 1000n));
    const profit = (await f.usdc.token.balanceOf(f.keeper.address)) - before;
    const tolerance = predicted / 1000n;
    expect(profit - predicted)
      .to.be.gte(-tolerance)
      .and.lte(tolerance);
  });

  it("reverts InsufficientProfit when the profit is below the minimum; nothing moves", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const { profit } = await predict(f, f.borrower.address, 0n, path);
    await expect(f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, profit + 1n)))
      .to.be.revertedWithCustomError(f.liquidator, "InsufficientProfit")
      .withArgs(profit, profit + 1n);
    expect(await f.pool.collateralOf(f.borrower.address, 0, f.weth.address)).to.equal(units(f.weth, 10));
  });

  it("reverts when Uniswap pays less than the repay (pool far below the oracle): Too little received", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900", "1750"); // the seizure carries a ≈ 2.4 % bonus; an 8 % cheaper pool cannot cover the repay
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    await expect(
      f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, 0n)),
    ).to.be.revertedWith("Too little received");
  });

  it("sells along a two-hop route (WETH → WBTC → USDC) and keeps exactly what QuoterV2 quoted, less the repay", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    await movePoolPrice(f.uni, f.admin, f.weth.token, f.wbtc.token, FEE.LOW, "0.0316666667", 18, 8); // 1900 / 60000
    const path = encodePath([f.weth.address, f.wbtc.address, f.usdc.address], [FEE.LOW, FEE.LOW]);
    const { s, profit } = await predict(f, f.borrower.address, 0n, path);
    expect(profit).to.be.gt(0n);
    const tx = f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, profit));
    await expect(tx)
      .to.emit(f.liquidator, "Liquidated")
      .withArgs(f.borrower.address, 0n, f.weth.address, f.usdc.address, s.maxRepay, s.seized, profit);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.keeper], [profit]);
  });

  it("only its owner can use it; the callback only runs inside its own liquidation; paths are checked", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    await expect(f.liquidator.connect(f.stranger).liquidate(order(f, f.borrower.address, 0n, path, 0n)))
      .to.be.revertedWithCustomError(f.liquidator, "OwnableUnauthorizedAccount")
      .withArgs(f.stranger.address);
    await expect(f.liquidator.connect(f.stranger).sweep(f.usdc.address, 0n, f.stranger.address))
      .to.be.revertedWithCustomError(f.liquidator, "OwnableUnauthorizedAccount")
      .withArgs(f.stranger.address);
    const data = ethers.AbiCoder.defaultAbiCoder().encode(
      ["address", "address", "bytes"],
      [f.weth.address, f.usdc.address, path],
    );
    await expect(f.liquidator.connect(f.stranger).onFulcraLiquidate(1n, 1n, data)).to.be.revertedWithCustomError(
      f.liquidator,
      "NotPool",
    );
    // Paths that do not start at the collateral or end at the debt asset.
    for (const bad of [
      encodePath([f.usdc.address, f.weth.address], [FEE.MEDIUM]),
      encodePath([f.weth.address, f.wbtc.address], [FEE.LOW]),
      "0x" + "11".repeat(42),
    ]) {
      await expect(
        f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, bad, 0n)),
      ).to.be.revertedWithCustomError(f.liquidator, "BadPath");
    }
    // The owner (only) sweeps stray tokens, never to the zero address.
    const liqAddress = await f.liquidator.getAddress();
    await f.usdc.token.mint(liqAddress, 5n);
    await expect(
      f.liquidator.connect(f.keeper).sweep(f.usdc.address, 5n, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(f.liquidator, "ZeroAddress");
    const sw = f.liquidator.connect(f.keeper).sweep(f.usdc.address, 5n, f.keeper.address);
    await expect(sw).to.emit(f.liquidator, "Swept").withArgs(f.usdc.address, f.keeper.address, 5n);
    await expect(sw).to.changeTokenBalances(f.usdc.token, [f.keeper, f.liquidator], [5n, -5n]);
    // A healthy account: the pool's own check.
    await wethAt(f, "2000");
    await expect(
      f.liquidator.connect(f.keeper).liquidate(order(f, f.borrower.address, 0n, path, 0n)),
    ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
  });

  it("liquidates a margin position (a 4x WETH long opened through MarginRouter) end to end", async () => {
    const f = await loadFixture(flashFixture);
    const adapter = await (await ethers.getContractFactory("UniswapV3Adapter")).deploy(f.uni.addresses.router);
    const router = (await (
      await ethers.getContractFactory("MarginRouter")
    ).deploy(f.poolAddress, await adapter.getAddress(), f.admin.address)) as unknown as MarginRouter;
    const routerAddress = await router.getAddress();
    await f.pool.connect(f.trader).setAuthorization(routerAddress, true);
    await f.weth.token.connect(f.trader).approve(routerAddress, MAX);
    await router.connect(f.trader).openPosition({
      base: f.weth.address,
      quote: f.usdc.address,
      isLong: true,
      margin: units(f.weth, 2),
      leverage: 4n * WAD,
      minOut: 0n,
      route: encodePath([f.usdc.address, f.weth.address], [FEE.MEDIUM]),
      deadline: (await time.latest()) + 600,
    });
    // The position's account: the router's sub-account for position 1 of the trader, WETH collateral, USDC debt.
    const subId = await router.subIdOf(1n);
    const [debtAsset, , debtOpened, collaterals, amounts] = await f.pool.accountOf(f.trader.address, subId);
    expect(debtAsset).to.equal(f.usdc.address);
    expect([...collaterals]).to.deep.equal([f.weth.address]);
    expect(amounts[0]).to.be.gt(units(f.weth, "7.9")); // 2 WETH margin + ≈ 6 WETH bought
    expect(debtOpened).to.be.gt(units(f.usdc, 11_900));

    await wethAt(f, "1800"); // health ≈ 0.98
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const { s, profit } = await predict(f, f.trader.address, subId, path);
    expect(s.liquidatable).to.equal(true);
    expect(s.healthFactor)
      .to.be.gt(95n * 10n ** 16n)
      .and.lt(WAD); // partial
    const tx = f.liquidator.connect(f.keeper).liquidate(order(f, f.trader.address, subId, path, profit));
    await expect(tx)
      .to.emit(f.liquidator, "Liquidated")
      .withArgs(f.trader.address, subId, f.weth.address, f.usdc.address, s.maxRepay, s.seized, profit);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.keeper], [profit]);
    expect((await f.pool.accountHealth(f.trader.address, subId)).healthFactor).to.be.gte(TARGET_HEALTH);
    const [, , debtAfter] = await f.pool.accountOf(f.trader.address, subId);
    expect(debtAfter).to.equal(s.debt - s.maxRepay); // the Lens's debt in the liquidation's block
    // The trader still owns what is left and closes it through the router: no debt, no collateral remain.
    await router.connect(f.trader).close(1n, MAX, path, (await time.latest()) + 600);
    const [debtAsset2, , debt2, collaterals2] = await f.pool.accountOf(f.trader.address, subId);
    expect([debtAsset2, debt2, collaterals2.length]).to.deep.equal([ethers.ZeroAddress, 0n, 0]);
  });

  it("a flash loan from the pool itself funds a liquidation in one transaction (ERC-3156 + Uniswap V3)", async () => {
    const f = await loadFixture(flashFixture);
    await wethAt(f, "1900");
    const flash = await (
      await ethers.getContractFactory("MockFlashLoanLiquidator")
    ).deploy(f.poolAddress, f.uni.addresses.router);
    const flashAddress = await flash.getAddress();
    const path = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const { s, quoteOut } = await predict(f, f.borrower.address, 0n, path);
    const fee = await f.pool.flashFee(f.usdc.address, s.maxRepay);
    const tx = flash.run(f.usdc.address, s.maxRepay, {
      owner: f.borrower.address,
      subId: 0n,
      collateralAsset: f.weth.address,
      maxRepay: s.maxRepay,
      path,
    });
    await expect(tx).to.emit(f.pool, "FlashLoan").withArgs(flashAddress, flashAddress, f.usdc.address, s.maxRepay, fee);
    await expect(tx).to.emit(f.pool, "Liquidate");
    // It started with nothing and ends with the swap proceeds less the repay and the flash fee.
    await expect(tx).to.changeTokenBalances(
      f.usdc.token,
      [flash, f.pool],
      [quoteOut - s.maxRepay - fee, s.maxRepay + fee],
    );
    expect(await flash.lastRepaid()).to.equal(s.maxRepay);
    expect(await flash.lastSeized()).to.equal(s.seized);
    expect(await f.weth.token.balanceOf(flashAddress)).to.equal(0n);
    // The flash loan does not let it take more than a plain liquidation: the account is at the target, not below.
    const h = (await f.pool.accountHealth(f.borrower.address, 0)).healthFactor;
    expect(h)
      .to.be.gte(TARGET_HEALTH)
      .and.lt(TARGET_HEALTH + 10n ** 12n);
  });
});
