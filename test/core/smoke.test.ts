import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";

describe("Pool smoke", () => {
  it("supply, collateral, borrow, repay, withdraw", async () => {
    const { pool, users, usdc, weth } = await loadFixture(deployPoolFixture);
    const [lender, borrower] = users;
    await pool.connect(lender).supply(usdc.address, units(usdc, 10_000), 0, lender.address);
    await pool.connect(borrower).supplyCollateral(weth.address, units(weth, 1), borrower.address, 0);
    await pool.connect(borrower).borrow(usdc.address, units(usdc, 1000), borrower.address, 0, borrower.address);
    const h = await pool.accountHealth(borrower.address, 0);
    expect(h.debtValue).to.equal(10n ** 21n);
    await pool.connect(borrower).repay(usdc.address, ethers.MaxUint256, borrower.address, 0);
    await pool
      .connect(borrower)
      .withdrawCollateral(weth.address, ethers.MaxUint256, borrower.address, 0, borrower.address);
    const [debtAsset, , debt, assets] = await pool.accountOf(borrower.address, 0);
    expect(debtAsset).to.equal(ethers.ZeroAddress);
    expect(debt).to.equal(0n);
    expect(assets.length).to.equal(0);
  });
});
import { ethers } from "hardhat";
