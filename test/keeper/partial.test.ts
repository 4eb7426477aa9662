// Strategy: partial liquidation when the full one does not pay. One liquidatable account (1 WETH, 1,439.99 USDC
// debt; after WETH 2000 → 1700 its health is 0.974, the bonus 2.8 %, and the pool lets a liquidator repay up to
// ≈ 542 USDC for ≈ 0.33 WETH). Its WETH must be sold in a thin Uniswap V3 pool: selling all of it costs more than the
// bonus, so a keeper that only tries the full repay skips it; with --partial-steps it quotes repay/2, /4, … on
// QuoterV2, liquidates the most profitable chunk, and earns what the quote predicted.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { addUniswap, deployKeeperWorld, dropWeth, liquidations, makeKeeper, walletAt, KEEPER_INDEX } from "./helpers";
import { flashIface, quoterIface } from "../../keeper/abis";
import { encodePath } from "../../keeper/strategy";
import { WAD } from "../../keeper/util";

const THIN_WETH = Number(process.env.THIN_WETH ?? 1.5);
const GWEI = 10n ** 9n;

// 17 accounts: only #16 (WETH, usage 0.9) becomes liquidatable after the drop.
const world = async () => {
  const f = await deployKeeperWorld(17);
  const u = await addUniswap(f, 1700, THIN_WETH);
  return { f, ...u };
};

describe("keeper: partial liquidation in a thin pool", function () {
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  async function dropped() {
    const w = await loadFixture(world);
    const { f } = w;
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await network.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + GWEI.toString(16)]);
    await network.provider.send("evm_mine", []);
    return { ...w, drop: await ethers.provider.getBlockNumber() };
  }

  /** USDC out of selling `amountIn` WETH on the 0.3 % pool at `blockTag`. */
  async function quote(
    quoter: string,
    f: Awaited<ReturnType<typeof world>>["f"],
    amountIn: bigint,
    blockTag: number,
  ): Promise<bigint | undefined> {
    const path = encodePath([f.weth.address, f.usdc.address], [3000]);
    try {
      const ret = await ethers.provider.call({
        to: quoter,
        data: quoterIface.encodeFunctionData("quoteExactInput", [path, amountIn]),
        blockTag,
      });
      return quoterIface.decodeFunctionResult("quoteExactInput", ret)[0] as bigint;
    } catch {
      return undefined;
    }
  }

  it("liquidates the most profitable chunk (full repay unprofitable) and earns the quoted profit", async () => {
    const { f, deployment, drop } = await dropped();
    const k = makeKeeper(f, {
      deployment,
      config: { mode: "flash", minProfitUsd: 0.5, partialSteps: 4, feeTiers: [3000] },
    });
    const usdcBefore = await f.usdc.token.balanceOf(walletAt(KEEPER_INDEX).address);
    const r = await k.tick();
    expect(r.liquidatable).to.have.length(1);
    const s = r.liquidatable[0];
    const prices = await k.priceWatch.prices(drop);
    const debtPrice = prices.get(f.usdc.address.toLowerCase())!;
    const collPrice = prices.get(f.weth.address.toLowerCase())!;
    const gasCost = (450_000n * (GWEI + GWEI) * collPrice) / WAD; // gas × (base 1 gwei + tip 1 gwei) × ETH price

    // The full repay: the quoted swap of all the seized WETH returns less than repay + gas + min profit.
    const fullOut = await quote(deployment.quoter, f, s.seized, drop);
    const fullProfit =
      fullOut === undefined ? -1n : (fullOut * debtPrice) / WAD - (s.maxRepay * debtPrice + WAD - 1n) / WAD - gasCost;
    expect(fullProfit < 5n * 10n ** 17n, `full profit ${fullProfit}`).to.equal(true);

    // Every halving, quoted independently: the best one is what the keeper sent.
    const chunks: { k: number; repay: bigint; seized: bigint; out: bigint; profit: bigint }[] = [];
    for (let i = 1; i <= 4; i++) {
      const repay = s.maxRepay >> BigInt(i);
      const seized = (s.seized * repay) / s.maxRepay;
      const out = (await quote(deployment.quoter, f, seized, drop))!;
      chunks.push({
        k: i,
        repay,
        seized,
        out,
        profit: (out * debtPrice) / WAD - (repay * debtPrice + WAD - 1n) / WAD - gasCost,
      });
    }
    const best = chunks.reduce((a, b) => (b.profit > a.profit ? b : a));
    expect(best.profit > 5n * 10n ** 17n, `best chunk profit ${best.profit}`).to.equal(true);
    expect(r.sent).to.deep.equal([s.key]);
    const t = [...k.executor.inflight.values()][0];
    const order = flashIface.decodeFunctionData("liquidate", t.data)[0];
    expect(order.maxRepay).to.equal(best.repay);
    expect(BigInt(t.predictedProfit!)).to.equal(best.profit);

    await network.provider.send("evm_mine", []);
    await k.tick(); // settle
    const liq = await liquidations(f, drop);
    expect(liq).to.have.length(1);
    expect(liq[0].repaid).to.equal(best.repay); // exactly the chunk
    const res = k.liquidator.results[0];
    expect(res.won).to.equal(true);
    // Realized (USDC the FlashLiquidator paid out) = quoted out − repay, up to the seizure's rounding and one block of
    // interest between the scan and the liquidation (the pool seizes repay/maxRepay of its maximum, rounded down):
    // within 0.01 % of the chunk's value.
    const predicted = best.out - best.repay;
    const diff = res.flashProfit > predicted ? res.flashProfit - predicted : predicted - res.flashProfit;
    expect(diff <= best.repay / 10_000n, `realized ${res.flashProfit} vs quoted ${predicted}`).to.equal(true);
    expect(await f.usdc.token.balanceOf(walletAt(KEEPER_INDEX).address)).to.equal(usdcBefore + res.flashProfit);
    // The account is healthier but still liquidatable: the next tick takes another chunk at the new prices.
    console.log(
      `      full: ${fullProfit} | chunks ${chunks.map((c) => `1/${2 ** c.k}:${c.profit}`).join(" ")} | realized ${res.flashProfit} vs ${predicted}`,
    );
  });

  it("without --partial-steps the same account is skipped (nothing sent)", async () => {
    const { f, deployment } = await dropped();
    const k = makeKeeper(f, {
      deployment,
      config: { mode: "flash", minProfitUsd: 0.5, partialSteps: 0, feeTiers: [3000] },
    });
    const r = await k.tick();
    expect(r.liquidatable).to.have.length(1);
    expect(r.sent).to.have.length(0);
    const skipped = (await k.metrics.liquidationsSkipped.get()).values.reduce((a, v) => a + v.value, 0);
    expect(skipped).to.equal(1);
  });
});
