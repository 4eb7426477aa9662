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
const collector = new istanbul.Collector();
for (const f of files) collector.add(JSON.parse(fs.readFileSync(f, "utf8")));
const dir = path.join(__dirname, "..", "coverage");
fs.mkdirSync(dir, { recursive: true });
const reporter = new istanbul.Reporter(false, dir);
reporter.addAll(["json-summary", "text-summary", "html"]);
reporter.write(collector, true, () => console.log(`coverage-merge: ${files.length} runs merged into ${dir}`));
