// ERC-3156 flash loans: fee 0 and non-zero, the views, callback failure, non-repayment, nesting.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { expectRevertNoChange, toAssetsDown } from "../helpers/core";
import type { MockFlashBorrower } from "../../typechain-types";

const Mode = { Repay: 0, WrongReturn: 1, NoRepay: 2, Reenter: 3 };

/** Lender supplies 10,000 USDC; a borrower posts 1 WETH of collateral; a flash borrower contract is deployed. */
async function flashFixture() {
  const f = await deployPoolFixture();
  const [lender, b] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 10_000), 0, lender.address);
  await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
  const borrower = (await (
    await ethers.getContractFactory("MockFlashBorrower")
  ).deploy(f.poolAddress)) as unknown as MockFlashBorrower;
  await borrower.approveLender(f.usdc.address);
  await borrower.approveLender(f.weth.address);
  return { ...f, borrower };
}

describe("core: flash loans", () => {
  it("fee 0: lends, calls back with (initiator, token, amount, 0), takes it back and emits FlashLoan", async () => {
    const f = await loadFixture(flashFixture);
    const [, , caller] = f.users;
    const amount = units(f.usdc, 10_000);
    const tx = f.borrower.connect(caller).borrow(f.usdc.address, amount);
    await expect(tx)
      .to.emit(f.pool, "FlashLoan")
      .withArgs(await f.borrower.getAddress(), await f.borrower.getAddress(), f.usdc.address, amount, 0n);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.pool, f.borrower], [0n, 0n]);
    expect(await f.borrower.lastInitiator()).to.equal(await f.borrower.getAddress());
    expect(await f.borrower.lastAmount()).to.equal(amount);
    expect(await f.borrower.lastFee()).to.equal(0n);
    expect((await f.pool.market(f.usdc.address)).totalSupplyAssets).to.equal(amount);
  });

  it("fee 9 bps: the fee (rounded up) is pulled and credited to reserves, not to the share price", async () => {
    const f = await loadFixture(flashFixture);
    await expect(f.pool.setFlashFee(f.usdc.address, 9)).to.emit(f.pool, "FlashFeeSet").withArgs(f.usdc.address, 0, 9);
    const amount = units(f.usdc, 1_000) + 1n;
    const fee = (amount * 9n + 9_999n) / 10_000n;
    expect(await f.pool.flashFee(f.usdc.address, amount)).to.equal(fee);
    await f.usdc.token.mint(await f.borrower.getAddress(), fee);
    const lenderBefore = await f.pool.supplyBalance(f.usdc.address, f.users[0].address);
    const tx = f.borrower.borrow(f.usdc.address, amount);
    await expect(tx)
      .to.emit(f.pool, "FlashLoan")
      .withArgs(await f.borrower.getAddress(), await f.borrower.getAddress(), f.usdc.address, amount, fee);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [f.pool, f.borrower], [fee, -fee]);
    expect(await f.borrower.lastFee()).to.equal(fee);
    const m = await f.pool.market(f.usdc.address);
    expect(m.totalSupplyAssets).to.equal(units(f.usdc, 10_000) + fee);
    expect(fee - toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares)).to.be.lte(1n);
    expect(await f.pool.supplyBalance(f.usdc.address, f.users[0].address)).to.equal(lenderBefore);
  });

  it("flashFee rounds up: 1 unit at 1 bps costs 1 unit; at 0 bps nothing", async () => {
    const f = await loadFixture(flashFixture);
    expect(await f.pool.flashFee(f.usdc.address, 1n)).to.equal(0n);
    await f.pool.setFlashFee(f.usdc.address, 1);
    expect(await f.pool.flashFee(f.usdc.address, 1n)).to.equal(1n);
    expect(await f.pool.flashFee(f.usdc.address, 10_000n)).to.equal(1n);
    expect(await f.pool.flashFee(f.usdc.address, 10_001n)).to.equal(2n);
  });

  it("maxFlashLoan is the pool's whole balance (collateral included); 0 when unlisted or flash-paused", async () => {
    const f = await loadFixture(flashFixture);
    expect(await f.pool.maxFlashLoan(f.usdc.address)).to.equal(units(f.usdc, 10_000));
    expect(await f.pool.maxFlashLoan(f.weth.address)).to.equal(units(f.weth, 1));
    expect(await f.pool.maxFlashLoan(f.users[0].address)).to.equal(0n);
    // A borrow pause no longer stops flash loans (issue #15, finding 5); their own pause does.
    await f.pool.setPause(f.usdc.address, false, true);
    expect(await f.pool.maxFlashLoan(f.usdc.address)).to.equal(units(f.usdc, 10_000));
    await expect(f.pool.setFlashPause(f.usdc.address, true))
      .to.emit(f.pool, "FlashPauseSet")
      .withArgs(f.usdc.address, true);
    expect(await f.pool.maxFlashLoan(f.usdc.address)).to.equal(0n);
    // Collateral may be flash-borrowed and is back before the transaction ends.
    await f.borrower.borrow(f.weth.address, units(f.weth, 1));
    expect(await f.weth.token.balanceOf(f.poolAddress)).to.equal(units(f.weth, 1));
  });

  it("UnsupportedToken for flashFee and flashLoan of an unlisted token", async () => {
    const f = await loadFixture(flashFixture);
    const t = f.users[5].address;
    await expect(f.pool.flashFee(t, 1)).to.be.revertedWithCustomError(f.pool, "UnsupportedToken");
    await expectRevertNoChange(f, () => f.borrower.borrow(t, 1), f.pool, "UnsupportedToken");
  });

  it("ZeroAmount for a zero loan", async () => {
    const f = await loadFixture(flashFixture);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.usdc.address, 0), f.pool, "ZeroAmount");
  });

  it("FlashPaused while the asset's flash loans are paused (only the guardian pauses); a borrow pause does not stop them", async () => {
    const f = await loadFixture(flashFixture);
    await f.pool.setPause(f.usdc.address, false, true);
    await expect(f.borrower.borrow(f.usdc.address, 1)).to.emit(f.pool, "FlashLoan");
    await expect(f.pool.connect(f.users[3]).setFlashPause(f.usdc.address, true)).to.be.revertedWithCustomError(
      f.pool,
      "AccessControlUnauthorizedAccount",
    );
    await f.pool.setFlashPause(f.usdc.address, true);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.usdc.address, 1), f.pool, "FlashPaused");
    await f.pool.setFlashPause(f.usdc.address, false);
    await expect(f.borrower.borrow(f.usdc.address, 1)).to.emit(f.pool, "FlashLoan");
  });

  it("FlashLoanCallbackFailed when the callback returns anything but the ERC-3156 magic value", async () => {
    const f = await loadFixture(flashFixture);
    await f.borrower.setMode(Mode.WrongReturn);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.usdc.address, 1000n), f.pool, "FlashLoanCallbackFailed");
  });

  it("a borrower that does not repay: the whole loan reverts (the token's allowance error)", async () => {
    const f = await loadFixture(flashFixture);
    await f.borrower.setMode(Mode.NoRepay);
    const before = await f.usdc.token.balanceOf(f.poolAddress);
    await expect(f.borrower.borrow(f.usdc.address, 1000n)).to.be.revertedWithCustomError(
      f.usdc.token,
      "ERC20InsufficientAllowance",
    );
    expect(await f.usdc.token.balanceOf(f.poolAddress)).to.equal(before);
  });

  it("a borrower that cannot pay the fee: reverts (the token's balance error)", async () => {
    const f = await loadFixture(flashFixture);
    await f.pool.setFlashFee(f.usdc.address, 100);
    await expect(f.borrower.borrow(f.usdc.address, 1000n)).to.be.revertedWithCustomError(
      f.usdc.token,
      "ERC20InsufficientBalance",
    );
  });

  it("more than the pool holds (maxFlashLoan): reverts InsufficientLiquidity, the pool's own error", async () => {
    const f = await loadFixture(flashFixture);
    await expect(f.borrower.borrow(f.usdc.address, units(f.usdc, 10_000) + 1n)).to.be.revertedWithCustomError(
      f.pool,
      "InsufficientLiquidity",
    );
  });

  it("a nested flash loan from the callback reverts Reentrancy", async () => {
    const f = await loadFixture(flashFixture);
    await f.borrower.setMode(Mode.Reenter);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.usdc.address, 1000n), f.pool, "Reentrancy");
  });

  it("the callback may use the pool's other entry points (supply) — books are untouched while the loan is out", async () => {
    const f = await loadFixture(flashFixture);
    const borrowerAddr = await f.borrower.getAddress();
    await f.usdc.token.mint(borrowerAddr, 500n);
    // The borrower already approved the pool (max) for USDC: supplying 500 from its own funds during the callback.
    const data = f.pool.interface.encodeFunctionData("supply", [f.usdc.address, 500n, 0n, borrowerAddr]);
    await f.borrower.setCustom(f.poolAddress, data);
    await f.borrower.borrow(f.usdc.address, 1000n);
    expect(await f.pool.supplyBalance(f.usdc.address, borrowerAddr)).to.equal(500n);
    expect(await f.usdc.token.balanceOf(f.poolAddress)).to.equal(units(f.usdc, 10_000) + 500n);
  });

  it("setFlashFee: InvalidFlashFee above 100 bps (100 accepted), RISK_ADMIN only, AssetNotListed", async () => {
    const f = await loadFixture(flashFixture);
    await expect(f.pool.setFlashFee(f.usdc.address, 101)).to.be.revertedWithCustomError(f.pool, "InvalidFlashFee");
    await f.pool.setFlashFee(f.usdc.address, 100);
    expect((await f.pool.assetConfig(f.usdc.address)).flashFee).to.equal(100n);
    await expect(f.pool.connect(f.users[1]).setFlashFee(f.usdc.address, 1)).to.be.revertedWithCustomError(
      f.pool,
      "AccessControlUnauthorizedAccount",
    );
    await expect(f.pool.setFlashFee(f.users[1].address, 1)).to.be.revertedWithCustomError(f.pool, "AssetNotListed");
  });
});
