// Gas of the dynamic-collateral stack. Prints a table and writes bench/results/risk.json.
//  - borrow (first, and again a day later) on a borrow scenario of its own (project mock tokens and feeds), once on a plain pool and once
//    with the risk engine active on both assets (collateral LT ramping down at the time of the borrow);
//  - VolatilityOracle.update: first update (baseline), accepted update, too soon, unchanged round;
//  - RiskEngine.update: nothing to change, LTV/LT change, circuit-breaker trip, static mode.
// Run: npx hardhat run bench/risk.ts
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import fs from "fs";
import path from "path";
import type { ContractTransactionResponse } from "ethers";
import { deployDemoPool, MAX_UINT128, DEMO_ASSETS, type AssetSpec } from "../lib/protocol";
import { deployRiskStack, DEFAULT_ORACLE_PARAMS } from "../lib/risk";
import { DEFAULT_PROFILES, toOnchainProfile } from "../config/profiles";
import { gasOf, mined } from "../lib/tx";

const e18 = 10n ** 18n;
const DAY = 86_400;
const HOUR = 3_600;

/** gasUsed minus the 21,000 base and the calldata cost (4 per zero byte, 16 per other): what the code spent. */
async function execGasOf(tx: Promise<ContractTransactionResponse>): Promise<{ total: number; exec: number }> {
  const sent = await tx;
  const receipt = await mined(sent);
  const bytes = ethers.getBytes(sent.data);
  const calldata = bytes.reduce((acc, b) => acc + (b === 0 ? 4 : 16), 0);
  return { total: Number(receipt.gasUsed), exec: Number(receipt.gasUsed) - 21_000 - calldata };
}

async function borrowScenario(withRisk: boolean) {
  const [admin, lender, borrower] = await ethers.getSigners();
  const unlimited = { supplyCap: MAX_UINT128, borrowCap: MAX_UINT128, collateralCap: MAX_UINT128, minBorrow: 0n };
  const loanSpec: AssetSpec = { ...DEMO_ASSETS[0], symbol: "LOAN", decimals: 18, ...unlimited };
  const collSpec: AssetSpec = { ...DEMO_ASSETS[1], symbol: "COLL", decimals: 18, ...unlimited };
  const {
    pool,
    listed: [loan, coll],
  } = await deployDemoPool(admin, [loanSpec, collSpec]);
  const poolAddr = await pool.getAddress();
  for (const s of [lender, borrower]) {
    await loan.token.mint(s.address, 1_000_000n * e18);
    await coll.token.mint(s.address, 1_000n * e18);
    await loan.token.connect(s).approve(poolAddr, ethers.MaxUint256);
    await coll.token.connect(s).approve(poolAddr, ethers.MaxUint256);
  }
  let stack: Awaited<ReturnType<typeof deployRiskStack>> | undefined;
  if (withRisk) {
    stack = await deployRiskStack(pool, admin, [
      { symbol: "COLL", address: coll.address, profile: DEFAULT_PROFILES.WETH, oracle: DEFAULT_ORACLE_PARAMS.WETH },
      { symbol: "LOAN", address: loan.address, profile: DEFAULT_PROFILES.USDC, oracle: DEFAULT_ORACLE_PARAMS.USDC },
    ]);
  }
  const refresh = async (vol: string) => {
    await loan.feed.setAnswer(100_000_000n);
    await coll.feed.setAnswer(2000n * 100_000_000n);
    if (stack) {
      // The keeper's run; with volatility rising the collateral's LT is ramping down during the borrows (a day apart:
      // each refresh lowers the target, so the ramp is running at the second borrow).
      // Fold the elapsed day into the estimates first, then set them: the second update applies the seeded value.
      await stack.engine.updateMany([coll.address, loan.address]);
      await stack.oracle.seedVolatility(coll.address, ethers.parseEther(vol));
      await stack.engine.updateMany([coll.address, loan.address]);
    }
  };
  await pool.connect(lender).supply(loan.address, 10_000n * e18, 0, lender.address);
  await time.increase(DAY);
  await pool.connect(borrower).supplyCollateral(coll.address, 10n * e18, borrower.address, 0);
  await time.increase(DAY);
  await refresh("0.7");
  const borrowFirst = await execGasOf(
    pool.connect(borrower).borrow(loan.address, 5_000n * e18, borrower.address, 0, borrower.address),
  );
  await time.increase(DAY);
  await refresh("0.9");
  if (stack) {
    const r = await pool.assetRisk(coll.address);
    if (BigInt(await pool.effectiveLt(coll.address)) <= r.ltTarget) throw new Error("expected a running LT ramp");
  }
  const borrow = await execGasOf(
    pool.connect(borrower).borrow(loan.address, 1_000n * e18, borrower.address, 0, borrower.address),
  );
  const health = await execGasOf(
    pool.connect(borrower).withdrawCollateral(coll.address, e18, borrower.address, 0, borrower.address),
  );
  return { borrowFirst, borrow, withdrawCollateral: health };
}

async function updateCosts() {
  const [admin] = await ethers.getSigners();
  const {
    pool,
    listed: [weth],
  } = await deployDemoPool(admin, [DEMO_ASSETS[1]]);
  const { oracle, engine } = await deployRiskStack(pool, admin, [weth], { initialUpdate: false });
  const g: Record<string, number> = {};
  const price = async (p: number) => weth.feed.setAnswer(BigInt(p) * 100_000_000n);

  g["oracle.update (first: price baseline)"] = await gasOf(oracle.update(weth.address));
  await time.increase(HOUR);
  await price(2010);
  g["oracle.update (accepted)"] = await gasOf(oracle.update(weth.address));
  g["oracle.update (too soon)"] = await gasOf(oracle.update(weth.address));
  // An hour after the accepted update (interval passed), the feed's round still the same and still fresh.
  await time.setNextBlockTimestamp(Number((await oracle.observation(weth.address)).updatedAt) + HOUR);
  g["oracle.update (unchanged round)"] = await gasOf(oracle.update(weth.address));
  // Feed now stale (older than maxAge = twice the heartbeat).
  await time.increase(2 * HOUR);
  g["oracle.update (stale feed, rejected)"] = await gasOf(oracle.update(weth.address));

  await price(2020);
  await engine.update(weth.address); // first application after listing
  await time.increase(HOUR);
  await price(2021);
  g["engine.update (oracle updated, nothing to change)"] = await gasOf(engine.update(weth.address));
  await time.increase(HOUR);
  await price(2150); // +6.2 % in an hour: volatility up, LTV/LT targets change
  g["engine.update (LTV/LT change)"] = await gasOf(engine.update(weth.address));
  await time.increase(HOUR);
  await price(1700); // -23 %: the breaker trips
  g["engine.update (LTV/LT change + breaker trip)"] = await gasOf(engine.update(weth.address));
  g["engine.update (too soon: no oracle update, no change)"] = await gasOf(engine.update(weth.address));
  await engine.setProfile(weth.address, toOnchainProfile(DEFAULT_PROFILES.WETH, false));
  await time.increase(HOUR);
  await price(1710);
  g["engine.update (static mode: oracle only)"] = await gasOf(engine.update(weth.address));
  return g;
}

async function main() {
  const plain = await borrowScenario(false);
  const risk = await borrowScenario(true);
  const updates = await updateCosts();
  type G = { total: number; exec: number };
  const rows: [string, G, G][] = [
    ["borrow, first", plain.borrowFirst, risk.borrowFirst],
    ["borrow, again a day later", plain.borrow, risk.borrow],
    ["withdrawCollateral (health check)", plain.withdrawCollateral, risk.withdrawCollateral],
  ];
  const fmt = (n: number) => n.toLocaleString("en-US");
  console.log("\nPool gas, plain vs risk engine active (LT ramp running on the collateral):");
  console.log(
    "| operation | plain pool | risk engine active | added (whole tx) | added (execution, calldata excluded) |",
  );
  console.log("|---|---:|---:|---:|---:|");
  for (const [n, a, b] of rows) {
    console.log(`| ${n} | ${fmt(a.total)} | ${fmt(b.total)} | ${fmt(b.total - a.total)} | ${fmt(b.exec - a.exec)} |`);
  }
  console.log("\nKeeper calls:");
  console.log("| call | gas |");
  console.log("|---|---:|");
  for (const [n, v] of Object.entries(updates)) console.log(`| ${n} | ${v.toLocaleString("en-US")} |`);
  const out = path.join(__dirname, "results", "risk.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        note: "Whole-transaction gasUsed, Hardhat network (cancun), mock feeds with one-slot reads. Risk column: RiskEngine active on both assets, collateral LT ramp running.",
        pool: Object.fromEntries(
          rows.map(([n, a, b]) => [
            n,
            { plain: a.total, risk: b.total, added: b.total - a.total, addedExecution: b.exec - a.exec },
          ]),
        ),
        keeper: updates,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
