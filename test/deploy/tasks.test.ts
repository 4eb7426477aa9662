// Every CLI task against an in-process deployment, run through hre.run with its output captured.
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { localConfig } from "../../config/hardhat";
import { deployStack } from "../../lib/deploy";
import { UNISWAP_ARTIFACTS } from "../../lib/deploy-uniswap";
import { IFulcraPool__factory } from "../../typechain-types";
import { chainMark, expectFailure, runTask, tmpDir } from "./helpers";

const { ethers } = hre;
const WAD = 10n ** 18n;

async function cliFixture() {
  const dir = tmpDir("cli");
  const { deployment } = await deployStack(hre, localConfig("hardhat"), { deploymentsDir: dir, log: () => {} });
  process.env.FULCRA_DEPLOYMENTS_DIR = dir;
  const [deployer, alice, bob, carol] = await ethers.getSigners();
  const pool = IFulcraPool__factory.connect(deployment.pool, deployer);
  const sym = (s: string) => deployment.assets.find((a) => a.symbol === s)!;
  return { dir, d: deployment, pool, deployer, alice, bob, carol, sym };
}

/** loadFixture, then point the tasks at that fixture's deployment file. */
async function load<T extends { dir: string }>(fx: () => Promise<T>): Promise<T> {
  const f = await loadFixture(fx);
  process.env.FULCRA_DEPLOYMENTS_DIR = f.dir;
  return f;
}

/** A fixture with lenders and a borrower in place: alice supplies 100,000 USDC; bob borrows 10,000 USDC on 10 WETH. */
async function activeFixture() {
  const f = await cliFixture();
  await runTask("supply", { asset: "USDC", amount: "100000", from: "1" });
  await runTask("deposit-collateral", { asset: "WETH", amount: "10", from: "2" });
  await runTask("borrow", { asset: "USDC", amount: "10000", from: "2" });
  return f;
}

describe("deploy: CLI tasks", function () {
  after(() => delete process.env.FULCRA_DEPLOYMENTS_DIR);

  it("deploy task: a re-run against the recorded deployment sends nothing", async function () {
    const { deployer } = await load(cliFixture);
    const before = await chainMark(deployer.address);
    const lines: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      await hre.run("deploy", {});
    } finally {
      console.log = orig;
    }
    expect(lines).to.include("Nothing to do: the deployment matches the configuration.");
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    const { out } = await runTask("deploy", { validate: true });
    expect(out).to.equal('Configuration "hardhat" is valid.');
  });

  it("markets: table and JSON with prices, caps, LTV/LT", async function () {
    await load(activeFixture);
    const { out } = await runTask("markets");
    const lines = out.split("\n");
    expect(lines[0]).to.match(
      /^market\s+price\s+supplied\s+borrowed\s+collateral\s+util\s+borrow APY\s+supply APY\s+supply cap\s+borrow cap\s+LTV\s+LT\s+vol\s+breaker$/,
    );
    expect(lines).to.have.length(5);
    expect(lines[2]).to.match(/^USDC\s+\$1\s+100,000\s+10,000\s+0\s+10%\s+/);
    expect(lines[3]).to.match(
      /^WETH\s+\$2,000\s+0\s+0\s+10\s+0%\s+0%\s+0%\s+100,000\s+80,000\s+80.00%\s+82.50%\s+60%\s+-$/,
    );
    const { result, out: json } = await runTask("markets", { json: true });
    const parsed = JSON.parse(json);
    expect(parsed).to.have.length(3);
    expect(parsed[0]).to.include({
      symbol: "USDC",
      totalSupply: "100000000000",
      totalBorrow: "10000000000",
      utilization: (WAD / 10n).toString(),
      ltvBps: 8000,
      ltBps: 8500,
      circuitBreaker: false,
      volatility: ((2n * WAD) / 100n).toString(),
    });
    expect(parsed[1]).to.include({
      symbol: "WETH",
      priceUsd: (2000n * WAD).toString(),
      totalCollateral: (10n * WAD).toString(),
      supplyCap: (100_000n * WAD).toString(),
    });
    expect(result[2].priceUsd).to.equal(60000n * WAD);
  });

  it("supply / deposit-collateral / borrow move exact amounts and report them", async function () {
    const { pool, alice, bob, sym } = await load(cliFixture);
    const usdc = await ethers.getContractAt("MockERC20", sym("USDC").address);
    const before = await usdc.balanceOf(alice.address);
    const s = await runTask("supply", { asset: "usdc", amount: "1234.5", from: "1" });
    expect(s.out).to.match(/^Supplied 1,234.5 USDC · now supplying 1,234.5 USDC · tx 0x[0-9a-f]{64}$/);
    expect(await usdc.balanceOf(alice.address)).to.equal(before - 1_234_500_000n);
    expect(await pool.supplyBalance(sym("USDC").address, alice.address)).to.equal(1_234_500_000n);
    await runTask("supply", { asset: "USDC", amount: "50000", from: "1" });

    const c = await runTask("deposit-collateral", { asset: "WETH", amount: "10", from: bob.address, sub: "3" });
    expect(c.out).to.match(/^Deposited 10 WETH · collateral now 10 WETH · tx /);
    expect(await pool.collateralOf(bob.address, 3, sym("WETH").address)).to.equal(10n * WAD);
    const b = await runTask("borrow", { asset: "USDC", amount: "10000", from: "2", sub: "3", json: true });
    // health = 10 WETH · $2,000 · 82.5 % / $10,000 = 1.65
    expect(b.result.healthFactor).to.equal((165n * WAD) / 100n);
    expect(JSON.parse(b.out)).to.include({ action: "borrow", asset: "USDC", subId: "3", amount: "10000000000" });
    expect(await usdc.balanceOf(bob.address)).to.equal(1_000_000n * 10n ** 6n + 10_000n * 10n ** 6n);
  });

  it("clear errors, nothing sent: unknown asset, insufficient balance, would be unhealthy, bad amount", async function () {
    const { deployer } = await load(activeFixture);
    const before = await chainMark(deployer.address);
    await expectFailure(
      runTask("supply", { asset: "DOGE", amount: "1" }),
      /Unknown asset "DOGE"\. Listed: USDC, WETH, WBTC/,
    );
    const [, , , , , , , , , , , poor] = await ethers.getSigners();
    await expectFailure(
      runTask("supply", { asset: "WBTC", amount: "1", from: poor.address }),
      new RegExp(`Insufficient balance: ${poor.address} holds 0 WBTC, needs 1`),
    );
    // bob: 10 WETH at LTV 80 % = $16,000 of borrowing power, $10,000 used.
    const borrowPoorly = runTask("borrow", { asset: "USDC", amount: "6001", from: "2" });
    await expectFailure(
      borrowPoorly,
      /borrow 6001 USDC refused \(checked with a static call, nothing sent\): InsufficientCollateral: would be unhealthy/,
    );
    // Collateral: 10 WETH backing $10,000 at LTV 80 % → at most 3.75 WETH can leave.
    await expectFailure(
      runTask("withdraw-collateral", { asset: "WETH", amount: "3.76", from: "2" }),
      /withdraw 3.76 WETH collateral refused \(checked with a static call, nothing sent\): InsufficientCollateral: would be unhealthy/,
    );
    await expectFailure(
      runTask("withdraw-collateral", { asset: "WETH", amount: "11", from: "2" }),
      /Insufficient balance: account .* sub 0 has 10 WETH collateral, asked 11/,
    );
    await expectFailure(
      runTask("supply", { asset: "USDC", amount: "1.0000001" }),
      /Invalid amount "1.0000001": USDC has 6 decimals/,
    );
    await expectFailure(runTask("supply", { asset: "USDC", amount: "-5" }), /Invalid amount "-5"/);
    await expectFailure(
      runTask("withdraw", { asset: "USDC", amount: "1", from: "3" }),
      /Insufficient balance: .* has nothing supplied in USDC/,
    );
    await expectFailure(runTask("repay", { asset: "WETH", amount: "1", from: "2" }), /owes USDC, not WETH/);
    await expectFailure(runTask("account", { address: "0x1234" }), /Not an address: "0x1234"/);
    expect((await chainMark(deployer.address)).block).to.equal(before.block);
  });

  it("withdraw-collateral: within the LTV, exact amounts", async function () {
    const { pool, bob, sym } = await load(activeFixture);
    const weth = await ethers.getContractAt("MockERC20", sym("WETH").address);
    const before = await weth.balanceOf(bob.address);
    const { out, result } = await runTask("withdraw-collateral", { asset: "WETH", amount: "3.5", from: "2" });
    expect(out).to.match(/^Withdrew 3.5 WETH collateral · 6.5 WETH left · health factor 1.072\d* · tx /);
    expect(result.collateral).to.equal((65n * WAD) / 10n);
    expect(await pool.collateralOf(bob.address, 0, sym("WETH").address)).to.equal((65n * WAD) / 10n);
    expect((await weth.balanceOf(bob.address)) - before).to.equal((35n * WAD) / 10n);
  });

  it("account: collateral, debt, health and liquidation price (table and JSON)", async function () {
    const { bob } = await load(activeFixture);
    const { out } = await runTask("account", { address: bob.address });
    expect(out).to.include(`Account ${bob.address} sub 0`);
    // Liquidation price of WETH: $10,000 / (10 · 82.5 %) = $1,212.12
    expect(out).to.match(/WETH\s+10\s+\$20,000\s+82.50%\s+\$2,000\s+\$1,212.12/);
    expect(out).to.include("Debt: 10,000 USDC ($10,000)");
    expect(out).to.include("Collateral value $20,000 · borrowing power $16,000 · liquidation value $16,500");
    expect(out).to.include("Health factor: 1.65");
    const { result } = await runTask("account", { address: bob.address, json: true });
    expect(result.healthFactor).to.equal((165n * WAD) / 100n);
    expect(result.debt).to.deep.equal({ symbol: "USDC", amount: 10_000n * 10n ** 6n, decimals: 6 });
    expect(result.collateral[0].liquidationPriceUsd).to.equal(1212121212121212121212n);
    const empty = await runTask("account", { address: bob.address, sub: "7" });
    expect(empty.out).to.include("(none)");
    expect(empty.out).to.include("Health factor: ∞");
  });

  it("repay max and withdraw max close the positions exactly", async function () {
    const { pool, alice, bob, sym } = await load(activeFixture);
    await runTask("advance-time", { seconds: "86400" });
    const r = await runTask("repay", { asset: "USDC", amount: "max", from: "2", json: true });
    expect(r.result.debtBefore > 10_000n * 10n ** 6n).to.equal(true); // a day of interest
    expect(r.result.debtAfter).to.equal(0n);
    const [debtAsset, shares] = await pool.accountOf(bob.address, 0);
    expect(debtAsset).to.equal(ethers.ZeroAddress);
    expect(shares).to.equal(0n);
    const usdc = await ethers.getContractAt("MockERC20", sym("USDC").address);
    const before = await usdc.balanceOf(alice.address);
    const w = await runTask("withdraw", { asset: "USDC", amount: "max", from: "1", json: true });
    expect(await pool.supplyShares(sym("USDC").address, alice.address)).to.equal(0n);
    expect((await usdc.balanceOf(alice.address)) - before).to.equal(w.result.amount);
    expect(w.result.amount > 100_000n * 10n ** 6n).to.equal(true); // principal plus interest
  });

  it("set-price moves the feed and the Uniswap pools; advance-time moves the clock and keeps feeds fresh", async function () {
    const { pool, bob, d, sym } = await load(activeFixture);
    const { out } = await runTask("set-price", { asset: "WETH", price: "1500" });
    expect(out).to.equal("WETH = $1,500 · Uniswap moved: WETH/USDC, WBTC/WETH");
    expect(await pool.price(sym("WETH").address)).to.equal((1500n * WAD * WAD) / 10n ** 18n);
    const p = d.uniswapPools.find((x) => x.pair[0] === "WETH" && x.pair[1] === "USDC")!;
    const [sqrt] = await new ethers.Contract(p.address, UNISWAP_ARTIFACTS.pool.abi, ethers.provider).slot0();
    const raw = (Number(sqrt) / 2 ** 96) ** 2;
    const wethIs0 = p.token0 === sym("WETH").address;
    expect((wethIs0 ? raw : 1 / raw) * 1e12).to.be.closeTo(1500, 0.01);
    // 10 WETH · $1,500 · 82.5 % / $10,000 (plus a few seconds of interest)
    expect((await pool.accountHealth(bob.address, 0)).healthFactor).to.be.closeTo((12375n * WAD) / 10000n, 10n ** 13n);

    const t0 = (await ethers.provider.getBlock("latest"))!.timestamp;
    const a = await runTask("advance-time", { seconds: "7200", json: true });
    expect(a.result.advanced).to.be.greaterThanOrEqual(7200);
    expect((await ethers.provider.getBlock("latest"))!.timestamp).to.be.greaterThanOrEqual(t0 + 7200);
    expect(a.result.feedsRefreshed).to.deep.equal(["USDC", "WETH", "WBTC"]);
    expect(await pool.price(sym("WETH").address)).to.equal(1500n * WAD); // not stale after 2 h (heartbeat 1 h)
    await runTask("advance-time", { seconds: "7200", keepStale: true });
    await expectFailure(runTask("borrow", { asset: "USDC", amount: "100", from: "2" }), /StalePrice/);
    await expectFailure(runTask("set-price", { asset: "WETH", price: "abc" }), /Invalid price "abc"/);
  });

  it("open-position / positions / close-position: a 2x WETH long through Uniswap", async function () {
    const { alice, sym } = await load(activeFixture);
    const weth = await ethers.getContractAt("MockERC20", sym("WETH").address);
    const before = await weth.balanceOf(alice.address);
    const o = await runTask("open-position", {
      base: "WETH",
      quote: "USDC",
      side: "long",
      margin: "1",
      leverage: "2",
      from: "1",
    });
    expect(o.out).to.match(
      /^Opened position #1: long WETH\/USDC · collateral 1.99\d* WETH · debt 2,000 USDC · entry 2,00\d.\d+ · leverage 2(.\d+)?x · health 1.64\d* · tx /,
    );
    expect(o.result.debt).to.be.within(2000n * 10n ** 6n, 2000n * 10n ** 6n + 1n); // debt shares round up
    expect(before - (await weth.balanceOf(alice.address))).to.equal(WAD);
    const pos = await runTask("positions", { address: alice.address, json: true });
    expect(pos.result).to.have.length(1);
    expect(pos.result[0]).to.include({
      id: 1n,
      pair: "WETH/USDC",
      side: "long",
      open: true,
      collateral: o.result.collateral,
      debt: o.result.debt,
    });
    const table = await runTask("positions", { address: alice.address });
    expect(table.out.split("\n")[2]).to.match(/^1\s+WETH\/USDC\s+long\s+/);
    await expectFailure(
      runTask("close-position", { id: "1", from: "2" }),
      /belongs to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/,
    );
    await expectFailure(
      runTask("open-position", { base: "WETH", quote: "USDC", side: "long", margin: "1", leverage: "9", from: "1" }),
      /Leverage 9x is above the maximum 4.\d+x for WETH/,
    );
    const c = await runTask("close-position", { id: "1", from: "1", json: true });
    // About 1 WETH back: the margin less two 0.3 % swap fees on the borrowed leg and price impact.
    expect(c.result.returned).to.be.within((WAD * 98n) / 100n, WAD);
    expect((await weth.balanceOf(alice.address)) - (before - WAD)).to.equal(c.result.returned);
    expect((await runTask("positions", { address: alice.address, json: true })).result).to.have.length(0);
    expect((await runTask("positions", { address: alice.address, all: true, json: true })).result[0].open).to.equal(
      false,
    );
  });

  it("local-only tasks refuse a non-local deployment; a missing deployment is explained", async function () {
    const { dir } = await load(cliFixture);
    const file = path.join(dir, "hardhat.json");
    const rec = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify({ ...rec, local: false }));
    try {
      await expectFailure(runTask("set-price", { asset: "WETH", price: "1" }), /set-price is for local networks only/);
      await expectFailure(runTask("advance-time", { seconds: "1" }), /advance-time is for local networks only/);
    } finally {
      fs.writeFileSync(file, JSON.stringify(rec));
    }
    process.env.FULCRA_DEPLOYMENTS_DIR = tmpDir("empty");
    try {
      await expectFailure(
        runTask("markets"),
        /No deployment for network "hardhat" \(.*hardhat.json not found\)\. Run: npx hardhat deploy --network hardhat/,
      );
    } finally {
      process.env.FULCRA_DEPLOYMENTS_DIR = dir;
    }
  });
});
