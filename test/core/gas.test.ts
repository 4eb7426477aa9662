// Gas regression guard. Fulcra runs the neutral scenario of ../shared/gas-harness (lib/gas: the same code as
// `npm run bench:gas`, without building Morpho) and must not spend more on any operation than the figure recorded in
// bench/results/gas.json by the last `npm run bench:gas`: after a change that costs gas on purpose, or saves some,
// re-run the bench and commit its result. The Morpho Blue figures in the titles come from lib/gas/spec.ts
// (../shared/reference/peer-gas.md), as the bench's do; issue #16's targets (ratio ≤ 1.10, 3 KiB of code headroom)
// are checked by `npm run bench:gas -- --check`, not here.
import { expect } from "chai";
import { config } from "hardhat";
import { measureFulcraNeutral } from "../../lib/gas/bench";
import { readResult, type GasResult } from "../../lib/gas/report";
import { MORPHO_REFERENCE, OPS, type Op } from "../../lib/gas/spec";

const n = (x: number) => x.toLocaleString("en-US");

describe("core: gas (neutral scenario, whole-transaction gasUsed)", function () {
  const recorded: GasResult = readResult(config.paths.root);
  let gas: Record<Op, number>;

  before(async function () {
    gas = await measureFulcraNeutral();
  });

  it("the recorded Morpho Blue column is the reference's", () => {
    for (const o of recorded.operations) expect(o.morpho, o.op).to.equal(MORPHO_REFERENCE[o.op]);
  });

  for (const [op, label] of OPS) {
    const rec = recorded.operations.find((o) => o.op === op)!;
    it(`${label} ≤ ${n(rec.fulcra)} as recorded (Morpho Blue ${n(MORPHO_REFERENCE[op])}, ${rec.ratio.toFixed(2)}x)`, () => {
      expect(
        gas[op],
        `${op}: ${gas[op]} > recorded ${rec.fulcra}; if intended, run npm run bench:gas and commit bench/results/gas.json`,
      ).to.be.lte(rec.fulcra);
    });
  }
});
