// Operator robustness (issue #18, keeper items 1, 2, 4, 5), in process: a nonce taken by another sender with the
// keeper's key, /health when the keeper cannot send and on an idle chain, the deployment checks at start,
// FULCRA_LOCALHOST_URL, and the state lock.
// The process-level behaviour (real `hardhat node`, signals, restarts, ports) is in process.test.ts.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  addUniswap,
  deployKeeperWorld,
  dropWeth,
  isLiquidatableAfterDrop,
  liquidations,
  makeKeeper,
  quietLogger,
  stepAndMine,
  walletAt,
  COMPETITOR_INDEX,
  KEEPER_INDEX,
} from "./helpers";
import { KeeperRunner } from "../../keeper/runner";
import { NonceManager, NotSentError } from "../../keeper/nonce";
import { parseCli } from "../../keeper/config";
import { lockState } from "../../keeper/lock";
import { KeeperFatal } from "../../keeper/errors";
import { accountKey } from "../../keeper/util";

const world20 = () => deployKeeperWorld(20); // borrowers 16..19 are at usage 0.9: the three WETH ones become liquidatable

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("keeper: operator robustness (in process)", function () {
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("#1 a nonce taken by another sender with the keeper's key is detected, resynced from the chain, and the liquidations go through", async () => {
    const f = await loadFixture(world20);
    const addrs = (await ethers.getSigners()).map((s) => s.address);
    const expected = f.borrowers.filter(isLiquidatableAfterDrop).map((b) => accountKey(addrs[b.ownerIndex], b.subId));
    expect(expected).to.have.length(3);
    const k = makeKeeper(f);
    await k.runOnce(); // nonce synced (and the approvals sent)
    const cached = k.executor.nonces.peek();
    // `set-price` (or anything else) signing with the same key takes the keeper's next two nonces.
    const other = walletAt(KEEPER_INDEX).connect(ethers.provider);
    for (let i = 0; i < 2; i++) await (await other.sendTransaction({ to: other.address, value: 0n })).wait();
    await network.provider.send("evm_setAutomine", [false]);
    await dropWeth(f);
    await network.provider.send("evm_mine", []);
    const drop = Number(await network.provider.send("eth_blockNumber", []));
    const r = await stepAndMine(k);
    expect(r?.sent.sort()).to.deep.equal([...expected].sort());
    expect((await liquidations(f, drop)).map((l) => l.key).sort()).to.deep.equal([...expected].sort());
    expect(k.executor.nonces.takenByOthers).to.equal(1);
    expect(k.executor.nonces.used.slice(-3)).to.deep.equal([cached! + 2, cached! + 3, cached! + 4]); // after the other two
    expect(k.executor.sendError).to.equal(undefined);
  });

  it("#1 nonce manager: 'nonce too low' resyncs from the node and retries once with the fresh nonce", async () => {
    const s = { pending: 5 };
    const nm = new NonceManager({ count: () => Promise.resolve(s.pending) });
    await nm.resync();
    s.pending = 7; // someone else sent two
    const tried: number[] = [];
    const got = await nm.use((n) => {
      tried.push(n);
      if (n < s.pending)
        return Promise.reject(new NotSentError("Nonce too low. Expected nonce to be 7 but got 5.", undefined, "nonce"));
      s.pending++;
      return Promise.resolve(n);
    });
    expect(tried).to.deep.equal([5, 7]);
    expect(got).to.equal(7);
    expect(nm.takenByOthers).to.equal(1);
    expect(nm.peek()).to.equal(8);
  });

  it("#1 /health reports unhealthy, with the reason, when the keeper cannot send", async () => {
    const f = await loadFixture(world20);
    const k = makeKeeper(f);
    const runner = new KeeperRunner(
      k,
      { pollMs: 20, maxBlockAgeSec: 0, shutdownWaitSec: 1, reconnectMaxSec: 1 },
      quietLogger(),
    );
    const running = runner.run();
    try {
      await waitFor(() => runner.health().ok, "a healthy keeper");
      expect(runner.health()).to.include({ connected: true, indexed: true, canSend: true });
      await network.provider.send("hardhat_setBalance", [k.address, "0x0"]);
      await dropWeth(f); // a new block with liquidatable accounts: the keeper tries and cannot pay for gas
      await waitFor(() => !runner.health().ok, "an unhealthy keeper");
      const h = runner.health();
      expect(h).to.include({ connected: true, canSend: false });
      expect((h.problems as string[]).filter((p) => p.startsWith("cannot send: "))).to.have.length(1);
    } finally {
      await runner.stop();
      await running;
    }
  });

  it("#2 /health is ok on an idle chain (no new blocks); block age is a separate signal, judged only with --max-block-age-sec", async () => {
    const f = await loadFixture(world20);
    const k = makeKeeper(f);
    let fixed: number | undefined;
    const opts = {
      pollMs: 20,
      maxBlockAgeSec: 0,
      shutdownWaitSec: 1,
      reconnectMaxSec: 1,
      clock: () => fixed ?? Date.now(),
    };
    const runner = new KeeperRunner(k, opts, quietLogger());
    const running = runner.run();
    try {
      await waitFor(() => runner.health().ok, "a healthy keeper");
      const head = await ethers.provider.getBlock("latest");
      fixed = (head!.timestamp + 600) * 1000; // ten minutes without a block
      await new Promise((r) => setTimeout(r, 200)); // the loop keeps polling the (idle) node
      const h = runner.health();
      expect(h).to.include({ ok: true, connected: true, indexed: true, canSend: true, stale: false, blockAgeSec: 600 });
      opts.maxBlockAgeSec = 300;
      expect(runner.health()).to.include({ ok: false, stale: true, connected: true });
      expect(runner.health().problems).to.deep.equal(["no new block for 600 s (--max-block-age-sec 300)"]);
    } finally {
      await runner.stop();
      await running;
    }
  });

  it("flash mode: a FlashLiquidator the keeper's key does not own, or a deployments file of another chain, stop init with one line", async () => {
    const f = await loadFixture(world20);
    const { deployment, flashLiquidator } = await addUniswap(f); // owned by the KEEPER_INDEX wallet
    const other = walletAt(COMPETITOR_INDEX).address;
    const k = makeKeeper(f, { deployment, signerIndex: COMPETITOR_INDEX, config: { mode: "flash" } });
    const owner = walletAt(KEEPER_INDEX).address;
    await expect(k.init()).to.be.rejectedWith(
      KeeperFatal,
      `the FlashLiquidator ${flashLiquidator} is owned by ${owner}, not the keeper's key ${other}: deploy with roles.liquidatorOwner = ${other}, transfer it to the keeper, set KEEPER_PRIVATE_KEY to the owner's key, or run --mode own`,
    );
    const wrongChain = makeKeeper(f, { deployment: { ...deployment, chainId: 1 } });
    await expect(wrongChain.init()).to.be.rejectedWith(
      KeeperFatal,
      "the deployments file is for chain 1 but the node is chain 31337: point --rpc / FULCRA_LOCALHOST_URL at the right node or --deployments at the right file",
    );
  });

  it("#4 --network localhost honours FULCRA_LOCALHOST_URL like the Hardhat tasks; --rpc and KEEPER_RPC_URL still win", () => {
    const env = { FULCRA_LOCALHOST_URL: "http://127.0.0.1:9545" };
    expect(parseCli([], env).rpc).to.equal("http://127.0.0.1:9545");
    expect(parseCli(["--network", "localhost"], env).rpc).to.equal("http://127.0.0.1:9545");
    expect(parseCli(["--rpc", "http://127.0.0.1:1"], env).rpc).to.equal("http://127.0.0.1:1");
    expect(parseCli([], { ...env, KEEPER_RPC_URL: "http://127.0.0.1:2" }).rpc).to.equal("http://127.0.0.1:2");
    expect(parseCli(["--network", "sepolia"], env).rpc).to.equal(undefined);
    expect(parseCli([], {}).rpc).to.equal("http://127.0.0.1:8545");
  });

  it("#5 the state lock: a live owner stops a second keeper with one line; a dead owner's lock is taken over", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-lock-"));
    const state = path.join(dir, "localhost-state.json");
    fs.writeFileSync(`${state}.lock`, String(process.ppid)); // a live process that is not us
    expect(() => lockState([state])).to.throw(
      KeeperFatal,
      `another keeper (pid ${process.ppid}) is using ${state}: stop it, or give this one its own state with --state and --checkpoint (or a different --shard / --network)`,
    );
    fs.writeFileSync(`${state}.lock`, "999999999"); // no such process (a crash)
    const lock = lockState([state, undefined]);
    expect(fs.readFileSync(`${state}.lock`, "utf8")).to.equal(String(process.pid));
    lock.release();
    expect(fs.existsSync(`${state}.lock`)).to.equal(false);
  });
});
