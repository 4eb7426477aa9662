// Coverage (issue 15): FulcraLens's input check, and its choice of the best collateral when the account's first
// collateral pays the liquidator more than the second, and when it pays less.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toFeedAnswer } from "../../lib/protocol";
import type { FulcraLens } from "../../typechain-types";

const WAD = 10n ** 18n;

/** Two underwater USDC borrowers: A with mostly WETH (a little WBTC), B with mostly WBTC (a little WETH). */
async function lensFixture() {
  const f = await deployPoolFixture();
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  const [lender, a, b] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 200_000), 0, lender.address);
  const open = async (who: typeof a, weth: string, wbtc: string, usdc: number) => {
    await f.pool.connect(who).supplyCollateral(f.weth.address, units(f.weth, weth), who.address, 0);
    await f.pool.connect(who).supplyCollateral(f.wbtc.address, units(f.wbtc, wbtc), who.address, 0);
    await f.pool.connect(who).borrow(f.usdc.address, units(f.usdc, usdc), who.address, 0, who.address);
  };
  await open(a, "10", "0.01", 16_400); // borrowable 16,000 + 438
  await open(b, "0.5", "0.3", 13_900); // borrowable 800 + 13,140
  // −10 %: A's liquidation value 15,271 < 16,400, B's 13,378 < 13,900.
  await f.weth.feed.setAnswer(toFeedAnswer(1800));
  await f.wbtc.feed.setAnswer(toFeedAnswer(54_000));
  return { ...f, lens, a, b };
}

type Fx = Awaited<ReturnType<typeof lensFixture>>;

/** What the liquidator nets per collateral at oracle prices, as the lens computes it (repay value rounded up). */
async function bonusValue(f: Fx, owner: string, collateral: string) {
  const p = await f.pool.previewLiquidation(owner, 0, collateral);
  expect(p.liquidatable, collateral).to.equal(true);
  const got = ((p.seized - p.protocolFee) * (await f.pool.price(collateral))) / WAD;
  const paid = (p.maxRepay * (await f.pool.price(f.usdc.address)) + WAD - 1n) / WAD;
  return { value: got > paid ? got - paid : 0n, maxRepay: p.maxRepay, received: p.seized - p.protocolFee };
}

describe("coverage: FulcraLens", () => {
  it("snapshot and liquidatable revert LengthMismatch when owners and subIds differ in length", async () => {
    const f = await loadFixture(lensFixture);
    const owners = [f.a.address, f.b.address];
    await expect(f.lens.snapshot(owners, [0n])).to.be.revertedWithCustomError(f.lens, "LengthMismatch");
    await expect(f.lens.liquidatable(owners, [0n, 0n, 0n])).to.be.revertedWithCustomError(f.lens, "LengthMismatch");
    const [, , out] = await f.lens.snapshot(owners, [0n, 0n]);
    expect(out.map((s) => s.owner)).to.deep.equal(owners);
  });

  it("the best collateral is the one paying the most, whether it is listed first or second", async () => {
    const f = await loadFixture(lensFixture);
    const [, , , collA] = await f.pool.accountOf(f.a.address, 0);
    const [, , , collB] = await f.pool.accountOf(f.b.address, 0);
    // Same order for both accounts: the larger bonus is first for A, second for B.
    expect(collA).to.deep.equal([f.weth.address, f.wbtc.address]);
    expect(collB).to.deep.equal([f.weth.address, f.wbtc.address]);
    const [aWeth, aWbtc] = await Promise.all([f.weth, f.wbtc].map((c) => bonusValue(f, f.a.address, c.address)));
    const [bWeth, bWbtc] = await Promise.all([f.weth, f.wbtc].map((c) => bonusValue(f, f.b.address, c.address)));
    expect(aWeth.value).to.be.gt(aWbtc.value);
    expect(bWbtc.value).to.be.gt(bWeth.value);
    expect(aWbtc.value).to.be.gt(0n);
    expect(bWeth.value).to.be.gt(0n);

    const [, out] = await f.lens.liquidatable([f.a.address, f.b.address], [0n, 0n]);
    expect(out.length).to.equal(2);
    const [sa, sb] = out;
    expect([sa.liquidatable, sa.bestCollateral, sa.bonusValue]).to.deep.equal([true, f.weth.address, aWeth.value]);
    expect([sa.maxRepay, sa.seized]).to.deep.equal([aWeth.maxRepay, aWeth.received]);
    expect([sb.liquidatable, sb.bestCollateral, sb.bonusValue]).to.deep.equal([true, f.wbtc.address, bWbtc.value]);
    expect([sb.maxRepay, sb.seized]).to.deep.equal([bWbtc.maxRepay, bWbtc.received]);
  });
});
