// A short market simulation (both modes) and the accounting it must keep: token conservation, every reported
// liquidation matches an on-chain Liquidate event, and the report's totals match what the chain says.
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import { runSimulation, STEP_BLOCKS, type SimResult } from "../../sim/run";
import { writeReports, summarize, buildJson } from "../../sim/report";
import { generatePath, SCENARIOS, phaseLengths } from "../../sim/scenarios";
import { generatePopulation, LOOP_SUB_ID } from "../../sim/population";
import { Rng } from "../../sim/random";
import { parseCli } from "../../sim/cli";

const WAD = 10n ** 18n;

describe("simulation", function () {
  describe("inputs", function () {
    it("the same seed gives the same path and population; another seed does not", function () {
      const a = generatePath("crash", 80, new Rng(5));
      const b = generatePath("crash", 80, new Rng(5));
      const c = generatePath("crash", 80, new Rng(6));
      expect(a.prices.WETH).to.deep.equal(b.prices.WETH);
      expect(a.prices.WETH).to.not.deep.equal(c.prices.WETH);
      expect(JSON.stringify(generatePopulation(40, new Rng(9)))).to.equal(
        JSON.stringify(generatePopulation(40, new Rng(9))),
      );
    });

    it("phases cover every step and the crash phase falls about 35 %", function () {
      for (const name of Object.keys(SCENARIOS)) {
        const lengths = phaseLengths(SCENARIOS[name], 160);
        expect(lengths.reduce((s, n) => s + n, 0)).to.equal(160);
        expect(Math.min(...lengths)).to.be.greaterThanOrEqual(1);
      }
      // Averaged over seeds, the crash phase's move is its deterministic −35 % (noise averages out).
      let sum = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const p = generatePath("crash", 160, new Rng(seed));
        const from = p.phase.indexOf("crash") - 1;
        const to = p.phase.lastIndexOf("crash");
        sum += Math.log(p.prices.WETH[to] / p.prices.WETH[from]);
      }
      expect(Math.exp(sum / 40)).to.be.closeTo(0.65, 0.03);
    });

    it("parses flags and rejects bad ones", function () {
      expect(
        parseCli(["--scenario", "flash-crash", "--seed", "7", "--accounts", "30", "--steps", "50", "--json"]),
      ).to.deep.equal({
        scenario: "flash-crash",
        seed: 7,
        accounts: 30,
        steps: 50,
        json: true,
        quiet: false,
      });
      expect(parseCli(["--help"])).to.equal(null);
      expect(() => parseCli(["--scenario", "moon"])).to.throw("--scenario must be one of");
      expect(() => parseCli(["--steps", "3"])).to.throw("--steps must be an integer");
      expect(() => parseCli(["--bogus"])).to.throw();
    });
  });

  describe("a short crash run, static then dynamic", function () {
    let r: SimResult;

    before(async function () {
      r = await runSimulation({ scenario: "crash", seed: 3, accounts: 14, steps: 24 });
    });

    it("opens margin positions through the MarginRouter, or by looping when its deviation guard refuses", async function () {
      const traders = r.actors.filter((a) => a.spec.kind === "trader");
      expect(traders.length).to.be.greaterThan(0);
      for (const t of traders) {
        if (t.positionId !== 0n) expect(t.subId).to.equal(await r.world.router.subIdOf(t.positionId));
        else expect(t.subId).to.equal(LOOP_SUB_ID);
        const [debtAsset, , debt] = await r.world.pool.accountOf(t.address, t.subId, { blockTag: r.setupBlock });
        expect(debtAsset).to.equal(t.debtAsset);
        expect(debt).to.be.greaterThan(0n);
      }
    });

    it("ran both modes over the same path", function () {
      expect(r.results.static!.series.length).to.equal(24);
      expect(r.results.dynamic!.series.length).to.equal(24);
      expect(r.results.static!.series.map((s) => s.price.WETH)).to.deep.equal(
        r.results.dynamic!.series.map((s) => s.price.WETH),
      );
      // Static mode never moves the parameters; dynamic mode lowered WETH's LTV once volatility rose.
      expect(new Set(r.results.static!.series.map((s) => s.ltv))).to.deep.equal(new Set([8000]));
      expect(Math.min(...r.results.dynamic!.series.map((s) => s.ltv))).to.be.lessThan(8000);
    });

    it("conserves tokens: supplies unchanged during the run, and every unit is held by someone", async function () {
      const res = r.results.dynamic!; // the chain now holds the dynamic run
      for (const a of Object.values(r.world.assets)) {
        const logs = await a.token.queryFilter(a.token.filters.Transfer(), 0, res.endBlock);
        const holders = new Set<string>();
        for (const l of logs) {
          holders.add(l.args.from);
          holders.add(l.args.to);
          if (l.blockNumber >= res.startBlock) {
            // No mint or burn during the run: the arbitrageur's and users' inventories were funded at setup.
            expect(l.args.from).to.not.equal(ethers.ZeroAddress);
            expect(l.args.to).to.not.equal(ethers.ZeroAddress);
          }
        }
        holders.delete(ethers.ZeroAddress);
        let sum = 0n;
        for (const h of holders) sum += await a.token.balanceOf(h);
        expect(sum).to.equal(await a.token.totalSupply());
        // The pool holds exactly what its books say, up to rounding dust in its favour.
        const info = await r.world.pool.marketInfo(a.address);
        const m = await r.world.pool.market(a.address);
        const books = m.totalSupplyAssets - m.totalBorrowAssets + info.totalCollateral + info.liquidationFees;
        const held = await a.token.balanceOf(r.world.poolAddress);
        expect(held).to.be.greaterThanOrEqual(books);
        expect(held - books).to.be.lessThan(10n ** BigInt(a.spec.decimals - 4)); // < 0.0001 token
      }
    });

    it("every reported liquidation and bad debt matches an on-chain event", async function () {
      const res = r.results.dynamic!;
      expect(res.liquidations.length).to.be.greaterThan(0);
      const pool = r.world.pool;
      const liqs = await pool.queryFilter(pool.filters.Liquidate(), res.startBlock, res.endBlock);
      expect(
        liqs.map((l) => [l.transactionHash, l.args.owner, l.args.subId, l.args.repaid, l.args.seized]),
      ).to.deep.equal(res.liquidations.map((l) => [l.txHash, l.owner, l.subId, l.repaid, l.seized]));
      const bad = await pool.queryFilter(pool.filters.BadDebt(), res.startBlock, res.endBlock);
      expect(bad.map((b) => [b.transactionHash, b.args.owner, b.args.debt, b.args.socialized])).to.deep.equal(
        res.badDebts.map((b) => [b.txHash, b.owner, b.debt, b.socialized]),
      );
    });

    it("the report's totals match the chain", async function () {
      const res = r.results.dynamic!;
      const s = summarize(res);
      const pool = r.world.pool;
      const liqs = await pool.queryFilter(pool.filters.Liquidate(), res.startBlock, res.endBlock);
      expect(s.liquidations).to.equal(liqs.length);
      expect(s.usersLiquidated).to.equal(new Set(liqs.map((l) => l.args.owner)).size);
      let collUsd = 0n;
      const units: Record<string, bigint> = { USDC: 0n, WETH: 0n, WBTC: 0n };
      for (const l of liqs) {
        const sym = Object.values(r.world.assets).find((a) => a.address === l.args.collateralAsset)!.symbol;
        units[sym] += l.args.seized;
        collUsd += (l.args.seized * (await pool.price(l.args.collateralAsset, { blockTag: l.blockNumber }))) / WAD;
      }
      expect(s.collateralLiquidatedUnits).to.deep.equal(
        Object.fromEntries(Object.entries(units).map(([k, v]) => [k, v.toString()])),
      );
      expect(s.collateralLiquidated).to.equal(collUsd.toString());
      let badUsd = 0n;
      let lossUsd = 0n;
      for (const b of await pool.queryFilter(pool.filters.BadDebt(), res.startBlock, res.endBlock)) {
        const p = await pool.price(b.args.asset, { blockTag: b.blockNumber });
        badUsd += (b.args.debt * p) / WAD;
        lossUsd += (b.args.socialized * p) / WAD;
      }
      expect(s.badDebtRealized).to.equal(badUsd.toString());
      expect(s.lendersLoss).to.equal(lossUsd.toString());
      // Unrealized shortfall and collateral books from the accounts themselves.
      let shortfall = 0n;
      const coll: Record<string, bigint> = {};
      for (const a of r.actors.filter((x) => x.spec.kind !== "lender")) {
        const h = await pool.accountHealth(a.address, a.subId);
        if (h.debtValue > h.collateralValue) shortfall += h.debtValue - h.collateralValue;
        const [, , , assets, amounts] = await pool.accountOf(a.address, a.subId);
        assets.forEach((x: string, i: number) => (coll[x] = (coll[x] ?? 0n) + amounts[i]));
      }
      expect(s.badDebtUnrealized).to.equal(shortfall.toString());
      expect(BigInt(s.badDebt)).to.equal(badUsd + shortfall);
      for (const a of Object.values(r.world.assets)) {
        expect((await pool.marketInfo(a.address)).totalCollateral).to.equal(coll[a.address] ?? 0n);
      }
    });

    it("keeper latency counts from the keeper's first attempt; waits while unprofitable are reported apart", function () {
      for (const m of ["static", "dynamic"] as const) {
        const res = r.results[m]!;
        const log = res.latencyLog;
        expect(log.length).to.equal(res.liquidations.length);
        expect(log.map((x) => x.block)).to.deep.equal(res.liquidations.map((l) => l.block));
        for (const x of log) {
          expect(x.liquidatableFrom).to.be.at.most(x.attemptFrom);
          expect(x.attemptFrom).to.be.lessThan(x.block); // the attempt's snapshot precedes the liquidation's block
          // An account the keeper skipped first waited between being liquidatable and the attempt that paid.
          if (x.skippedBefore) expect(x.liquidatableFrom).to.be.lessThan(x.attemptFrom);
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(res.keeperLatencyBlocks).to.be.closeTo(mean(log.map((x) => x.block - x.attemptFrom)), 1e-9);
        expect(res.keeperLatencyMaxBlocks).to.equal(Math.max(...log.map((x) => x.block - x.attemptFrom)));
        expect(res.liquidatableToLiquidationBlocks).to.be.closeTo(
          mean(log.map((x) => x.block - x.liquidatableFrom)),
          1e-9,
        );
        expect(res.keeperLatencyBlocks).to.be.at.most(res.liquidatableToLiquidationBlocks);
        expect(res.accountsSkippedUnprofitable).to.be.at.most(res.failedLiquidationAttempts);
        if (log.some((x) => x.skippedBefore)) expect(res.accountsSkippedUnprofitable).to.be.greaterThan(0);
      }
    });

    it("no keeper transaction reverts on chain: several liquidations of one step are re-simulated on the moved pools", function () {
      let multi = 0;
      for (const m of ["static", "dynamic"] as const) {
        const res = r.results[m]!;
        expect(res.keeperReverts).to.equal(0);
        // Every liquidation lands within the step the keeper sent it in (one transaction per block, 75 per step).
        for (const x of res.latencyLog) expect(x.block - x.attemptFrom).to.be.lessThan(STEP_BLOCKS);
        const perStep = new Map<number, number>();
        for (const x of res.latencyLog) perStep.set(x.attemptFrom, (perStep.get(x.attemptFrom) ?? 0) + 1);
        multi += [...perStep.values()].filter((n) => n > 1).length;
      }
      if (process.env.SIM_TEST_DEBUG) console.log(`      steps with several liquidations: ${multi}`);
      expect(multi, "steps with several liquidations (the case that reverted)").to.be.greaterThan(0);
    });

    it("writes the JSON, Markdown and SVG reports", function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fulcra-sim-"));
      const files = writeReports(r, dir);
      const json = JSON.parse(fs.readFileSync(files.json, "utf8"));
      for (const m of ["static", "dynamic"]) {
        expect(typeof json[m].badDebt).to.equal("string");
        expect(typeof json[m].usersLiquidated).to.equal("number");
        expect(typeof json[m].collateralLiquidated).to.equal("string");
        expect(typeof json[m].borrowPowerUsedCalm).to.equal("number");
        expect(typeof json[m].keeperLatencyBlocks).to.equal("number");
        expect(typeof json[m].liquidatableToLiquidationBlocks).to.equal("number");
        expect(typeof json[m].accountsSkippedUnprofitable).to.equal("number");
      }
      expect(json.dynamic.badDebt).to.equal(buildJson(r).dynamic && summarize(r.results.dynamic!).badDebt);
      expect(fs.readFileSync(files.svg, "utf8")).to.match(/^<svg[\s\S]*<\/svg>$/);
      expect(fs.readFileSync(files.md, "utf8")).to.contain("| liquidations |");
    });
  });
});
