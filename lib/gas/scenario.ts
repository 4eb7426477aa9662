// The neutral gas scenario of the shared harness (../shared/gas-harness/scripts/gas-scenario.ts, SCENARIO and
// runAdapter), step for step, on the in-process Hardhat network: same tokens, same balances, same transactions in
// the same order (so the same addresses), each transaction in its own block, whole-transaction receipt.gasUsed.
// Every protocol starts from the same snapshot. Ours: the types (one transaction per liquidation), the spec in
// spec.ts, and that the repay-all / withdraw-all / liquidation checks are mandatory.
import { ethers, network } from "hardhat";
import type { Contract, ContractFactory, ContractTransactionResponse, Signer } from "ethers";
import type { NeutralContracts } from "./contracts";
import { SCENARIO, type Op } from "./spec";

const DEC = SCENARIO.decimals;
const U = 10n ** BigInt(DEC);
const DAY = 86_400;

export type Tx = ContractTransactionResponse;
/** "all" = close the whole position (repay the whole debt / withdraw all the collateral) */
export type Amount = bigint | "all";

export interface Users {
  deployer: Signer;
  lender1: Signer;
  lender2: Signer;
  borrower: Signer; // supply collateral, borrow, repay, withdraw
  borrower2: Signer; // gets liquidated
  liquidator: Signer;
  flashCaller: Signer;
}

export interface Ctx {
  users: Users;
  loan: Contract; // TestToken LUSD
  coll: Contract; // TestToken CETH
  coll2: Contract; // TestToken CBTC (listed, never used)
  flashReceiver: Contract;
  /** USD prices, 8 decimals */
  prices: { loan: bigint; coll: bigint; coll2: bigint };
  contracts: NeutralContracts;
}

/** The harness's LendingAdapter: each action sends exactly one transaction and returns it. */
export interface LendingAdapter {
  name: string;
  compiler: string;
  notes: string[];
  deploy(ctx: Ctx): Promise<void>;
  approve(user: Signer): Promise<void>;
  setCollateralPrice(priceUsd8: bigint): Promise<void>;
  supply(user: Signer, amount: bigint): Promise<Tx>;
  supplyCollateral(user: Signer, amount: bigint): Promise<Tx>;
  borrow(user: Signer, amount: bigint): Promise<Tx>;
  repay(user: Signer, amount: Amount): Promise<Tx>;
  withdrawCollateral(user: Signer, amount: Amount): Promise<Tx>;
  liquidate(liquidator: Signer, borrower: Signer, debtToRepay: bigint): Promise<Tx>;
  flashLoan(caller: Signer, amount: bigint): Promise<Tx>;
  debtOf(user: Signer): Promise<bigint>;
  collateralOf(user: Signer): Promise<bigint>;
}

export interface ScenarioRun {
  name: string;
  compiler: string;
  notes: string[];
  gas: Record<Op, number>;
  /** unmeasured in the table but recorded: the liquidation's set-up transactions */
  extra: Record<string, number>;
  checks: Record<string, string>;
}

async function mine(seconds: number) {
  await network.provider.send("evm_increaseTime", [seconds]);
  await network.provider.send("evm_mine", []);
}

async function gas(p: Promise<Tx>): Promise<number> {
  const r = await (await p).wait();
  if (!r || r.status !== 1) throw new Error("transaction failed");
  return Number(r.gasUsed);
}

async function runAdapter(adapter: LendingAdapter, contracts: NeutralContracts): Promise<ScenarioRun> {
  const signers = await ethers.getSigners();
  const [deployer, lender1, lender2, borrower, borrower2, liquidator, flashCaller] = signers;
  const users: Users = { deployer, lender1, lender2, borrower, borrower2, liquidator, flashCaller };
  const T = new ethers.ContractFactory(contracts.testToken.abi as never, contracts.testToken.bytecode, deployer);
  const deployed = async (f: ContractFactory, ...args: unknown[]) => {
    const c = await f.deploy(...args);
    await c.waitForDeployment();
    return c as unknown as Contract;
  };
  const loan = await deployed(T, "Loan USD", "LUSD", DEC);
  const coll = await deployed(T, "Collateral ETH", "CETH", DEC);
  const coll2 = await deployed(T, "Collateral BTC", "CBTC", DEC);
  const flashReceiver = await deployed(
    new ethers.ContractFactory(contracts.flashReceiver.abi as never, contracts.flashReceiver.bytecode, deployer),
  );
  const ctx: Ctx = { users, loan, coll, coll2, flashReceiver, prices: SCENARIO.pricesUsd8, contracts };

  // Balances are never drained to zero by the scenario (no refund distorts a figure); the liquidator holds only the
  // loan token it repays with, so the seized collateral is its first CETH.
  for (const s of [lender1, lender2, liquidator]) await (await loan.mint(s.address, 100_000n * U)).wait();
  for (const s of [borrower, borrower2]) {
    await (await coll.mint(s.address, 100n * U)).wait();
    await (await loan.mint(s.address, 1_000n * U)).wait(); // pays the interest on repay-all
  }
  await (await loan.mint(await flashReceiver.getAddress(), 1_000n * U)).wait(); // flash-loan fees

  await adapter.deploy(ctx);
  for (const s of [lender1, lender2, borrower, borrower2, liquidator]) await adapter.approve(s);

  const S = SCENARIO;
  const g = {} as Record<Op, number>;
  g.a_supply_first = await gas(adapter.supply(lender1, S.lenderSupply));
  g.b_supply_second = await gas(adapter.supply(lender2, S.lenderSupply));
  g.c_supplyCollateral_first = await gas(adapter.supplyCollateral(borrower, S.collateral));
  g.d_borrow_first = await gas(adapter.borrow(borrower, S.borrow1));
  const debtAfterBorrow1 = await adapter.debtOf(borrower);
  await mine(DAY);
  g.e_borrow_again = await gas(adapter.borrow(borrower, S.borrow2));
  await mine(DAY);
  g.f_repay_part = await gas(adapter.repay(borrower, S.repayPart));
  await mine(DAY);
  g.g_repay_all = await gas(adapter.repay(borrower, "all"));
  const debtLeft = await adapter.debtOf(borrower);
  if (debtLeft !== 0n) throw new Error(`${adapter.name}: debt after repay all = ${debtLeft}`);
  g.h_withdrawCollateral_all = await gas(adapter.withdrawCollateral(borrower, "all"));
  const collLeft = await adapter.collateralOf(borrower);
  if (collLeft !== 0n) throw new Error(`${adapter.name}: collateral after withdraw all = ${collLeft}`);

  const extra: Record<string, number> = {};
  extra.liq_setup_supplyCollateral = await gas(adapter.supplyCollateral(borrower2, S.collateral));
  extra.liq_setup_borrow = await gas(adapter.borrow(borrower2, S.liqBorrow));
  await mine(DAY);
  await adapter.setCollateralPrice(S.liqPriceUsd8);
  const debtBefore = await adapter.debtOf(borrower2);
  const liqCollBefore: bigint = await coll.balanceOf(liquidator.address);
  const liqLoanBefore: bigint = await loan.balanceOf(liquidator.address);
  g.i_liquidate = await gas(adapter.liquidate(liquidator, borrower2, S.liqRepay));
  const debtAfter = await adapter.debtOf(borrower2);
  const collGained = (await coll.balanceOf(liquidator.address)) - liqCollBefore;
  const loanSpent = liqLoanBefore - (await loan.balanceOf(liquidator.address));
  if (collGained <= 0n) throw new Error(`${adapter.name}: the liquidator received no collateral`);

  g.j_flashLoan = await gas(adapter.flashLoan(flashCaller, S.flash));
  return {
    name: adapter.name,
    compiler: adapter.compiler,
    notes: adapter.notes,
    gas: g,
    extra,
    checks: {
      borrowerDebtAfterBorrow1: debtAfterBorrow1.toString(),
      borrower2DebtBeforeLiq: debtBefore.toString(),
      borrower2DebtAfterLiq: debtAfter.toString(),
      liquidatorLoanSpent: loanSpent.toString(),
      liquidatorCollateralReceived: collGained.toString(),
    },
  };
}

/** Runs the scenario for each adapter, each from the same chain snapshot (same token addresses, same nonces). */
export async function runNeutralScenario(
  adapters: LendingAdapter[],
  contracts: NeutralContracts,
): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (const adapter of adapters) {
    const snapshot = await network.provider.send("evm_snapshot", []);
    try {
      runs.push(await runAdapter(adapter, contracts));
    } finally {
      await network.provider.send("evm_revert", [snapshot]);
    }
  }
  return runs;
}
