// Results of the neutral gas bench: bench/results/gas.json, the console tables, the README's generated gas section
// and the --check verdict. No `import "hardhat"` (the README generator runs without a network).
import fs from "fs";
import path from "path";
import { BenchError } from "./solc";
import type { CodeSize } from "./sizes";
import { OPS, TARGETS, type Op } from "./spec";

export interface OpResult {
  op: Op;
  label: string;
  fulcra: number;
  morpho: number;
  /** fulcra / morpho, 4 decimals */
  ratio: number;
}

export interface ProtocolRun {
  compiler: string;
  notes: string[];
  /** recorded, not compared: the liquidation's set-up transactions */
  extra: Record<string, number>;
  checks: Record<string, string>;
}

export interface GasResult {
  about: string;
  network: { hardhat: string; hardfork: string };
  harnessCompiler: string;
  peerSource: string;
  targets: typeof TARGETS;
  operations: OpResult[];
  codeSize: CodeSize[];
  fulcra: ProtocolRun;
  morpho: ProtocolRun;
}

export const ABOUT =
  "Whole-transaction receipt.gasUsed of the neutral scenario of ../shared/gas-harness, run in-project by npm run bench:gas. Method: docs/gas.md.";

export const RESULT_FILE = path.join("bench", "results", "gas.json");
const README_BEGIN = "<!-- gas:begin -->";
const README_END = "<!-- gas:end -->";

const n = (x: number) => x.toLocaleString("en-US");
// eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Op is the union of OPS's keys: find always hits
const label = (op: Op) => OPS.find(([k]) => k === op)![1];
const ratioOk = (r: OpResult) => r.fulcra <= r.morpho * TARGETS.maxRatio;

export function opResults(fulcra: Record<Op, number>, morpho: Record<Op, number>): OpResult[] {
  return OPS.map(([op, l]) => ({
    op,
    label: l,
    fulcra: fulcra[op],
    morpho: morpho[op],
    ratio: Math.round((fulcra[op] / morpho[op]) * 1e4) / 1e4,
  }));
}

/** Operations whose Morpho figure is not the reference's, as "label: measured x, reference y". */
export function morphoMismatches(measured: Record<Op, number>, reference: Record<Op, number>): string[] {
  return OPS.filter(([op]) => measured[op] !== reference[op]).map(
    ([op]) => `${label(op)}: measured ${n(measured[op])}, reference ${n(reference[op])}`,
  );
}

/** What `--check` fails on: ratios above the target, contracts with less headroom than the target. */
export function checkFailures(r: GasResult): string[] {
  return [
    ...r.operations
      .filter((o) => !ratioOk(o))
      .map((o) => `${label(o.op)}: ${o.ratio.toFixed(3)}x > ${r.targets.maxRatio.toFixed(2)}x`),
    ...r.codeSize
      .filter((c) => !c.ok)
      .map((c) => `${c.contract}: headroom ${n(c.headroom)} < ${n(r.targets.minHeadroom)} bytes`),
  ];
}

/** A Markdown table; `pad` aligns the columns for a terminal. */
function table(headers: string[], rows: string[][], right: boolean[], pad: boolean): string {
  const w = headers.map((h, i) => (pad ? Math.max(h.length, ...rows.map((r) => r[i].length)) : 0));
  const cell = (s: string, i: number) => (right[i] ? s.padStart(w[i]) : s.padEnd(w[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const sep = `|${w.map((x, i) => (right[i] ? "-".repeat(Math.max(3, x + 1)) + ":" : "-".repeat(Math.max(3, x + 2)))).join("|")}|`;
  return [line(headers), sep, ...rows.map(line)].join("\n");
}

/** Gas per operation; `readme`: unpadded, ratios over the target in bold. */
export function gasTable(r: GasResult, readme = false): string {
  const ratio = (o: OpResult) => (readme && !ratioOk(o) ? `**${o.ratio.toFixed(2)}x**` : `${o.ratio.toFixed(2)}x`);
  return table(
    ["operation", "Fulcra", "Morpho Blue (AdaptiveCurveIrm)", "Fulcra / Morpho"],
    r.operations.map((o) => [o.label, n(o.fulcra), n(o.morpho), ratio(o)]),
    [false, true, true, true],
    !readme,
  );
}

/** Runtime code size of every deployed contract; `readme`: unpadded. */
export function sizeTable(r: GasResult, readme = false): string {
  return table(
    [
      "contract",
      "runtime bytes",
      `headroom under ${n(r.targets.codeSizeLimit)}`,
      `≥ ${n(r.targets.minHeadroom)} (3 KiB)`,
    ],
    r.codeSize.map((c) => [c.contract, n(c.runtimeBytes), n(c.headroom), c.ok ? "yes" : readme ? "**no**" : "no"]),
    [false, true, true, false],
    !readme,
  );
}

/** Changes against a previously recorded result (the committed bench/results/gas.json), for the console; null if
 * there is none or it is not a result of this bench. */
export function changesSince(previous: unknown, r: GasResult): string[] | null {
  const prev = previous as Partial<GasResult> | undefined;
  if (!prev?.operations || !prev.codeSize) return null;
  const out: string[] = [];
  for (const o of r.operations) {
    const p = prev.operations.find((x) => x.op === o.op);
    if (p && p.fulcra !== o.fulcra)
      out.push(
        `${o.label}: ${n(p.fulcra)} → ${n(o.fulcra)} (${o.fulcra > p.fulcra ? "+" : ""}${(((o.fulcra - p.fulcra) / p.fulcra) * 100).toFixed(2)} %)`,
      );
  }
  for (const c of r.codeSize) {
    const p = prev.codeSize.find((x) => x.contract === c.contract);
    if (!p) out.push(`${c.contract}: new, ${n(c.runtimeBytes)} bytes`);
    else if (p.runtimeBytes !== c.runtimeBytes)
      out.push(`${c.contract}: ${n(p.runtimeBytes)} → ${n(c.runtimeBytes)} bytes`);
  }
  return out;
}

export function readResult(root: string): GasResult {
  const file = path.join(root, RESULT_FILE);
  if (!fs.existsSync(file)) throw new BenchError(`${RESULT_FILE} not found: run npm run bench:gas`);
  const r = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<GasResult>;
  if (!r.operations || !r.codeSize || !r.fulcra || !r.morpho)
    throw new BenchError(`${RESULT_FILE} is not a result of the neutral bench: run npm run bench:gas`);
  return r as GasResult;
}

export function writeResult(root: string, r: GasResult): string {
  const file = path.join(root, RESULT_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + "\n");
  return file;
}

/** The README's gas section, between the markers. */
export function readmeSection(r: GasResult): string {
  const over = r.operations.filter((o) => !ratioOk(o));
  const tight = r.codeSize.filter((c) => !c.ok);
  const verdict = [
    over.length
      ? `Over the ratio target: ${over.map((o) => `${o.label}: ${o.ratio.toFixed(3)}x`).join("; ")}.`
      : "Every operation is within the ratio target.",
    tight.length
      ? `Under 3 KiB of headroom: ${tight.map((c) => `${c.contract}: ${n(c.headroom)} bytes left`).join("; ")}.`
      : "Every deployed contract keeps 3 KiB of headroom.",
  ].join(" ");
  return [
    README_BEGIN,
    `<!-- generated from ${RESULT_FILE} by \`npm run bench:gas -- --readme\` (or \`npm run bench:gas:readme\`): do not edit by hand -->`,
    "Whole-transaction `gasUsed` (21,000 base and calldata included, approvals excluded), on the in-process Hardhat",
    `network (${r.network.hardfork}), of the neutral scenario of the shared gas harness (\`../shared/gas-harness\`), which`,
    "`npm run bench:gas` runs inside the project: two lenders supply 10,000 LUSD each; a borrower posts 10 CETH at",
    "$2,000, borrows 5,000 then 1,000, repays 2,000, repays the rest and withdraws all its collateral, a day passing",
    "between steps; a second borrower borrows 7,500 against 10 CETH, CETH falls to $800 and a liquidator holding only",
    "LUSD repays about half; then a flash loan of 1,000 LUSD through a trivial receiver. Both protocols get the same",
    "tokens (one OpenZeppelin 5 ERC20, 18 decimals), price feeds that read one storage slot and one block per",
    "transaction. Fulcra is deployed from the project's artifacts, with LUSD, CETH and CBTC listed (caps unlimited,",
    "minimum borrow 0, flash fee 0). Morpho Blue 1.0.0 with its production AdaptiveCurveIrm v1.0.0, built with",
    "Morpho's own compiler settings, is deployed and measured in the same run, and the bench fails unless its figures",
    `are exactly those of \`${r.peerSource}\` (which also has Aave v3 and Compound v3). Method and conditions:`,
    "[docs/gas.md](docs/gas.md).",
    "",
    gasTable(r, true),
    "",
    `Targets (issue #16): every ratio ≤ ${r.targets.maxRatio.toFixed(2)}x, and every contract the project deploys at least ${n(r.targets.minHeadroom)} bytes`,
    `(3 KiB) under the EIP-170 limit of ${n(r.targets.codeSizeLimit)} bytes of runtime code; \`npm run bench:gas -- --check\` fails otherwise.`,
    verdict,
    "",
    sizeTable(r, true),
    README_END,
  ].join("\n");
}

/** Rewrites the text between the gas markers of README.md. */
export function updateReadme(root: string, r: GasResult): string {
  const file = path.join(root, "README.md");
  const text = fs.readFileSync(file, "utf8");
  const a = text.indexOf(README_BEGIN);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a)
    throw new BenchError(
      `README.md has no ${README_BEGIN} … ${README_END} section: put the markers back where the gas table goes`,
    );
  fs.writeFileSync(file, text.slice(0, a) + readmeSection(r) + text.slice(b + README_END.length));
  return file;
}
