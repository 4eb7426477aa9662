// Coverage (issue 15): VolatilityOracle's address guards (constructor, listAsset, setFeed) and a feed round dated 0,
// which is refused as incomplete without touching the estimate.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRiskFixture } from "../risk/fixture";
import { toFeedAnswer } from "../../lib/protocol";

const INCOMPLETE_ROUND = 2n; // VolatilityOracle.Rejection.IncompleteRound

describe("coverage: VolatilityOracle guards", () => {
  it("the constructor rejects a zero admin (ZeroAddress)", async () => {
    const factory = await ethers.getContractFactory("VolatilityOracle");
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    const [admin] = await ethers.getSigners();
    const ok = await factory.deploy(admin.address);
    expect(await ok.hasRole(await ok.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
  });

  it("listAsset of the zero asset reverts ZeroAddress and lists nothing", async () => {
    const f = await loadFixture(deployRiskFixture);
    const feed = await f.weth.feed.getAddress();
    await expect(
      f.oracle.listAsset(ethers.ZeroAddress, feed, 86_400, 600, 7_200, 3_600, ethers.parseEther("0.5")),
    ).to.be.revertedWithCustomError(f.oracle, "ZeroAddress");
    await expect(f.oracle.volatility(ethers.ZeroAddress))
      .to.be.revertedWithCustomError(f.oracle, "UnknownAsset")
      .withArgs(ethers.ZeroAddress);
  });

  it("setFeed to the zero address reverts ZeroAddress, to an account without code NotAContract(feed)", async () => {
    const f = await loadFixture(deployRiskFixture);
    const weth = f.weth.address;
    const cfg0 = await f.oracle.config(weth);
    await expect(f.oracle.setFeed(weth, ethers.ZeroAddress)).to.be.revertedWithCustomError(f.oracle, "ZeroAddress");
    const eoa = f.user5.address;
    await expect(f.oracle.setFeed(weth, eoa)).to.be.revertedWithCustomError(f.oracle, "NotAContract").withArgs(eoa);
    expect(await f.oracle.config(weth)).to.deep.equal(cfg0);
    expect(cfg0.feed).to.equal(await f.weth.feed.getAddress());
  });

  it("a round with a positive answer but updatedAt 0 is rejected as incomplete; state unchanged", async () => {
    const f = await loadFixture(deployRiskFixture);
    const weth = f.weth.address;
    await time.increase(2 * 3_600); // past the fixture's 1 h minInterval
    const obs0 = await f.oracle.observation(weth);
    const est0 = await f.oracle.estimate(weth);
    await f.weth.feed.setRawRound(900, toFeedAnswer(2100), 0, 0, 900);
    await expect(f.oracle.update(weth)).to.emit(f.oracle, "FeedRejected").withArgs(weth, INCOMPLETE_ROUND);
    expect(await f.oracle.update.staticCall(weth)).to.equal(false);
    expect(await f.oracle.observation(weth)).to.deep.equal(obs0);
    expect(await f.oracle.estimate(weth)).to.deep.equal(est0);
  });
});
