// `npm run bench:gas`: the neutral gas scenario of the shared harness (../shared/gas-harness), run in the project for
// Fulcra and for Morpho Blue + AdaptiveCurveIrm under identical conditions (docs/gas.md). Prints gas per operation
// with the ratio Fulcra / Morpho, and the runtime code size of every contract the project deploys; writes
// bench/results/gas.json. Fails if Morpho's figures are not those of ../shared/reference/peer-gas.md.
//   npm run bench:gas [-- --check] [-- --readme]
//     --check   exit 1 if a ratio is above 1.10 or a contract has less than 3 KiB of headroom (issue #16's targets)
//     --readme  also rewrite README.md's gas section from the result (npm run bench:gas:readme does only that)
// Runs under ts-node, not `hardhat run` (which does not forward flags); compiles the project first.
import { parseArgs } from "node:util";
import fs from "fs";
import path from "path";

const HELP = `npm run bench:gas [-- --check] [-- --readme]
  --check    exit 1 if any ratio Fulcra/Morpho > 1.10 or any deployed contract has < 3 KiB of headroom
  --readme   rewrite README.md's gas section from bench/results/gas.json after the run
  --help`;

async function main(): Promise<number> {
  const started = Date.now();
  let flags: { check: boolean; readme: boolean; help: boolean };
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      options: {
        check: { type: "boolean", default: false },
        readme: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`bench:gas: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (flags.help) {
    console.log(HELP);
    return 0;
  }

  // Hardhat only now (it would otherwise see our flags), on its in-process network.
  process.env.HARDHAT_NETWORK = "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after HARDHAT_NETWORK is set, so not a static import
  const hre = require("hardhat");
  await hre.run("compile", { quiet: true });
  const root: string = hre.config.paths.root;
  const { measureNeutral, buildResult } = await import("../lib/gas/bench");
  const { morphoMismatches, gasTable, sizeTable, checkFailures, changesSince, writeResult, updateReadme, RESULT_FILE } =
    await import("../lib/gas/report");
  const { MORPHO_REFERENCE, PEER_SOURCE } = await import("../lib/gas/spec");

  const runs = await measureNeutral(true);
  const result = buildResult(runs);
  console.log(`Neutral gas scenario (${PEER_SOURCE}), Hardhat ${result.network.hardhat}, ${result.network.hardfork}`);
  console.log(`Fulcra: ${result.fulcra.compiler}`);
  console.log(`Morpho: ${result.morpho.compiler}`);
  console.log(`harness: ${result.harnessCompiler}\n`);
  console.log(gasTable(result) + "\n");
  console.log(sizeTable(result) + "\n");

  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- measureNeutral(true) always measures Morpho
  const mismatch = morphoMismatches(runs.morpho!.gas, MORPHO_REFERENCE);
  if (mismatch.length) {
    console.error(
      `bench:gas: Morpho Blue's figures differ from ${PEER_SOURCE} (${mismatch.join("; ")}): the conditions are no longer the ` +
        `neutral scenario's; check bench/neutral-gas, lib/gas and the compiler packages against the harness. Nothing written.`,
    );
    return 1;
  }

  const file = path.join(root, RESULT_FILE);
  const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  const changes = changesSince(previous, result);
  writeResult(root, result);
  const since =
    changes === null
      ? "."
      : changes.length
        ? `; changes since the recorded run:\n  ${changes.join("\n  ")}`
        : " (no change since the recorded run).";
  console.log(
    `Morpho Blue matches ${PEER_SOURCE} on all ${result.operations.length} operations. Written ${RESULT_FILE}${since}`,
  );
  if (flags.readme) console.log(`Rewrote the gas section of ${path.relative(root, updateReadme(root, result))}.`);
  const built = runs.built.length ? `compiled ${runs.built.join(", ")}` : "";
  const cached = runs.cached.length ? `${runs.cached.join(", ")} from cache/neutral-gas` : "";
  console.log(
    `Done in ${((Date.now() - started) / 1000).toFixed(1)} s (${[built, cached].filter(Boolean).join("; ")}).`,
  );

  const failures = checkFailures(result);
  const targets = `ratio ≤ ${result.targets.maxRatio.toFixed(2)}x, headroom ≥ ${result.targets.minHeadroom.toLocaleString("en-US")} bytes`;
  if (failures.length)
    console.log(`${flags.check ? "FAIL" : "Not yet at the targets"} (${targets}): ${failures.join("; ")}.`);
  else console.log(`All targets met (${targets}).`);
  return flags.check && failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    // One line, no stack trace; BenchError messages carry the fix. BENCH_DEBUG=1 shows the stack.
    if (process.env.BENCH_DEBUG) console.error(e);
    const hint = e.name === "BenchError" ? "" : " (BENCH_DEBUG=1 for the stack)";
    console.error(`bench:gas: ${(e.message || String(e)).split("\n")[0]}${hint}`);
    process.exitCode = 1;
  },
);
