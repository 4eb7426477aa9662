// solidity-coverage configuration (npm run coverage).
// The project compiles with viaIR; `irMinimum` keeps the instrumented build on the IR pipeline but with a
// minimal optimizer sequence (faster with solc-js and avoids optimizer-induced instrumentation loss).
module.exports = {
  skipFiles: ["mocks/"],
  irMinimum: true,
  istanbulReporter: ["json-summary", "text-summary", "text", "html"],
  mocha: {
    // Gas-budget assertions do not hold on instrumented bytecode; everything else runs.
    grep: "core: gas",
    invert: true,
  },
};
