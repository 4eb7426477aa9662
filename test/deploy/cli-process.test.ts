// Issue #18 items 7, 9 and 11 at the process level: the real CLI (`npx hardhat --network localhost <task>`) against
// a real `npx hardhat node` on a free port (FULCRA_LOCALHOST_URL), spawned without a TTY and with CI, DISPLAY and
// WAYLAND_DISPLAY unset — where Hardhat 2 prints a stack trace for every error. Every command with bad input must
// exit 1 with one line on stderr, `Error: <what is wrong and the fix>`, nothing on stdout, no stack trace, and no
// block mined. The node is killed in `after`.
import { spawn, type ChildProcess } from "child_process";
import fs from "fs";
import net from "net";
import path from "path";
import { expect } from "chai";
import { tmpDir } from "./helpers";

const ROOT = path.join(__dirname, "..", "..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The environment of a headless Linux machine that is not CI: no TTY (pipes), CI/DISPLAY/WAYLAND_DISPLAY unset. */
function headlessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of [
    "CI",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "GITHUB_ACTIONS",
    "CONTINUOUS_INTEGRATION",
    "BUILD_NUMBER",
    "RUN_ID",
  ])
    delete env[k];
  return env;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["hardhat", "--network", "localhost", ...args], {
      cwd: ROOT,
      env: headlessEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function blockNumber(url: string): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  const body = (await res.json()) as { result: string };
  return Number(body.result);
}

/** One line on stderr matching `expected`, nothing on stdout, exit code 1, no stack trace anywhere. */
function expectOneLineError(r: Run, expected: RegExp, label: string) {
  const all = r.stdout + r.stderr;
  expect(all, `${label}: stack trace`).to.not.match(/^\s+at /m);
  expect(all, `${label}: Hardhat's own error output`).to.not.match(
    /For more info|An unexpected error occurred|Error in plugin/,
  );
  expect(r.code, `${label}: exit code (output: ${all})`).to.equal(1);
  expect(r.stdout.trim(), `${label}: stdout`).to.equal("");
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, `${label}: stderr lines`).to.have.length(1);
  expect(lines[0], label).to.match(/^Error: /);
  expect(lines[0].slice("Error: ".length), label).to.match(expected);
}

describe("CLI as a process against a real hardhat node (issue #18 items 7, 9, 11)", function () {
  this.timeout(900_000);
  let node: ChildProcess | undefined;
  let url = "";
  let dir = "";
  let env: Record<string, string> = {};

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    dir = tmpDir("cli-process");
    env = { FULCRA_LOCALHOST_URL: url, FULCRA_DEPLOYMENTS_DIR: dir };
    const child = spawn("npx", ["hardhat", "node", "--port", String(port)], {
      cwd: ROOT,
      env: headlessEnv({}),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    node = child;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`hardhat node did not start: ${out}`)), 180_000);
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("Started HTTP and WebSocket JSON-RPC server")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => reject(new Error(`hardhat node exited (${String(code)}): ${out}`)));
    });
  });

  after(function () {
    // The node and its npx wrapper: the process group this test started (detached above).
    if (node?.pid) {
      try {
        process.kill(-node.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
  });

  it("with no deployment: a read command says how to deploy, in one line", async function () {
    expectOneLineError(
      await cli(["markets"], env),
      /^No deployment for network "localhost" \(.*localhost\.json not found\)\. Run: npx hardhat deploy --network localhost$/,
      "markets, no deployment",
    );
  });

  it("deploy prints its transaction count and time (69 transactions)", async function () {
    const r = await cli(["deploy"], env);
    expect(r.code, r.stderr).to.equal(0);
    const last = r.stdout.trim().split("\n").at(-1);
    console.log(`      deploy said: ${last}`); // the figure docs/deploy.md quotes
    expect(last).to.match(
      new RegExp(
        `^Deployment written to ${path.join(dir, "localhost.json").replace(/[.]/g, "\\.")} · 69 transaction\\(s\\) in \\d+\\.\\d s$`,
      ),
    );
  });

  it("every command with bad input: one line with the fix, exit 1, no stack trace, nothing mined", async function () {
    const start = await blockNumber(url);
    const cases: [string[], RegExp][] = [
      [["supply", "--asset", "DOGE", "--amount", "1"], /^Unknown asset "DOGE"\. Listed: USDC, WETH, WBTC$/],
      [
        ["supply", "--asset", "USDC", "--amount", "abc"],
        /^Invalid amount "abc": use a decimal number of whole USDC, e\.g\. 1\.5$/,
      ],
      [
        ["supply", "--amount", "1"],
        /^Missing --asset \(Asset symbol \(or address\)\)\. Usage: npx hardhat help supply$/,
      ],
      [
        ["withdraw", "--asset", "USDC", "--amount", "1"],
        /^Insufficient balance: 0x\w{40} has nothing supplied in USDC$/,
      ],
      [["deposit-collateral", "--asset", "WETH", "--amount", "1.2.3"], /^Invalid amount "1\.2\.3"/],
      [
        ["withdraw-collateral", "--asset", "WETH", "--amount", "1"],
        /^Insufficient balance: account 0x\w{40} sub 0 has no WETH collateral$/,
      ],
      [
        ["borrow", "--asset", "USDC", "--amount", "1000"],
        /^borrow 1000 USDC refused \(checked with a static call, nothing sent\): \w+/,
      ],
      [["repay", "--asset", "USDC", "--amount", "1"], /^Account 0x\w{40} sub 0 has no debt$/],
      [["account", "0x1234"], /^Not an address: "0x1234"/],
      [["positions", "nope"], /^Not an address: "nope"/],
      [
        ["open-position", "--base", "WETH", "--quote", "USDC", "--side", "up", "--margin", "1", "--leverage", "2"],
        /^--side must be long or short, got "up"$/,
      ],
      [
        ["open-position", "--base", "WETH", "--quote", "USDC", "--side", "long", "--margin", "1", "--leverage", "100"],
        /^Leverage 100x is above the maximum 4\.\d+x for WETH collateral now$/,
      ],
      [
        [
          "open-position",
          "--base",
          "WETH",
          "--quote",
          "USDC",
          "--side",
          "long",
          "--margin",
          "1",
          "--leverage",
          "2",
          "--slippage",
          "abc",
        ],
        /^Invalid slippage "abc"/,
      ],
      [["close-position", "99"], /^No position #99$/],
      [["increase-position", "--id", "99", "--margin", "1", "--leverage", "2"], /^No position #99$/],
      [["decrease-position", "--id", "x", "--percent", "50"], /^Invalid position id "x"/],
      [["add-margin", "--id", "1"], /^Missing --amount/],
      [["remove-margin", "--id", "99", "--amount", "1"], /^No position #99$/],
      [["set-price", "WETH", "99999999"], /^Price 99999999 is outside the WETH feed's bounds: .*; nothing sent$/],
      [["advance-time", "abc"], /^Invalid seconds "abc"/],
      [["deploy", "--setup", "nosuch"], /nosuch/],
      // Rejected by Hardhat's own argument parser before any task code, with a stack trace, until tasks/errors.ts
      // checked the command line first.
      [
        ["supply", "--asset", "USDC", "--amoutn", "1"],
        /^Unknown option --amoutn for supply: did you mean --amount\? \(npx hardhat help supply lists its options\)$/,
      ],
      [["suply", "--asset", "USDC", "--amount", "1"], /^Unknown command suply: did you mean supply\?/],
    ];
    // Two at a time: the machine has two cores.
    const results: Run[] = new Array<Run>(cases.length);
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        results[i] = await cli(cases[i][0], env);
      }
    };
    await Promise.all([worker(), worker()]);
    cases.forEach(([args, re], i) => expectOneLineError(results[i], re, args.join(" ")));
    expect(await blockNumber(url)).to.equal(start);
  });

  it("item 7: a wrong pool address in the file: deploy refuses in one line and sends nothing", async function () {
    const file = path.join(dir, "localhost.json");
    const rec = JSON.parse(fs.readFileSync(file, "utf8")) as { pool: string };
    fs.writeFileSync(file, JSON.stringify({ ...rec, pool: "0x000000000000000000000000000000000000dEaD" }, null, 2));
    const start = await blockNumber(url);
    const r = await cli(["deploy"], env);
    expectOneLineError(
      r,
      /does not match network "localhost": "pool" is 0x000000000000000000000000000000000000dEaD but contracts\.pool records 0x\w{40}.* Nothing sent\. If the node was restarted, deploy a new stack with --fresh/,
      "deploy, wrong pool",
    );
    expect(await blockNumber(url)).to.equal(start);
    const m = await cli(["markets"], env);
    expectOneLineError(
      m,
      /^No contract at the pool address 0x000000000000000000000000000000000000dEaD recorded in .*localhost\.json: the node was restarted or the file was edited: run npx hardhat deploy --network localhost --fresh$/,
      "markets, wrong pool",
    );
    fs.writeFileSync(file, JSON.stringify(rec, null, 2));
  });

  it("the node is down: one line naming the URL and how to start it", async function () {
    const port = await freePort();
    const r = await cli(["markets"], { ...env, FULCRA_LOCALHOST_URL: `http://127.0.0.1:${port}` });
    expectOneLineError(
      r,
      new RegExp(
        `^Cannot reach the node of network "localhost" at http://127\\.0\\.0\\.1:${port}: start it with \`npx hardhat node\``,
      ),
      "markets, node down",
    );
  });
});
