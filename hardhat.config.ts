import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import "./tasks";
import path from "path";

// This machine (and CI) has no route to the solc binary list, so Hardhat cannot download a compiler.
// We compile with the exact solc-js release pinned in package.json instead.
const SOLC_VERSION = "0.8.28";
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion === SOLC_VERSION) {
    const compilerPath = path.join(__dirname, "node_modules", "solc", "soljson.js");
    return { compilerPath, isSolcJs: true, version: args.solcVersion, longVersion: "0.8.28+commit.7893614a" };
  }
  return runSuper();
});

// `npm run coverage` sets FULCRA_COVERAGE_PATHS=1: solidity-coverage then builds its instrumented artifacts into
// their own directories. (By default it overwrites artifacts/ and cache/, so any compile in the same checkout during
// its run silently swaps uninstrumented bytecode back in for the tests that follow.)
const coveragePaths =
  process.env.FULCRA_COVERAGE_PATHS === "1" ? { artifacts: "./artifacts-coverage", cache: "./cache-coverage" } : {};

const config: HardhatUserConfig = {
  paths: coveragePaths,
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        settings: {
          viaIR: true,
          optimizer: { enabled: true, runs: 2000 },
          evmVersion: "cancun",
        },
      },
    ],
    // The margin router is called a few times per position, not per block: optimizing for size (runs 200) keeps it
    // 3 KiB under the 24 KiB limit (docs/gas.md, "Code size"); the margin figures in docs/margin.md are with it. Not in
    // the coverage build: solidity-coverage sets its own minimal optimizer on `compilers` only, and the instrumented
    // router does not compile with this override (stack too deep).
    overrides:
      process.env.FULCRA_COVERAGE_PATHS === "1"
        ? {}
        : {
            "contracts/margin/MarginRouter.sol": {
              version: SOLC_VERSION,
              settings: { viaIR: true, optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
            },
          },
  },
  networks: {
    hardhat: { hardfork: "cancun" },
    localhost: { url: "http://127.0.0.1:8545" },
  },
  mocha: { timeout: 600_000 },
  gasReporter: { enabled: process.env.REPORT_GAS === "true" },
};

export default config;
