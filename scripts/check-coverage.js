#!/usr/bin/env node
// Coverage gate (npm run coverage): reads coverage/coverage-summary.json written by solidity-coverage's istanbul
// json-summary reporter and fails unless the non-mock contracts, taken together, reach the thresholds below.
// Mocks are excluded twice: `.solcover.js` skips contracts/mocks/ and this script ignores any path under mocks/.
// Usage: node scripts/check-coverage.js [--markdown] [summary.json] — prints a per-contract table and the totals
// (`--markdown`: as a Markdown table, for docs/coverage.md).
"use strict";
const fs = require("fs");
const path = require("path");

const THRESHOLDS = { lines: 95, branches: 90 };
const args = process.argv.slice(2);
const markdown = args.includes("--markdown");
const file = args.find((a) => !a.startsWith("--")) || path.join(__dirname, "..", "coverage", "coverage-summary.json");

if (!fs.existsSync(file)) {
  console.error(`check-coverage: ${file} not found (run \`npx hardhat coverage\` first)`);
  process.exit(2);
}
const summary = JSON.parse(fs.readFileSync(file, "utf8"));

const totals = { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
const rows = [];
for (const [key, entry] of Object.entries(summary)) {
  if (key === "total") continue;
  const rel = key.replace(/\\/g, "/").replace(/^.*?contracts\//, "");
  if (/(^|\/)mocks\//.test(rel)) continue;
  for (const k of Object.keys(totals)) {
    totals[k].covered += entry[k].covered;
    totals[k].total += entry[k].total;
  }
  rows.push([rel, entry.lines, entry.branches]);
}
if (rows.length === 0) {
  console.error("check-coverage: no non-mock contract in the summary");
  process.exit(2);
}

const pct = (c) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
const fmt = (c) => `${pct(c).toFixed(2).padStart(6)} % (${c.covered}/${c.total})`;
rows.sort((a, b) => a[0].localeCompare(b[0]));
if (markdown) {
  const cell = (c) => `${pct(c).toFixed(2)} % (${c.covered}/${c.total})`;
  console.log("| contract | lines | branches |\n| --- | ---: | ---: |");
  for (const [name, l, b] of rows) console.log(`| ${name} | ${cell(l)} | ${cell(b)} |`);
  console.log(`| **total (non-mock)** | **${cell(totals.lines)}** | **${cell(totals.branches)}** |`);
} else {
  const w = Math.max(...rows.map((r) => r[0].length), 8);
  console.log(`${"contract".padEnd(w)}  ${"lines".padEnd(22)}  branches`);
  for (const [name, l, b] of rows) console.log(`${name.padEnd(w)}  ${fmt(l).padEnd(22)}  ${fmt(b)}`);
  console.log(`${"TOTAL".padEnd(w)}  ${fmt(totals.lines).padEnd(22)}  ${fmt(totals.branches)}`);
}

let failed = false;
for (const [k, min] of Object.entries(THRESHOLDS)) {
  const p = pct(totals[k]);
  if (p < min) {
    console.error(`check-coverage: ${k} ${p.toFixed(2)} % < ${min} % required`);
    failed = true;
  }
}
if (failed) process.exit(1);
console.log(`check-coverage: OK (lines ≥ ${THRESHOLDS.lines} %, branches ≥ ${THRESHOLDS.branches} %)`);
