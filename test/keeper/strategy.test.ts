// Strategy unit tests against a fake node: a QuoterV2 whose output has a known slippage curve and a pool that
// answers liquidationGlobals/collateralOf. They pin the partial-liquidation search: the full repay is tried first,
// then halvings on the best tier only, the dust rule of the pool (LiquidationLeavesDust) is respected, the search
// stops at the first chunk that earns less than a larger one, and the quoting cost stays bounded.
import { expect } from "chai";
import { type Provider } from "ethers";
import { Rpc } from "../../keeper/rpc";
import { Strategy, type StrategyOptions } from "../../keeper/strategy";
import { poolIface, quoterIface } from "../../keeper/abis";
import type { Snapshot } from "../../keeper/scanner";
import { WAD } from "../../keeper/util";

const POOL = "0x00000000000000000000000000000000000000a1";
const QUOTER = "0x00000000000000000000000000000000000000b2";
const USDC = "0x00000000000000000000000000000000000000c3";
const WETH = "0x00000000000000000000000000000000000000d4";
const OWNER = "0x00000000000000000000000000000000000000e5";
const E18 = 10n ** 18n;

/**
 * Quoter: selling x WETH (18 dec) at $1700 into USDC (6 dec) with a 0.3 % fee and a price impact of x / depth
 * (linear, a thin pool): out = x·1700·(1 − 0.003 − x/depth). Only the 3000 tier exists. Pool: dust value and the
 * account's WETH collateral.
 */
class FakeNode {
  quotes: { fee: number; amountIn: bigint }[] = [];
  depth = 10n * E18; // WETH
  dust = 10n * E18; // $10
  collateral = 1n * E18;
  provider(): Provider {
    return {
      call: async (tx: { to: string; data: string }) => {
        if (tx.to.toLowerCase() === QUOTER) {
          const [path, amountIn] = quoterIface.decodeFunctionData("quoteExactInput", tx.data) as unknown as [
            string,
            bigint,
          ];
          const fee = parseInt(path.slice(42, 48), 16);
          this.quotes.push({ fee, amountIn });
          if (fee !== 3000)
            throw Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION", data: "0x" });
          const gross = (amountIn * 1700n) / 10n ** 12n; // USDC units
          const keepBps = 10_000n - 30n - (amountIn * 10_000n) / this.depth;
          const out = keepBps > 0n ? (gross * keepBps) / 10_000n : 0n;
          return quoterIface.encodeFunctionResult("quoteExactInput", [out, [], [], 0n]);
        }
        if (tx.to.toLowerCase() === POOL) {
          const f = poolIface.parseTransaction({ data: tx.data })!;
          if (f.name === "liquidationGlobals")
            return poolIface.encodeFunctionResult(f.name, [105n * 10n ** 16n, 95n * 10n ** 16n, this.dust]);
          if (f.name === "collateralOf") return poolIface.encodeFunctionResult(f.name, [this.collateral]);
        }
        throw new Error(`unexpected call to ${tx.to}`);
      },
    } as unknown as Provider;
  }
}

/** A liquidatable account: max repay 1,000 USDC for 0.6 WETH net (bonus 2 %), debt 1,500 USDC. */
function snap(o: Partial<Snapshot> = {}): Snapshot {
  const maxRepay = 1_000n * 10n ** 6n;
  const seized = 6n * 10n ** 17n;
  const collPrice = 1700n * E18; // 18-decimal USD per WETH wei, × 1e18
  const debtPrice = 10n ** 30n; // per USDC unit
  const bonusValue = (seized * collPrice) / WAD - (maxRepay * debtPrice) / WAD;
  return {
    key: `${OWNER}:1`,
    owner: OWNER,
    subId: 1n,
    ok: true,
    healthFactor: 97n * 10n ** 16n,
    debtAsset: USDC,
    debt: 1_500n * 10n ** 6n,
    debtValue: 1_500n * E18,
    collateralValue: 0n,
    liquidationValue: 0n,
    liquidatable: true,
    bestCollateral: WETH,
    maxRepay,
    seized,
    bonusBps: 200n,
    bonusValue,
    ...o,
  };
}

const ctx = () => ({
  prices: new Map([
    [USDC, 10n ** 30n],
    [WETH, 1700n * E18],
  ]),
  gasPrice: 10n ** 9n,
  nativeUsd: 1700n * E18,
});

function strategy(node: FakeNode, o: Partial<StrategyOptions> = {}) {
  const rpc = new Rpc(node.provider(), { retries: 0, timeoutMs: 1_000 });
  return new Strategy(rpc, {
    mode: "flash",
    quoter: QUOTER,
    pool: POOL,
    feeTiers: [500, 3000, 10000],
    slippageBps: 100,
    gasFlash: 450_000,
    gasOwn: 250_000,
    minProfitUsd: 1,
    partialSteps: 4,
    ...o,
  });
}

// Profit of repaying r (USDC units) for s = 0.6·r/1000 WETH: out(s) − r − gas, gas = 450k × 1 gwei × $1700 = $0.765.
const GAS = (450_000n * 10n ** 9n * 1700n * E18) / WAD;

describe("keeper: strategy (partial liquidation)", () => {
  it("a deep pool: the full repay pays, no halving is quoted", async () => {
    const node = new FakeNode();
    node.depth = 1_000n * E18;
    const { plans } = await strategy(node).plan([snap()], ctx());
    expect(plans).to.have.length(1);
    expect(plans[0].partial).to.equal(false);
    expect(plans[0].repay).to.equal(1_000n * 10n ** 6n);
    expect(node.quotes.map((q) => q.fee)).to.deep.equal([500, 3000, 10000]); // the tiers, once each
  });

  it("a thin pool: takes the best halving, quotes only the best tier, stops once a smaller chunk earns less", async () => {
    const node = new FakeNode();
    node.depth = 20n * E18;
    const { plans, skipped } = await strategy(node).plan([snap()], ctx());
    expect(skipped).to.deep.equal([]);
    expect(plans).to.have.length(1);
    const p = plans[0];
    // Profits (USD, after $0.765 gas): full −14.4, 1/2 +0.06, 1/4 +1.56, 1/8 +0.88 → 1/4 (≥ the $1 minimum).
    expect(p.partial).to.equal(true);
    expect(p.repay).to.equal(250n * 10n ** 6n);
    expect(p.seized).to.equal(15n * 10n ** 16n);
    const quoted = (255n * 10n ** 6n * (10_000n - 30n - 75n)) / 10_000n; // 0.15 WETH: 0.3 % fee + 0.75 % impact
    expect(p.quotedOut).to.equal(quoted);
    expect(p.profit).to.equal(quoted * 10n ** 12n - 250n * E18 - GAS);
    // 1 % below the quote is less than the repay: the FlashLiquidator's floor is 0 (it still reverts below the repay).
    expect((quoted * 9_900n) / 10_000n < 250n * 10n ** 6n).to.equal(true);
    expect(p.minProfit).to.equal(0n);
    expect(p.minSeized).to.equal((15n * 10n ** 16n * 9_900n) / 10_000n);
    // Quotes: 3 tiers for the full amount, then 1/2, 1/4, 1/8 on the 3000 tier only; 1/16 not quoted (1/8 < 1/4).
    expect(node.quotes.map((q) => [q.fee, q.amountIn])).to.deep.equal([
      [500, 6n * 10n ** 17n],
      [3000, 6n * 10n ** 17n],
      [10000, 6n * 10n ** 17n],
      [3000, 3n * 10n ** 17n],
      [3000, 15n * 10n ** 16n],
      [3000, 75n * 10n ** 15n],
    ]);
  });

  it("respects the pool's dust rule: a chunk leaving collateral or debt worth less than the dust value is not tried", async () => {
    const node = new FakeNode();
    node.depth = 20n * E18;
    // 0.155 WETH of collateral in the account: seizing 1/2 is impossible, and after 1/4 (0.15 WETH, ≤ 0.153 gross)
    // less than $10 would remain → neither is quoted; 1/8 (0.075) leaves ~$130 → allowed.
    node.collateral = 155n * 10n ** 15n;
    const { plans } = await strategy(node, { minProfitUsd: 0.5 }).plan([snap()], ctx());
    expect(plans).to.have.length(1);
    expect(plans[0].repay).to.equal(125n * 10n ** 6n);
    expect(node.quotes.map((q) => q.amountIn)).to.deep.equal([
      6n * 10n ** 17n,
      6n * 10n ** 17n,
      6n * 10n ** 17n,
      75n * 10n ** 15n,
      375n * 10n ** 14n,
    ]);
    // Debt side: a dust value above what any chunk leaves of the 1,500 USDC debt → no chunk is allowed: skipped.
    const node2 = new FakeNode();
    node2.depth = 20n * E18;
    node2.dust = 1_500n * E18;
    const r = await strategy(node2).plan([snap()], ctx());
    expect(r.plans).to.have.length(0);
    expect(r.skipped.map((s) => s.reason)).to.deep.equal(["swap-below-repay"]);
    expect(node2.quotes).to.have.length(3);
  });

  it("--partial-steps 0 (and own mode) never splits", async () => {
    const node = new FakeNode();
    node.depth = 10n * E18;
    const r = await strategy(node, { partialSteps: 0 }).plan([snap()], ctx());
    expect(r.plans).to.have.length(0);
    expect(node.quotes).to.have.length(3);
    const own = await strategy(node, { mode: "own" }).plan([snap()], ctx());
    expect(own.plans[0].partial).to.equal(false);
    expect(own.plans[0].repay).to.equal(1_000n * 10n ** 6n);
  });
});
