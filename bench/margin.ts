// Gas of the margin router on a real local Uniswap V3 (WETH/USDC 0.3 %, full-range liquidity): openPosition (3x long
// and 3x short), increase, decrease, closePosition, addMargin, removeMargin — against what a user pays doing it by
// hand on the pool: supplyCollateral → borrow → swap (SwapRouter) → supplyCollateral of what was bought, repeated
// until the same 3x exposure (a loop of transactions at LTV 80 %). Whole-transaction gasUsed, approvals excluded.
// "_first": the first position of its kind pays one-time costs (pair registration, max approvals to the pool,
// the adapter and the SwapRouter). Prints a table and writes bench/results/margin.json.   Run: npx hardhat run bench/margin.ts
import { ethers } from "hardhat";
import fs from "fs";
import path from "path";
import type { Contract, ContractTransactionResponse } from "ethers";
import { deployMarginFixture, FEE_TIER, WAD } from "../lib/fixtures/margin";
import { gasOf } from "../lib/tx";

const FAR = 2n ** 40n;
const USDC = 10n ** 6n;

async function main() {
  const f = await deployMarginFixture();
  const { router, trader, other, pool, weth, usdc } = f;
  const gas: Record<string, number> = {};
  const record = async (name: string, tx: Promise<ContractTransactionResponse>) => {
    gas[name] = await gasOf(tx);
  };
  const open = (isLong: boolean, margin: bigint, leverage: bigint) => ({
    base: weth.address,
    quote: usdc.address,
    isLong,
    margin,
    leverage,
    minOut: 0n,
    route: isLong ? f.pathUW : f.pathWU,
    deadline: FAR,
  });

  // ---- router
  await record("openPosition_long_3x_first", router.connect(trader).openPosition(open(true, 10n * WAD, 3n * WAD)));
  await record("openPosition_long_3x", router.connect(other).openPosition(open(true, 10n * WAD, 3n * WAD)));
  await record(
    "openPosition_short_3x_first",
    router.connect(trader).openPosition(open(false, 20_000n * USDC, 3n * WAD)),
  );
  await record("openPosition_short_3x", router.connect(other).openPosition(open(false, 20_000n * USDC, 3n * WAD)));
  await record("increase", router.connect(trader).increase(1n, open(true, 5n * WAD, 2n * WAD)));
  await record("addMargin", router.connect(trader).addMargin(1n, WAD));
  await record("removeMargin", router.connect(trader).removeMargin(1n, WAD));
  await record("decrease_half", router.connect(trader).decrease(1n, WAD / 2n, 100n * WAD, f.pathWU, FAR));
  await record("closePosition_long", router.connect(trader).close(1n, 100n * WAD, f.pathWU, FAR));
  await record("closePosition_short", router.connect(trader).close(3n, 100_000n * USDC, f.pathUW, FAR));

  // ---- by hand: the same 3x long (10 WETH margin, 40 000 USDC of debt) with supply → borrow → swap → supply loops
  const manual = f.users[5];
  await weth.token.connect(manual).approve(f.uni.addresses.router, ethers.MaxUint256);
  await usdc.token.connect(manual).approve(f.uni.addresses.router, ethers.MaxUint256);
  const sub = 7n;
  let total = 0;
  let rounds = 0;
  const steps: number[] = [];
  const add = async (tx: Promise<ContractTransactionResponse>) => {
    const g = await gasOf(tx);
    total += g;
    steps.push(g);
  };
  await add(pool.connect(manual).supplyCollateral(weth.address, 10n * WAD, manual.address, sub));
  const targetDebt = 40_000n * USDC;
  let debt = 0n;
  while (debt < targetDebt) {
    const h = await pool.accountHealth(manual.address, sub);
    // borrowing power left, in USDC units (value is 18-dec USD), 0.5 % kept as a safety margin
    const room = ((h.borrowingPower - h.debtValue) * 995n) / 1000n / 10n ** 12n;
    const amount = room < targetDebt - debt ? room : targetDebt - debt;
    await add(pool.connect(manual).borrow(usdc.address, amount, manual.address, sub, manual.address));
    const before = await weth.token.balanceOf(manual.address);
    await add(
      (f.uni.router.connect(manual) as Contract).exactInputSingle({
        tokenIn: usdc.address,
        tokenOut: weth.address,
        fee: FEE_TIER,
        recipient: manual.address,
        deadline: FAR,
        amountIn: amount,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      }) as Promise<ContractTransactionResponse>,
    );
    const bought = (await weth.token.balanceOf(manual.address)) - before;
    await add(pool.connect(manual).supplyCollateral(weth.address, bought, manual.address, sub));
    debt += amount;
    rounds++;
  }
  gas["manual_3x_long_total"] = total;
  gas["manual_3x_long_rounds"] = rounds;
  gas["manual_3x_long_txs"] = steps.length;
  gas["manual_first_round_supply_borrow_swap_supply"] = steps.slice(0, 4).reduce((a, b) => a + b, 0);

  const rows = Object.entries(gas).map(([op, g]) => ({ op, gas: g }));
  console.table(rows);
  const out = {
    network: "hardhat (EDR), cancun",
    scenario:
      "WETH/USDC 0.3 % Uniswap V3 pool, full range; 3x long = 10 WETH margin + 40 000 USDC debt; manual = supplyCollateral → (borrow → swap → supplyCollateral) × rounds at LTV 80 %",
    gas,
  };
  const file = path.join(__dirname, "results", "margin.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
