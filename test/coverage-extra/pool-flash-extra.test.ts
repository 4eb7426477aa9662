// Pool.flashLoan above maxFlashLoan (found by the invariant campaign: a MarginRouter open on an emptied market used
// to fail inside the token with ERC20InsufficientBalance instead of the pool's own error).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import type { MockFlashBorrower } from "../../typechain-types";

async function fixture() {
  const f = await deployPoolFixture();
  const [lender] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000), 0, lender.address);
  const borrower = (await (
    await ethers.getContractFactory("MockFlashBorrower")
  ).deploy(f.poolAddress)) as unknown as MockFlashBorrower;
  await borrower.approveLender(f.usdc.address);
  await borrower.approveLender(f.wbtc.address);
  return { ...f, borrower };
}

describe("core: flash loan above maxFlashLoan", () => {
  it("one wei above the pool's balance reverts InsufficientLiquidity; exactly the balance goes through", async () => {
    const f = await loadFixture(fixture);
    const max = await f.pool.maxFlashLoan(f.usdc.address);
    expect(max).to.equal(units(f.usdc, 1_000));
    await expect(f.borrower.borrow(f.usdc.address, max + 1n)).to.be.revertedWithCustomError(
      f.pool,
      "InsufficientLiquidity",
    );
    await expect(f.borrower.borrow(f.usdc.address, max))
      .to.emit(f.pool, "FlashLoan")
      .withArgs(await f.borrower.getAddress(), await f.borrower.getAddress(), f.usdc.address, max, 0n);
  });

  it("an empty market (maxFlashLoan 0) refuses any amount with InsufficientLiquidity", async () => {
    const f = await loadFixture(fixture);
    expect(await f.pool.maxFlashLoan(f.wbtc.address)).to.equal(0n);
    await expect(f.borrower.borrow(f.wbtc.address, 1n)).to.be.revertedWithCustomError(f.pool, "InsufficientLiquidity");
  });
});
