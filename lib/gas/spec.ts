// What the neutral gas scenario is, and what it must give for the peer: the single source of the Morpho Blue figures
// for the bench (bench/gas.ts), the README generator and the gas regression test. No `import "hardhat"`.

const U = 10n ** 18n;

/** The shared harness's SCENARIO (../shared/gas-harness/scripts/gas-scenario.ts); every token has 18 decimals. */
export const SCENARIO = {
  decimals: 18,
  pricesUsd8: { loan: 1n * 10n ** 8n, coll: 2000n * 10n ** 8n, coll2: 60000n * 10n ** 8n },
  lenderSupply: 10_000n * U, // a, b
  collateral: 10n * U, // c ($20,000)
  borrow1: 5_000n * U, // d
  borrow2: 1_000n * U, // e (after +1 day)
  repayPart: 2_000n * U, // f (after +1 day)
  // g: repay all (after +1 day), h: withdraw all collateral
  liqBorrow: 7_500n * U, // borrower2 borrows against 10 CETH, +1 day, then CETH -> $800
  liqPriceUsd8: 800n * 10n ** 8n,
  liqRepay: 3_750n * U, // i: about half the debt
  flash: 1_000n * U, // j
};

/** Operations a..j: the harness's keys, and labels for tables. */
export const OPS = [
  ["a_supply_first", "supply, first in an empty market"],
  ["b_supply_second", "supply, second lender"],
  ["c_supplyCollateral_first", "supply collateral, first"],
  ["d_borrow_first", "borrow, first"],
  ["e_borrow_again", "borrow again, a day later"],
  ["f_repay_part", "repay part, a day later"],
  ["g_repay_all", "repay all, a day later"],
  ["h_withdrawCollateral_all", "withdraw all collateral"],
  ["i_liquidate", "liquidate (about half the debt)"],
  ["j_flashLoan", "flash loan (trivial receiver)"],
] as const;
export type Op = (typeof OPS)[number][0];

export const PEER_SOURCE = "../shared/reference/peer-gas.md";

/**
 * Morpho Blue 1.0.0 + AdaptiveCurveIrm v1.0.0 on this scenario: the column "Morpho Blue + AdaptiveCurveIrm" of the
 * results table of ../shared/reference/peer-gas.md (and its summary table). bench/gas.ts measures Morpho again in
 * every run and fails if any figure differs: the conditions would no longer be the reference's.
 */
export const MORPHO_REFERENCE: Record<Op, number> = {
  a_supply_first: 135_737,
  b_supply_second: 101_606,
  c_supplyCollateral_first: 88_359,
  d_borrow_first: 107_347,
  e_borrow_again: 93_035,
  f_repay_part: 87_269,
  g_repay_all: 82_688,
  h_withdrawCollateral_all: 68_744,
  i_liquidate: 130_881,
  j_flashLoan: 47_564,
};

/** Issue #16's targets, enforced by `npm run bench:gas -- --check`. */
export const TARGETS = {
  /** Fulcra / Morpho per operation */
  maxRatio: 1.1,
  /** EIP-170 runtime code limit */
  codeSizeLimit: 24_576,
  /** headroom under the limit every deployed contract must keep (3 KiB) */
  minHeadroom: 3_072,
};
