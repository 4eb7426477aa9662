#!/usr/bin/env node
// Merges the coverage.json files of several `hardhat coverage --testfiles …` runs (scripts/coverage.sh) into one
// istanbul report: coverage/coverage-summary.json (what scripts/check-coverage.js reads), the text summary and
// coverage/index.html. Hit counts add up; a line or branch is covered if any run covered it.
// Usage: node scripts/coverage-merge.js coverage-parts/*.json
"use strict";
const fs = require("fs");
const path = require("path");
const istanbul = require("sc-istanbul"); // the istanbul that solidity-coverage itself reports with

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("coverage-merge: no coverage.json given");
  process.exit(2);
}
// Summed here rather than by istanbul's Collector: its merge drops the line map (`l`) that solidity-coverage writes
// and re-derives lines from statements, which would count fewer lines than a single run reports.
const merged = {};
for (const f of files) {
  for (const [key, fc] of Object.entries(JSON.parse(fs.readFileSync(f, "utf8")))) {
    const m = merged[key];
    if (!m) {
      merged[key] = fc;
      continue;
    }
    for (const k of ["s", "f", "l"]) for (const [id, n] of Object.entries(fc[k] || {})) m[k][id] = (m[k][id] || 0) + n;
    for (const [id, arr] of Object.entries(fc.b)) arr.forEach((n, i) => (m.b[id][i] += n));
  }
}
const collector = new istanbul.Collector();
collector.add(merged);
const dir = path.join(__dirname, "..", "coverage");
fs.mkdirSync(dir, { recursive: true });
const reporter = new istanbul.Reporter(false, dir);
reporter.addAll(["json-summary", "text-summary", "html"]);
reporter.write(collector, true, () => console.log(`coverage-merge: ${files.length} runs merged into ${dir}`));
