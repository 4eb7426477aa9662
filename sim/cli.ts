// `npm start`: the market simulation. Runs under ts-node (not `hardhat run`, which does not forward flags): flags are
// parsed first, then Hardhat is loaded in process (in-process Hardhat network) and the contracts are compiled if
// needed.
//   npm start -- --scenario crash --seed 7 --accounts 60 --steps 160 [--json] [--quiet]
import { parseArgs } from "node:util";
import { SCENARIOS } from "./scenarios";

const HELP = `Fulcra market simulation (static vs dynamic risk engine on the same seeded market)

  --scenario <name>   ${Object.keys(SCENARIOS).join(" | ")}   (default crash)
  --seed <n>          PRNG seed (default 42)
  --accounts <n>      simulated accounts: lenders, borrowers, margin traders (default 40)
  --steps <n>         15-minute steps (default 128 = 32 hours)
  --json              print the JSON report to stdout instead of the table
  --quiet             no progress bar
  --help`;

export interface CliOptions {
  scenario: string;
  seed: number;
  accounts: number;
  steps: number;
  json: boolean;
  quiet: boolean;
}

export function parseCli(argv: string[]): CliOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string", default: "crash" },
      seed: { type: "string", default: "42" },
      accounts: { type: "string", default: "40" },
      steps: { type: "string", default: "128" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  const int = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
    return n;
  };
  const scenario = values.scenario;
  if (!SCENARIOS[scenario])
    throw new Error(`--scenario must be one of ${Object.keys(SCENARIOS).join(", ")}, got ${scenario}`);
  return {
    scenario,
    seed: int("seed", values.seed, 0, 2 ** 32 - 1),
    accounts: int("accounts", values.accounts, 8, 400),
    steps: int("steps", values.steps, 8, 2000),
    json: values.json,
    quiet: values.quiet,
  };
}

async function main() {
  let opts: CliOptions | null;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message + "\n\n" + HELP);
    process.exitCode = 2;
    return;
  }
  if (!opts) {
    console.log(HELP);
    return;
  }
  // Load Hardhat only now (it would otherwise see our flags), on its in-process network.
  process.env.HARDHAT_NETWORK = "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after HARDHAT_NETWORK is set, so not a static import
  const hre = require("hardhat");
  await hre.run("compile", { quiet: true });
  const { runSimulation } = await import("./run");
  const { writeReports, tableRows, buildJson, evaluateClaim, summarize } = await import("./report");
  const cliProgress = await import("cli-progress");

  const log = opts.json ? console.error : console.log;
  log(
    `Fulcra market simulation — scenario ${opts.scenario}, seed ${opts.seed}, ${opts.accounts} accounts, ${opts.steps} steps`,
  );
  log(SCENARIOS[opts.scenario].description);
  const showBar = !opts.quiet && process.stderr.isTTY !== undefined;
  const bar = new cliProgress.SingleBar(
    { format: " {phase} |{bar}| {value}/{total} {eta_formatted}", hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let current = "";
  const started = Date.now();
  const result = await runSimulation({
    ...opts,
    // SIM_MODES=dynamic runs one mode only (design experiments: the static baseline does not depend on the engine).
    modes: process.env.SIM_MODES ? (process.env.SIM_MODES.split(",") as ("static" | "dynamic")[]) : undefined,
    onProgress: (phase, done, total) => {
      if (!showBar) return;
      const label = phase.padEnd(10);
      if (phase !== current) {
        if (current) bar.stop();
        current = phase;
        bar.start(total, done, { phase: label });
      } else bar.update(done, { phase: label });
    },
  });
  if (showBar && current) bar.stop();
  const files = writeReports(result);
  if (opts.json) {
    console.log(JSON.stringify(buildJson(result), (_, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  } else {
    console.table(tableRows(result));
    if (result.results.static && result.results.dynamic) {
      const c = evaluateClaim(summarize(result.results.static), summarize(result.results.dynamic));
      console.log(
        `Claim (≥50 % less bad debt, fewer users liquidated, calm borrowing power within 10 %): ${c.holds ? "HOLDS" : "DOES NOT HOLD"} — ` +
          `bad debt ${c.badDebtReduction === null ? "n/a (none in static)" : (c.badDebtReduction * 100).toFixed(1) + " % lower"}, ` +
          `users ${result.results.dynamic.usersLiquidated} vs ${result.results.static.usersLiquidated}, calm usage ${(c.calmUsageDiff * 100).toFixed(2)} % apart`,
      );
    }
  }
  log(`Reports (${((Date.now() - started) / 1000).toFixed(0)} s): ${files.json}  ${files.md}  ${files.svg}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
