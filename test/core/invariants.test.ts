// Property test (fast-check): random sequences of supplies and withdrawals (by assets and by shares), interest and
// repayments never let anyone take out more than the books allow: shares always add up, cash always covers the
// free liquidity, and after everyone leaves the pool still holds at least the reserves.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toAssetsDown } from "../helpers/core";

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
    this.timeout(300_000);
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
