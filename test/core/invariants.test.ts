// Property test (fast-check): random sequences of supplies and withdrawals (by assets and by shares), interest and
// repayments never let anyone take out more than the books allow: shares always add up, cash always covers the
// free liquidity, and after everyone leaves the pool still holds at least the reserves.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toAssetsDown } from "../helpers/core";

// Under solidity-coverage every opcode is traced: a run takes ~20x longer, more on a busy machine.
const COVERAGE = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);

async function invariantFixture() {
  const f = await deployPoolFixture();
  const [seed, , , , borrower] = f.users;
  await f.pool.connect(seed).supply(f.usdc.address, units(f.usdc, 50_000), 0, seed.address);
  await f.pool.connect(borrower).supplyCollateral(f.weth.address, units(f.weth, 50), borrower.address, 0);
  await f.pool.connect(borrower).borrow(f.usdc.address, units(f.usdc, 20_000), borrower.address, 0, borrower.address);
  return f;
}

type Action =
  | { kind: "supply"; who: number; amount: bigint; byShares: boolean }
  | { kind: "withdraw"; who: number; fractionBps: number; byShares: boolean }
  | { kind: "wait"; seconds: number }
  | { kind: "repay"; amount: bigint };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("supply" as const),
    who: fc.integer({ min: 1, max: 3 }),
    amount: fc.bigInt({ min: 1n, max: 10n ** 10n }),
    byShares: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("withdraw" as const),
    who: fc.integer({ min: 1, max: 3 }),
    fractionBps: fc.integer({ min: 1, max: 10_000 }),
    byShares: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 60 * 86_400 }) }),
  fc.record({ kind: fc.constant("repay" as const), amount: fc.bigInt({ min: 1n, max: 10n ** 9n }) }),
);

describe("core: invariants under random lender activity (fast-check)", () => {
  it("shares add up, cash covers liquidity, nobody extracts more than supplied plus interest", async function () {
    if (!COVERAGE) this.timeout(300_000); // instrumented: mocha's coverage timeout (.solcover.js)
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        const f = await loadFixture(invariantFixture);
        const asset = f.usdc.address;
        const borrower = f.users[4];
        const actors = f.users.slice(0, 4);
        const paidIn = new Map<number, bigint>();
        const paidOut = new Map<number, bigint>();
        const check = async () => {
          const m = await f.pool.market(asset);
          let shares = m.reserveShares;
          for (const a of actors) shares += await f.pool.supplyShares(asset, a.address);
          expect(shares).to.equal(m.totalSupplyShares);
          expect(await f.usdc.token.balanceOf(f.poolAddress)).to.be.gte(m.totalSupplyAssets - m.totalBorrowAssets);
          expect(m.totalBorrowAssets).to.be.lte(m.totalSupplyAssets);
        };
        for (const a of actions) {
          if (a.kind === "supply") {
            const u = actors[a.who];
            const before = await f.usdc.token.balanceOf(u.address);
            if (a.byShares) await f.pool.connect(u).supply(asset, 0, a.amount * 1_000n, u.address);
            else await f.pool.connect(u).supply(asset, a.amount, 0, u.address);
            paidIn.set(a.who, (paidIn.get(a.who) ?? 0n) + before - (await f.usdc.token.balanceOf(u.address)));
          } else if (a.kind === "withdraw") {
            const u = actors[a.who];
            const s = ((await f.pool.supplyShares(asset, u.address)) * BigInt(a.fractionBps)) / 10_000n;
            if (s === 0n) continue;
            const before = await f.usdc.token.balanceOf(u.address);
            if (a.byShares) await f.pool.connect(u).withdraw(asset, 0, s, u.address, u.address);
            else {
              const m = await f.pool.expectedMarket(asset);
              const assets = toAssetsDown(s, m.totalSupplyAssets, m.totalSupplyShares);
              if (assets === 0n) continue;
              await f.pool.connect(u).withdraw(asset, assets, 0, u.address, u.address);
            }
            paidOut.set(a.who, (paidOut.get(a.who) ?? 0n) + (await f.usdc.token.balanceOf(u.address)) - before);
          } else if (a.kind === "wait") {
            await time.increase(a.seconds);
          } else {
            const [, , debt] = await f.pool.accountOf(borrower.address, 0);
            if (debt > a.amount) await f.pool.connect(borrower).repay(asset, a.amount, borrower.address, 0);
          }
          await check();
        }
        // Everyone leaves: the borrower repays, every actor withdraws all its shares.
        await f.pool.connect(borrower).repay(asset, ethers.MaxUint256, borrower.address, 0);
        for (let i = 0; i < actors.length; i++) {
          const u = actors[i];
          const s = await f.pool.supplyShares(asset, u.address);
          if (s === 0n) continue;
          const before = await f.usdc.token.balanceOf(u.address);
          await f.pool.connect(u).withdraw(asset, 0, s, u.address, u.address);
          paidOut.set(i, (paidOut.get(i) ?? 0n) + (await f.usdc.token.balanceOf(u.address)) - before);
        }
        await check();
        const m = await f.pool.market(asset);
        const reserves = toAssetsDown(m.reserveShares, m.totalSupplyAssets, m.totalSupplyShares);
        expect(await f.usdc.token.balanceOf(f.poolAddress)).to.be.gte(reserves);
        // With interest only ever added, a random actor may gain interest but the pool never pays out of thin air:
        // what all actors took out is at most what they (and the seed lender) put in plus the interest paid.
        const totalIn = [...paidIn.values()].reduce((x, y) => x + y, units(f.usdc, 50_000));
        const totalOut = [...paidOut.values()].reduce((x, y) => x + y, 0n);
        expect(totalOut + reserves).to.be.lte(totalIn + (await interestPaid(f)));
      }),
      { numRuns: 25 },
    );
  });
});

/** Interest the borrower paid: what it repaid minus what it borrowed (it repaid everything). */
async function interestPaid(f: Awaited<ReturnType<typeof invariantFixture>>) {
  const borrower = f.users[4];
  const start = 1_000_000n * 10n ** 6n + units(f.usdc, 20_000);
  return start - (await f.usdc.token.balanceOf(borrower.address));
}

// Issue #15: third parties and broken feeds. A victim borrows USDC against WETH and WBTC; random steps move prices,
// let feeds go stale (time passes the heartbeat and only some feeds report) or break (zero / negative / incomplete
// round), let strangers try to attach, withdraw or borrow on the victim's account, and let a keeper liquidate.
// After every step: (d) the victim's collateral set changed only by a liquidation; (a) if its health is below 1 and
// the debt feed is trusted, a static liquidation against some collateral with a trusted price goes through (unless no
// collateral has one); (b) a liquidation of a solvent account leaves it solvent (2 wei) and books no bad debt;
// (c) BadDebt only for an insolvent account, which is no longer insolvent afterwards.
type FeedAction =
  | { kind: "price"; asset: number; bps: number }
  | { kind: "stale"; seconds: number; refresh: number }
  | { kind: "break"; asset: number; how: number }
  | { kind: "heal" }
  | { kind: "stranger"; op: number; asset: number; amount: bigint }
  | { kind: "liquidate"; asset: number };

const feedAction: fc.Arbitrary<FeedAction> = fc.oneof(
  fc.record({
    kind: fc.constant("price" as const),
    asset: fc.integer({ min: 0, max: 2 }),
    bps: fc.integer({ min: -3_000, max: 1_000 }),
  }),
  fc.record({
    kind: fc.constant("stale" as const),
    seconds: fc.integer({ min: 3_601, max: 3 * 86_400 }),
    refresh: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("break" as const),
    asset: fc.integer({ min: 0, max: 2 }),
    how: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant("heal" as const) }),
  fc.record({
    kind: fc.constant("stranger" as const),
    op: fc.integer({ min: 0, max: 2 }),
    asset: fc.integer({ min: 0, max: 2 }),
    amount: fc.oneof(fc.constant(1n), fc.bigInt({ min: 1n, max: 10n ** 8n })),
  }),
  fc.record({ kind: fc.constant("liquidate" as const), asset: fc.integer({ min: 1, max: 2 }) }),
);

async function victimFixture() {
  const f = await deployPoolFixture();
  const [lender, , , , victim] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 500_000), 0, lender.address);
  await f.pool.connect(victim).supplyCollateral(f.weth.address, units(f.weth, 20), victim.address, 0);
  await f.pool.connect(victim).supplyCollateral(f.wbtc.address, units(f.wbtc, 0.5), victim.address, 0);
  const h = await f.pool.accountHealth(victim.address, 0);
  // Borrow 95 % of the borrowing power, in USDC (1e6 units per 1e18 of value).
  await f.pool
    .connect(victim)
    .borrow(f.usdc.address, (h.borrowingPower * 95n) / 100n / 10n ** 12n, victim.address, 0, victim.address);
  return f;
}

describe("core: invariants under third parties and broken feeds (fast-check)", () => {
  it("strangers never change the collateral set; unhealthy accounts stay liquidatable; bad debt only when insolvent", async function () {
    if (!COVERAGE) this.timeout(300_000); // instrumented: mocha's coverage timeout (.solcover.js)
    await fc.assert(
      fc.asyncProperty(fc.array(feedAction, { minLength: 1, maxLength: 10 }), async (actions) => {
        const f = await loadFixture(victimFixture);
        const assets = [f.usdc, f.weth, f.wbtc];
        const victim = f.users[4];
        const stranger = f.users[5];
        const keeper = f.users[6];
        const answers = await Promise.all(assets.map((a) => a.feed.latestAnswer()));
        const trusted = async (i: number) => {
          try {
            await f.pool.price(assets[i].address);
            return true;
          } catch {
            return false;
          }
        };
        const state = async () => {
          const [, , debt, colls, amounts] = await f.pool.accountOf(victim.address, 0);
          const ok = await Promise.all([0, 1, 2].map(trusted));
          let h: { collateralValue: bigint; debtValue: bigint; healthFactor: bigint } | undefined;
          try {
            h = await f.pool.accountHealth(victim.address, 0);
          } catch {
            h = undefined;
          }
          const allTrusted = ok.every((x) => x) && h !== undefined;
          return {
            debt,
            set: colls
              .map((c: string, j: number) => `${c}:${amounts[j]}`)
              .sort()
              .join(","),
            colls,
            ok,
            h,
            allTrusted,
          };
        };
        for (const a of actions) {
          const before = await state();
          let liquidated = false;
          let badDebt = false;
          if (a.kind === "price") {
            answers[a.asset] = (answers[a.asset] * BigInt(10_000 + a.bps)) / 10_000n;
            await assets[a.asset].feed.setAnswer(answers[a.asset]);
          } else if (a.kind === "stale") {
            await time.increase(a.seconds);
            for (let i = 0; i < 3; i++) if ((a.refresh >> i) & 1) await assets[i].feed.setAnswer(answers[i]);
          } else if (a.kind === "break") {
            const id = (await assets[a.asset].feed.latestRound()) + 1n;
            const now = BigInt(await time.latest());
            if (a.how === 0) await assets[a.asset].feed.setRawRound(id, 0, now, now, id);
            else if (a.how === 1) await assets[a.asset].feed.setRawRound(id, -answers[a.asset], now, now, id);
            else await assets[a.asset].feed.setRawRound(id, answers[a.asset], now, now, id - 1n);
          } else if (a.kind === "heal") {
            for (let i = 0; i < 3; i++) await assets[i].feed.setAnswer(answers[i]);
          } else if (a.kind === "stranger") {
            const asset = assets[a.asset];
            const p = f.pool.connect(stranger);
            const call =
              a.op === 0
                ? p.supplyCollateral(asset.address, a.amount, victim.address, 0)
                : a.op === 1
                  ? p.withdrawCollateral(asset.address, a.amount, victim.address, 0, stranger.address)
                  : p.borrow(asset.address, a.amount, victim.address, 0, stranger.address);
            await expect(call).to.be.revertedWithCustomError(f.pool, "Unauthorized");
          } else if (before.debt > 0n) {
            try {
              const tx = await f.pool
                .connect(keeper)
                .liquidate(victim.address, 0, assets[a.asset].address, ethers.MaxUint256, 0, keeper.address, "0x");
              const receipt = await tx.wait();
              liquidated = true;
              badDebt = receipt!.logs.some((l) => {
                try {
                  return f.pool.interface.parseLog(l)?.name === "BadDebt";
                } catch {
                  return false;
                }
              });
            } catch {
              // refused: healthy, or a price it needs is untrusted
            }
          }
          const after = await state();
          // (d)
          if (!liquidated) expect(after.set).to.equal(before.set);
          const insolvent = (s: typeof before) => s.allTrusted && s.h!.collateralValue < s.h!.debtValue;
          const solvent = (s: typeof before) => s.allTrusted && s.h!.collateralValue >= s.h!.debtValue;
          if (liquidated && solvent(before)) {
            // (b)
            expect(badDebt).to.equal(false);
            if (after.h) expect(after.h.collateralValue + 2n).to.be.gte(after.h.debtValue);
          }
          // (c)
          if (badDebt) expect(insolvent(before)).to.equal(true);
          if (liquidated && insolvent(before) && after.allTrusted) expect(insolvent(after)).to.equal(false);
          // (a): a static attempt against each collateral with a trusted price.
          if (after.debt > 0n && after.ok[0] && after.h && after.h.healthFactor < 10n ** 18n) {
            await f.usdc.token.mint(keeper.address, after.debt * 2n);
            await f.usdc.token.connect(keeper).approve(f.poolAddress, ethers.MaxUint256);
            let any = false;
            let done = false;
            for (const c of after.colls) {
              const i = assets.findIndex((x) => x.address === c);
              if (!after.ok[i]) continue;
              any = true;
              try {
                await f.pool
                  .connect(keeper)
                  .liquidate.staticCall(victim.address, 0, c, ethers.MaxUint256, 0, keeper.address, "0x");
                done = true;
                break;
              } catch {
                // try the next collateral
              }
            }
            if (any) expect(done, "an account under health 1 could not be liquidated").to.equal(true);
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
