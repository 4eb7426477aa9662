// Several flash liquidations in one tick through the same thin Uniswap pool. Six accounts (1 WETH each, USDC debt
// at usage 0.9–0.95) become liquidatable when WETH falls 2000 → 1700; each one's seized WETH is sold in the same
// WETH/USDC pool. Every sale moves the pool's price by more than the keeper's 1 % slippage tolerance, so a plan
// quoted (and simulated) against the state before the tick no longer holds once an earlier liquidation of the same
// tick has landed: sent as planned, it reverts on chain ("Too little received" in the swap, or the
// FlashLiquidator's InsufficientProfit). The keeper must re-simulate each liquidation against the state it will
// land on (the previous ones included) and, when the plan no longer holds, re-quote it there (a smaller chunk, or
// skip it): no liquidation transaction reverts on chain, with automine (one transaction per block, as the
// simulation runs) and with every transaction in one block.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  addUniswap,
  deployKeeperWorld,
  dropWeth,
  isLiquidatableAfterDrop,
  liquidations,
  makeKeeper,
  walletAt,
  KEEPER_INDEX,
} from "./helpers";
import { flashIface } from "../../keeper/abis";

const DEPTH_WETH = Number(process.env.SAMETICK_WETH ?? 10);
const GWEI = 10n ** 9n;

// 24 accounts: #16, 17, 18, 20, 21, 22 (WETH, usage 0.9 / 0.95) become liquidatable after the drop.
const world = async () => {
  const f = await deployKeeperWorld(24);
  const u = await addUniswap(f, 1700, DEPTH_WETH);
  return { f, ...u };
};

describe("keeper: several liquidations through one thin pool in the same tick", function () {
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  async function keeperTxs(from: number, to: number) {
    const keeper = walletAt(KEEPER_INDEX).address.toLowerCase();
    const out: { hash: string; status: number; block: number; data: string }[] = [];
    for (let b = from; b <= to; b++) {
      const block = await ethers.provider.getBlock(b, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from.toLowerCase() !== keeper) continue;
        const r = (await ethers.provider.getTransactionReceipt(tx.hash))!;
        out.push({ hash: tx.hash, status: r.status!, block: b, data: tx.data });
      }
    }
    return out;
  }

  async function run(automine: boolean) {
    const { f, deployment } = await loadFixture(world);
    const expected = f.borrowers.filter(isLiquidatableAfterDrop).length;
    expect(expected).to.equal(6);
    await dropWeth(f);
    await network.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + GWEI.toString(16)]);
    await network.provider.send("evm_mine", []);
    const drop = await ethers.provider.getBlockNumber();
    const k = makeKeeper(f, {
      deployment,
      config: { mode: "flash", minProfitUsd: 0, partialSteps: 4, feeTiers: [3000] },
    });
    await k.init();
    if (!automine) await network.provider.send("evm_setAutomine", [false]);
    const r = await k.tick();
    if (!automine) await network.provider.send("evm_mine", []);
    await network.provider.send("evm_setAutomine", [true]);
    expect(r.liquidatable).to.have.length(expected);
    const txs = await keeperTxs(drop + 1, await ethers.provider.getBlockNumber());
    const liq = await liquidations(f, drop + 1);
    return { f, k, r, txs, liq, expected };
  }

  for (const automine of [true, false]) {
    it(`no liquidation reverts on chain; the later ones are re-quoted on the moved pool (${automine ? "automine: one tx per block" : "one block"})`, async () => {
      const { k, r, txs, liq, expected } = await run(automine);
      const liqTxs = txs.filter((t) => t.data.startsWith(flashIface.getFunction("liquidate")!.selector));
      // More than one liquidation went through the same pool in this tick …
      expect(liq.length).to.be.greaterThan(1);
      // … every one the keeper sent landed, and each sent account was liquidated exactly once.
      expect(liqTxs.map((t) => t.status)).to.deep.equal(liqTxs.map(() => 1));
      expect(liqTxs).to.have.length(r.sent.length);
      expect(liq.map((l) => l.key).sort()).to.deep.equal([...r.sent].sort());
      await k.tick(); // settle: every result is a win, no lost race
      expect(k.liquidator.results).to.have.length(r.sent.length);
      expect(k.liquidator.results.every((x) => x.won)).to.equal(true);
      expect(k.liquidator.lostRaces).to.equal(0);
      // The plans after the first were re-quoted on the moved pool: some as a smaller chunk, the rest dropped.
      const replanned = (await k.metrics.liquidationsReplanned.get()).values;
      const count = (o: string) => replanned.filter((v) => v.labels.outcome === o).reduce((a, v) => a + v.value, 0);
      expect(count("replanned") + count("dropped")).to.equal(expected - 1);
      expect(count("replanned")).to.be.greaterThan(0);
      expect(liq.length).to.equal(1 + count("replanned"));
      // The FlashLiquidator paid the keeper a profit on every one of them.
      expect(k.liquidator.results.every((x) => x.flashProfit > 0n)).to.equal(true);
    });
  }
});
