// Input and state guards of Pool.liquidate and PoolExt.withdrawLiquidationFees, each leaving the pool untouched
// (the liquidation engine itself is covered in test/liquidation).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { expectRevertNoChange } from "../helpers/core";
import { toFeedAnswer } from "../../lib/protocol";

/** Borrower 1: 1 WETH, 1,600 USDC debt; WETH falls to 1,900 (health 0.98). Borrower 2: healthy. */
async function liqFixture() {
  const f = await deployPoolFixture();
  const [lender, b, h] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  for (const u of [b, h]) await f.pool.connect(u).supplyCollateral(f.weth.address, units(f.weth, 1), u.address, 0);
  await f.pool.connect(b).borrow(f.usdc.address, units(f.usdc, 1_600), b.address, 0, b.address);
  await f.pool.connect(h).borrow(f.usdc.address, units(f.usdc, 500), h.address, 0, h.address);
  await f.weth.feed.setAnswer(toFeedAnswer(1_900));
  return f;
}

describe("core: liquidate guards", () => {
  const liq = (
    f: Awaited<ReturnType<typeof liqFixture>>,
    owner: string,
    coll: string,
    max = ethers.MaxUint256,
    min = 0n,
    to?: string,
  ) => f.pool.connect(f.users[3]).liquidate(owner, 0, coll, max, min, to ?? f.users[3].address, "0x");

  it("ZeroAmount for maxRepay 0; ZeroAddress for receiver 0", async () => {
    const f = await loadFixture(liqFixture);
    await expectRevertNoChange(f, () => liq(f, f.users[1].address, f.weth.address, 0n), f.pool, "ZeroAmount");
    await expectRevertNoChange(
      f,
      () => liq(f, f.users[1].address, f.weth.address, ethers.MaxUint256, 0n, ethers.ZeroAddress),
      f.pool,
      "ZeroAddress",
    );
  });
  it("NoDebt for an account without debt", async () => {
    const f = await loadFixture(liqFixture);
    await expectRevertNoChange(f, () => liq(f, f.users[4].address, f.weth.address), f.pool, "NoDebt");
  });
  it("NotAccountCollateral for an asset the account does not hold", async () => {
    const f = await loadFixture(liqFixture);
    await expectRevertNoChange(f, () => liq(f, f.users[1].address, f.wbtc.address), f.pool, "NotAccountCollateral");
  });
  it("HealthyAccount for a healthy borrower", async () => {
    const f = await loadFixture(liqFixture);
    await expectRevertNoChange(f, () => liq(f, f.users[2].address, f.weth.address), f.pool, "HealthyAccount");
  });
  it("SlippageExceeded when minSeized is above what would be seized", async () => {
    const f = await loadFixture(liqFixture);
    await expectRevertNoChange(
      f,
      () => liq(f, f.users[1].address, f.weth.address, ethers.MaxUint256, units(f.weth, 1) + 1n),
      f.pool,
      "SlippageExceeded",
    );
  });
  it("an unhealthy borrower is liquidated (control) and the treasury's fee withdrawal is bounded", async () => {
    const f = await loadFixture(liqFixture);
    await expect(liq(f, f.users[1].address, f.weth.address)).to.emit(f.pool, "Liquidate");
    const fees = (await f.pool.marketInfo(f.weth.address)).liquidationFees;
    expect(fees).to.be.gt(0n);
    await expect(f.pool.withdrawLiquidationFees(f.weth.address, 0, f.admin.address)).to.be.revertedWithCustomError(
      f.pool,
      "ZeroAmount",
    );
    await expect(f.pool.withdrawLiquidationFees(f.weth.address, 1, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      f.pool,
      "ZeroAddress",
    );
    await expectRevertNoChange(
      f,
      () => f.pool.withdrawLiquidationFees(f.weth.address, fees + 1n, f.admin.address),
      f.pool,
      "InsufficientReserves",
    );
    const tx = f.pool.withdrawLiquidationFees(f.weth.address, fees, f.users[6].address);
    await expect(tx).to.emit(f.pool, "LiquidationFeesWithdrawn").withArgs(f.weth.address, f.users[6].address, fees);
    await expect(tx).to.changeTokenBalances(f.weth.token, [f.users[6], f.pool], [fees, -fees]);
  });
});

describe("core: asset ids", () => {
  it("255 assets can be listed (ids are one byte); the 256th reverts TooManyAssets", async function () {
    this.timeout(300_000);
    const f = await loadFixture(deployPoolFixture);
    const feed = await f.usdc.feed.getAddress();
    const params = { ...(await import("../../lib/protocol")).listingParams(f.usdc.spec, feed) };
    const Token = await ethers.getContractFactory("MockERC20");
    let count = await f.pool.assetCount();
    while (count < 255n) {
      const t = await Token.deploy("T", "T", 6);
      await f.pool.listAsset(await t.getAddress(), params);
      count++;
    }
    expect(await f.pool.assetCount()).to.equal(255n);
    const last = await Token.deploy("T", "T", 6);
    await expect(f.pool.listAsset(await last.getAddress(), params)).to.be.revertedWithCustomError(
      f.pool,
      "TooManyAssets",
    );
  });
});
