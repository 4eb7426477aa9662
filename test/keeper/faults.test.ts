// The keeper under faults: a flaky RPC (failures, timeouts, sends that land but report an error), a competing
// liquidator that takes some accounts first, a kill and restart mid-run, and reorgs (evm_snapshot / evm_revert).
// In every case: every liquidatable account is liquidated exactly once on the final chain, nothing is sent twice,
// the keeper keeps running.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  COMPETITOR_INDEX,
  FaultyProvider,
  deployKeeperWorld,
  dropWeth,
  isLiquidatableAfterDrop,
  liquidations,
  makeKeeper,
  stepAndMine,
  walletAt,
  KEEPER_INDEX,
  type KeeperFixture,
} from "./helpers";
import { accountKey } from "../../keeper/util";
import type { Keeper } from "../../keeper/keeper";
import { units } from "../helpers/fixtures";

const world200 = () => deployKeeperWorld(200);
const mine = () => network.provider.send("evm_mine", []);
const blockNumber = async () => Number(await network.provider.send("eth_blockNumber", []));

async function expectedKeys(f: KeeperFixture): Promise<Set<string>> {
  const addrs = (await ethers.getSigners()).map((s) => s.address);
  return new Set(f.borrowers.filter(isLiquidatableAfterDrop).map((b) => accountKey(addrs[b.ownerIndex], b.subId)));
}

function expectUnique(keys: string[], what: string) {
  expect(new Set(keys).size, `${what} has duplicates`).to.equal(keys.length);
}

function expectConsecutive(nonces: number[]) {
  for (let i = 1; i < nonces.length; i++) expect(nonces[i], `nonce ${i}`).to.equal(nonces[i - 1] + 1);
}

/** Ticks and mines until no account is liquidatable (or `max` rounds). */
async function runUntilClean(k: Keeper, max = 20): Promise<number> {
  for (let i = 0; i < max; i++) {
    const r = await stepAndMine(k);
    if (r && r.liquidatable.length === 0 && k.executor.inflight.size === 0) return i + 1;
  }
  return max;
}

describe("keeper: faults", function () {
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("flaky RPC (15% failures, 3% timeouts, 30% of sends acked with an error): all liquidated once, nonces consecutive", async () => {
    const f = await loadFixture(world200);
    const expected = await expectedKeys(f);
    const faulty = new FaultyProvider(network.provider, 7);
    const k = makeKeeper(f, { eip: faulty, config: { rpcTimeoutMs: 800, retries: 6, pageSize: 40 } });
    await network.provider.send("evm_setAutomine", [false]);
    faulty.failRate = 0.15;
    faulty.timeoutRate = 0.03;
    faulty.timeoutMs = 1_000;
    faulty.lostAckRate = 0.3;
    // Setup under faults too: init and indexing may need several ticks.
    for (let i = 0; i < 10 && !(k.lastTick?.ok && k.indexer.accounts.size === 200); i++) await stepAndMine(k);
    expect(k.indexer.accounts.size).to.equal(200);
    const from = await blockNumber();
    await dropWeth(f);
    await mine();
    await runUntilClean(k);
    const liq = await liquidations(f, from);
    expect(new Set(liq.map((l) => l.key))).to.deep.equal(expected);
    expectUnique(
      liq.map((l) => l.key),
      "liquidations",
    );
    expectUnique(
      k.liquidator.sentLog.map((s) => s.key),
      "sent liquidations",
    );
    expectConsecutive(k.executor.nonces.used);
    const onChain = await ethers.provider.getTransactionCount(walletAt(KEEPER_INDEX).address, "latest");
    expect(k.executor.nonces.used[k.executor.nonces.used.length - 1]).to.equal(onChain - 1);
    expect(faulty.injected).to.be.greaterThan(20);
    expect((await k.metrics.rpcErrors.get()).values.reduce((s, v) => s + v.value, 0)).to.be.greaterThan(0);
  });

  it("competitors: one liquidates first (seen in simulation), one front-runs the keeper's sends (its txs revert): lost, not retried", async () => {
    const f = await loadFixture(world200);
    const expected = [...(await expectedKeys(f))];
    const k = makeKeeper(f);
    await k.runOnce();
    const competitor = (await ethers.getSigners())[COMPETITOR_INDEX];
    await f.usdc.token.mint(competitor.address, units(f.usdc, 1_000_000));
    await f.usdc.token.connect(competitor).approve(f.poolAddress, ethers.MaxUint256);
    await network.provider.send("evm_setAutomine", [false]);
    const from = await blockNumber();
    await dropWeth(f);
    await mine();
    const snipe = async (keys: string[]) => {
      for (const key of keys) {
        const [owner, sub] = key.split(":");
        await f.pool
          .connect(competitor)
          .liquidate(owner, BigInt(sub), f.weth.address, ethers.MaxUint256, 0n, competitor.address, "0x", {
            maxPriorityFeePerGas: ethers.parseUnits("50", "gwei"),
            maxFeePerGas: ethers.parseUnits("100", "gwei"),
            gasLimit: 1_000_000n,
          });
      }
    };
    // Before the keeper's tick: in the mempool, so the keeper's simulation (on the pending state) sees them gone.
    const before = expected.slice(0, 5);
    await snipe(before);
    const r = await k.tick();
    expect(r.sent.length).to.equal(expected.length - before.length);
    // After the keeper's sends, with a higher tip: mined first, the keeper's transactions for these revert.
    const frontRun = expected.slice(5, 15);
    await snipe(frontRun);
    await mine();
    await runUntilClean(k);
    const taken = [...before, ...frontRun];
    const liq = await liquidations(f, from);
    expectUnique(
      liq.map((l) => l.key),
      "liquidations",
    );
    expect(new Set(liq.map((l) => l.key))).to.deep.equal(new Set(expected));
    for (const l of liq) {
      expect(l.caller).to.equal(taken.includes(l.key) ? competitor.address : walletAt(KEEPER_INDEX).address);
    }
    expect(k.liquidator.lostRaces).to.equal(taken.length);
    expect(
      k.liquidator.results
        .filter((x) => !x.won)
        .map((x) => x.key)
        .sort(),
    ).to.deep.equal([...frontRun].sort());
    expectUnique(
      k.liquidator.sentLog.map((s) => s.key),
      "sent liquidations",
    ); // no second attempt on the lost ones
    expect(k.liquidator.sentLog.map((s) => s.key)).to.not.include.members(before);
    expect((await k.metrics.liquidationsLost.get()).values[0].value).to.equal(taken.length);
  });

  it("killed mid-run with transactions in flight, restarted: resumes from the checkpoint, sends nothing twice", async () => {
    const f = await loadFixture(world200);
    const expected = await expectedKeys(f);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-"));
    const files = { checkpointFile: path.join(dir, "cp.json"), stateFile: path.join(dir, "state.json"), pageSize: 25 };
    const a = makeKeeper(f, { config: files });
    await a.runOnce();
    expect(a.indexer.accounts.size).to.equal(200);
    const callsA = a.indexer.stats.getLogsCalls;
    expect(callsA).to.be.greaterThan(5);
    await network.provider.send("evm_setAutomine", [false]);
    const from = await blockNumber();
    await dropWeth(f);
    await mine();
    const r = await a.tick(); // sends everything, then "dies" before anything is mined
    expect(r.sent.length).to.equal(expected.size);
    // (no stop(): the process is gone)
    const b = makeKeeper(f, { config: files });
    await b.init();
    expect(b.indexer.accounts.size).to.equal(200);
    expect(b.indexer.lastIndexed).to.equal(a.indexer.lastIndexed);
    expect(b.executor.inflight.size).to.equal(expected.size);
    const r1 = await b.tick(); // the same block: everything is in flight, nothing new to send
    expect(r1.sent).to.have.length(0);
    expect(b.indexer.stats.getLogsCalls).to.be.lessThan(3); // resumed, no rescan from the deployment block
    await mine();
    await runUntilClean(b);
    const liq = await liquidations(f, from);
    expect(new Set(liq.map((l) => l.key))).to.deep.equal(expected);
    expectUnique(
      liq.map((l) => l.key),
      "liquidations",
    );
    expect(b.liquidator.sentLog).to.have.length(0);
    expect(b.liquidator.results.filter((x) => x.won)).to.have.length(expected.size);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reorg (evm_revert) of an indexed account and of mined liquidations: rolls back, re-indexes, liquidates again once", async () => {
    const f = await loadFixture(world200);
    const expected = await expectedKeys(f);
    const k = makeKeeper(f, { config: { confirmations: 0 } });
    await k.runOnce();
    const signers = await ethers.getSigners();
    const u = signers[1];
    const base = await network.provider.send("evm_snapshot", []);
    // Branch A: account (u, 900) appears, the keeper indexes it.
    await f.pool.connect(u).supplyCollateral(f.weth.address, units(f.weth, 1), u.address, 900n);
    await mine();
    await k.tick();
    expect(k.indexer.accounts.has(accountKey(u.address, 900n))).to.equal(true);
    // Branch B replaces it with (u, 901) and more blocks.
    await network.provider.send("evm_revert", [base]);
    await f.pool.connect(u).supplyCollateral(f.weth.address, units(f.weth, 1), u.address, 901n);
    await f.pool.connect(u).borrow(f.usdc.address, units(f.usdc, 1590), u.address, 901n, u.address);
    await mine();
    await mine();
    const t = await k.tick();
    expect(t.reorgAt).to.not.equal(undefined);
    expect(k.indexer.accounts.has(accountKey(u.address, 900n))).to.equal(false);
    expect(k.indexer.accounts.has(accountKey(u.address, 901n))).to.equal(true);
    const want = new Set([...expected, accountKey(u.address, 901n)]);

    // Now the liquidations themselves are reorged out.
    await network.provider.send("evm_setAutomine", [false]);
    const from = await blockNumber();
    await dropWeth(f);
    await mine();
    const beforeLiq = await network.provider.send("evm_snapshot", []);
    const r = await stepAndMine(k);
    expect(new Set(r!.sent)).to.deep.equal(want);
    await stepAndMine(k); // settles: all won
    expect(k.liquidator.results.filter((x) => x.won)).to.have.length(want.size);
    await network.provider.send("evm_revert", [beforeLiq]);
    await mine();
    await mine();
    await mine();
    expect(await liquidations(f, from)).to.have.length(0);
    await runUntilClean(k);
    const liq = await liquidations(f, from);
    expect(new Set(liq.map((l) => l.key))).to.deep.equal(want);
    expectUnique(
      liq.map((l) => l.key),
      "liquidations",
    );
    expect(k.liquidator.results.filter((x) => x.won)).to.have.length(want.size); // the orphaned results were dropped
    expect((await k.metrics.reorgs.get()).values[0].value).to.be.greaterThanOrEqual(2);
  });
});
