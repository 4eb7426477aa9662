// The main job (`npm start`): on the in-process Hardhat network, deploy Fulcra with three markets at real-looking
// prices, then run supply → borrow → interest accrual → repay → withdraw for a few accounts and print a summary.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployDemoPool, type ListedAsset } from "../lib/protocol";

const fmt = (v: bigint, decimals: number, digits = 2) =>
  Number(ethers.formatUnits(v, decimals)).toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
const usd = (v: bigint) => "$" + fmt(v, 18);
const pct = (wad: bigint) => (Number(wad) / 1e16).toFixed(2) + "%";

async function main() {
  const [admin, alice, bob, carol, dave] = await ethers.getSigners();
  console.log("Fulcra — lending pool demo on the in-process Hardhat network\n");
  const { pool, listed } = await deployDemoPool(admin);
  const assets: Record<string, ListedAsset> = Object.fromEntries(listed.map((a) => [a.symbol, a]));
  const { USDC, WETH, WBTC } = assets;
  const poolAddress = await pool.getAddress();
  console.log(`Pool ${poolAddress}`);
  for (const a of Object.values(assets))
    console.log(
      `  ${a.symbol.padEnd(5)} token ${a.address}  vault ${a.vault}  price $${a.spec.price}  LTV ${a.spec.ltvBps / 100}%  LT ${a.spec.ltBps / 100}%`,
    );

  const u = (a: ListedAsset, n: number | string) => ethers.parseUnits(String(n), a.spec.decimals);
  for (const s of [alice, bob, carol, dave])
    for (const a of Object.values(assets)) {
      await a.token.mint(s.address, u(a, 1_000_000));
      await a.token.connect(s).approve(poolAddress, ethers.MaxUint256);
    }
  const refreshFeeds = async () => {
    for (const a of Object.values(assets)) await a.feed.setAnswer(ethers.parseUnits(String(a.spec.price), 8));
  };

  console.log("\n1. Lenders supply");
  await pool.connect(alice).supply(USDC.address, u(USDC, 150_000), 0, alice.address);
  await pool.connect(bob).supply(USDC.address, u(USDC, 50_000), 0, bob.address);
  await pool.connect(bob).supply(WETH.address, u(WETH, 200), 0, bob.address);
  console.log("   alice 150,000 USDC · bob 50,000 USDC and 200 WETH");

  console.log("2. Borrowers post collateral and borrow");
  await pool.connect(carol).supplyCollateral(WETH.address, u(WETH, 100), carol.address, 0);
  await pool.connect(carol).borrow(USDC.address, u(USDC, 120_000), carol.address, 0, carol.address);
  await pool.connect(dave).supplyCollateral(WBTC.address, u(WBTC, 5), dave.address, 0);
  await pool.connect(dave).supplyCollateral(USDC.address, u(USDC, 50_000), dave.address, 0);
  await pool.connect(dave).borrow(WETH.address, u(WETH, 100), dave.address, 0, dave.address);
  console.log(
    "   carol: 100 WETH collateral, borrows 120,000 USDC · dave: 5 WBTC + 50,000 USDC collateral, borrows 100 WETH",
  );

  const printHealth = async (label: string) => {
    for (const [name, s] of [
      ["carol", carol],
      ["dave", dave],
    ] as const) {
      const h = await pool.accountHealth(s.address, 0);
      const [debtAsset, , debt] = await pool.accountOf(s.address, 0);
      const a = Object.values(assets).find((x) => x.address === debtAsset);
      console.log(
        `   ${label} ${name.padEnd(5)} debt ${a ? fmt(debt, a.spec.decimals, 4) + " " + a.symbol : "none"}  collateral ${usd(h.collateralValue)}  borrowing power ${usd(h.borrowingPower)}  health ${h.healthFactor === ethers.MaxUint256 ? "∞" : (Number(h.healthFactor) / 1e18).toFixed(4)}`,
      );
    }
  };
  await printHealth("now     ");

  console.log("3. One year passes; interest accrues every second, compounded");
  const before = { alice: await pool.supplyBalance(USDC.address, alice.address) };
  await time.increase(365 * 86_400);
  await refreshFeeds();
  await printHealth("+1 year ");
  for (const a of [USDC, WETH]) {
    const info = await pool.marketInfo(a.address);
    console.log(
      `   ${a.symbol.padEnd(5)} supplied ${fmt(info.totalSupplyAssets, a.spec.decimals)}  borrowed ${fmt(info.totalBorrowAssets, a.spec.decimals)}  utilization ${pct(info.utilization)}  borrow APY ${pct(info.borrowApy)}  supply APY ${pct(info.supplyApy)}  reserves ${fmt(info.reserves, a.spec.decimals, 4)}`,
    );
  }

  console.log("4. Borrowers repay everything and take their collateral back");
  await pool.connect(carol).repay(USDC.address, ethers.MaxUint256, carol.address, 0);
  await pool.connect(carol).withdrawCollateral(WETH.address, ethers.MaxUint256, carol.address, 0, carol.address);
  await pool.connect(dave).repay(WETH.address, ethers.MaxUint256, dave.address, 0);
  for (const a of [WBTC, USDC])
    await pool.connect(dave).withdrawCollateral(a.address, ethers.MaxUint256, dave.address, 0, dave.address);

  console.log("5. Lenders withdraw with interest");
  const aliceShares = await pool.supplyShares(USDC.address, alice.address);
  const balBefore = await USDC.token.balanceOf(alice.address);
  await pool.connect(alice).withdraw(USDC.address, 0, aliceShares, alice.address, alice.address);
  const earned = (await USDC.token.balanceOf(alice.address)) - balBefore - before.alice;
  console.log(
    `   alice withdrew ${fmt(before.alice + earned, 6)} USDC: ${fmt(earned, 6)} USDC interest on 150,000 (${((Number(earned) / Number(before.alice)) * 100).toFixed(3)}%)`,
  );
  const bobShares = await pool.supplyShares(USDC.address, bob.address);
  await pool.connect(bob).withdraw(USDC.address, 0, bobShares, bob.address, bob.address);
  const bobWeth = await pool.supplyShares(WETH.address, bob.address);
  await pool.connect(bob).withdraw(WETH.address, 0, bobWeth, bob.address, bob.address);

  console.log("\nSummary");
  const rows = [];
  for (const a of Object.values(assets)) {
    const info = await pool.marketInfo(a.address);
    const held = await a.token.balanceOf(poolAddress);
    rows.push({
      market: a.symbol,
      "pool holds": fmt(held, a.spec.decimals, 4),
      "lent out": fmt(info.totalBorrowAssets, a.spec.decimals, 4),
      "protocol reserves": fmt(info.reserves, a.spec.decimals, 4),
      "books balance":
        held >= info.totalSupplyAssets - info.totalBorrowAssets + info.totalCollateral ? "ok" : "MISMATCH",
    });
  }
  console.table(rows);
  console.log("Every borrower repaid, every lender left with principal plus interest; what stays in the pool is the");
  console.log("protocol's reserve share of interest (and rounding dust, always in the pool's favour).");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
