// Issue #15, finding 6: "The lender vault breaks ERC-4626". FulcraVault's max* views did not mirror the pool's
// checks (the uint128 share bound, listing), zero amounts reverted in the pool (InconsistentInput), and a deposit worth
// less than one share reached the pool. ERC-4626 requires `deposit(maxDeposit(a))` (and mint / withdraw / redeem with
// their max) to succeed; these tests call each entry point with its max, 0 included, in the states that broke it.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { listFunded, plainSpec, toSharesDown } from "../helpers/core";
import { MAX_UINT128 } from "../../lib/protocol";
import type { FulcraVault, MockERC20 } from "../../typechain-types";

const vaultAt = async (address: string) => await ethers.getContractAt("FulcraVault", address);

/** A plain 18-decimal asset with every cap at type(uint128).max; users 0-2 hold 2^128 - 1 tokens each. */
async function uncappedFixture() {
  const f = await deployPoolFixture();
  const users = f.users.slice(0, 3);
  const big = await listFunded(f, plainSpec("BIG"), users, MAX_UINT128);
  const vault = await vaultAt(big.vault);
  for (const u of users) await big.token.connect(u).approve(big.vault, ethers.MaxUint256);
  return { ...f, big, vault };
}

/**
 * A market whose supply share is worth more than one wei: 1 wei supplied, 1 wei borrowed at 100 % utilization
 * under the steepest rate model, two years of interest, then the debt repaid and the rate model set to zero (the
 * pool keeps the interest of its virtual borrow shares as debt, so only a zero rate freezes the price). One share is
 * then worth about 30 wei, so a deposit of a few wei buys no share.
 */
async function expensiveShareFixture() {
  const f = await deployPoolFixture();
  const [lender, borrower, depositor] = f.users;
  const spec = plainSpec("HIPX", {
    reserveFactorBps: 0,
    rate: { baseBps: 10_000, slope1Bps: 20_000, slope2Bps: 60_000, kinkBps: 9_000 },
  });
  const hipx = await listFunded(f, spec, [lender, borrower, depositor], 10n ** 30n);
  await f.pool.connect(lender).supply(hipx.address, 1n, 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 1), borrower.address, 0);
  await f.pool.connect(borrower).borrow(hipx.address, 1n, borrower.address, 0, borrower.address);
  await time.increase(2 * 365 * 86_400);
  await f.pool.connect(borrower).repay(hipx.address, ethers.MaxUint256, borrower.address, 0);
  await f.pool.setRateModel(hipx.address, 0, 0, 0, 9_000);
  const vault = await vaultAt(hipx.vault);
  await hipx.token.connect(depositor).approve(hipx.vault, ethers.MaxUint256);
  return { ...f, hipx, vault, depositor };
}

/** USDC vault with 5,000 USDC deposited, then every free USDC borrowed: nothing can be withdrawn. */
async function drainedFixture() {
  const f = await deployPoolFixture();
  const [depositor, borrower] = f.users;
  const vault = await vaultAt(f.usdc.vault);
  await f.usdc.token.connect(depositor).approve(f.usdc.vault, ethers.MaxUint256);
  await vault.connect(depositor).deposit(units(f.usdc, 5_000), depositor.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 5_000), borrower.address, 0, borrower.address);
  return { ...f, vault, depositor };
}

/** Expects a zero-amount call of `vault` to succeed without calling the pool (no pool event, nothing moved). */
async function expectNoOp(f: { pool: any }, vault: FulcraVault, token: MockERC20, call: Promise<unknown>) {
  const supply0 = await vault.totalSupply();
  const balance0 = await token.balanceOf(await f.pool.getAddress());
  const tx = await call;
  await expect(tx).not.to.emit(f.pool, "Supply");
  await expect(tx).not.to.emit(f.pool, "Withdraw");
  expect(await vault.totalSupply()).to.equal(supply0);
  expect(await token.balanceOf(await f.pool.getAddress())).to.equal(balance0);
}

describe("attack: the lender vault breaks ERC-4626 (issue #15, finding 6)", () => {
  it("deposit(maxDeposit) reverts on a reserve whose supply cap is type(uint128).max (pool's uint128 share bound)", async () => {
    const f = await loadFixture(uncappedFixture);
    const [u] = f.users;
    const max = await f.vault.maxDeposit(u.address);
    await expect(f.vault.connect(u).deposit(max, u.address)).not.to.be.reverted;
    const m = await f.pool.market(f.big.address);
    expect(m.totalSupplyShares).to.equal(await f.vault.totalSupply());
    // The share total is now (nearly) full: what is left buys less than one share's worth, or nothing.
    expect(await f.vault.maxDeposit(u.address)).to.equal(0n);
    expect(await f.vault.maxMint(u.address)).to.equal(MAX_UINT128 - m.totalSupplyShares);
  });

  it("mint(maxMint) reverts on a reserve whose supply cap is type(uint128).max", async () => {
    const f = await loadFixture(uncappedFixture);
    const [, u] = f.users;
    const max = await f.vault.maxMint(u.address);
    expect(max).to.equal(MAX_UINT128); // empty market: the share bound binds
    await expect(f.vault.connect(u).mint(max, u.address)).not.to.be.reverted;
    expect(await f.vault.balanceOf(u.address)).to.equal(MAX_UINT128);
    expect(await f.vault.maxMint(u.address)).to.equal(0n);
    expect(await f.vault.maxDeposit(u.address)).to.equal(0n);
  });

  it("redeem(maxRedeem) and withdraw(maxWithdraw) revert when they are 0 (no balance; all cash borrowed)", async () => {
    const f = await loadFixture(drainedFixture);
    const [depositor, , stranger] = f.users;
    for (const owner of [depositor, stranger]) {
      expect(await f.vault.maxRedeem(owner.address)).to.equal(0n);
      expect(await f.vault.maxWithdraw(owner.address)).to.equal(0n);
      const redeem = f.vault
        .connect(owner)
        .redeem(await f.vault.maxRedeem(owner.address), owner.address, owner.address);
      await expect(redeem).to.emit(f.vault, "Withdraw").withArgs(owner.address, owner.address, owner.address, 0n, 0n);
      await expectNoOp(f, f.vault, f.usdc.token, f.vault.connect(owner).redeem(0n, owner.address, owner.address));
      await expectNoOp(f, f.vault, f.usdc.token, f.vault.connect(owner).withdraw(0n, owner.address, owner.address));
    }
    // Someone else's zero withdrawal needs no allowance either: nothing is spent.
    await expectNoOp(
      f,
      f.vault,
      f.usdc.token,
      f.vault.connect(stranger).redeem(0n, stranger.address, depositor.address),
    );
  });

  it("deposit(maxDeposit) and mint(maxMint) revert while supply is paused (both 0)", async () => {
    const f = await loadFixture(drainedFixture);
    const [u] = f.users;
    await f.pool.setPause(f.usdc.address, true, false);
    expect(await f.vault.maxDeposit(u.address)).to.equal(0n);
    expect(await f.vault.maxMint(u.address)).to.equal(0n);
    const deposit = f.vault.connect(u).deposit(await f.vault.maxDeposit(u.address), u.address);
    await expect(deposit).to.emit(f.vault, "Deposit").withArgs(u.address, u.address, 0n, 0n);
    await expectNoOp(f, f.vault, f.usdc.token, f.vault.connect(u).mint(0n, u.address));
    await expect(f.vault.connect(u).deposit(1n, u.address))
      .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxDeposit")
      .withArgs(u.address, 1n, 0n);
  });

  it("a vault over an unlisted asset: every max* is 0 and calling each with it does not revert", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [u] = f.users;
    const token = (await (
      await ethers.getContractFactory("MockERC20")
    ).deploy("Unlisted", "UNL", 18)) as unknown as MockERC20;
    const vault = (await (
      await ethers.getContractFactory("FulcraVault")
    ).deploy(f.poolAddress, await token.getAddress())) as unknown as FulcraVault;
    expect(await vault.maxDeposit(u.address)).to.equal(0n);
    expect(await vault.maxMint(u.address)).to.equal(0n);
    expect(await vault.maxWithdraw(u.address)).to.equal(0n);
    expect(await vault.maxRedeem(u.address)).to.equal(0n);
    await expectNoOp(f, vault, token, vault.connect(u).deposit(0n, u.address));
    await expectNoOp(f, vault, token, vault.connect(u).mint(0n, u.address));
    await expectNoOp(f, vault, token, vault.connect(u).withdraw(0n, u.address, u.address));
    await expectNoOp(f, vault, token, vault.connect(u).redeem(0n, u.address, u.address));
  });

  it("a share worth more than one wei: maxDeposit excludes deposits that buy no share, which revert clearly", async () => {
    const f = await loadFixture(expensiveShareFixture);
    const u = f.depositor;
    const m = await f.pool.market(f.hipx.address);
    expect(await f.pool.borrowRate(f.hipx.address)).to.equal(0n); // static price from here on
    const perShare = (m.totalSupplyAssets + 1n) / (m.totalSupplyShares + 10n ** 6n);
    expect(perShare).to.be.gt(2n);
    // Room under the cap for fewer assets than one share costs: maxDeposit must be 0, not that room.
    await f.pool.setCaps(f.hipx.address, m.totalSupplyAssets + perShare - 1n, MAX_UINT128, MAX_UINT128, 0);
    expect(await f.vault.maxDeposit(u.address)).to.equal(0n);
    await expect(f.vault.connect(u).deposit(await f.vault.maxDeposit(u.address), u.address)).not.to.be.reverted;
    // A direct deposit that would mint 0 shares is refused with a clear error instead of taking the assets.
    await f.pool.setCaps(f.hipx.address, MAX_UINT128, MAX_UINT128, MAX_UINT128, 0);
    await expect(f.vault.connect(u).deposit(1n, u.address))
      .to.be.revertedWithCustomError(f.vault, "DepositMintsNoShares")
      .withArgs(1n);
  });

  it("a share worth more than one wei: deposit(x) mints exactly previewDeposit(x) and pulls exactly x", async () => {
    const f = await loadFixture(expensiveShareFixture);
    const u = f.depositor;
    const m0 = await f.pool.market(f.hipx.address);
    const perShare = (m0.totalSupplyAssets + 1n) / (m0.totalSupplyShares + 10n ** 6n);
    for (const amount of [perShare + 1n, 3n * perShare + 12_345n, units(f.hipx, 1) + 7n]) {
      const m = await f.pool.market(f.hipx.address);
      const shares = await f.vault.previewDeposit(amount);
      expect(shares).to.equal(toSharesDown(amount, m.totalSupplyAssets, m.totalSupplyShares));
      const tx = f.vault.connect(u).deposit(amount, u.address);
      await expect(tx).to.emit(f.vault, "Deposit").withArgs(u.address, u.address, amount, shares);
      await expect(tx).to.changeTokenBalances(f.hipx.token, [u, f.pool], [-amount, amount]);
    }
    expect(await f.pool.supplyShares(f.hipx.address, f.hipx.vault)).to.equal(await f.vault.totalSupply());
  });
});
