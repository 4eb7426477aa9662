// Issue #18 items 7, 8 and 10, in-process (hre.run with the output captured): the deploy task refuses a deployment
// file that does not match the chain unless --fresh and backs the old file up; set-price checks the feed's bounds
// before sending; read commands print what they can with untrusted prices marked; a lender's supply and earnings in
// `account`; the margin position commands with realized PnL; leverage, slippage and missing-parameter messages.
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { localConfig } from "../../config/hardhat";
import { deployStack, type Deployment } from "../../lib/deploy";
import { IFulcraPool__factory } from "../../typechain-types";
import { describeRevert } from "../../tasks/common";
import { chainMark, expectFailure, runTask, tmpDir } from "./helpers";

const { ethers } = hre;
const WAD = 10n ** 18n;

async function robustFixture() {
  const dir = tmpDir("cli-robust");
  const { deployment } = await deployStack(hre, localConfig("hardhat"), { deploymentsDir: dir, log: () => {} });
  process.env.FULCRA_DEPLOYMENTS_DIR = dir;
  const [deployer, alice, bob] = await ethers.getSigners();
  const pool = IFulcraPool__factory.connect(deployment.pool, deployer);
  const sym = (s: string) => deployment.assets.find((a) => a.symbol === s)!; // only called with USDC, WETH, WBTC: listed by config/hardhat.ts
  // alice lends 100,000 USDC; bob borrows 10,000 USDC on 10 WETH.
  await runTask("supply", { asset: "USDC", amount: "100000", from: "1" });
  await runTask("deposit-collateral", { asset: "WETH", amount: "10", from: "2" });
  await runTask("borrow", { asset: "USDC", amount: "10000", from: "2" });
  return { dir, file: path.join(dir, "hardhat.json"), d: deployment, pool, deployer, alice, bob, sym };
}

async function load() {
  const f = await loadFixture(robustFixture);
  process.env.FULCRA_DEPLOYMENTS_DIR = f.dir;
  return f;
}

let restore: (() => void) | undefined;

const backups = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".bak.json"));

describe("deploy and CLI robustness (issue #18 items 7, 8, 10)", function () {
  after(() => delete process.env.FULCRA_DEPLOYMENTS_DIR);
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it("item 7: deploy refuses a file whose pool address has no code, sends nothing, leaves the file; --fresh backs it up and redeploys", async function () {
    const { dir, file, deployer, d } = await load();
    const good = fs.readFileSync(file, "utf8");
    const rec = JSON.parse(good) as Deployment;
    const dead = "0x000000000000000000000000000000000000dEaD";
    const wrong = JSON.stringify(
      { ...rec, pool: dead, contracts: { ...rec.contracts, pool: { ...rec.contracts.pool, address: dead } } },
      null,
      2,
    );
    // The fixture's file is shared with the tests below (loadFixture reverts the chain, not the file): put it back.
    restore = () => {
      fs.writeFileSync(file, good);
      for (const b of backups(dir)) fs.rmSync(path.join(dir, b));
    };
    fs.writeFileSync(file, wrong);
    const before = await chainMark(deployer.address);
    const msg = await expectFailure(
      runTask("deploy"),
      /does not match network "hardhat": pool 0x000000000000000000000000000000000000dEaD has no code\. Nothing sent\. If the node was restarted, deploy a new stack with --fresh/,
    );
    expect(msg).to.not.include("\n");
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    expect(fs.readFileSync(file, "utf8")).to.equal(wrong);
    expect(backups(dir)).to.deep.equal([]);

    // Wrong code: the pool's address pointing at the lens.
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...rec,
        pool: d.lens,
        contracts: { ...rec.contracts, pool: { ...rec.contracts.pool, address: d.lens } },
      }),
    );
    await expectFailure(runTask("deploy"), new RegExp(`pool ${d.lens} holds other code than Pool`));
    // Only the top-level field edited: named too.
    fs.writeFileSync(file, JSON.stringify({ ...rec, pool: dead }));
    await expectFailure(
      runTask("deploy"),
      new RegExp(`"pool" is ${dead} but contracts.pool records ${rec.contracts.pool.address}`),
    );
    expect(await chainMark(deployer.address)).to.deep.equal(before);

    // --fresh: the old file is backed up byte for byte, a new stack is deployed and recorded.
    fs.writeFileSync(file, wrong);
    const { out } = await runTask("deploy", { fresh: true });
    const [backup] = backups(dir);
    expect(backup).to.match(/^hardhat\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.bak\.json$/);
    expect(fs.readFileSync(path.join(dir, backup), "utf8")).to.equal(wrong);
    const lines = out.split("\n");
    expect(lines.at(-2)).to.equal(`Previous deployment file backed up to ${path.join(dir, backup)}`);
    expect(lines.at(-1)).to.match(
      new RegExp(
        `^Deployment written to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · 69 transaction\\(s\\) in \\d+\\.\\d s$`,
      ),
    );
    const fresh = JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
    expect(await ethers.provider.getCode(fresh.pool)).to.not.equal("0x");
    expect(fresh.pool).to.not.equal(rec.pool);
    // A re-run on the matching file is a no-op, and keeps no backup of a run that changed nothing.
    const again = await runTask("deploy");
    expect(again.out.split("\n").at(-1)).to.match(/· 0 transaction\(s\) in \d+\.\d s$/);
    expect(backups(dir)).to.deep.equal([backup]);
  });

  it("item 8: set-price beyond the feed's bounds is refused before anything is sent", async function () {
    const { pool, deployer, sym } = await load();
    const before = await chainMark(deployer.address);
    const msg = await expectFailure(
      runTask("set-price", { asset: "WETH", price: "2000000" }),
      /^Price 2000000 is outside the WETH feed's bounds: the pool accepts prices above \$1 and below \$1,000,000 \(minPrice\/maxPrice in config\/hardhat\.ts\); nothing sent$/,
    );
    expect(msg).to.not.include("\n");
    await expectFailure(
      runTask("set-price", { asset: "USDC", price: "0.01" }),
      /outside the USDC feed's bounds: the pool accepts prices above \$0\.01 and below \$100/,
    );
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    expect(await pool.price(sym("WETH").address)).to.equal(2000n * WAD);
  });

  it("item 8: markets, account and positions print what they can and mark an out-of-bounds or stale price", async function () {
    const { bob, alice, sym } = await load();
    await runTask("open-position", {
      base: "WETH",
      quote: "USDC",
      side: "long",
      margin: "1",
      leverage: "2",
      from: "1",
    });
    // The feed itself moves out of the pool's bounds (what set-price used to do).
    const feed = await ethers.getContractAt("MockPriceFeed", sym("WETH").feed);
    await (await feed.setAnswer(2_000_000n * 10n ** 8n)).wait();
    const warning =
      "! untrusted price: WETH out of bounds (feed answer shown; the pool refuses borrows, withdrawals and liquidations that need it until the feed is fresh and within bounds)";

    const m = (await runTask("markets")).out.split("\n");
    expect(m).to.have.length(6);
    expect(m[3]).to.match(
      /^WETH\s+\$2,000,000 \(out of bounds!\)\s+0\s+0\s+11\.9\d*\s+0%\s+0%\s+0%\s+100,000\s+80,000\s+80\.00%\s+82\.50%\s+60%\s+-$/,
    );
    expect(m[2]).to.match(/^USDC\s+\$1\s+100,000\s+/);
    expect(m[5]).to.equal(warning);
    const mj = (await runTask("markets", { json: true })).result;
    expect(mj[1]).to.include({ priceUsd: null, priceProblem: "out of bounds", feedPriceUsd: 2_000_000n * WAD });

    const a = (await runTask("account", { address: bob.address })).out;
    expect(a).to.match(/WETH\s+10\s+\$20,000,000\s+82.50%\s+\$2,000,000 \(out of bounds!\)\s+-/);
    expect(a).to.match(/Debt: 10,000(\.\d+)? USDC \(n\/a\)/);
    expect(a).to.include("Health factor: n/a (a price the pool refuses, see below)");
    expect(a.split("\n").at(-1)).to.equal(warning);
    const aj = (await runTask("account", { address: bob.address, json: true })).result;
    expect(aj.healthFactor).to.equal(null);
    expect(aj.untrustedPrices).to.deep.equal([
      { symbol: "WETH", problem: "out of bounds", feedPriceUsd: 2_000_000n * WAD },
    ]);

    const p = (await runTask("positions", { address: alice.address })).out.split("\n");
    expect(p[2]).to.match(
      /^1\s+WETH\/USDC\s+long\s+n\/a\s+1\.99\d* WETH\s+2,000 USDC\s+2,00\d\.\d+\s+n\/a\s+n\/a\s+-\s+n\/a\s+n\/a\s+n\/a\s+n\/a$/,
    );
    expect(p.at(-1)).to.equal(warning);

    // Stale instead (back in bounds, then two hours without an update; heartbeat 1 h).
    await (await feed.setAnswer(2_000n * 10n ** 8n)).wait();
    await runTask("advance-time", { seconds: "7200", keepStale: true });
    const s = (await runTask("markets")).out.split("\n");
    expect(s[2]).to.match(/^USDC\s+\$1\s+100,000/); // heartbeat 1 day
    expect(s[3]).to.match(/^WETH\s+\$2,000 \(stale!\)\s+0\s+0\s+11\.9/); // heartbeat 1 h
    expect(s[4]).to.match(/^WBTC\s+\$60,000 \(stale!\)/);
    expect(s.at(-1)).to.equal(
      "! untrusted price: WETH stale, WBTC stale (feed answer shown; the pool refuses borrows, withdrawals and liquidations that need it until the feed is fresh and within bounds; on a local network run advance-time)",
    );
    expect((await runTask("account", { address: bob.address })).out).to.include("Health factor: n/a");
  });

  it("item 8: a pool address with no code or another contract's code: one clear line for read commands", async function () {
    const { file, d } = await load();
    const good = fs.readFileSync(file, "utf8");
    const rec = JSON.parse(good) as Deployment;
    try {
      fs.writeFileSync(file, JSON.stringify({ ...rec, pool: "0x000000000000000000000000000000000000dEaD" }));
      for (const t of ["markets", "account", "positions"])
        await expectFailure(
          runTask(t, t === "markets" ? {} : { address: d.deployer }),
          new RegExp(
            `^No contract at the pool address 0x000000000000000000000000000000000000dEaD recorded in ${file}: the node was restarted or the file was edited: run npx hardhat deploy --network hardhat --fresh$`,
          ),
        );
      fs.writeFileSync(file, JSON.stringify({ ...rec, pool: d.lens }));
      await expectFailure(
        runTask("markets"),
        new RegExp(`^The contract at ${d.lens} recorded as the pool in .* is not a Fulcra pool`),
      );
    } finally {
      fs.writeFileSync(file, good);
    }
  });

  it("item 10: account shows a lender's supplied balance and what it earned", async function () {
    const { pool, alice, sym } = await load();
    await runTask("advance-time", { seconds: String(30 * 86400) });
    const { out, result } = await runTask("account", { address: alice.address, json: true });
    const balance = await pool.supplyBalance(sym("USDC").address, alice.address);
    expect(result.supplied).to.have.length(1);
    expect(result.supplied[0]).to.deep.equal({
      symbol: "USDC",
      decimals: 6,
      balance,
      deposited: 100_000n * 10n ** 6n,
      withdrawn: 0n,
      earned: balance - 100_000n * 10n ** 6n,
    });
    expect(balance > 100_000n * 10n ** 6n).to.equal(true);
    expect(JSON.parse(out).supplied[0].earned).to.equal((balance - 100_000n * 10n ** 6n).toString());
    // Withdraw half: earned = balance + withdrawn − deposited still.
    await runTask("withdraw", { asset: "USDC", amount: "50000", from: "1" });
    const text = (await runTask("account", { address: alice.address })).out;
    const after = await pool.supplyBalance(sym("USDC").address, alice.address);
    const earned = after + 50_000n * 10n ** 6n - 100_000n * 10n ** 6n;
    const units = (v: bigint) => {
      const [i, f] = ethers.formatUnits(v, 6).split(".");
      const frac = (f ?? "").slice(0, 4).replace(/0+$/, ""); // the CLI shows up to 4 digits, truncated
      return Number(i).toLocaleString("en-US") + (frac ? "." + frac : "");
    };
    expect(text.split("\n")).to.include(
      `Supplied (lender, all sub-accounts): ${units(after)} USDC (earned ${units(earned)} USDC)`,
    );
    const bobText = (await runTask("account", { address: (await ethers.getSigners())[2].address })).out;
    expect(bobText).to.include("Supplied (lender): none");
  });

  it("item 10: increase, add margin, remove margin, decrease and close a position; realized PnL equals the wallet's change", async function () {
    const { alice, sym, pool, d } = await load();
    const weth = await ethers.getContractAt("MockERC20", sym("WETH").address);
    const start = await weth.balanceOf(alice.address);
    await runTask("open-position", {
      base: "WETH",
      quote: "USDC",
      side: "long",
      margin: "1",
      leverage: "2",
      from: "1",
    });
    const router = await ethers.getContractAt("MarginRouter", d.marginRouter);
    const v0 = await router.positionInfo(1);

    const inc = await runTask("increase-position", { id: "1", margin: "0.5", leverage: "2", from: "1" });
    expect(inc.out).to.match(
      /^Increased position #1 by 0.5 WETH at 2x · collateral 2.99\d* WETH · debt 3,000 USDC · leverage 2(\.\d+)?x · health 1.6\d* · tx 0x[0-9a-f]{64}$/,
    );
    const v1 = await router.positionInfo(1);
    expect(v1.debt - v0.debt).to.be.within(1000n * 10n ** 6n, 1000n * 10n ** 6n + 1n);

    const add = await runTask("add-margin", { id: "1", amount: "0.25", from: "1" });
    expect(add.out).to.match(
      /^Added 0.25 WETH to position #1 · collateral 3.2\d* WETH · leverage 1.\d+x · health 1.\d+ · tx /,
    );
    expect((await router.positionInfo(1)).collateral - v1.collateral).to.equal(WAD / 4n);

    const rem = await runTask("remove-margin", { id: "1", amount: "0.1", from: "1", json: true });
    expect(rem.result.amount).to.equal(WAD / 10n);
    await expectFailure(
      runTask("remove-margin", { id: "1", amount: "3", from: "1" }),
      /remove 3 WETH from position #1 refused \(checked with a static call, nothing sent\): InsufficientCollateral/,
    );

    const before = await weth.balanceOf(alice.address);
    const dec = await runTask("decrease-position", { id: "1", percent: "50", from: "1", json: true });
    expect(dec.result.returned).to.equal((await weth.balanceOf(alice.address)) - before);
    const [, , debtLeft] = await pool.accountOf(alice.address, await router.subIdOf(1));
    expect(debtLeft).to.be.closeTo(1500n * 10n ** 6n, 10n ** 6n);

    const c = await runTask("close-position", { id: "1", from: "1", json: true });
    const end = await weth.balanceOf(alice.address);
    expect(c.result.realizedPnl).to.equal(end - start);
    expect(c.result.paidIn).to.equal((175n * WAD) / 100n);
    const closed = (await runTask("positions", { address: alice.address, all: true, json: true })).result;
    expect(closed[0]).to.include({ open: false, realizedPnl: end - start, paidIn: (175n * WAD) / 100n });
    const table = (await runTask("positions", { address: alice.address, all: true })).out.split("\n");
    expect(table[0]).to.match(/\s+realized PnL\s+/);
    expect(table[2]).to.match(new RegExp(`^1\\s+WETH/USDC\\s+long \\(closed\\).*\\s-0\\.0\\d+ WETH\\s+`));
  });

  it("item 10: refusals show leverage and USD values in units, not raw integers", function () {
    expect(
      describeRevert({ revert: { name: "LeverageTooHigh", args: [5n * WAD, 4845234567890123456n] } }, []),
    ).to.equal("LeverageTooHigh(5x, 4.8452x): leverage above the maximum the collateral's LTV allows");
    expect(
      describeRevert({ revert: { name: "PriceDeviation", args: [2000n * WAD, 1950n * WAD + WAD / 2n] } }, []),
    ).to.equal("PriceDeviation($2,000, $1,950.5): the swap price deviates too far from the oracle");
    // Over JSON-RPC the revert may arrive as Hardhat's message text only.
    expect(
      describeRevert(
        { message: "reverted with custom error 'LeverageTooHigh(3000000000000000000, 2500000000000000000)'" },
        [],
      ),
    ).to.equal("LeverageTooHigh(3x, 2.5x): leverage above the maximum the collateral's LTV allows");
  });

  it("item 10: leverage, slippage, percent and missing parameters are refused with the fix, nothing sent", async function () {
    const { deployer } = await load();
    await runTask("open-position", {
      base: "WETH",
      quote: "USDC",
      side: "long",
      margin: "1",
      leverage: "2",
      from: "1",
    });
    const before = await chainMark(deployer.address);
    const open = (x: Record<string, string>) =>
      runTask("open-position", {
        base: "WETH",
        quote: "USDC",
        side: "long",
        margin: "1",
        leverage: "2",
        from: "1",
        ...x,
      });
    await expectFailure(
      open({ leverage: "abc" }),
      /^Invalid leverage "abc": a number above 1, e.g. 2 or 3.5 \(at most 4\.\d+x for WETH collateral now\)$/,
    );
    await expectFailure(
      open({ leverage: "1" }),
      /^Leverage 1x must be above 1 \(no borrowing at 1x: use deposit-collateral\); at most 4\.\d+x for WETH collateral now$/,
    );
    await expectFailure(open({ leverage: "0.5" }), /^Leverage 0.5x must be above 1/);
    await expectFailure(open({ leverage: "9" }), /^Leverage 9x is above the maximum 4\.\d+x for WETH collateral now$/);
    await expectFailure(
      open({ slippage: "-1" }),
      /^Invalid slippage "-1": whole basis points from 0 to 1000, e.g. 100 for 1 %$/,
    );
    await expectFailure(open({ slippage: "20000" }), /^Invalid slippage "20000"/);
    await expectFailure(
      runTask("increase-position", { id: "1", margin: "1", leverage: "7", from: "1" }),
      /^Leverage 7x is above the maximum/,
    );
    await expectFailure(
      runTask("decrease-position", { id: "1", percent: "100", from: "1" }),
      /^Invalid --percent "100": a number above 0 and below 100, e.g. 25 \(to close everything use close-position\)$/,
    );
    await expectFailure(
      runTask("decrease-position", { id: "1", percent: "50", from: "2" }),
      /^Position #1 belongs to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, not 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC \(use --from\)$/,
    );
    await expectFailure(runTask("add-margin", { id: "7", amount: "1", from: "1" }), /^No position #7$/);
    await expectFailure(
      runTask("supply", { amount: "1" }),
      /^Missing --asset \(Asset symbol \(or address\)\)\. Usage: npx hardhat help supply$/,
    );
    await expectFailure(
      runTask("add-margin", { id: "1" }),
      /^Missing --amount \(Whole tokens of the position's collateral asset\)\. Usage: npx hardhat help add-margin$/,
    );
    await expectFailure(
      runTask("set-price", { asset: "WETH" }),
      /^Missing <price> \(USD price, e.g. 1850.5\)\. Usage: npx hardhat help set-price$/,
    );
    expect(await chainMark(deployer.address)).to.deep.equal(before);
  });
});
