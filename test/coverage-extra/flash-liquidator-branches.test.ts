// Coverage (issue 15): FlashLiquidator's constructor guard and the length checks of its Uniswap path (a path is
// tokenIn, then (fee, token) pairs: 20 + 23·k bytes, k ≥ 1).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";

async function fixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  const [keeper, router] = [f.users[7], f.users[8]];
  const factory = await ethers.getContractFactory("FlashLiquidator");
  const liquidator = await factory.deploy(f.poolAddress, router.address, keeper.address);
  // A healthy borrower: 10 WETH of collateral, 1,000 USDC of debt.
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 1_000), borrower.address, 0, borrower.address);
  return { ...f, factory, liquidator, borrower, keeper, router };
}

type Fx = Awaited<ReturnType<typeof fixture>>;

const FEE = "000bb8"; // 3000, uint24
const hop = (f: Fx) => f.weth.address.toLowerCase() + FEE + f.usdc.address.slice(2).toLowerCase();

function order(f: Fx, path: string) {
  return {
    owner: f.borrower.address,
    subId: 0n,
    collateralAsset: f.weth.address,
    debtAsset: f.usdc.address,
    maxRepay: ethers.MaxUint256,
    minSeized: 0n,
    path,
    minProfit: 0n,
  };
}

describe("coverage: FlashLiquidator guards", () => {
  it("the constructor rejects a zero pool or a zero router (ZeroAddress)", async () => {
    const f = await loadFixture(fixture);
    const zero = ethers.ZeroAddress;
    for (const [pool, router] of [
      [zero, f.router.address],
      [f.poolAddress, zero],
      [zero, zero],
    ]) {
      await expect(f.factory.deploy(pool, router, f.keeper.address)).to.be.revertedWithCustomError(
        f.factory,
        "ZeroAddress",
      );
    }
    expect(await f.liquidator.POOL()).to.equal(f.poolAddress);
    expect(await f.liquidator.ROUTER()).to.equal(f.router.address);
    expect(await f.liquidator.owner()).to.equal(f.keeper.address);
  });

  it("paths shorter than one hop or not 20 + 23·k bytes long revert BadPath", async () => {
    const f = await loadFixture(fixture);
    const one = hop(f); // 43 bytes: weth, fee, usdc
    expect(ethers.dataLength(one)).to.equal(43);
    const usdcTail = f.usdc.address.slice(2).toLowerCase();
    for (const bad of [
      "0x", // empty
      f.weth.address, // a token alone (20 bytes)
      one.slice(0, -2), // 42 bytes
      f.weth.address.toLowerCase() + FEE + "00" + usdcTail, // 44 bytes, right ends, one stray byte
      one + FEE + "00" + usdcTail, // 67 bytes (20 + 47), right ends
    ]) {
      await expect(f.liquidator.connect(f.keeper).liquidate(order(f, bad)), bad).to.be.revertedWithCustomError(
        f.liquidator,
        "BadPath",
      );
    }
    // A well-formed one-hop path passes the checks and reaches the pool, which refuses the healthy account.
    await expect(f.liquidator.connect(f.keeper).liquidate(order(f, one))).to.be.revertedWithCustomError(
      f.pool,
      "HealthyAccount",
    );
  });
});
