// Coverage (issue 15): PoolViews.previewLiquidation for an asset that is not a collateral of the account (listed or
// not): health only, nothing to liquidate.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toFeedAnswer } from "../../lib/protocol";

/** An underwater USDC borrower (10 WETH of collateral, 16,000 USDC of debt, WETH at 1,800). */
async function fixture() {
  const f = await deployPoolFixture();
  const [lender, borrower] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 10), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 16_000), borrower.address, 0, borrower.address);
  await f.weth.feed.setAnswer(toFeedAnswer(1800));
  return { ...f, borrower };
}

describe("coverage: PoolViews.previewLiquidation", () => {
  it("for an asset the account does not hold as collateral, listed or not, it reports health only", async () => {
    const f = await loadFixture(fixture);
    const who = f.borrower.address;
    const h = await f.pool.accountHealth(who, 0);
    const [, , debt] = await f.pool.accountOf(who, 0);
    expect(h.healthFactor).to.be.lt(10n ** 18n);
    // The account's own collateral is liquidatable...
    expect((await f.pool.previewLiquidation(who, 0, f.weth.address)).liquidatable).to.equal(true);
    // ...but WBTC (listed, not held) and an unlisted address offer nothing to seize.
    for (const asset of [f.wbtc.address, ethers.Wallet.createRandom().address]) {
      const p = await f.pool.previewLiquidation(who, 0, asset);
      expect([p.healthFactor, p.debtAsset, p.debt], asset).to.deep.equal([h.healthFactor, f.usdc.address, debt]);
      expect([p.liquidatable, p.maxRepay, p.seized, p.protocolFee, p.bonusBps], asset).to.deep.equal([
        false,
        0n,
        0n,
        0n,
        0n,
      ]);
    }
  });
});
