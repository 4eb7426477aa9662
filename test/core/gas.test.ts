// Gas regression: the peers' scenario (../shared/reference/peer-gas.md, run by bench/gas.ts) must keep every
// operation at or below 1.25x what Morpho Blue spends on the same step, measured the same way.
import { expect } from "chai";
import { measureGas, PEER_MORPHO } from "../../bench/gas";

const MAX_RATIO = 1.25;
/** Morpho's table has no lender withdrawal: guard ours against regressions at the measured figure + 5 %. */
const WITHDRAW_CEILING = 67_200;

describe("core: gas (peer scenario, whole-transaction gasUsed)", function () {
  let gas: Record<string, number>;

  before(async function () {
    gas = await measureGas();
  });

  it("measures every operation issue 2 names", () => {
    for (const k of [
      "supply_first",
      "supply",
      "withdraw",
      "supplyCollateral_first",
      "borrow_first",
      "borrow",
      "repay",
      "repay_all",
      "withdrawCollateral",
      "flashLoan",
    ]) {
      expect(gas[k], k).to.be.a("number").and.be.gt(21_000);
    }
  });

  for (const op of Object.keys(PEER_MORPHO)) {
    it(`${op} ≤ ${MAX_RATIO}x Morpho Blue (${PEER_MORPHO[op].toLocaleString("en-US")})`, () => {
      expect(gas[op], `${op}: ${gas[op]} vs ${PEER_MORPHO[op]}`).to.be.lte(Math.floor(PEER_MORPHO[op] * MAX_RATIO));
    });
  }

  it(`withdraw ≤ ${WITHDRAW_CEILING.toLocaleString("en-US")} (regression ceiling)`, () => {
    expect(gas.withdraw).to.be.lte(WITHDRAW_CEILING);
  });
});
