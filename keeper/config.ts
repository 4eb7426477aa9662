// Keeper configuration: every flag (with its environment variable and default) and the parser behind `--help`. The
// deployments file's format is in deployment.ts.
import path from "node:path";
import { parseArgs } from "node:util";
import { parseShard, type Shard } from "./util";

export { loadDeployment, validateDeployment, type Deployment } from "./deployment";

export type Mode = "flash" | "own";

/** Everything tunable. Defaults are in DEFAULTS; `--help` lists them. */
export interface KeeperConfig {
  dryRun: boolean;
  mode: Mode;
  minProfitUsd: number;
  // indexer
  pageSize: number;
  confirmations: number;
  reorgDepth: number;
  checkpointFile?: string; // indexer checkpoint; undefined: in memory only
  stateFile?: string; // executor in-flight transactions; undefined: in memory only
  // scanner
  batchSize: number;
  concurrency: number;
  nearHealth: number; // below this health: re-check every block
  watchHealth: number; // below this: every `watchEvery` blocks
  watchEvery: number;
  healthyEvery: number; // everything else
  priceTriggerBps: number; // a price move this big since the last full scan triggers one
  scanMethod: "health" | "snapshot";
  // strategy
  feeTiers: number[];
  slippageBps: number;
  gasFlash: number; // gas estimate used for profitability before simulation
  gasOwn: number;
  nativeUsd?: number; // USD price of the gas token if no asset in the deployment is it
  nativeSymbol: string;
  partialSteps: number; // flash mode: halvings of the repay tried when the full one does not pay (0: off)
  // executor
  maxFeeGwei: number;
  priorityFeeGwei: number;
  stuckBlocks: number;
  feeBumpPct: number;
  retries: number;
  rpcTimeoutMs: number;
  maxPerTick: number;
  // volatility
  volIntervalSec: number; // 0: off
  // ops
  pollMs: number;
  maxBlockAgeSec: number; // /health fails when the newest block is older than this (0: not part of health)
  shutdownWaitSec: number; // on SIGTERM/SIGINT, how long to wait for transactions in flight to be mined
  reconnectMaxSec: number; // longest wait between reconnection attempts when the node is unreachable
  metricsPort: number; // 0: off
  metricsHost: string;
  shard: Shard;
  logLevel: string;
  jsonLogs: boolean; // one JSON object per line (pino) instead of readable lines
}

export const DEFAULTS: KeeperConfig = {
  dryRun: false,
  mode: "flash",
  minProfitUsd: 1,
  pageSize: 5_000,
  confirmations: 2,
  reorgDepth: 64,
  batchSize: 250,
  concurrency: 8,
  nearHealth: 1.05,
  watchHealth: 1.2,
  watchEvery: 5,
  healthyEvery: 25,
  priceTriggerBps: 50,
  scanMethod: "health",
  feeTiers: [500, 3000, 10000],
  slippageBps: 100,
  gasFlash: 450_000,
  gasOwn: 250_000,
  nativeSymbol: "WETH",
  partialSteps: 4,
  maxFeeGwei: 200,
  priorityFeeGwei: 1,
  stuckBlocks: 3,
  feeBumpPct: 15,
  retries: 4,
  rpcTimeoutMs: 10_000,
  maxPerTick: 100,
  // The risk engine's design: the VolatilityOracle's short estimate has a 2-hour half-life and accepts an update at
  // most every 10 minutes (its minInterval); sampling every 15 minutes gives it ~8 samples per half-life, and an
  // update never lands inside the oracle's minimum interval of the previous one.
  volIntervalSec: 900,
  pollMs: 1_000,
  maxBlockAgeSec: 0,
  shutdownWaitSec: 30,
  reconnectMaxSec: 30,
  metricsPort: 9464,
  metricsHost: "127.0.0.1",
  shard: { index: 0, count: 1 },
  logLevel: "info",
  jsonLogs: false,
};

type Kind = "string" | "number" | "boolean" | "list";
interface FlagSpec {
  key?: keyof KeeperConfig;
  kind: Kind;
  help: string;
}

/** Every flag; each also reads KEEPER_<FLAG_IN_UPPER_SNAKE> from the environment (flags win). */
export const FLAGS: Record<string, FlagSpec> = {
  network: {
    kind: "string",
    help: "network name: RPC from KEEPER_RPC_URL, or for localhost FULCRA_LOCALHOST_URL (the tasks' variable) else http://127.0.0.1:8545; deployments/<network>.json",
  },
  rpc: { kind: "string", help: "JSON-RPC URL (overrides --network's)" },
  deployments: { kind: "string", help: "deployments file (default deployments/<network>.json)" },
  "dry-run": { key: "dryRun", kind: "boolean", help: "scan, plan and simulate, never send a transaction" },
  mode: {
    key: "mode",
    kind: "string",
    help: "flash: capital-free through the FlashLiquidator; own: repay from the keeper's balance",
  },
  "min-profit-usd": {
    key: "minProfitUsd",
    kind: "number",
    help: "skip liquidations whose estimated profit (after gas and swap) is below this",
  },
  "page-size": {
    key: "pageSize",
    kind: "number",
    help: "eth_getLogs block range per request (halved on range/limit errors)",
  },
  confirmations: { key: "confirmations", kind: "number", help: "blocks behind the head the indexer stays" },
  "reorg-depth": {
    key: "reorgDepth",
    kind: "number",
    help: "how many recent block hashes the indexer keeps to find a fork point",
  },
  checkpoint: {
    key: "checkpointFile",
    kind: "string",
    help: "indexer checkpoint file (default .keeper/<network>-checkpoint.json)",
  },
  state: {
    key: "stateFile",
    kind: "string",
    help: "executor state file: transactions in flight (default .keeper/<network>-state.json)",
  },
  "batch-size": { key: "batchSize", kind: "number", help: "accounts per Lens call" },
  concurrency: { key: "concurrency", kind: "number", help: "Lens calls in flight at once" },
  "near-health": {
    key: "nearHealth",
    kind: "number",
    help: "accounts below this health factor are re-checked every block",
  },
  "watch-health": {
    key: "watchHealth",
    kind: "number",
    help: "accounts below this are re-checked every --watch-every blocks",
  },
  "watch-every": { key: "watchEvery", kind: "number", help: "re-check period (blocks) of watched accounts" },
  "healthy-every": { key: "healthyEvery", kind: "number", help: "re-check period (blocks) of healthy accounts" },
  "price-trigger-bps": {
    key: "priceTriggerBps",
    kind: "number",
    help: "a price move this large (bps) since the last full scan rescans everyone",
  },
  "scan-method": {
    key: "scanMethod",
    kind: "string",
    help: "health: Lens.healthFactors for all, snapshot below 1; snapshot: Lens.snapshot for all",
  },
  "fee-tiers": {
    key: "feeTiers",
    kind: "list",
    help: "Uniswap V3 fee tiers to quote for the collateral→debt swap, comma-separated",
  },
  "slippage-bps": { key: "slippageBps", kind: "number", help: "tolerance on the quoted swap output / seized amount" },
  "gas-flash": { key: "gasFlash", kind: "number", help: "gas assumed for a flash liquidation when estimating profit" },
  "gas-own": { key: "gasOwn", kind: "number", help: "gas assumed for an own-balance liquidation" },
  "native-usd": {
    key: "nativeUsd",
    kind: "number",
    help: "USD price of the gas token (default: the pool's price of --native-symbol)",
  },
  "native-symbol": { key: "nativeSymbol", kind: "string", help: "deployment asset priced like the gas token" },
  "partial-steps": {
    key: "partialSteps",
    kind: "number",
    help: "flash mode: when the full repay is unprofitable after the swap, try repay/2, /4, … this many times (one quote each) and take the best chunk (0: off)",
  },
  "max-fee-gwei": { key: "maxFeeGwei", kind: "number", help: "cap on maxFeePerGas (EIP-1559); also caps replacements" },
  "priority-fee-gwei": { key: "priorityFeeGwei", kind: "number", help: "maxPriorityFeePerGas" },
  "stuck-blocks": {
    key: "stuckBlocks",
    kind: "number",
    help: "blocks a transaction may stay pending before it is replaced with higher fees",
  },
  "fee-bump-pct": { key: "feeBumpPct", kind: "number", help: "fee increase of a replacement (≥ 10 for geth)" },
  retries: { key: "retries", kind: "number", help: "retries of a failed RPC call (exponential backoff)" },
  "rpc-timeout-ms": { key: "rpcTimeoutMs", kind: "number", help: "per-call RPC timeout" },
  "max-per-tick": { key: "maxPerTick", kind: "number", help: "most liquidations sent per block" },
  "vol-interval-sec": {
    key: "volIntervalSec",
    kind: "number",
    help: "seconds between RiskEngine.updateMany calls (0: off; keep it at or above the VolatilityOracle's minInterval, 600 s by default)",
  },
  "poll-ms": { key: "pollMs", kind: "number", help: "new-block polling interval" },
  "max-block-age-sec": {
    key: "maxBlockAgeSec",
    kind: "number",
    help: "/health also fails when the newest block is older than this (0: block age is reported, not judged; an idle local chain is healthy)",
  },
  "shutdown-wait-sec": {
    key: "shutdownWaitSec",
    kind: "number",
    help: "on SIGTERM/SIGINT, wait at most this long for transactions in flight to be mined before saving state and exiting",
  },
  "reconnect-max-sec": {
    key: "reconnectMaxSec",
    kind: "number",
    help: "node unreachable: retry with exponential backoff up to this many seconds between attempts",
  },
  "metrics-port": {
    key: "metricsPort",
    kind: "number",
    help: "port of /metrics and /health (0: off); each keeper on one machine needs its own",
  },
  "metrics-host": { key: "metricsHost", kind: "string", help: "bind address of the metrics server" },
  shard: { kind: "string", help: "i/n: handle only accounts whose stable hash falls in shard i of n" },
  "log-level": { key: "logLevel", kind: "string", help: "pino level: trace, debug, info, warn, error" },
  "json-logs": {
    key: "jsonLogs",
    kind: "boolean",
    help: "log one JSON object per line (for log collectors); the default is one readable line per event",
  },
  help: { kind: "boolean", help: "print this help" },
};

export const KNOWN_RPC: Record<string, string> = { localhost: "http://127.0.0.1:8545" };

/** The RPC URL of a named network: localhost honours FULCRA_LOCALHOST_URL, as the Hardhat tasks do (tasks/networks.ts). */
export function networkRpc(network: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (network === "localhost" && env.FULCRA_LOCALHOST_URL) return env.FULCRA_LOCALHOST_URL;
  return KNOWN_RPC[network];
}

export interface CliOptions {
  help: boolean;
  network: string;
  rpc?: string;
  deploymentsFile: string;
  config: KeeperConfig;
}

const envName = (flag: string) => `KEEPER_${flag.toUpperCase().replace(/-/g, "_")}`;

export function helpText(): string {
  const lines = [
    "Fulcra liquidation keeper",
    "",
    "usage: npm run keeper -- [--network <name> | --rpc <url>] [flags]",
    "The signing key is read from KEEPER_PRIVATE_KEY (never from a flag). Without it, on a local Hardhat chain",
    "(chain id 31337) the keeper signs with Hardhat account #19, never account #0 (the deployer's and set-price's);",
    "on any other chain KEEPER_PRIVATE_KEY is required (or --dry-run).",
    "FULCRA_LOCALHOST_URL points the keeper (--network localhost) and the Hardhat tasks at the same node.",
    "",
  ];
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const def = spec.key ? DEFAULTS[spec.key] : undefined;
    const shown =
      def === undefined ? "" : ` (default ${Array.isArray(def) ? def.join(",") : typeof def === "object" ? "" : def})`;
    lines.push(`  --${flag.padEnd(20)} ${spec.help}${shown}  [env ${envName(flag)}]`);
  }
  return lines.join("\n");
}

/** Parses argv (without node and script) and the environment into options. Throws on bad input. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [flag, spec] of Object.entries(FLAGS))
    options[flag] = { type: spec.kind === "boolean" ? "boolean" : "string" };
  const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  const raw = (flag: string): string | boolean | undefined => {
    const v = (values as Record<string, string | boolean | undefined>)[flag];
    if (v !== undefined) return v;
    const e = env[envName(flag)];
    if (e === undefined || e === "") return undefined;
    return FLAGS[flag].kind === "boolean" ? e === "1" || e.toLowerCase() === "true" : e;
  };
  const config: KeeperConfig = { ...DEFAULTS, shard: { ...DEFAULTS.shard }, feeTiers: [...DEFAULTS.feeTiers] };
  const c = config as unknown as Record<string, unknown>;
  for (const [flag, spec] of Object.entries(FLAGS)) {
    if (!spec.key) continue;
    const v = raw(flag);
    if (v === undefined) continue;
    if (spec.kind === "number") {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag}: not a non-negative number: ${v}`);
      c[spec.key] = n;
    } else if (spec.kind === "list") {
      c[spec.key] = String(v)
        .split(",")
        .map((x) => Number(x.trim()))
        .filter((x) => Number.isFinite(x) && x > 0);
    } else c[spec.key] = v;
  }
  if (config.mode !== "flash" && config.mode !== "own") throw new Error(`--mode must be flash or own`);
  if (config.scanMethod !== "health" && config.scanMethod !== "snapshot")
    throw new Error("--scan-method must be health or snapshot");
  if (config.pageSize < 1) throw new Error("--page-size must be ≥ 1");
  if (config.batchSize < 1) throw new Error("--batch-size must be ≥ 1");
  const shard = raw("shard");
  if (typeof shard === "string") config.shard = parseShard(shard);
  const network = (raw("network") as string | undefined) ?? "localhost";
  const rpc = (raw("rpc") as string | undefined) ?? env.KEEPER_RPC_URL ?? networkRpc(network, env);
  const deploymentsFile = (raw("deployments") as string | undefined) ?? path.join("deployments", `${network}.json`);
  const suffix = config.shard.count > 1 ? `-shard${config.shard.index}of${config.shard.count}` : "";
  config.checkpointFile ??= path.join(".keeper", `${network}${suffix}-checkpoint.json`);
  config.stateFile ??= path.join(".keeper", `${network}${suffix}-state.json`);
  return { help: Boolean(values.help), network, rpc, deploymentsFile, config };
}
