#!/usr/bin/env node
// Used by test/invariant/run.sh (kept out of test/, where mocha would load it). Sums the per-run counters the invariant campaign writes (PoolInvariants.afterInvariant, one line per run:
// actions liquidations badDebts marginOpens marginCloses marginLiquidations engineUpdates rampSteps flashLoans
// marginAdjusts timelockExecutions feedBreaks staleWarps liquidatabilityChecks staleLiquidations thirdParty
// thirdPartyRefused pauseExits settleBadDebt repayAndCall dust) over all the files given, prints them, and fails when a campaign of at least MIN_ACTIONS actions
// reached an action kind less often than the minimum rate below — so the campaign cannot silently stop reaching
// liquidations, bad-debt write-offs, margin trades or risk-engine ramps (e.g. after a change of the handler).
"use strict";
const fs = require("fs");

const NAMES = [
  "actions",
  "liquidations",
  "bad-debt write-offs",
  "margin opens/increases",
  "margin closes",
  "margin positions liquidated",
  "risk-engine updates that moved the pool",
  "steps with an LT ramp running",
  "flash loans",
  "margin decreases/adjustments",
  "timelock operations executed",
  "feeds broken",
  "time jumps leaving a feed stale",
  "(a) unhealthy accounts liquidated on a snapshot",
  "liquidations with untrusted collateral",
  "third-party attempts",
  "third-party attempts refused",
  "exits under a pause or breaker",
  "settleBadDebt",
  "repayAndCall",
  "1-wei / dust amounts",
];
// Minimum count per 10,000 actions: about a third of the reach measured over 25,451 actions (seed 20261204, issue #15
// action mix: broken/stale feeds, third parties, pauses with exits, settleBadDebt, repayAndCall dilute the older
// kinds, and margin trades and liquidations often meet a broken feed, so their minimums were lowered to match).
const MIN_PER_10K = {
  liquidations: 30,
  "bad-debt write-offs": 7,
  "margin opens/increases": 9,
  "margin closes": 1.5,
  "margin positions liquidated": 3,
  "risk-engine updates that moved the pool": 60,
  "steps with an LT ramp running": 1_000,
  "flash loans": 60,
  "timelock operations executed": 20,
  "feeds broken": 100,
  "time jumps leaving a feed stale": 80,
  "(a) unhealthy accounts liquidated on a snapshot": 500,
  "liquidations with untrusted collateral": 90,
  "third-party attempts": 110,
  "third-party attempts refused": 100,
  "exits under a pause or breaker": 50,
  settleBadDebt: 4,
  repayAndCall: 40,
  "1-wei / dust amounts": 30,
};
const MIN_ACTIONS = 5_000;

const sums = new Array(NAMES.length).fill(0);
let runs = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) continue;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const v = line.trim().split(/\s+/).map(Number);
    if (v.length !== NAMES.length || v.some((x) => !Number.isFinite(x))) continue;
    v.forEach((x, i) => (sums[i] += x));
    ++runs;
  }
}
if (runs === 0) {
  console.error("reach: no campaign statistics found (FUZZ_STATS not written?)");
  process.exit(1);
}
const actions = sums[0];
console.log(`campaign reach over ${runs} runs:`);
let ok = true;
NAMES.forEach((name, i) => {
  const per10k = actions ? (sums[i] * 10_000) / actions : 0;
  const min = MIN_PER_10K[name];
  const low = i > 0 && min !== undefined && actions >= MIN_ACTIONS && per10k < min;
  if (low) ok = false;
  const note = i === 0 ? "" : ` (${per10k.toFixed(1)} per 10k actions${min !== undefined ? `, minimum ${min}` : ""})`;
  console.log(`  ${name.padEnd(48)} ${String(sums[i]).padStart(9)}${note}${low ? "  <-- BELOW MINIMUM" : ""}`);
});
process.exit(ok ? 0 : 1);
