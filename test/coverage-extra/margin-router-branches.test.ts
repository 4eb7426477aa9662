// Coverage (issue 15): MarginRouter.increase refuses parameters that do not match the position's pair and side, and
// leaves the position untouched; the matching call goes through.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarginFixture, sideOf, type MarginFixture } from "../helpers/margin";

const WAD = 10n ** 18n;
const FAR = 2n ** 40n;

/** A 3x WETH long (position 1) opened by the fixture's trader. */
async function longFixture() {
  const f = await deployMarginFixture();
  await f.router.connect(f.trader).openPosition(longParams(f, 10n * WAD, 3n * WAD));
  return f;
}

function longParams(f: MarginFixture, margin: bigint, leverage: bigint, over: Record<string, unknown> = {}) {
  return {
    base: f.weth.address,
    quote: f.usdc.address,
    isLong: true,
    margin,
    leverage,
    minOut: 0n,
    route: sideOf(f, "long").openRoute,
    deadline: FAR,
    ...over,
  };
}

describe("coverage: MarginRouter.increase parameter checks", () => {
  it("increase with another base, quote or side reverts InvalidParams; the matching call goes through", async () => {
    const f = await loadFixture(longFixture);
    const sub = await f.router.subIdOf(1n);
    const before = await f.router.positionInfo(1n);
    const coll0 = await f.pool.collateralOf(f.trader.address, sub, f.weth.address);
    for (const over of [
      { base: f.wbtc.address },
      { quote: f.wbtc.address },
      { base: f.usdc.address, quote: f.weth.address }, // the pair reversed
      { isLong: false },
    ]) {
      await expect(
        f.router.connect(f.trader).increase(1n, longParams(f, WAD, 2n * WAD, over)),
        JSON.stringify(over),
      ).to.be.revertedWithCustomError(f.router, "InvalidParams");
    }
    expect(await f.router.positionInfo(1n)).to.deep.equal(before);
    expect(await f.pool.collateralOf(f.trader.address, sub, f.weth.address)).to.equal(coll0);
    // The same call with the position's own pair and side adds the margin (and what the borrow bought).
    await expect(f.router.connect(f.trader).increase(1n, longParams(f, WAD, 2n * WAD))).to.emit(
      f.router,
      "PositionIncreased",
    );
    expect(await f.pool.collateralOf(f.trader.address, sub, f.weth.address)).to.be.gt(coll0 + WAD);
  });
});
