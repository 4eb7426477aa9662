// Attack suite (issue 5): oracle manipulation through the DEX. The attacker moves the Uniswap V3 WETH/USDC pool
// far from the Chainlink price (a sandwich's front-run, or a flash-loan-funded push). The pool prices only from
// Chainlink, so health and liquidation do not move; a margin trade executed in the manipulated pool reverts
// PriceDeviation instead of leaving the trader poorer; and the attacker is left with the round-trip loss.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import {
  deployUniswapV3,
  createPoolAtPrice,
  addLiquidityAroundPrice,
  movePoolPrice,
  encodePath,
  FEE,
} from "../../lib/uniswap";

const WAD = 10n ** 18n;

async function dexFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower, trader, attacker, lp] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 1_000), 0, lender.address);
  // Borrower: 10 WETH, 16,000 USDC debt — health 20,000 · 0.825 / 16,000 = 1.03.
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_000), borrower.address, 0, borrower.address);

  await f.usdc.token.mint(attacker.address, units(f.usdc, 5_000_000)); // the attacker's war chest: 6M USDC
  const uni = await deployUniswapV3(f.admin);
  await f.weth.token.mint(lp.address, units(f.weth, 1_000));
  await f.usdc.token.mint(lp.address, units(f.usdc, 2_000_000));
  await createPoolAtPrice(uni, f.weth.token, f.usdc.token, FEE.MEDIUM, 2000, 18, 6);
  await addLiquidityAroundPrice(
    uni,
    lp,
    f.weth.token,
    f.usdc.token,
    FEE.MEDIUM,
    units(f.weth, 1_000),
    units(f.usdc, 2_000_000),
    30,
  );
  const adapter = await (await ethers.getContractFactory("UniswapV3Adapter")).deploy(uni.addresses.router);
  const router = await (
    await ethers.getContractFactory("MarginRouter")
  ).deploy(f.poolAddress, await adapter.getAddress(), f.admin.address);
  const routerAddress = await router.getAddress();
  await f.pool.connect(trader).setAuthorization(routerAddress, true);
  await f.weth.token.connect(trader).approve(routerAddress, ethers.MaxUint256);
  await f.usdc.token.connect(trader).approve(routerAddress, ethers.MaxUint256);
  return {
    ...f,
    uni,
    router,
    borrower,
    trader,
    attacker,
    pathUW: encodePath([f.usdc.address, f.weth.address], [FEE.MEDIUM]),
  };
}

describe("attacks: oracle manipulation through the DEX (margin trades)", () => {
  it("pumping WETH to 2,500 on Uniswap: health and liquidation unchanged, a 3x long open reverts PriceDeviation, the attacker loses on the round trip", async () => {
    const f = await loadFixture(dexFixture);
    const healthBefore = await f.pool.accountHealth(f.borrower.address, 0);
    const priceBefore = await f.pool.price(f.weth.address);
    const usdc0 = await f.usdc.token.balanceOf(f.attacker.address);
    const weth0 = await f.weth.token.balanceOf(f.attacker.address);

    // Front-run: the attacker buys WETH with USDC until the pool quotes 2,500.
    const push = await movePoolPrice(f.uni, f.attacker, f.usdc.token, f.weth.token, FEE.MEDIUM, "0.0004", 6, 18);
    expect(push.tokenIn).to.equal(f.usdc.address);
    expect(push.amountIn).to.be.lt(usdc0); // the price limit, not the balance, stopped the swap: the pool is at 2,500

    // The pool still prices WETH from Chainlink: same price, same health, nothing to liquidate.
    expect(await f.pool.price(f.weth.address)).to.equal(priceBefore);
    const healthDuring = await f.pool.accountHealth(f.borrower.address, 0);
    expect(healthDuring.liquidationValue).to.equal(healthBefore.liquidationValue);
    expect(healthDuring.collateralValue).to.equal(healthBefore.collateralValue);
    await expect(
      f.pool
        .connect(f.attacker)
        .liquidate(f.borrower.address, 0, f.weth.address, ethers.MaxUint256, 0, f.attacker.address, "0x"),
    ).to.be.revertedWithCustomError(f.pool, "HealthyAccount");

    // The victim's 3x long buys WETH in the pumped pool: about 20 % less WETH than the oracle value → refused.
    const open = {
      base: f.weth.address,
      quote: f.usdc.address,
      isLong: true,
      margin: units(f.weth, 1),
      leverage: 3n * WAD,
      minOut: 0n,
      route: f.pathUW,
      deadline: 2n ** 40n,
    };
    const tx = f.router.connect(f.trader).openPosition(open);
    await expect(tx).to.be.revertedWithCustomError(f.router, "PriceDeviation");
    expect(await f.router.nextPositionId()).to.equal(1n);
    expect(await f.weth.token.balanceOf(f.trader.address)).to.equal(units(f.weth, 1_000_000));

    // Back-run: the attacker sells the WETH back to 2,000 and ends with less USDC than it started (fees both ways).
    await movePoolPrice(f.uni, f.attacker, f.weth.token, f.usdc.token, FEE.MEDIUM, 2000, 18, 6, push.amountOut);
    const usdc1 = await f.usdc.token.balanceOf(f.attacker.address);
    const weth1 = await f.weth.token.balanceOf(f.attacker.address);
    const lossValue = (usdc0 - usdc1) * 10n ** 12n - (weth1 - weth0) * 2000n; // 18-decimal USD at 2,000
    console.log(
      `      DEX push 2,000 → 2,500: attacker spent ${ethers.formatUnits(push.amountIn, 6)} USDC, round-trip loss ≈ ${ethers.formatUnits(lossValue, 18)} USD`,
    );
    expect(lossValue).to.be.gt(0n);
  });
});
