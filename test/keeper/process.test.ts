// Operator robustness (issue #18, keeper items 2–6) against real processes: a `hardhat node` on a free port and the
// keeper CLI (`npm run keeper` and ts-node directly), pointed at the node with FULCRA_LOCALHOST_URL. The pool is a
// stand-in (code set with hardhat_setCode; the keeper runs --mode own --dry-run, so no stack needs deploying): what
// is tested is the process around the keeper — health, locks, ports, signals, restarts — not liquidations.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const POOL = "0x00000000000000000000000000000000000F0001";
const LENS = "0x00000000000000000000000000000000000F0002";
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "bootstrap.js");

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exited: Promise<number | null>;
}

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p: Proc = { child, out: "", err: "", exited: new Promise((r) => child.on("exit", (code) => r(code))) };
  child.stdout?.on("data", (d: Buffer) => (p.out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (p.err += d.toString()));
  return p;
}

/** Kills the process group a test started (detached: its own group), by its id. */
function killGroup(p: Proc | undefined, signal: NodeJS.Signals = "SIGKILL"): void {
  if (!p?.child.pid || p.child.exitCode !== null) return;
  try {
    process.kill(-p.child.pid, signal);
  } catch {
    // already gone
  }
}

async function until<T>(f: () => T | undefined | Promise<T | undefined>, what: string, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number, p: string): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, timeout: 2_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", () => resolve(undefined));
    req.on("timeout", () => req.destroy());
  });
}

async function rpc(port: number, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

async function startNode(port: number): Promise<Proc> {
  const node = start(process.execPath, [HARDHAT, "node", "--port", String(port)]);
  await until(
    () => node.out.includes("Started HTTP and WebSocket JSON-RPC server") || undefined,
    "hardhat node",
    60_000,
  );
  return node;
}

const noStack = (s: string) => expect(s, "no stack trace").to.not.match(/^\s+at /m);
const lines = (s: string, needle: string) => s.split("\n").filter((l) => l.includes(needle));

describe("keeper: operator robustness (real processes)", function () {
  this.timeout(120_000);
  let port: number;
  let node: Proc | undefined;
  const procs: Proc[] = [];
  let dir: string;
  let deployments: string;

  const keeperArgs = (name: string, metricsPort: number) => [
    "--network",
    "localhost",
    "--deployments",
    deployments,
    "--mode",
    "own",
    "--dry-run",
    "--state",
    path.join(dir, `${name}-state.json`),
    "--checkpoint",
    path.join(dir, `${name}-checkpoint.json`),
    "--metrics-port",
    String(metricsPort),
    "--poll-ms",
    "200",
    "--reconnect-max-sec",
    "1",
    "--shutdown-wait-sec",
    "2",
  ];
  const env = () => ({ FULCRA_LOCALHOST_URL: `http://127.0.0.1:${port}`, KEEPER_PRIVATE_KEY: "" });
  const keeper = (args: string[]) => {
    const p = start(process.execPath, [TS_NODE, "--transpile-only", "keeper/main.ts", ...args], env());
    procs.push(p);
    return p;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-process-"));
    deployments = path.join(dir, "localhost.json");
    fs.writeFileSync(
      deployments,
      JSON.stringify({ chainId: 31337, pool: POOL, lens: LENS, assets: [], deployBlock: 0 }),
    );
    port = await freePort();
    node = await startNode(port);
    await rpc(port, "hardhat_setCode", [POOL, "0x00"]);
  });

  after(() => {
    for (const p of procs) killGroup(p);
    killGroup(node);
  });

  it("#2 #4 #5 #6: healthy on an idle chain; a second keeper, a metrics-port clash and a node that is down are one line each; SIGTERM to `npm run keeper` stops it and saves state", async () => {
    const [m1, m2] = [await freePort(), await freePort()];
    const a = start("npm", ["run", "--silent", "keeper", "--", ...keeperArgs("a", m1)], env());
    procs.push(a);
    const health = await until(
      async () => {
        const r = await get(m1, "/health");
        return r?.status === 200 ? (JSON.parse(r.body) as Record<string, unknown>) : undefined;
      },
      "keeper A healthy (FULCRA_LOCALHOST_URL honoured)",
      60_000,
    );
    expect(health).to.include({
      ok: true,
      connected: true,
      indexed: true,
      canSend: true,
      stale: false,
      keeper: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199",
    });
    expect(lines(a.out, "signing with Hardhat account #19 0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199")).to.have.length(
      1,
    );
    const stateA = path.join(dir, "a-state.json");
    const pidA = Number(fs.readFileSync(`${stateA}.lock`, "utf8"));

    // A second keeper on the same state, and a third on its own state but A's metrics port.
    const b = keeper(keeperArgs("a", m2));
    const c = keeper(keeperArgs("c", m1));
    const closed = await freePort(); // nothing listens there
    const e = start(process.execPath, [TS_NODE, "--transpile-only", "keeper/main.ts", ...keeperArgs("e", 0)], {
      FULCRA_LOCALHOST_URL: `http://127.0.0.1:${closed}`,
      KEEPER_PRIVATE_KEY: "",
    });
    procs.push(e);
    expect(await b.exited).to.equal(1);
    expect(b.err.trim()).to.equal(
      `keeper: another keeper (pid ${pidA}) is using ${stateA}: stop it, or give this one its own state with --state and --checkpoint (or a different --shard / --network)`,
    );
    expect(await c.exited).to.equal(1);
    expect(c.err.trim()).to.equal(
      `keeper: metrics port ${m1} on 127.0.0.1 is already in use (another keeper?): pass --metrics-port <free port>, or 0 to turn metrics off`,
    );
    expect(await e.exited).to.equal(1);
    expect(e.err.trim()).to.equal(
      `keeper: cannot reach the node at http://127.0.0.1:${closed} (ECONNREFUSED): start it (npx hardhat node), or point the keeper at it with FULCRA_LOCALHOST_URL / --rpc`,
    );
    for (const p of [b, c, e]) noStack(p.err);
    expect(fs.existsSync(path.join(dir, "c-state.json.lock")), "C released its lock").to.equal(false);

    // SIGTERM to npm (what a process manager sends) reaches the keeper: it stops, saves and releases its lock.
    a.child.kill("SIGTERM");
    await until(
      () => {
        try {
          process.kill(pidA, 0);
          return undefined;
        } catch {
          return true;
        }
      },
      "the keeper process to exit after SIGTERM to npm",
      20_000,
    );
    expect(lines(a.out, "SIGTERM: stopping")).to.have.length(1);
    expect(lines(a.out, "stopped; state saved")).to.have.length(1);
    expect(fs.existsSync(`${stateA}.lock`)).to.equal(false);
    expect(fs.existsSync(path.join(dir, "a-checkpoint.json"))).to.equal(true);
    noStack(a.err);
  });

  it("#3: the node restarts: one line when lost, reconnects with backoff, and stops with one line because the pool is gone", async () => {
    const d = keeper(keeperArgs("d", 0));
    await until(() => d.out.includes("keeper initialized") || undefined, "keeper D initialized", 60_000);
    killGroup(node);
    await node?.exited;
    await until(
      () => d.out.includes(`lost the node at http://127.0.0.1:${port}`) || undefined,
      "the 'lost the node' line",
      20_000,
    );
    await new Promise((r) => setTimeout(r, 3_000)); // a few failed attempts: still one line
    node = await startNode(port); // a fresh chain: nothing at the pool's address
    expect(await d.exited).to.equal(1);
    expect(lines(d.out, "lost the node at")).to.have.length(1);
    expect(lines(d.out, `reconnected to http://127.0.0.1:${port}`)).to.have.length(1);
    expect(d.err.trim()).to.equal(
      `keeper: no contract at the pool address ${POOL} (chain reset, e.g. a restarted hardhat node, or a stale deployments file): redeploy (npx hardhat deploy --network <network>) or point --deployments at the right file`,
    );
    noStack(d.err);
  });
});
