// Keeper benchmark (`npm run bench:keeper`): time to scan 1,000 and 10,000 accounts through FulcraLens (batched,
// pinned to one block) versus one eth_call per account (the way Compound's reference bot polls), and the blocks
// from a price drop to the last liquidation when 50 accounts become liquidatable at once (flash mode through
// Uniswap V3). Writes bench/results/keeper.json.
import fs from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import { units } from "../lib/fixtures/pool";
import { massAccountWorld } from "./lib/accounts";
import { dropWeth, liquidations } from "../lib/fixtures/keeper";
import { addUniswap, makeKeeper, stepAndMine, type KeeperFixture } from "./lib/keeper";
import { poolIface } from "../keeper/abis";
import { mapLimit, type AccountRef } from "../keeper/util";

const N = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const RISKY = Number(process.env.BENCH_LIQUIDATABLE ?? 50);
const CHUNK = 100;

export async function world(): Promise<KeeperFixture & { factory: string }> {
  const { f, deployBlock, lens, factory, factoryAddr } = await massAccountWorld(N);
  // 1 WETH ($2000) each; the first RISKY borrow at 95 % of their power (liquidatable after WETH → 1700), the rest
  // between 50 % and 80 % (healthy after the drop).
  const t0 = Date.now();
  for (let first = 0; first < N; first += CHUNK) {
    const borrows: bigint[] = [];
    for (let i = first; i < Math.min(N, first + CHUNK); i++) {
      const usage = i < RISKY ? 0.95 : 0.5 + ((i * 7) % 31) / 100;
      borrows.push(units(f.usdc, (1600 * usage).toFixed(2)));
    }
    await factory.open(f.weth.address, units(f.weth, 1), f.usdc.address, first, borrows, { gasLimit: 29_000_000n });
  }
  console.log(`opened ${N} accounts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const deployment = {
    pool: f.poolAddress,
    lens: await lens.getAddress(),
    assets: [f.usdc, f.weth, f.wbtc].map((a) => ({ symbol: a.symbol, address: a.address })),
    deployBlock,
  };
  return { ...f, lens, deployment, deployBlock, factory: factoryAddr };
}

const runsOf: Record<string, number[]> = {};

/** Median of `runs` timings (all of them kept in `runsOf[label]`: the machine is shared, the spread says how much). */
async function timeIt(fn: () => Promise<unknown>, runs = 3, label?: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  if (label) runsOf[label] = times.map((x) => Math.round(x));
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]); // median
}

async function main() {
  const f = await world();
  const { deployment } = await addUniswap(f, 1700, 5_000);
  const k = makeKeeper(f, {
    deployment,
    config: {
      mode: "flash",
      minProfitUsd: 1,
      pageSize: 10_000,
      rpcTimeoutMs: 600_000,
      batchSize: Number(process.env.BENCH_BATCH ?? 250),
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 2),
    },
  });
  const t0 = performance.now();
  const first = await k.runOnce();
  console.log(
    `keeper: indexed ${first.accounts} accounts and scanned them in ${Math.round(performance.now() - t0)} ms (first tick)`,
  );

  const refs: AccountRef[] = [];
  for (let i = 0; i < N; i++) refs.push({ owner: f.factory, subId: BigInt(i) });
  const head = await ethers.provider.getBlockNumber();
  // The keeper's scan: Lens.healthFactors for all, Lens.snapshot for those below 1 (none before the drop).
  const scan = (n: number) => () => k.scanner.scan(refs.slice(0, n), head);
  const check = await scan(N)();
  if (check.length !== N || check.some((s) => !s.ok)) throw new Error("scan returned wrong results");
  const loadBefore = (await import("node:os")).loadavg()[0];
  const scan_1000_ms = await timeIt(scan(Math.min(1_000, N)), 5, "scan_1000_ms");
  const scan_10000_ms = await timeIt(scan(N), Number(process.env.BENCH_RUNS ?? 5), "scan_10000_ms");
  // The full Lens.snapshot for everyone (the method before healthFactors), for comparison.
  const lens_snapshot_1000_ms = await timeIt(() => k.scanner.snapshot(refs.slice(0, Math.min(1_000, N)), head), 1);
  // Naive: one pool.accountHealth eth_call per account, same provider, same concurrency.
  const naive = async (n: number) =>
    mapLimit(refs.slice(0, n), k.config.concurrency, async (r) =>
      k.rpc.call({ to: f.poolAddress, data: poolIface.encodeFunctionData("accountHealth", [r.owner, r.subId]) }, head),
    );
  const naive_scan_1000_ms = await timeIt(() => naive(Math.min(1_000, N)), 3, "naive_scan_1000_ms");
  const loadAfterScans = (await import("node:os")).loadavg()[0];
  const file = path.join(__dirname, "results", "keeper.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = {
    scan_1000_ms,
    scan_10000_ms,
    naive_scan_1000_ms,
    lens_snapshot_1000_ms,
    accounts: N,
    scan_method: k.scanner.method,
  };
  fs.writeFileSync(file, JSON.stringify(partial, null, 2) + "\n");
  // Keep the process alive while awaiting the node (and say so if something never answers).
  const keepAlive = setInterval(() => console.log("… still waiting"), 60_000);
  console.log(
    `scan: Lens ${scan_1000_ms} ms / 1,000, ${scan_10000_ms} ms / ${N}; snapshot-only ${lens_snapshot_1000_ms} ms / 1,000; naive ${naive_scan_1000_ms} ms / 1,000`,
  );

  // Latency: the price drop is mined in block P; the keeper ticks at P and its liquidations go into P + 1.
  await network.provider.send("evm_setAutomine", [false]);
  await dropWeth(f);
  await network.provider.send("evm_mine", []);
  const P = await ethers.provider.getBlockNumber();
  let liquidatable = 0;
  for (let i = 0; i < 5; i++) {
    const r = await stepAndMine(k);
    if (i === 0) liquidatable = r?.liquidatable.length ?? 0;
    if (r && i > 0 && r.liquidatable.length === 0 && k.executor.inflight.size === 0) break;
  }
  await network.provider.send("evm_setAutomine", [true]);
  const liq = await liquidations(f, P);
  const last = liq.reduce((m, l) => Math.max(m, l.block), P);
  const liquidation_latency_blocks = last - P;
  const out = {
    scan_1000_ms,
    scan_10000_ms,
    naive_scan_1000_ms,
    lens_snapshot_1000_ms,
    liquidation_latency_blocks,
    liquidated: new Set(liq.map((l) => l.key)).size,
    liquidatable,
    accounts: N,
    lens_batch_size: k.config.batchSize,
    health_batch_size: k.config.batchSize * 2,
    lens_concurrency: k.config.concurrency,
    mode: "flash",
    scan_method: k.scanner.method,
    health_target: k.scanner.healthTarget,
    runs_ms: runsOf,
    load_average_during_scans: [loadBefore, loadAfterScans],
    load_average: (await import("node:os")).loadavg()[0],
    cpus: (await import("node:os")).cpus().length,
    network: network.name,
  };
  console.log(JSON.stringify(out, null, 2));
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  clearInterval(keepAlive);
  console.log(`wrote ${file}`);
}

if (require.main === module || process.env.BENCH_MAIN !== "0")
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
