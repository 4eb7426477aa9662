// Unit tests of the keeper's pieces that need no chain: the indexer's pagination, halving and reorg rollback
// (against a fake node), the nonce manager, sharding, the config parser, and the Lens result decoder.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AbiCoder, hexlify, id, randomBytes, type Provider } from "ethers";
import { Indexer, isRangeError } from "../../keeper/indexer";
import { NonceManager, NotSentError } from "../../keeper/nonce";
import { Rpc } from "../../keeper/rpc";
import { poolIface, lensIface } from "../../keeper/abis";
import { accountKey, inShard, parseShard, shardOf } from "../../keeper/util";
import { parseCli, validateDeployment, DEFAULTS } from "../../keeper/config";
import { decodeHealths, decodeSnapshot, encodeAccounts } from "../../keeper/scanner";

const POOL = "0x00000000000000000000000000000000000000aa";
const ASSET = "0x00000000000000000000000000000000000000bb";

interface FakeLog {
  blockNumber: number;
  owner: string;
  subId: bigint;
}

/** A fake node: blocks 0..head with hashes that depend on a "fork" tag, logs at given blocks, a max range. */
class FakeNode {
  head = 1_000;
  maxRange = 100;
  fork: Record<number, string> = {}; // block → branch tag (from that block on)
  logs: FakeLog[] = [];
  getLogsCalls: { from: number; to: number; ok: boolean }[] = [];
  failNext = 0; // transient failures to inject

  hash(n: number): string {
    let tag = "main";
    for (const [b, t] of Object.entries(this.fork)) if (n >= Number(b)) tag = t;
    return id(`${tag}:${n}`);
  }

  provider(): Provider {
    return {
      getLogs: async (f: { fromBlock: number; toBlock: number }) => {
        const from = Number(f.fromBlock);
        const to = Number(f.toBlock);
        if (this.failNext > 0) {
          this.failNext--;
          this.getLogsCalls.push({ from, to, ok: false });
          throw new Error("ECONNRESET");
        }
        if (to - from + 1 > this.maxRange) {
          this.getLogsCalls.push({ from, to, ok: false });
          throw new Error(`query exceeds max block range ${this.maxRange}`);
        }
        this.getLogsCalls.push({ from, to, ok: true });
        return this.logs
          .filter((l) => l.blockNumber >= from && l.blockNumber <= to && l.blockNumber <= this.head)
          .map((l) => {
            const ev = poolIface.encodeEventLog("SupplyCollateral", [ASSET, l.owner, l.owner, l.subId, 1n]);
            return {
              ...ev,
              blockNumber: l.blockNumber,
              blockHash: this.hash(l.blockNumber),
              removed: false,
              address: POOL,
            };
          });
      },
      getBlock: async (n: number) => (n > this.head ? null : { number: n, hash: this.hash(n) }),
    } as unknown as Provider;
  }
}

const owner = (i: number) => "0x" + (i + 1).toString(16).padStart(40, "0");

function makeIndexer(node: FakeNode, o: Partial<ConstructorParameters<typeof Indexer>[1]> = {}) {
  const rpc = new Rpc(node.provider(), { retries: 3, timeoutMs: 1_000, baseMs: 1, maxMs: 2 });
  return new Indexer(rpc, { pool: POOL, deployBlock: 10, pageSize: 400, confirmations: 5, reorgDepth: 64, ...o });
}

describe("keeper: unit", () => {
  describe("indexer", () => {
    it("halves the page on range errors down to what the node accepts, then grows back; finds every account", async () => {
      const node = new FakeNode();
      node.maxRange = 60;
      for (let i = 0; i < 50; i++) node.logs.push({ blockNumber: 10 + i * 19, owner: owner(i), subId: BigInt(i % 3) });
      const ix = makeIndexer(node);
      const r = await ix.sync(node.head);
      expect(r.to).to.equal(995); // head − 5 confirmations
      expect(ix.accounts.size).to.equal(50);
      expect(r.added).to.have.length(50);
      // 400 → 200 → 100 → 50 (accepted)
      const failed = node.getLogsCalls.filter((c) => !c.ok).map((c) => c.to - c.from + 1);
      expect(failed.slice(0, 3)).to.deep.equal([400, 200, 100]);
      expect(ix.stats.halvings).to.be.greaterThanOrEqual(3);
      // Pages never overlap and cover [10, 995] exactly.
      const ok = node.getLogsCalls.filter((c) => c.ok);
      expect(ok[0].from).to.equal(10);
      for (let i = 1; i < ok.length; i++) expect(ok[i].from).to.equal(ok[i - 1].to + 1);
      expect(ok[ok.length - 1].to).to.equal(995);
      // After successes it tried a bigger page again (and was halved again): growth happened.
      expect(failed.length).to.be.greaterThan(3);
    });

    it("waits for confirmations, follows new blocks incrementally, retries transient errors", async () => {
      const node = new FakeNode();
      node.logs.push(
        { blockNumber: 500, owner: owner(1), subId: 0n },
        { blockNumber: 998, owner: owner(2), subId: 7n },
      );
      const ix = makeIndexer(node, { pageSize: 1_000 });
      node.maxRange = 10_000;
      await ix.sync(node.head);
      expect(ix.accounts.has(accountKey(owner(2), 7n))).to.equal(false); // block 998 > 1000 − 5
      node.head = 1_003;
      node.failNext = 2;
      const r = await ix.sync(node.head);
      expect(r.from).to.equal(996);
      expect(r.to).to.equal(998);
      expect(r.added).to.deep.equal([accountKey(owner(2), 7n)]);
    });

    it("detects a reorg from stored hashes, rolls back to the fork point and re-indexes the new branch", async () => {
      const node = new FakeNode();
      node.maxRange = 10_000;
      node.logs.push(
        { blockNumber: 900, owner: owner(1), subId: 0n },
        { blockNumber: 980, owner: owner(2), subId: 0n },
      );
      const ix = makeIndexer(node, { pageSize: 20, confirmations: 0 });
      await ix.sync(node.head);
      expect(ix.accounts.size).to.equal(2);
      // Blocks from 970 on are replaced: the account at 980 disappears, one at 990 appears.
      node.fork = { 970: "b" };
      node.logs = node.logs.filter((l) => l.blockNumber !== 980);
      node.logs.push({ blockNumber: 990, owner: owner(3), subId: 1n });
      const r = await ix.sync(node.head);
      expect(r.reorgAt).to.be.lessThan(970);
      expect(r.reorgAt).to.be.greaterThanOrEqual(900);
      expect([...ix.accounts.keys()].sort()).to.deep.equal([accountKey(owner(1), 0n), accountKey(owner(3), 1n)].sort());
      expect(ix.stats.reorgs).to.equal(1);
    });

    it("checkpoints to a file and resumes from it", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ix-"));
      const file = path.join(dir, "cp.json");
      const node = new FakeNode();
      node.maxRange = 10_000;
      node.logs.push({ blockNumber: 100, owner: owner(1), subId: 5n });
      const a = makeIndexer(node, { checkpointFile: file });
      await a.sync(node.head);
      const b = makeIndexer(node, { checkpointFile: file });
      expect(b.lastIndexed).to.equal(995);
      expect(b.accounts.has(accountKey(owner(1), 5n))).to.equal(true);
      const calls = node.getLogsCalls.length;
      await b.sync(node.head);
      expect(node.getLogsCalls.length).to.equal(calls); // nothing new to fetch
      // A checkpoint of another pool is ignored.
      const c = makeIndexer(node, { checkpointFile: file, pool: "0x00000000000000000000000000000000000000cc" });
      expect(c.lastIndexed).to.equal(9);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("recognizes providers' range-limit messages", () => {
      for (const m of [
        "query returned more than 10000 results",
        "block range is too large",
        "eth_getLogs is limited to a 10,000 range",
        "Log response size exceeded",
        "exceed maximum block range: 5000",
      ])
        expect(isRangeError(new Error(m)), m).to.equal(true);
      expect(isRangeError(new Error("ECONNRESET"))).to.equal(false);
    });
  });

  describe("nonce manager", () => {
    /** A fake node: `pending` is how many transactions it accepted. */
    function node() {
      const s = { pending: 5, accepted: [] as number[] };
      return { s, nm: new NonceManager({ count: async () => s.pending }) };
    }

    it("hands out consecutive nonces to concurrent sends, never twice", async () => {
      const { s, nm } = node();
      const got = await Promise.all(
        Array.from({ length: 20 }, () =>
          nm.use(async (n) => {
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            s.accepted.push(n);
            s.pending++;
            return n;
          }),
        ),
      );
      expect([...got].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 20 }, (_, i) => 5 + i));
      expect(nm.used).to.deep.equal(Array.from({ length: 20 }, (_, i) => 5 + i));
    });

    it("a send that certainly failed gives its nonce to the next one (no gap)", async () => {
      const { s, nm } = node();
      await expect(nm.use(async () => Promise.reject(new NotSentError("insufficient funds")))).to.be.rejectedWith(
        "insufficient funds",
      );
      const n = await nm.use(async (x) => {
        s.pending++;
        return x;
      });
      expect(n).to.equal(5);
    });

    it("an ambiguous failure: consumed if the node counted it, reused if not", async () => {
      const { s, nm } = node();
      // Landed, then the connection dropped.
      await expect(
        nm.use(async () => {
          s.pending++;
          throw new Error("socket hang up");
        }),
      ).to.be.rejected;
      expect(nm.peek()).to.equal(6);
      // Never reached the node.
      await expect(nm.use(async () => Promise.reject(new Error("timeout")))).to.be.rejected;
      expect(nm.peek()).to.equal(6);
      expect(nm.used).to.deep.equal([5]);
    });

    it("resync reads the node's pending count (after a reorg or a restart)", async () => {
      const { s, nm } = node();
      await nm.use(async (x) => {
        s.pending++;
        return x;
      });
      s.pending = 3; // the chain went back
      expect(await nm.resync()).to.equal(3);
      expect(await nm.use(async (x) => x)).to.equal(3);
    });
  });

  describe("sharding", () => {
    it("is stable, covers every account exactly once, and is roughly even", () => {
      const keys = Array.from({ length: 3_000 }, (_, i) => accountKey(hexlify(randomBytes(20)), BigInt(i % 7)));
      for (const n of [1, 2, 3, 5]) {
        const counts = new Array(n).fill(0);
        let unstable = 0;
        let notExactlyOne = 0;
        for (const k of keys) {
          const s = shardOf(k, n);
          if (shardOf(k, n) !== s) unstable++;
          let owners = 0;
          for (let i = 0; i < n; i++) if (inShard(k, { index: i, count: n })) owners++;
          if (owners !== 1) notExactlyOne++;
          counts[s]++;
        }
        expect(unstable).to.equal(0);
        expect(notExactlyOne).to.equal(0);
        for (const c of counts) expect(c).to.be.within((3_000 / n) * 0.85, (3_000 / n) * 1.15);
      }
      // Case of the owner does not matter.
      const k = accountKey("0xAbCdEf0000000000000000000000000000000001", 3n);
      expect(k).to.equal(accountKey("0xabcdef0000000000000000000000000000000001", 3n));
    });

    it("parses i/n and rejects nonsense", () => {
      expect(parseShard("1/3")).to.deep.equal({ index: 1, count: 3 });
      for (const bad of ["3/3", "1", "a/b", "-1/2", "0/0"]) expect(() => parseShard(bad), bad).to.throw();
    });
  });

  describe("config", () => {
    it("flags win over environment, which wins over defaults; --help; bad values rejected", () => {
      const c = parseCli(["--network", "sepolia", "--min-profit-usd", "5", "--shard", "1/4", "--dry-run"], {
        KEEPER_MIN_PROFIT_USD: "9",
        KEEPER_BATCH_SIZE: "100",
        KEEPER_RPC_URL: "http://127.0.0.1:9999",
      });
      expect(c.config.minProfitUsd).to.equal(5);
      expect(c.config.batchSize).to.equal(100);
      expect(c.config.dryRun).to.equal(true);
      expect(c.config.shard).to.deep.equal({ index: 1, count: 4 });
      expect(c.rpc).to.equal("http://127.0.0.1:9999");
      expect(c.deploymentsFile).to.equal(path.join("deployments", "sepolia.json"));
      expect(c.config.checkpointFile).to.equal(path.join(".keeper", "sepolia-shard1of4-checkpoint.json"));
      expect(c.config.pageSize).to.equal(DEFAULTS.pageSize);
      // Risk updates every 15 minutes of chain time by default (the oracle's 2-hour short estimate, 10-minute minInterval).
      expect(c.config.volIntervalSec).to.equal(900);
      expect(parseCli(["--vol-interval-sec", "1200"], {}).config.volIntervalSec).to.equal(1200);
      expect(parseCli(["--help"], {}).help).to.equal(true);
      expect(parseCli([], {}).rpc).to.equal("http://127.0.0.1:8545");
      expect(() => parseCli(["--mode", "magic"], {})).to.throw("--mode");
      expect(() => parseCli(["--page-size", "-3"], {})).to.throw();
      expect(() => parseCli(["--bogus"], {})).to.throw();
    });

    it("validates the deployments file", () => {
      const ok = validateDeployment({
        pool: POOL,
        lens: ASSET,
        assets: [{ symbol: "USDC", address: ASSET }],
        deployBlock: 12,
      });
      expect(ok.deployBlock).to.equal(12);
      expect(() => validateDeployment({ lens: ASSET, assets: [], deployBlock: 1 })).to.throw('missing "pool"');
      expect(() => validateDeployment({ pool: "0x12", lens: ASSET, assets: [], deployBlock: 1 })).to.throw(
        "not an address",
      );
      expect(() => validateDeployment({ pool: POOL, lens: ASSET, assets: [{ symbol: "X" }], deployBlock: 1 })).to.throw(
        "assets[0]",
      );
    });
  });

  it("the fast Lens decoder agrees with the ABI decoder", () => {
    const rows = [
      [owner(1), 3n, true, 9n * 10n ** 17n, ASSET, 100n, 101n, 200n, 150n, true, POOL, 50n, 7n, 500n, 12n],
      [
        owner(2),
        0n,
        false,
        2n ** 256n - 1n,
        "0x0000000000000000000000000000000000000000",
        0n,
        0n,
        0n,
        0n,
        false,
        "0x0000000000000000000000000000000000000000",
        0n,
        0n,
        0n,
        0n,
      ],
    ];
    const data = lensIface.encodeFunctionResult("snapshot", [77n, 88n, rows]);
    const hs = [5n, 2n ** 256n - 1n, 0n, 10n ** 18n];
    expect(decodeHealths(lensIface.encodeFunctionResult("healthFactors", [9n, hs]))).to.deep.equal(hs);
    expect(decodeHealths(poolIface.encodeFunctionResult("healthFactors", [hs]), 0)).to.deep.equal(hs);
    const fast = decodeSnapshot(data);
    const slow = AbiCoder.defaultAbiCoder().decode(lensIface.getFunction("snapshot")!.outputs, data);
    expect(fast.blockNumber).to.equal(77n);
    expect(fast.timestamp).to.equal(88n);
    expect(fast.out).to.have.length(2);
    fast.out.forEach((s, i) => {
      const r = slow[2][i];
      expect(s.owner).to.equal(r.owner.toLowerCase());
      expect(s.subId).to.equal(r.subId);
      expect(s.ok).to.equal(r.ok);
      expect(s.healthFactor).to.equal(r.healthFactor);
      expect(s.debtAsset).to.equal(r.debtAsset.toLowerCase());
      expect(s.liquidatable).to.equal(r.liquidatable);
      expect(s.bestCollateral).to.equal(r.bestCollateral.toLowerCase());
      expect(s.maxRepay).to.equal(r.maxRepay);
      expect(s.seized).to.equal(r.seized);
      expect(s.bonusValue).to.equal(r.bonusValue);
    });
  });
  it("the fast calldata encoder produces exactly the ABI encoder's bytes, and rejects bad input", () => {
    const refs = [
      { owner: owner(1), subId: 0n },
      { owner: owner(2).toUpperCase().replace("0X", "0x"), subId: (1n << 96n) - 1n },
      { owner: owner(3).toLowerCase(), subId: 2n ** 95n + 7n },
    ];
    for (const fn of ["healthFactors", "snapshot", "liquidatable"]) {
      const f = lensIface.getFunction(fn)!;
      expect(encodeAccounts(f.selector, refs)).to.equal(
        lensIface.encodeFunctionData(fn, [refs.map((r) => r.owner.toLowerCase()), refs.map((r) => r.subId)]),
      );
      expect(encodeAccounts(f.selector, [])).to.equal(lensIface.encodeFunctionData(fn, [[], []]));
    }
    const sel = lensIface.getFunction("healthFactors")!.selector;
    expect(() => encodeAccounts(sel, [{ owner: "0x1234", subId: 0n }])).to.throw("bad owner");
    expect(() => encodeAccounts(sel, [{ owner: owner(1), subId: 1n << 96n }])).to.throw("bad subId");
    expect(() => encodeAccounts(sel, [{ owner: owner(1), subId: -1n }])).to.throw("bad subId");
  });
});
