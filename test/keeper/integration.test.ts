// The keeper against the in-process Hardhat network: 200 accounts, a WETH price drop that makes a known subset
// liquidatable; the keeper liquidates every one of them exactly once, no healthy one, with the profit the Lens
// predicted.
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployKeeperWorld,
  dropWeth,
  isLiquidatableAfterDrop,
  liquidations,
  makeKeeper,
  stepAndMine,
  walletAt,
  KEEPER_INDEX,
  addUniswap,
  type KeeperFixture,
} from "./helpers";
import { accountKey } from "../../keeper/util";

const world200 = () => deployKeeperWorld(200);
const world200Uni = async () => {
  const f = await deployKeeperWorld(200);
  return { f, ...(await addUniswap(f)) };
};

function expectedKeys(f: KeeperFixture, addrs: string[]): Set<string> {
  return new Set(f.borrowers.filter(isLiquidatableAfterDrop).map((b) => accountKey(addrs[b.ownerIndex], b.subId)));
}

describe("keeper: integration", function () {
  let addrs: string[];
  before(async () => {
    addrs = (await (await import("hardhat")).ethers.getSigners()).map((s) => s.address);
  });
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("indexes all 200 accounts, finds none liquidatable before the drop", async () => {
    const f = await loadFixture(world200);
    const k = makeKeeper(f);
    const r = await k.runOnce();
    expect(r.accounts).to.equal(200);
    expect(r.scanned).to.equal(200);
    expect(r.liquidatable).to.have.length(0);
    expect(r.sent).to.have.length(0);
  });

  it("after a 15% WETH drop liquidates exactly the known subset, each once, in one block, with the Lens's profit", async () => {
    const f = await loadFixture(world200);
    const expected = expectedKeys(f, addrs);
    expect(expected.size).to.equal(72); // WETH accounts at usage 0.9, 0.95, 0.99 or 1.0
    const k = makeKeeper(f);
    await k.runOnce(); // index + approvals
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await network.provider.send("evm_mine", []);
    const dropBlock = Number(await network.provider.send("eth_blockNumber", []));
    const r = await stepAndMine(k);
    expect(r!.fullScan).to.equal(true);
    expect(new Set(r!.liquidatable.map((s) => s.key))).to.deep.equal(expected);
    expect(new Set(r!.sent)).to.deep.equal(expected);
    // Settle: the next tick reads the receipts and finds nobody left.
    const r2 = await stepAndMine(k);
    expect(r2!.liquidatable).to.have.length(0);
    expect(r2!.sent).to.have.length(0);

    const liq = await liquidations(f, dropBlock);
    expect(liq.map((l) => l.key).sort()).to.deep.equal([...expected].sort()); // each exactly once, no healthy one
    for (const l of liq) {
      expect(l.caller).to.equal(walletAt(KEEPER_INDEX).address);
      expect(l.block).to.equal(dropBlock + 1); // all in the block after the price update
    }
    // Profits: the realized bonus (seized value − repaid value at oracle prices) equals the Lens's bonusValue up to
    // the one second of interest between the scanned block and the liquidation block.
    const results = k.liquidator.results;
    expect(results).to.have.length(expected.size);
    for (const res of results) {
      expect(res.won).to.equal(true);
      const diff =
        res.realizedBonus > res.predictedBonus
          ? res.realizedBonus - res.predictedBonus
          : res.predictedBonus - res.realizedBonus;
      expect(
        diff <= res.predictedBonus / 10_000n + 10n ** 12n,
        `${res.key}: realized ${res.realizedBonus} vs Lens ${res.predictedBonus}`,
      ).to.equal(true);
      expect(res.predictedBonus > 0n).to.equal(true);
    }
    expect(k.liquidator.sentLog).to.have.length(expected.size);
    const won = (await k.metrics.liquidationsWon.get()).values[0].value;
    expect(won).to.equal(expected.size);
  });

  it("flash mode: capital-free through the FlashLiquidator and Uniswap V3; profit = Lens bonus − swap cost (QuoterV2) − gas", async () => {
    const { f, deployment, flashLiquidator } = await loadFixture(world200Uni);
    const expected = expectedKeys(f, addrs);
    const k = makeKeeper(f, { deployment, config: { mode: "flash", minProfitUsd: 1 } });
    const keeperAddr = walletAt(KEEPER_INDEX).address;
    const usdcBefore = await f.usdc.token.balanceOf(keeperAddr);
    await k.runOnce();
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await network.provider.send("evm_mine", []);
    const dropBlock = Number(await network.provider.send("eth_blockNumber", []));
    const r = await stepAndMine(k);
    expect(new Set(r!.sent)).to.deep.equal(expected);
    await stepAndMine(k);
    const liq = await liquidations(f, dropBlock);
    expect(liq.map((l) => l.key).sort()).to.deep.equal([...expected].sort());
    for (const l of liq) {
      expect(l.caller).to.equal(flashLiquidator);
      expect(l.block).to.equal(dropBlock + 1);
    }
    // The keeper got exactly the FlashLiquidator's reported profits, in USDC, without holding any collateral.
    const results = k.liquidator.results;
    expect(results).to.have.length(expected.size);
    const sum = results.reduce((s, x) => s + x.flashProfit, 0n);
    expect(await f.usdc.token.balanceOf(keeperAddr)).to.equal(usdcBefore + sum);
    expect(await f.weth.token.balanceOf(keeperAddr)).to.equal(0n);
    // Each realized profit (before gas) is what the keeper planned: the Lens bonus minus the QuoterV2-quoted swap
    // cost, up to 0.3 % of the collateral sold (the liquidations share one pool in one block, so later swaps see a
    // slightly moved price).
    for (const res of results) {
      expect(res.won).to.equal(true);
      const realized = res.flashProfit * 10n ** 12n; // USDC (6 decimals) at $1 → 18-decimal USD
      expect(res.predictedNet < res.predictedBonus, "the swap costs something").to.equal(true);
      const diff = realized > res.predictedNet ? realized - res.predictedNet : res.predictedNet - realized;
      expect(
        diff <= (res.seizedValue * 3n) / 1000n,
        `${res.key}: realized ${realized} vs planned ${res.predictedNet}`,
      ).to.equal(true);
    }
  });
});
