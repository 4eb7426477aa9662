// solidity-coverage configuration (npm run coverage).
// The project compiles with viaIR; `irMinimum` keeps the instrumented build on the IR pipeline but with a
// minimal optimizer sequence (faster with solc-js and avoids optimizer-induced instrumentation loss).
//
// Excluded suites (mocha grep, inverted; see docs/coverage.md):
// - "keeper: ..."   test/keeper — tests the TypeScript keeper (indexer, nonce manager, fault handling, an
//                   end-to-end run). The integration run holds many blocks of instrumented traces in memory and
//                   was OOM-killed under coverage; the contracts it drives (Pool, FlashLiquidator, Lens) are
//                   covered by test/core, test/liquidation and test/periphery.
// - "simulation ..." test/sim — tests the TypeScript market simulator (long multi-block runs, slow when
//                   instrumented); RiskEngine and VolatilityOracle are covered by test/risk.
// - "core: gas ..." gas-budget assertions do not hold on instrumented bytecode.
// - "... ONE eth_call" test/periphery/lens.test.ts's scale test (hundreds of accounts in one eth_call): a single
//                   call of tens of millions of gas, which instrumented grew the coverage process past 15 GB of
//                   memory; the Lens's code paths are all covered by the other lens tests.
// - "... gas per account" test/periphery/healthFactors.test.ts's gas comparison (a batch over every account of its
//                   world, as one estimateGas): the run went out of an 8 GB heap right there; the batch view's
//                   paths are covered by the equality tests of the same file.
// - "@no-coverage"  put this tag in a test title to exclude it (benchmarks, scale and gas tests).
// Benches (bench/) are not mocha tests and never run under coverage. The Foundry invariant campaign does not run
// under solidity-coverage either (it is not a Hardhat suite).
module.exports = {
  skipFiles: ["mocks/"],
  irMinimum: true,
  istanbulReporter: ["json-summary", "text-summary", "text", "html"],
  mocha: {
    grep: "^(keeper: |simulation |core: gas)|ONE eth_call|gas per account|@no-coverage",
    invert: true,
    timeout: 1_200_000,
  },
};
