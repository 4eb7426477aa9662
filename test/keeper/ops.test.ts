// Operational features of the keeper on the in-process Hardhat network: the volatility updater (on schedule by chain
// time, simulated first, never two in flight, the oracle's event on chain), replacement of stuck transactions (same
// nonce, bumped fees, never above the cap, exactly one liquidation lands), the EIP-1559 fee cap (nothing sent while
// baseFee + tip is above it), --dry-run (plans and simulates, sends nothing; logs and metrics say so) and --help.
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Eip1193Provider } from "ethers";
import pino from "pino";
import {
  deployKeeperWorld,
  dropWeth,
  isLiquidatableAfterDrop,
  liquidations,
  makeKeeper,
  addUniswap,
  walletAt,
  KEEPER_INDEX,
  type KeeperFixture,
} from "./helpers";
import { deployRiskStack } from "../../lib/risk";
import { riskIface } from "../../keeper/abis";
import { FLAGS } from "../../keeper/config";
import { accountKey } from "../../keeper/util";
import { toFeedAnswer } from "../../lib/protocol";

const GWEI = 10n ** 9n;
const keeperAddr = walletAt(KEEPER_INDEX).address;

const mine = () => network.provider.send("evm_mine", []);
const setNextBaseFee = (wei: bigint) =>
  network.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + wei.toString(16)]);
const pendingNonce = () => ethers.provider.getTransactionCount(keeperAddr, "pending");
const latestNonce = () => ethers.provider.getTransactionCount(keeperAddr, "latest");
const counter = async (
  c: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string> = {},
) => {
  const v = (await c.get()).values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
};

/** A pino logger that keeps every record (JSON) in `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines, msgs: (m: string) => lines.filter((l) => l.msg === m) };
}

/** Counts JSON-RPC methods on their way to the node. */
class Counting implements Eip1193Provider {
  readonly counts = new Map<string, number>();
  constructor(private readonly inner: { request(a: { method: string; params?: unknown[] }): Promise<unknown> }) {}
  request(a: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    this.counts.set(a.method, (this.counts.get(a.method) ?? 0) + 1);
    return this.inner.request(a as { method: string; params?: unknown[] });
  }
  n(m: string) {
    return this.counts.get(m) ?? 0;
  }
}

// 20 accounts: after WETH 2000 → 1700 the three WETH accounts at usage 0.9 are liquidatable (sub-account 1 of
// owners 7, 8, 9), nobody else.
const world20 = () => deployKeeperWorld(20);
const world20Uni = async () => {
  const f = await deployKeeperWorld(20);
  return { f, ...(await addUniswap(f)) };
};
const worldRisk = async () => {
  const f = await deployKeeperWorld(4);
  const stack = await deployRiskStack(
    f.pool,
    f.admin,
    [f.usdc, f.weth, f.wbtc].map((a) => ({ symbol: a.symbol, address: a.address })),
  );
  return { f, ...stack };
};

async function expectedKeys(f: KeeperFixture): Promise<string[]> {
  const signers = await ethers.getSigners();
  return f.borrowers
    .filter(isLiquidatableAfterDrop)
    .map((b) => accountKey(signers[b.ownerIndex].address, b.subId))
    .sort();
}

describe("keeper: operations", function () {
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  describe("volatility updater", () => {
    it("calls RiskEngine.updateMany every --vol-interval-sec of chain time, never two in flight; the oracle's event lands", async () => {
      const { f, engine, engineAddress, oracle } = await loadFixture(worldRisk);
      const assets = f.deployment.assets.map((a) => a.address);
      const eip = new Counting(network.provider);
      const k = makeKeeper(f, {
        eip,
        deployment: { ...f.deployment, riskEngine: engineAddress },
        config: { volIntervalSec: 600 },
      });
      await k.init();
      // An hour later WETH has a new round: the oracle will accept an update.
      await time.increase(3_601);
      for (const [a, p] of [
        [f.weth, "1950"],
        [f.wbtc, "60000"],
        [f.usdc, "1"],
      ] as const)
        await a.feed.setAnswer(toFeedAnswer(p));
      await network.provider.send("evm_setAutomine", [false]);
      const n0 = await latestNonce();

      const sends0 = eip.n("eth_sendRawTransaction");
      await k.tick(); // due: first run
      expect(k.volatility.sent).to.equal(1);
      expect(k.executor.hasInflight("volatility")).to.equal(true);
      expect(eip.n("eth_sendRawTransaction")).to.equal(sends0 + 1);
      const hash = [...k.executor.inflight.values()][0].hashes[0];

      // The update stays pending (base fee above its max fee) while 700 s of chain time pass: due by the clock,
      // but one is in flight, so nothing new is sent.
      await setNextBaseFee(100n * GWEI);
      await network.provider.send("evm_increaseTime", [700]);
      await mine();
      await k.tick();
      expect(k.volatility.sent).to.equal(1);
      expect(eip.n("eth_sendRawTransaction")).to.equal(sends0 + 1);
      expect((await ethers.provider.getTransaction(hash))!.blockNumber).to.equal(null); // still pending

      // It lands: a transaction to the engine with updateMany(all assets), and the oracle's VolatilityUpdated.
      await setNextBaseFee(GWEI / 2n);
      await mine();
      const block = await ethers.provider.getBlock("latest", true);
      expect(block!.transactions).to.deep.equal([hash]);
      const tx = block!.prefetchedTransactions[0];
      expect(tx.from).to.equal(keeperAddr);
      expect(tx.to).to.equal(engineAddress);
      expect(tx.data).to.equal(riskIface.encodeFunctionData("updateMany", [assets]));
      const evs = await oracle.queryFilter(oracle.filters.VolatilityUpdated(), block!.number, block!.number);
      const weth = evs.find((e) => e.args.asset === f.weth.address);
      expect(weth, "VolatilityUpdated(WETH)").to.not.equal(undefined);
      expect(weth!.args.volatility).to.equal(await oracle.volatility(f.weth.address));
      expect(weth!.args.dt).to.be.greaterThan(0n);
      expect(await engine.getAddress()).to.equal(engineAddress);

      // Next tick: settles it (metric), and 700 s have passed since the last send → the next one goes out.
      await k.tick();
      expect(await counter(k.metrics.volUpdates)).to.equal(1);
      expect(k.volatility.sent).to.equal(2);
      await mine();
      // 300 s later: not due. 610 s after the send: due.
      await network.provider.send("evm_increaseTime", [300]);
      await mine();
      await k.tick();
      expect(k.volatility.sent).to.equal(2);
      await network.provider.send("evm_increaseTime", [310]);
      await mine();
      await k.tick();
      expect(k.volatility.sent).to.equal(3);
      await mine();
      await k.tick();
      expect(await counter(k.metrics.volUpdates)).to.equal(3);
      expect(await latestNonce()).to.equal(n0 + 3);
    });

    it("simulates first: an updateMany that would revert is not sent", async () => {
      const { f } = await loadFixture(worldRisk);
      const log = capture();
      // The Lens has no updateMany: the simulation reverts.
      const k = makeKeeper(f, {
        deployment: { ...f.deployment, riskEngine: f.deployment.lens },
        config: { volIntervalSec: 600 },
        logger: log.logger,
      });
      await k.init();
      const n0 = await pendingNonce();
      await k.tick();
      expect(await pendingNonce()).to.equal(n0);
      expect(k.volatility.sent).to.equal(0);
      const warn = log.msgs("simulation failed; not sending");
      expect(warn).to.have.length(1);
      expect(warn[0].kind).to.equal("volatility");
    });
  });

  it("replaces a stuck liquidation: same nonce, fees bumped, capped at --max-fee-gwei; exactly one lands per account", async () => {
    const f = await loadFixture(world20);
    const expected = await expectedKeys(f);
    expect(expected).to.have.length(3);
    const k = makeKeeper(f, { config: { maxFeeGwei: 50, priorityFeeGwei: 1, stuckBlocks: 2, feeBumpPct: 20 } });
    await k.runOnce(); // index + approvals
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await setNextBaseFee(GWEI);
    await mine();
    const drop = await ethers.provider.getBlockNumber();
    const n0 = await latestNonce();

    const r = await k.tick(); // head base fee 1 gwei → maxFee 2·1 + 1 = 3 gwei
    expect([...r.sent].sort()).to.deep.equal(expected);
    const first = [...k.executor.inflight.values()].sort((a, b) => a.nonce - b.nonce);
    expect(first.map((t) => t.nonce)).to.deep.equal([n0, n0 + 1, n0 + 2]);
    const originals = await Promise.all(first.map((t) => ethers.provider.getTransaction(t.hashes[0])));
    for (const tx of originals) {
      expect(tx!.maxFeePerGas).to.equal(3n * GWEI);
      expect(tx!.maxPriorityFeePerGas).to.equal(GWEI);
    }

    // Base fee jumps to 30 gwei: the transactions cannot be included. One block later: not stuck long enough yet.
    await setNextBaseFee(30n * GWEI);
    await mine();
    await k.tick();
    expect(await counter(k.metrics.txReplaced)).to.equal(0);
    await setNextBaseFee(30n * GWEI);
    await mine();
    await k.tick(); // two blocks pending → replaced: max(3·1.2, 2·30 + 1.2) = 61.2 gwei, capped at 50
    expect(await counter(k.metrics.txReplaced)).to.equal(3);
    for (const t of k.executor.inflight.values()) {
      expect(t.hashes).to.have.length(2);
      const a = originals.find((x) => x!.hash === t.hashes[0]); // the replaced one is gone from the node
      const b = await ethers.provider.getTransaction(t.hashes[1]);
      expect(a).to.not.equal(undefined);
      expect(b!.nonce).to.equal(a!.nonce);
      expect(b!.data).to.equal(a!.data);
      expect(b!.to).to.equal(a!.to);
      expect(b!.maxFeePerGas).to.equal(50n * GWEI); // the cap, not 61.2
      expect(b!.maxPriorityFeePerGas).to.equal((12n * GWEI) / 10n);
    }
    // Base fee above the cap: the replacements are stuck too, but already at the cap: no further replacement.
    for (let i = 0; i < 3; i++) {
      await setNextBaseFee(60n * GWEI);
      await mine();
      await k.tick();
    }
    expect(await counter(k.metrics.txReplaced)).to.equal(3);
    for (const t of k.executor.inflight.values()) expect(t.hashes).to.have.length(2);
    expect(await liquidations(f, drop)).to.have.length(0);

    // The base fee falls: the replacements land, one liquidation per account, in the replacement transactions.
    await setNextBaseFee(GWEI);
    await mine();
    const landed = await liquidations(f, drop);
    expect(landed.map((l) => l.key).sort()).to.deep.equal(expected);
    const block = await ethers.provider.getBlock("latest");
    const inflight = [...k.executor.inflight.values()];
    expect([...block!.transactions].sort()).to.deep.equal(inflight.map((t) => t.hashes[1]).sort());
    for (const t of inflight) expect(await ethers.provider.getTransactionReceipt(t.hashes[0])).to.equal(null);
    await k.tick(); // settle
    expect(k.executor.inflight.size).to.equal(0);
    expect(
      k.liquidator.results
        .filter((x) => x.won)
        .map((x) => x.key)
        .sort(),
    ).to.deep.equal(expected);
    expect(k.liquidator.sentLog).to.have.length(3); // replacements are not new sends
    expect(await latestNonce()).to.equal(n0 + 3); // no nonce skipped or reused
    await mine();
    expect(await liquidations(f, drop)).to.have.length(3);
  });

  it("EIP-1559 cap: nothing is sent while baseFee + tip > --max-fee-gwei; at the boundary maxFee is the cap", async () => {
    const f = await loadFixture(world20);
    const expected = await expectedKeys(f);
    const k = makeKeeper(f, { config: { maxFeeGwei: 5, priorityFeeGwei: 1 } });
    await k.runOnce();
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await mine();
    // 4.5 gwei base + 1 gwei tip = 5.5 > 5: below the cap alone, above it with the tip.
    await setNextBaseFee((45n * GWEI) / 10n);
    await mine();
    const drop = await ethers.provider.getBlockNumber();
    const n0 = await pendingNonce();
    const r = await k.tick();
    expect(r.liquidatable.map((s) => s.key).sort()).to.deep.equal(expected);
    expect(r.planned).to.equal(3);
    expect(r.sent).to.have.length(0);
    expect(await pendingNonce()).to.equal(n0);
    expect(await counter(k.metrics.liquidationsSkipped, { reason: "fee-cap" })).to.equal(3);
    expect(await counter(k.metrics.liquidationsSent)).to.equal(0);
    // 3.9 gwei: 3.9 + 1 ≤ 5 → sent, with maxFee = min(2·3.9 + 1, 5) = 5 gwei exactly.
    await setNextBaseFee((39n * GWEI) / 10n);
    await mine();
    const r2 = await k.tick();
    expect([...r2.sent].sort()).to.deep.equal(expected);
    expect(await pendingNonce()).to.equal(n0 + 3);
    for (const t of k.executor.inflight.values()) {
      const tx = await ethers.provider.getTransaction(t.hashes[0]);
      expect(tx!.maxFeePerGas).to.equal(5n * GWEI);
    }
    await mine();
    expect((await liquidations(f, drop)).map((l) => l.key).sort()).to.deep.equal(expected);
  });

  it("--dry-run plans and simulates every liquidation but sends nothing; logs and metrics say so", async () => {
    const { f, deployment } = await loadFixture(world20Uni);
    const expected = await expectedKeys(f);
    const eip = new Counting(network.provider);
    const log = capture();
    const k = makeKeeper(f, {
      eip,
      deployment,
      logger: log.logger,
      config: { mode: "flash", dryRun: true, minProfitUsd: 1 },
    });
    await k.runOnce();
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await mine();
    const drop = await ethers.provider.getBlockNumber();
    const n0 = await pendingNonce();
    const est0 = eip.n("eth_estimateGas");
    const r = await k.tick();
    expect(r.planned).to.equal(3);
    expect([...r.sent].sort()).to.deep.equal(expected); // "would send"
    expect(eip.n("eth_estimateGas") - est0).to.equal(3); // each one simulated (eth_call + estimateGas)
    expect(eip.n("eth_sendRawTransaction")).to.equal(0);
    expect(await pendingNonce()).to.equal(n0);
    expect(k.executor.inflight.size).to.equal(0);
    expect(await counter(k.metrics.dryRunLiquidations)).to.equal(3);
    expect(await counter(k.metrics.liquidationsSent)).to.equal(0);
    const would = log.msgs("dry run: would liquidate");
    expect(would.map((l) => l.account).sort()).to.deep.equal(expected);
    for (const l of would) expect(Number(l.profitUsd)).to.be.greaterThan(1);
    const init = log.msgs("keeper initialized");
    expect(init[0].dryRun).to.equal(true);
    await mine();
    expect(await liquidations(f, drop)).to.have.length(0);
    expect(eip.n("eth_sendRawTransaction")).to.equal(0);
  });

  describe("--help", () => {
    const root = path.join(__dirname, "..", "..");
    const run = (args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [path.join(root, "node_modules", "ts-node", "dist", "bin.js"), "--transpile-only", "keeper/main.ts", ...args],
        {
          cwd: root,
          env: { ...process.env, KEEPER_PRIVATE_KEY: "" },
        },
      );

    it("lists every flag (the parser's, the issue's and the documented ones) with its environment variable", async () => {
      const { stdout } = await run(["--help"]);
      const shown = new Set([...stdout.matchAll(/^\s+--([a-z-]+)\s/gm)].map((m) => m[1]));
      const documented = [
        ...fs
          .readFileSync(path.join(root, "docs", "keeper.md"), "utf8")
          .matchAll(/^\| `--([a-z-]+)`(?: \/ `--([a-z-]+)`)?/gm),
      ].flatMap((m) => [m[1], m[2]].filter(Boolean));
      const fromIssue = [
        "network",
        "rpc",
        "dry-run",
        "shard",
        "page-size",
        "confirmations",
        "min-profit-usd",
        "max-fee-gwei",
        "mode",
        "metrics-port",
      ];
      expect(documented.length).to.be.greaterThan(30);
      for (const flag of [...Object.keys(FLAGS), ...documented, ...fromIssue]) {
        expect(shown.has(flag), `--${flag} in --help`).to.equal(true);
        if (flag !== "help") expect(stdout).to.include(`KEEPER_${flag.toUpperCase().replace(/-/g, "_")}`);
      }
      expect(shown.size).to.equal(Object.keys(FLAGS).length);
      expect(stdout).to.include("KEEPER_PRIVATE_KEY");
    });

    it("an unknown flag exits 2 and points at --help", async () => {
      const err = await run(["--no-such-flag"]).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).to.equal(2);
      expect(err?.stderr).to.include("--help");
    });
  });
});
