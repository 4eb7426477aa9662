#!/usr/bin/env bash
# Runs the pool's stateful invariant campaign and the named attack tests with Foundry (see docs/security.md).
#   bash test/invariant/run.sh        profile default: 120 runs x 200 calls = 24,000 random actions (in `npm test`)
#   bash test/invariant/run.sh long   profile long: 2 shards in parallel, each 1,000 runs x 500 calls = 1,000,000
# The contracts come from Hardhat's artifacts: run `npx hardhat compile` first (the npm scripts do).
# Environment: FUZZ_SEED replays a campaign (printed at the start and on failure; shard n uses FUZZ_SEED + n);
# FUZZ_RUNS / FUZZ_DEPTH override the sizes per shard; FUZZ_SHARDS the number of parallel shards;
# FORGE points at a forge binary (default: node_modules/.bin/forge from @foundry-rs/forge, then PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE="${1:-default}"
FORGE_BIN="${FORGE:-}"
if [ -z "$FORGE_BIN" ]; then
  # The native binary of @foundry-rs/forge, not its node_modules/.bin/forge shim: the shim (bin.mjs of 1.7.1) exits 0
  # whatever forge returns, so a failing campaign would pass.
  native=$(ls node_modules/@foundry-rs/forge-*/bin/forge 2>/dev/null | head -n 1 || true)
  if [ -n "$native" ] && [ -x "$native" ]; then FORGE_BIN=$native
  elif [ -x node_modules/.bin/forge ]; then FORGE_BIN=node_modules/.bin/forge
  elif command -v forge >/dev/null 2>&1; then FORGE_BIN=forge
  else
    echo "forge not found: the devDependency @foundry-rs/forge (1.7.1) provides it (npm ci), or set FORGE=/path/to/forge" >&2
    exit 1
  fi
fi
SEED="${FUZZ_SEED:-$(node -e 'process.stdout.write(String(require("crypto").randomBytes(6).readUIntBE(0, 6)))')}"
if [ "$PROFILE" = long ]; then SHARDS="${FUZZ_SHARDS:-2}"; else SHARDS="${FUZZ_SHARDS:-1}"; fi
export FOUNDRY_PROFILE="$PROFILE"
if [ -n "${FUZZ_RUNS:-}" ]; then export FOUNDRY_INVARIANT_RUNS="$FUZZ_RUNS"; fi
if [ -n "${FUZZ_DEPTH:-}" ]; then export FOUNDRY_INVARIANT_DEPTH="$FUZZ_DEPTH"; fi
"$FORGE_BIN" build --quiet
echo "invariant campaign: profile=$PROFILE shards=$SHARDS seed=$SEED (replay with FUZZ_SEED=$SEED)"
# Every run of the campaign appends its counters (actions, liquidations, ...) to its shard's stats file
# (PoolInvariants.afterInvariant); they are summed below and the campaign fails if it stopped reaching them.
stats=cache_forge/campaign
mkdir -p "$stats"
rm -f "$stats"/stats-"$SEED"-*.txt
start=$(date +%s)
if [ "$SHARDS" = 1 ]; then
  log=$(mktemp)
  if ! FUZZ_STATS="$stats/stats-$SEED-0.txt" "$FORGE_BIN" test --fuzz-seed "$SEED" -vv 2>&1 | tee "$log" ||
    grep -q "Suite result: FAILED" "$log"; then
    echo "INVARIANT CAMPAIGN FAILED: replay with FUZZ_SEED=$SEED bash test/invariant/run.sh $PROFILE" >&2
    exit 1
  fi
else
  logs=$(mktemp -d)
  pids=()
  for n in $(seq 0 $((SHARDS - 1))); do
    FUZZ_STATS="$stats/stats-$SEED-$n.txt" "$FORGE_BIN" test --fuzz-seed $((SEED + n)) --match-test invariant_ -vv \
      >"$logs/shard$n.log" 2>&1 &
    pids+=($!)
  done
  failed=0
  for n in $(seq 0 $((SHARDS - 1))); do
    if wait "${pids[$n]}" && ! grep -q "Suite result: FAILED" "$logs/shard$n.log"; then status=passed; else
      status=FAILED
      failed=1
    fi
    echo "--- shard $n (seed $((SEED + n))): $status"
    grep -E "invariant_|Suite result|FAIL|Violation|Broken|sender=" "$logs/shard$n.log" || true
  done
  if [ "$failed" != 0 ]; then
    echo "INVARIANT CAMPAIGN FAILED (logs in $logs): replay a shard with FUZZ_SEED=<its seed> FUZZ_SHARDS=1 bash test/invariant/run.sh $PROFILE" >&2
    exit 1
  fi
fi
# Reach: summed over every run of every shard. Below 5,000 actions (a quick FUZZ_RUNS run) it is only printed.
if ! node tools/campaign-reach.js "$stats"/stats-"$SEED"-*.txt; then
  echo "INVARIANT CAMPAIGN FAILED: it no longer reaches liquidations, bad debt, margin trades or risk updates (seed $SEED)" >&2
  exit 1
fi
echo "invariant campaign passed: profile=$PROFILE seed=$SEED in $(( $(date +%s) - start )) s"
