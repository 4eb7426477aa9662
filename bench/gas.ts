// Gas per pool operation on the peers' scenario (../shared/reference/peer-gas.md): two lenders supply 10,000 each;
// a borrower posts 10 collateral at 2,000, borrows 5,000 then 1,000, repays 2,000, repays the rest and withdraws all
// collateral, a day passing between steps; a second borrower borrows 7,500 against 10, the price drops to 800 and a
// liquidator repays about half. Beyond the peers' table: a lender withdraws 5,000 (`withdraw`), a third identical
// position is liquidated in full (`liquidate_full`), and a flash loan runs through a trivial receiver. 18-decimal
// OpenZeppelin tokens, one collateral asset, approvals excluded. Prints a table and writes bench/results/gas.json.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import fs from "fs";
import path from "path";
import type { ContractTransactionResponse } from "ethers";
import { deployPool, deployAndListTestAsset, ROLES, MAX_UINT128, DEMO_ASSETS, type AssetSpec } from "../scripts/lib/protocol";

export const PEER_MORPHO: Record<string, number> = {
  supply_first: 135_737,
  supply: 101_606,
  supplyCollateral_first: 88_359,
  borrow_first: 107_347,
  borrow: 93_035,
  repay: 87_269,
  repay_all: 82_688,
  withdrawCollateral: 68_744,
  liquidate: 130_881,
  liquidate_full: 130_881,
  flashLoan: 47_564,
};

export async function measureGas(): Promise<Record<string, number>> {
  const [admin, lender1, lender2, borrower, borrower2, borrower3, liquidator] = await ethers.getSigners();
  const pool = await deployPool(admin, admin.address);
  for (const role of [ROLES.RISK_ADMIN, ROLES.GUARDIAN, ROLES.TREASURY]) await pool.grantRole(role, admin.address);
  const base = DEMO_ASSETS[0];
  const loanSpec: AssetSpec = { ...base, symbol: "LOAN", decimals: 18, supplyCap: MAX_UINT128, borrowCap: MAX_UINT128, collateralCap: MAX_UINT128, minBorrow: 0n };
  const collSpec: AssetSpec = { ...DEMO_ASSETS[1], symbol: "COLL", decimals: 18, supplyCap: MAX_UINT128, borrowCap: MAX_UINT128, collateralCap: MAX_UINT128, minBorrow: 0n };
  const loan = await deployAndListTestAsset(pool, admin, loanSpec);
  const coll = await deployAndListTestAsset(pool, admin, collSpec);
  const poolAddr = await pool.getAddress();
  const e18 = 10n ** 18n;
  for (const s of [lender1, lender2, borrower, borrower2, borrower3, liquidator]) {
    await loan.token.mint(s.address, 1_000_000n * e18);
    await coll.token.mint(s.address, 1_000n * e18);
    await loan.token.connect(s).approve(poolAddr, ethers.MaxUint256);
    await coll.token.connect(s).approve(poolAddr, ethers.MaxUint256);
  }
  const day = 86_400;
  const gas: Record<string, number> = {};
  const record = async (name: string, tx: Promise<ContractTransactionResponse>) => {
    const receipt = await (await tx).wait();
    gas[name] = Number(receipt!.gasUsed);
  };
  const refresh = async () => {
    // Feeds are refreshed every day as Chainlink's heartbeat would; not part of any measured transaction.
    await loan.feed.setAnswer(100_000_000n);
    await coll.feed.setAnswer(2000n * 100_000_000n);
  };

  await record("supply_first", pool.connect(lender1).supply(loan.address, 10_000n * e18, 0, lender1.address));
  await time.increase(day);
  await record("supply", pool.connect(lender2).supply(loan.address, 10_000n * e18, 0, lender2.address));
  await time.increase(day);
  await record("supplyCollateral_first", pool.connect(borrower).supplyCollateral(coll.address, 10n * e18, borrower.address, 0));
  await time.increase(day);
  await refresh();
  await record("borrow_first", pool.connect(borrower).borrow(loan.address, 5_000n * e18, borrower.address, 0, borrower.address));
  await time.increase(day);
  await refresh();
  await record("borrow", pool.connect(borrower).borrow(loan.address, 1_000n * e18, borrower.address, 0, borrower.address));
  await time.increase(day);
  await record("repay", pool.connect(borrower).repay(loan.address, 2_000n * e18, borrower.address, 0));
  await time.increase(day);
  await record("repay_all", pool.connect(borrower).repay(loan.address, ethers.MaxUint256, borrower.address, 0));
  await time.increase(day);
  await record("withdrawCollateral", pool.connect(borrower).withdrawCollateral(coll.address, ethers.MaxUint256, borrower.address, 0, borrower.address));
  await time.increase(day);
  await record("withdraw", pool.connect(lender1).withdraw(loan.address, 5_000n * e18, 0, lender1.address, lender1.address));

  // Liquidation: a second borrower borrows 7,500 against 10 collateral, the price drops to 800 and a liquidator
  // repays about half the debt (health 0.88: the bonus is at its maximum). A third, identical position is then
  // liquidated in full: its collateral ($8,000) no longer covers debt plus the 8 % bonus, so the bonus is capped at
  // its equity ($500) and the liquidation takes all of it for all of the debt (before issue #15: bad debt).
  await refresh();
  for (const b of [borrower2, borrower3]) {
    await pool.connect(b).supplyCollateral(coll.address, 10n * e18, b.address, 0);
    await pool.connect(b).borrow(loan.address, 7_500n * e18, b.address, 0, b.address);
  }
  await time.increase(day);
  await loan.feed.setAnswer(100_000_000n);
  await coll.feed.setAnswer(800n * 100_000_000n);
  await record("liquidate", pool.connect(liquidator).liquidate(borrower2.address, 0, coll.address, 3_750n * e18, 0, liquidator.address, "0x"));
  await record("liquidate_full", pool.connect(liquidator).liquidate(borrower3.address, 0, coll.address, ethers.MaxUint256, 0, liquidator.address, "0x"));

  const receiver = await (await ethers.getContractFactory("TrivialFlashBorrower")).deploy(poolAddr);
  await receiver.approveLender(loan.address);
  await record("flashLoan", receiver.borrow(loan.address, 1_000n * e18));
  return gas;
}

/** The figures of a previous version (bench/results/gas-baseline.json, if present), for a before/after column. */
function baseline(): { label: string; gas: Record<string, number> } | undefined {
  const file = path.join(__dirname, "results", "gas-baseline.json");
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

async function main() {
  const gas = await measureGas();
  const before = baseline();
  const rows = Object.entries(gas).map(([op, g]) => ({
    operation: op,
    gasUsed: g,
    ...(before
      ? {
          before: before.gas[op] ?? "",
          change: before.gas[op] ? `${(((g - before.gas[op]) / before.gas[op]) * 100).toFixed(2)} %` : "",
        }
      : {}),
    "Morpho Blue": PEER_MORPHO[op] ?? "",
    ratio: PEER_MORPHO[op] ? (g / PEER_MORPHO[op]).toFixed(2) + "x" : "",
  }));
  if (before) console.log(`before: ${before.label}`);
  console.table(rows);
  const out = path.join(__dirname, "results", "gas.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(gas, null, 2) + "\n");
  console.log(`written ${path.relative(process.cwd(), out)}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
