// Coverage (issue 15): FulcraVault's ERC-4626 limit checks on mint, withdraw and redeem, with the limits set by the
// pool (paused supply, free cash after borrows) and by the owner's balance.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toSharesDown } from "../helpers/core";

/** The USDC vault with a depositor (5,000 USDC) and a borrower who took 4,000 of its 5,000 USDC of cash. */
async function vaultFixture() {
  const f = await deployPoolFixture();
  const vault = await ethers.getContractAt("FulcraVault", f.usdc.vault);
  const [depositor, borrower, other] = f.users;
  for (const u of [depositor, other]) await f.usdc.token.connect(u).approve(f.usdc.vault, ethers.MaxUint256);
  await vault.connect(depositor).deposit(units(f.usdc, 5_000), depositor.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 4_000), borrower.address, 0, borrower.address);
  return { ...f, vault, depositor, borrower, other };
}

/** Pins the next block's timestamp (interest accrues every second) so that a view at "pending" matches the next tx. */
async function pinNextBlock() {
  await time.setNextBlockTimestamp((await time.latest()) + 10);
  return { blockTag: "pending" } as const;
}

describe("coverage: FulcraVault limits", () => {
  it("mint above maxMint reverts ERC4626ExceededMaxMint with the limit; 0 with supply paused", async () => {
    const f = await loadFixture(vaultFixture);
    const max = await f.vault.maxMint(f.other.address, await pinNextBlock());
    expect(max).to.be.gt(0n);
    await expect(f.vault.connect(f.other).mint(max + 1n, f.other.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxMint")
      .withArgs(f.other.address, max + 1n, max);
    await f.pool.setPause(f.usdc.address, true, false);
    expect(await f.vault.maxMint(f.other.address)).to.equal(0n);
    await expect(f.vault.connect(f.other).mint(1n, f.other.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxMint")
      .withArgs(f.other.address, 1n, 0n);
    expect(await f.vault.balanceOf(f.other.address)).to.equal(0n);
  });

  it("withdraw above the free cash reverts ERC4626ExceededMaxWithdraw; exactly the cash is paid", async () => {
    const f = await loadFixture(vaultFixture);
    const cash = units(f.usdc, 1_000); // 5,000 supplied − 4,000 borrowed (no time has passed)
    const max = await f.vault.maxWithdraw(f.depositor.address);
    expect(max).to.equal(cash);
    expect(await f.vault.convertToAssets(await f.vault.balanceOf(f.depositor.address))).to.be.gt(cash);
    await expect(f.vault.connect(f.depositor).withdraw(cash + 1n, f.depositor.address, f.depositor.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxWithdraw")
      .withArgs(f.depositor.address, cash + 1n, cash);
    // A holder without shares may withdraw nothing.
    await expect(f.vault.connect(f.other).withdraw(1n, f.other.address, f.other.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxWithdraw")
      .withArgs(f.other.address, 1n, 0n);
    await expect(
      f.vault.connect(f.depositor).withdraw(cash, f.depositor.address, f.depositor.address),
    ).to.changeTokenBalances(f.usdc.token, [f.depositor, f.pool], [cash, -cash]);
  });

  it("redeem above maxRedeem (the shares the free cash pays) reverts ERC4626ExceededMaxRedeem", async () => {
    const f = await loadFixture(vaultFixture);
    const shares = await f.vault.balanceOf(f.depositor.address);
    expect(shares).to.equal(units(f.usdc, 5_000) * 10n ** 6n);
    const pending = await pinNextBlock();
    const m = await f.pool.expectedMarket(f.usdc.address, pending);
    const cash = m.totalSupplyAssets - m.totalBorrowAssets;
    const max = toSharesDown(cash, m.totalSupplyAssets, m.totalSupplyShares);
    expect(await f.vault.maxRedeem(f.depositor.address, pending)).to.equal(max);
    expect(max).to.be.lt(shares);
    await expect(f.vault.connect(f.depositor).redeem(max + 1n, f.depositor.address, f.depositor.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxRedeem")
      .withArgs(f.depositor.address, max + 1n, max);
    await expect(f.vault.connect(f.other).redeem(1n, f.other.address, f.other.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxRedeem")
      .withArgs(f.other.address, 1n, 0n);
    expect(await f.vault.balanceOf(f.depositor.address)).to.equal(shares);
  });
});
