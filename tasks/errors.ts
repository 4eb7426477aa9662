// One-line errors for every Fulcra task, in every environment (issue #18 item 9). Hardhat prints a stack trace for
// any error, even a plugin's user error, when it thinks it runs on CI — and on Linux without $DISPLAY it does
// (hardhat/internal/util/ci-detection.js) — plus a "For more info" line otherwise. So when a Fulcra task is the
// command line's task, its error is printed here as one line, `Error: <what is wrong and the fix>`, on stderr, with
// exit code 1, and Hardhat never sees it. Nested in `hre.run` (tests, scripts) the error is thrown as before.
// `--show-stack-traces` keeps Hardhat's own output, for debugging.
import { extendConfig, task } from "hardhat/config";
import { HardhatContext } from "hardhat/internal/context";
import { HARDHAT_PARAM_DEFINITIONS } from "hardhat/internal/core/params/hardhat-params";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment, RunSuperFunction } from "hardhat/types";
import { PLUGIN, fail } from "./common";

/** Every task this CLI defines. */
export const FULCRA_TASKS = [
  "deploy",
  "markets",
  "account",
  "positions",
  "supply",
  "withdraw",
  "deposit-collateral",
  "withdraw-collateral",
  "borrow",
  "repay",
  "open-position",
  "close-position",
  "increase-position",
  "decrease-position",
  "add-margin",
  "remove-margin",
  "set-price",
  "advance-time",
] as const;

/** Hardhat's options that take a value (the task name is the first other word of the command line). */
const VALUE_OPTIONS = new Set(["--network", "--config", "--max-memory", "--tsconfig"]);

/** The task the command line runs (`npx hardhat --network localhost markets` → "markets"), or undefined. */
export function commandLineTask(argv: string[] = process.argv): string | undefined {
  const main = require.main?.filename ?? "";
  if (!/hardhat[\\/]internal[\\/]cli[\\/](cli|bootstrap)\.js$/.test(main)) return undefined;
  const words = argv.slice(2);
  for (let i = 0; i < words.length; i++) {
    if (VALUE_OPTIONS.has(words[i])) i++;
    else if (!words[i].startsWith("--")) return words[i];
  }
  return undefined;
}

const one = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");

/** Any error → one line saying what is wrong and what to do. */
export function oneLineError(e: unknown, hre: HardhatRuntimeEnvironment): string {
  if (HardhatPluginError.isHardhatPluginError(e) && e.pluginName === PLUGIN) return one(e.message);
  const err = e as { message?: string; code?: string; shortMessage?: string; cause?: { code?: string } };
  const text = `${err.message ?? String(e)} ${err.code ?? ""} ${err.cause?.code ?? ""}`;
  const url = (hre.network.config as { url?: string }).url;
  if (/ECONNREFUSED|HH108|Cannot connect to the network|ECONNRESET|ENOTFOUND|socket hang up/.test(text))
    return `Cannot reach the node of network "${hre.network.name}"${url ? ` at ${url}` : ""}: start it with \`npx hardhat node\` (another port: set FULCRA_LOCALHOST_URL=http://127.0.0.1:<port>)`;
  if (/other side closed|UND_ERR_SOCKET/.test(text))
    return `The node${url ? ` at ${url}` : ""} closed the connection (it drops connections idle for 5 s): run the command again`;
  if (/could not decode result data|BAD_DATA/.test(text))
    return `A contract recorded in the deployment file answered nothing (no code at that address on this chain): run npx hardhat deploy --network ${hre.network.name} (with --fresh after a node restart)`;
  if (/nonce too low|Nonce too (low|high)/i.test(text))
    return `Nonce out of sync (another process sends from the same account): run the command again`;
  const first = one(err.shortMessage ?? err.message ?? String(e)).slice(0, 300);
  return `Unexpected error: ${first} (run again with --show-stack-traces for the details)`;
}

/** Parameters declared "(required)": present, else a one-line error naming them. */
function checkRequired(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>) {
  const def = hre.tasks[name];
  const missing: string[] = [];
  for (const p of Object.values(def.paramDefinitions))
    if (p.description?.endsWith("(required)") && (args[p.name] === undefined || args[p.name] === ""))
      missing.push(
        `--${p.name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} (${p.description.replace(/ \(required\)$/, "")})`,
      );
  for (const p of def.positionalParamDefinitions)
    if (p.description?.endsWith("(required)") && (args[p.name] === undefined || args[p.name] === ""))
      missing.push(`<${p.name}> (${p.description.replace(/ \(required\)$/, "")})`);
  if (missing.length) fail(`Missing ${missing.join(", ")}. Usage: npx hardhat help ${name}`);
}

let depth = 0;

async function guarded(
  name: string,
  args: Record<string, unknown>,
  hre: HardhatRuntimeEnvironment,
  runSuper: RunSuperFunction<Record<string, unknown>>,
): Promise<unknown> {
  const top = depth === 0 && commandLineTask() === name && !process.argv.includes("--show-stack-traces");
  depth++;
  try {
    checkRequired(hre, name, args);
    return await runSuper(args);
  } catch (e) {
    if (!top) throw e;
    const line = oneLineError(e, hre);
    process.stderr.write(`Error: ${line}\n`);
    process.exitCode = 1;
    return undefined;
  } finally {
    depth--;
  }
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

/** Closest word by edit distance, if it is close enough to be a typo. */
function closest(word: string, candidates: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = candidates.map((c) => ({ c, d: dist(word, c) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

/**
 * The options of a Fulcra command line that Hardhat would reject itself (an unknown `--option`), before any task
 * code runs and with a stack trace on Linux without $DISPLAY: returns the one-line error, or undefined.
 * `known`: the task's options (kebab-case, with whether each is a flag).
 */
export function unknownOptionError(taskName: string, argv: string[], known: Map<string, boolean>): string | undefined {
  const global = new Map(
    Object.entries(HARDHAT_PARAM_DEFINITIONS).map(([name, d]) => [kebab(name), d.isFlag] as [string, boolean]),
  );
  const words = argv.slice(2);
  for (let i = words.indexOf(taskName) + 1; i > 0 && i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith("--")) continue;
    const name = w.slice(2).split("=")[0];
    const isFlag = known.get(name) ?? global.get(name);
    if (isFlag === undefined) {
      const hint = closest(name, [...known.keys()]);
      return `Unknown option --${name} for ${taskName}${hint ? `: did you mean --${hint}?` : ""} (npx hardhat help ${taskName} lists its options)`;
    }
    if (!isFlag && !w.includes("=")) i++; // its value
  }
  return undefined;
}

/** Checks the command line of a Fulcra task once the config (and so every task) is loaded, before Hardhat parses
 * the task's arguments: an unknown option becomes one line on stderr and exit code 1. */
function checkCommandLine() {
  const name = commandLineTask();
  if (!name || process.argv.includes("--show-stack-traces")) return;
  const defs = HardhatContext.getHardhatContext().tasksDSL.getTaskDefinitions();
  if (!(FULCRA_TASKS as readonly string[]).includes(name)) {
    if (defs[name] !== undefined) return; // Hardhat's own tasks keep Hardhat's behaviour
    const hint = closest(name, [...FULCRA_TASKS]);
    if (!hint) return;
    process.stderr.write(`Error: Unknown command ${name}: did you mean ${hint}? (npx hardhat --help lists them)\n`);
    process.exit(1);
  }
  const def = defs[name];
  const known = new Map(Object.values(def.paramDefinitions).map((p) => [kebab(p.name), p.isFlag] as [string, boolean]));
  const line = unknownOptionError(name, process.argv, known);
  if (line) {
    process.stderr.write(`Error: ${line}\n`);
    process.exit(1);
  }
}

/** Wraps every Fulcra task (call once, after the tasks are defined). */
export function guardTasks() {
  // Config extenders run after the whole config file (every task defined) and before the arguments are parsed.
  extendConfig(() => checkCommandLine());
  for (const name of FULCRA_TASKS)
    task(name).setAction((args: Record<string, unknown>, hre, runSuper: RunSuperFunction<Record<string, unknown>>) =>
      guarded(name, args, hre, runSuper),
    );
}
