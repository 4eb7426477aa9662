// The per-asset ERC-4626 vault (FulcraVault): deposit / mint / withdraw / redeem with the pool's share math,
// limits, transferability, interest, and the donation / inflation attack on an empty vault.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toAssetsDown, toAssetsUp, toSharesDown, toSharesUp } from "../helpers/core";

async function vaultFixture() {
  const f = await deployPoolFixture();
  const vault = await ethers.getContractAt("FulcraVault", f.usdc.vault);
  const vaultAddr = f.usdc.vault;
  for (const u of f.users.slice(0, 6)) await f.usdc.token.connect(u).approve(vaultAddr, ethers.MaxUint256);
  return { ...f, vault, vaultAddr };
}

/** vaultFixture + a direct lender, a vault depositor and a borrower, then 30 days of interest (share price ≠ 1e-6). */
async function activeVaultFixture() {
  const f = await vaultFixture();
  const [lender, depositor, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 10_000), 0, lender.address);
  await f.vault.connect(depositor).deposit(units(f.usdc, 5_000), depositor.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 6_000), borrower.address, 0, borrower.address);
  await time.increase(30 * 86_400);
  return f;
}

describe("core: FulcraVault (ERC-4626)", () => {
  it("metadata: asset, name, symbol, decimals (asset + 6), pool", async () => {
    const f = await loadFixture(vaultFixture);
    expect(await f.vault.asset()).to.equal(f.usdc.address);
    expect(await f.vault.name()).to.equal("Fulcra USDC Supply");
    expect(await f.vault.symbol()).to.equal("fUSDC");
    expect(await f.vault.decimals()).to.equal(12n);
    expect(await f.vault.POOL()).to.equal(f.poolAddress);
  });

  it("deposit: one vault share per pool share, events from both, exact balances", async () => {
    const f = await loadFixture(vaultFixture);
    const [u, receiver] = f.users;
    const amount = units(f.usdc, 1_000);
    const shares = amount * 10n ** 6n;
    expect(await f.vault.previewDeposit(amount)).to.equal(shares);
    const tx = f.vault.connect(u).deposit(amount, receiver.address);
    await expect(tx).to.emit(f.vault, "Deposit").withArgs(u.address, receiver.address, amount, shares);
    await expect(tx).to.emit(f.pool, "Supply").withArgs(f.usdc.address, f.vaultAddr, f.vaultAddr, amount, shares);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [u, f.pool], [-amount, amount]);
    expect(await f.vault.balanceOf(receiver.address)).to.equal(shares);
    expect(await f.pool.supplyShares(f.usdc.address, f.vaultAddr)).to.equal(await f.vault.totalSupply());
    expect(await f.vault.totalAssets()).to.equal(amount);
    expect(await f.usdc.token.balanceOf(f.vaultAddr)).to.equal(0n);
  });

  it("deposit after interest mints previewDeposit (pool math, rounded down)", async () => {
    const f = await loadFixture(activeVaultFixture);
    const [, , , u] = f.users;
    const amount = units(f.usdc, 777.777777);
    const m = await f.pool.expectedMarket(f.usdc.address);
    expect(await f.vault.previewDeposit(amount)).to.equal(
      toSharesDown(amount, m.totalSupplyAssets, m.totalSupplyShares),
    );
    await f.vault.connect(u).deposit(amount, u.address);
    const minted = await f.vault.balanceOf(u.address);
    const a = await f.pool.market(f.usdc.address); // the deposit's own block: pre-state = post-state − deposit
    expect(minted).to.equal(toSharesDown(amount, a.totalSupplyAssets - amount, a.totalSupplyShares - minted));
  });

  it("mint after interest mints exactly the shares asked and pulls previewMint (rounded up)", async () => {
    const f = await loadFixture(activeVaultFixture);
    const [, , , u] = f.users;
    const shares = 123_456_789_012_345n;
    const m = await f.pool.expectedMarket(f.usdc.address);
    expect(await f.vault.previewMint(shares)).to.equal(toAssetsUp(shares, m.totalSupplyAssets, m.totalSupplyShares));
    const b0 = await f.usdc.token.balanceOf(u.address);
    const tx = await f.vault.connect(u).mint(shares, u.address);
    const assets = b0 - (await f.usdc.token.balanceOf(u.address));
    const a = await f.pool.market(f.usdc.address);
    expect(assets).to.equal(toAssetsUp(shares, a.totalSupplyAssets - assets, a.totalSupplyShares - shares));
    await expect(tx).to.emit(f.vault, "Deposit").withArgs(u.address, u.address, assets, shares);
    expect(await f.vault.balanceOf(u.address)).to.equal(shares);
    expect(await f.pool.supplyShares(f.usdc.address, f.vaultAddr)).to.equal(await f.vault.totalSupply());
  });

  it("mint of an odd share count on a fresh vault (1e6 + 1 shares cost 2 wei)", async () => {
    const f = await loadFixture(vaultFixture);
    const [u] = f.users;
    await expect(f.vault.connect(u).mint(10n ** 6n + 1n, u.address))
      .to.emit(f.vault, "Deposit")
      .withArgs(u.address, u.address, 2n, 10n ** 6n + 1n);
  });

  it("withdraw after interest burns previewWithdraw (rounded up) and pays exactly to the receiver", async () => {
    const f = await loadFixture(activeVaultFixture);
    const [, depositor, , receiver] = f.users;
    const amount = units(f.usdc, 1_000);
    const m = await f.pool.expectedMarket(f.usdc.address);
    expect(await f.vault.previewWithdraw(amount)).to.equal(
      toSharesUp(amount, m.totalSupplyAssets, m.totalSupplyShares),
    );
    const s0 = await f.vault.balanceOf(depositor.address);
    const tx = await f.vault.connect(depositor).withdraw(amount, receiver.address, depositor.address);
    const shares = s0 - (await f.vault.balanceOf(depositor.address));
    const a = await f.pool.market(f.usdc.address);
    expect(shares).to.equal(toSharesUp(amount, a.totalSupplyAssets + amount, a.totalSupplyShares + shares));
    await expect(tx)
      .to.emit(f.vault, "Withdraw")
      .withArgs(depositor.address, receiver.address, depositor.address, amount, shares);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [receiver, f.pool], [amount, -amount]);
    expect(await f.pool.supplyShares(f.usdc.address, f.vaultAddr)).to.equal(await f.vault.totalSupply());
  });

  it("redeem of the whole balance after interest pays previewRedeem (rounded down), interest included", async () => {
    const f = await loadFixture(activeVaultFixture);
    const [, depositor] = f.users;
    const shares = await f.vault.balanceOf(depositor.address);
    const m = await f.pool.expectedMarket(f.usdc.address);
    expect(await f.vault.previewRedeem(shares)).to.equal(
      toAssetsDown(shares, m.totalSupplyAssets, m.totalSupplyShares),
    );
    const b0 = await f.usdc.token.balanceOf(depositor.address);
    const tx = await f.vault.connect(depositor).redeem(shares, depositor.address, depositor.address);
    const assets = (await f.usdc.token.balanceOf(depositor.address)) - b0;
    expect(assets).to.be.gt(units(f.usdc, 5_000)); // earned interest
    const a = await f.pool.market(f.usdc.address);
    expect(assets).to.equal(toAssetsDown(shares, a.totalSupplyAssets + assets, a.totalSupplyShares + shares));
    await expect(tx)
      .to.emit(f.vault, "Withdraw")
      .withArgs(depositor.address, depositor.address, depositor.address, assets, shares);
    expect(await f.vault.totalSupply()).to.equal(0n);
    expect(await f.pool.supplyShares(f.usdc.address, f.vaultAddr)).to.equal(0n);
  });

  it("vault shares are transferable: the recipient redeems; a spender needs an allowance", async () => {
    const f = await loadFixture(vaultFixture);
    const [a, b, spender] = f.users;
    await f.vault.connect(a).deposit(1_000n, a.address);
    await f.vault.connect(a).transfer(b.address, 400n * 10n ** 6n);
    await expect(f.vault.connect(spender).redeem(1n, spender.address, b.address)).to.be.revertedWithCustomError(
      f.vault,
      "ERC20InsufficientAllowance",
    );
    await f.vault.connect(b).approve(spender.address, 400n * 10n ** 6n);
    await expect(f.vault.connect(spender).redeem(400n * 10n ** 6n, spender.address, b.address)).to.changeTokenBalance(
      f.usdc.token,
      spender,
      400n,
    );
  });

  it("maxDeposit is the remaining supply cap and 0 while supply is paused; deposits above it revert", async () => {
    const f = await loadFixture(vaultFixture);
    const [u] = f.users;
    await f.pool.setCaps(f.usdc.address, 1_000n, 0, 0, 0);
    await f.pool.connect(u).supply(f.usdc.address, 400n, 0, u.address);
    expect(await f.vault.maxDeposit(u.address)).to.equal(600n);
    expect(await f.vault.maxMint(u.address)).to.equal(600n * 10n ** 6n);
    await expect(f.vault.connect(u).deposit(601n, u.address)).to.be.revertedWithCustomError(
      f.vault,
      "ERC4626ExceededMaxDeposit",
    );
    await f.pool.setPause(f.usdc.address, true, false);
    expect(await f.vault.maxDeposit(u.address)).to.equal(0n);
  });

  it("maxWithdraw / maxRedeem are limited by the reserve's free liquidity", async () => {
    const f = await loadFixture(activeVaultFixture);
    const [, depositor, borrower] = f.users;
    for (const a of [f.usdc, f.weth]) await a.feed.setAnswer(await a.feed.latestAnswer());
    await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 6_000), borrower.address, 0, borrower.address);
    const m = await f.pool.expectedMarket(f.usdc.address);
    const liquidity = m.totalSupplyAssets - m.totalBorrowAssets;
    expect(liquidity).to.be.lt(units(f.usdc, 5_000)); // less than the depositor's claim
    expect(await f.vault.maxWithdraw(depositor.address)).to.equal(liquidity);
    expect(await f.vault.maxRedeem(depositor.address)).to.equal(
      toSharesDown(liquidity, m.totalSupplyAssets, m.totalSupplyShares),
    );
  });

  it("inflation attack on an empty vault: 1-wei deposit + donations (tokens and pool shares) — the victim loses ≤ 1 wei", async () => {
    const f = await loadFixture(vaultFixture);
    const [attacker, victim] = f.users;
    const a0 = await f.usdc.token.balanceOf(attacker.address);
    await f.vault.connect(attacker).deposit(1n, attacker.address);
    const donation = units(f.usdc, 10_000);
    await f.usdc.token.connect(attacker).transfer(f.vaultAddr, donation); // raw tokens: stranded
    await f.pool.connect(attacker).supply(f.usdc.address, donation, 0, f.vaultAddr); // pool shares to the vault
    const deposit = units(f.usdc, 1_000);
    await f.vault.connect(victim).deposit(deposit, victim.address);
    expect(await f.vault.balanceOf(victim.address)).to.be.gt(0n);
    // Both leave with everything they can redeem.
    const v0 = await f.usdc.token.balanceOf(victim.address);
    await f.vault.connect(victim).redeem(await f.vault.balanceOf(victim.address), victim.address, victim.address);
    await f.vault
      .connect(attacker)
      .redeem(await f.vault.balanceOf(attacker.address), attacker.address, attacker.address);
    const victimGot = (await f.usdc.token.balanceOf(victim.address)) - v0;
    expect(deposit - victimGot).to.be.lte(1n);
    expect(a0 - (await f.usdc.token.balanceOf(attacker.address))).to.be.gte(2n * donation);
  });
});
