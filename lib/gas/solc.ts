// Compiles Solidity outside Hardhat with a pinned solc-js package, for contracts that must not join the project's
// build (hardhat compile, Foundry, coverage): the neutral gas bench's harness contracts and its Morpho Blue peer.
// The whole standard-JSON input (every imported file's text, the settings, the compiler release) is hashed, and the
// output kept under cache/neutral-gas/, so a second run compiles nothing. No `import "hardhat"`.
import crypto from "crypto";
import fs from "fs";
import path from "path";

/** An error the user can fix: printed as one line, without a stack trace. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BenchError";
  }
}

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

export interface SolcJob {
  /** Cache file prefix, e.g. "harness". */
  label: string;
  /** npm package of the compiler: "solc" (0.8.28, the project's) or an alias such as "solc-0.8.19". */
  solcPackage: string;
  /** Expected release, checked against the installed package ("0.8.19"). */
  version: string;
  /** solc settings, without outputSelection. */
  settings: Record<string, unknown>;
  /** Source unit names to build: project-relative paths or npm paths ("@morpho-org/morpho-blue/src/Morpho.sol"). */
  entries: string[];
}

export interface SolcOutput {
  /** "0.8.19+commit.7dd6d404" */
  longVersion: string;
  /** key "<source unit>:<contract>" */
  contracts: Record<string, CompiledContract>;
  /** true if read from the cache */
  cached: boolean;
}

interface SolcJs {
  version(): string;
  compile(input: string): string;
}

const IMPORT_RE = /^\s*import\s+(?:[^;"']*?\s+from\s+)?["']([^"']+)["'][^;]*;/gm;

/** Reads a source unit: first from the project, then from node_modules. */
function readUnit(root: string, unit: string): string {
  for (const file of [path.join(root, unit), path.join(root, "node_modules", unit)]) {
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
  }
  const pkg = unit.startsWith("@") ? unit.split("/").slice(0, 2).join("/") : unit.split("/")[0];
  throw new BenchError(`${unit} not found (in the project or node_modules/${pkg}): run npm install`);
}

/** Every source the entries need, keyed by source unit name (imports resolved like solc's import remapping-free mode). */
export function collectSources(root: string, entries: string[]): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {};
  const todo = [...entries];
  while (todo.length) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the loop runs while todo is not empty
    const unit = todo.pop()!;
    if (sources[unit]) continue;
    const content = readUnit(root, unit);
    sources[unit] = { content };
    for (const m of content.matchAll(IMPORT_RE)) {
      const imp = m[1];
      todo.push(imp.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(unit), imp)) : imp);
    }
  }
  return Object.fromEntries(
    Object.keys(sources)
      .sort()
      .map((k) => [k, sources[k]]),
  );
}

function loadSolc(root: string, job: SolcJob): SolcJs {
  const dir = path.join(root, "node_modules", job.solcPackage);
  if (!fs.existsSync(path.join(dir, "soljson.js")))
    throw new BenchError(
      `the compiler package ${job.solcPackage} (solc ${job.version}) is not installed: run npm install`,
    );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiler version is chosen at run time
  const solc = require(dir) as SolcJs;
  if (!solc.version().startsWith(job.version + "+"))
    throw new BenchError(`node_modules/${job.solcPackage} is solc ${solc.version()}, not ${job.version}: run npm ci`);
  return solc;
}

/** The release the package holds, read from its package.json (no need to load the 8 MB compiler). */
function packageVersion(root: string, job: SolcJob): string {
  const file = path.join(root, "node_modules", job.solcPackage, "package.json");
  if (!fs.existsSync(file))
    throw new BenchError(
      `the compiler package ${job.solcPackage} (solc ${job.version}) is not installed: run npm install`,
    );
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/** Compiles `job` (or reads it from `cacheDir`). */
export function compileCached(root: string, cacheDir: string, job: SolcJob): SolcOutput {
  const sources = collectSources(root, job.entries);
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const e of job.entries)
    outputSelection[e] = { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] };
  const input = { language: "Solidity", sources, settings: { ...job.settings, outputSelection } };
  const inputJson = JSON.stringify(input);
  const hash = crypto
    .createHash("sha256")
    .update(job.solcPackage + "@" + packageVersion(root, job) + "\n" + inputJson)
    .digest("hex")
    .slice(0, 16);
  const file = path.join(cacheDir, `${job.label}-${hash}.json`);
  if (fs.existsSync(file)) {
    const c = JSON.parse(fs.readFileSync(file, "utf8")) as Omit<SolcOutput, "cached">;
    return { ...c, cached: true };
  }

  const solc = loadSolc(root, job);
  const out = JSON.parse(solc.compile(inputJson)) as {
    errors?: { severity: string; formattedMessage: string; message: string }[];
    contracts?: Record<
      string,
      Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
    >;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length)
    throw new BenchError(`${job.label} contracts do not compile with solc ${job.version}: ${errors[0].message}`);
  const contracts: Record<string, CompiledContract> = {};
  for (const [unit, byName] of Object.entries(out.contracts ?? {}))
    for (const [name, c] of Object.entries(byName))
      contracts[`${unit}:${name}`] = {
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      };
  const result = { longVersion: solc.version().replace(/\.Emscripten.*$/, ""), contracts };

  fs.mkdirSync(cacheDir, { recursive: true });
  for (const old of fs.readdirSync(cacheDir)) if (old.startsWith(job.label + "-")) fs.rmSync(path.join(cacheDir, old));
  fs.writeFileSync(file, JSON.stringify(result));
  return { ...result, cached: false };
}
