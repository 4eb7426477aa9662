// Property suite of the ERC-4626 vault (issue #15, finding 6): random sequences of deposit / mint / withdraw / redeem
// by three users, interest (time passing with a borrower), borrows that drain the cash and repays, supply-cap changes
// (type(uint128).max included) and supply pauses. Every step calls the four max* views for every user (none may
// revert), calls an entry point with its max (or 0, or a part of it) and checks that the preview, taken on the state
// the transaction runs on (views on the "pending" block, whose timestamp is pinned), equals the actual result.
// Round trips run in one block (same timestamp, no interest in between) and must never profit.
import { expect } from "chai";
import hre, { ethers, network } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture } from "../helpers/fixtures";
import { listFunded, plainSpec, toAssetsDown, toSharesUp } from "../helpers/core";
import { MAX_UINT128 } from "../../lib/protocol";

const PENDING = { blockTag: "pending" } as const;
// Instrumented (npm run coverage) every transaction is ~100x slower: fewer sequences, and the coverage timeout.
const COVERAGE = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);
// Explicit: no gas estimation against a block still being assembled. Generous, so that the instrumented contracts of
// the coverage run (several times the gas) fit too: a transaction that ran out of gas there failed the step.
const GAS = { gasLimit: 10_000_000 };

/** Three vault users holding 2^126 VLT each (more than any max), a borrower with 2^112 - 1 COL of collateral (the
 * most one account may hold). */
async function propertyFixture() {
  const f = await deployPoolFixture();
  const users = f.users.slice(0, 3);
  const borrower = f.users[3];
  const vlt = await listFunded(
    f,
    plainSpec("VLT", { rate: { baseBps: 200, slope1Bps: 2_000, slope2Bps: 30_000, kinkBps: 8_000 } }),
    [...users, borrower],
    1n << 126n,
  );
  const col = await listFunded(f, plainSpec("COL"), [borrower], 1n << 127n);
  await f.pool.connect(borrower).supplyCollateral(col.address, (1n << 112n) - 1n, borrower.address, 0);
  const vault = await ethers.getContractAt("FulcraVault", vlt.vault);
  for (const u of users) await vlt.token.connect(u).approve(vlt.vault, ethers.MaxUint256);
  return { ...f, users, borrower, vlt, col, vault };
}
type Fx = Awaited<ReturnType<typeof propertyFixture>>;

/**
 * An amount relative to the entry point's max: 0, the max itself, a per-mille of it, or an absolute amount capped at
 * the max (a few wei, or up to a million tokens: sizes a borrower can still drain).
 */
type Amount = { k: "zero" } | { k: "max" } | { k: "part"; permille: number } | { k: "abs"; n: bigint };
const amount: fc.Arbitrary<Amount> = fc.oneof(
  { arbitrary: fc.constant({ k: "zero" as const }), weight: 1 },
  { arbitrary: fc.constant({ k: "max" as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("part" as const), permille: fc.integer({ min: 1, max: 999 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("abs" as const), n: fc.bigInt({ min: 1n, max: 10n ** 7n }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("abs" as const), n: fc.bigInt({ min: 1n, max: 10n ** 24n }) }), weight: 3 },
);
const pick = (a: Amount, max: bigint): bigint =>
  a.k === "zero"
    ? 0n
    : a.k === "max"
      ? max
      : a.k === "part"
        ? (max * BigInt(a.permille)) / 1000n
        : a.n < max
          ? a.n
          : max;
/** A borrower account holds at most 2^120 debt shares (~1e6 per wei): stay well below, in assets. */
const MAX_DEBT = (1n << 119n) / 10n ** 6n;

type Op = "deposit" | "mint" | "withdraw" | "redeem" | "depositRedeem" | "mintWithdraw";
type Action =
  | { t: Op; who: number; amount: Amount }
  | { t: "wait"; seconds: number }
  | { t: "borrow"; pct: number }
  | { t: "repay"; pct: number }
  | { t: "cap"; k: "none" | "above" | "below"; delta: bigint }
  | { t: "pause"; paused: boolean };

const who = fc.integer({ min: 0, max: 2 });
const op = (t: Op) => fc.record({ t: fc.constant(t), who, amount });
const action: fc.Arbitrary<Action> = fc.oneof(
  op("deposit"),
  op("mint"),
  op("withdraw"),
  op("redeem"),
  op("depositRedeem"),
  op("mintWithdraw"),
  fc.record({ t: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 20 * 86_400 }) }),
  fc.record({ t: fc.constant("borrow" as const), pct: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ t: fc.constant("repay" as const), pct: fc.integer({ min: 1, max: 100 }) }),
  fc.record({
    t: fc.constant("cap" as const),
    k: fc.constantFrom("none" as const, "above" as const, "below" as const),
    delta: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.bigInt({ min: 0n, max: 10n ** 30n })),
  }),
  fc.record({ t: fc.constant("pause" as const), paused: fc.boolean() }),
);

/** The vault event of `name` in a mined receipt, as [assets, shares]. */
function vaultEvent(f: Fx, receipt: any, name: "Deposit" | "Withdraw"): [bigint, bigint] {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== f.vlt.vault.toLowerCase()) continue;
    const parsed = f.vault.interface.parseLog(log);
    if (parsed?.name === name) return [parsed.args.assets, parsed.args.shares];
  }
  throw new Error(`no ${name} event`);
}

/** Pins the next block's timestamp so that "pending" views see exactly the state the next transaction runs on. */
async function pinNextBlock(): Promise<void> {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
}

/** The four max* views of every user on the pending block: they must never revert. */
async function maxes(f: Fx) {
  return Promise.all(
    f.users.map(async (u) => ({
      deposit: await f.vault.maxDeposit(u.address, PENDING),
      mint: await f.vault.maxMint(u.address, PENDING),
      withdraw: await f.vault.maxWithdraw(u.address, PENDING),
      redeem: await f.vault.maxRedeem(u.address, PENDING),
    })),
  );
}

/** Sends `txs` (thunks) into one block: same timestamp, so no interest accrues between them. */
async function oneBlock(txs: (() => Promise<any>)[]): Promise<any[]> {
  await network.provider.send("evm_setAutomine", [false]);
  try {
    const sent = [];
    for (const tx of txs) sent.push(await tx());
    await network.provider.send("evm_mine", []);
    return Promise.all(sent.map((s) => s.wait()));
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
}

async function step(f: Fx, a: Action): Promise<void> {
  const asset = f.vlt.address;
  if (a.t === "wait") return void (await time.increase(a.seconds));
  if (a.t === "pause") return void (await f.pool.setPause(asset, a.paused, false));
  if (a.t === "cap") {
    const supplied = (await f.pool.expectedMarket(asset)).totalSupplyAssets;
    const cap = a.k === "none" ? MAX_UINT128 : a.k === "above" ? supplied + a.delta : supplied / 2n;
    return void (await f.pool.setCaps(asset, cap > MAX_UINT128 ? MAX_UINT128 : cap, MAX_UINT128, MAX_UINT128, 0));
  }
  if (a.t === "borrow") {
    const m = await f.pool.expectedMarket(asset);
    const [, , debt] = await f.pool.accountOf(f.borrower.address, 0);
    let cash = ((m.totalSupplyAssets - m.totalBorrowAssets) * BigInt(a.pct)) / 100n;
    if (debt + cash > MAX_DEBT) cash = debt < MAX_DEBT ? MAX_DEBT - debt : 0n;
    if (cash === 0n) return;
    for (const x of [f.vlt, f.col]) await x.feed.setAnswer(await x.feed.latestAnswer()); // heartbeat after waits
    return void (await f.pool.connect(f.borrower).borrow(asset, cash, f.borrower.address, 0, f.borrower.address));
  }
  if (a.t === "repay") {
    const [, , debt] = await f.pool.accountOf(f.borrower.address, 0);
    if (debt === 0n) return;
    const repay = a.pct >= 50 ? ethers.MaxUint256 : (debt * BigInt(a.pct)) / 100n;
    if (repay < 10n ** 6n) return; // a partial repay of dust may burn no debt share (the pool refuses it)
    return void (await f.pool.connect(f.borrower).repay(asset, repay, f.borrower.address, 0));
  }

  const u = f.users[a.who];
  const receiver = f.users[(a.who + 1) % 3];
  await pinNextBlock();
  const max = (await maxes(f))[a.who];
  const tokens0 = await f.vlt.token.balanceOf(u.address);
  const shares0 = await f.vault.balanceOf(u.address);

  if (a.t === "deposit") {
    const assets = pick(a.amount, max.deposit);
    const preview = await f.vault.previewDeposit(assets, PENDING);
    if (assets !== 0n) expect(preview, "maxDeposit offered assets that buy no share").to.be.gt(0n);
    const r = await (await f.vault.connect(u).deposit(assets, u.address)).wait();
    expect(vaultEvent(f, r, "Deposit")).to.deep.equal([assets, preview]);
    expect(tokens0 - (await f.vlt.token.balanceOf(u.address))).to.equal(assets);
    expect((await f.vault.balanceOf(u.address)) - shares0).to.equal(preview);
  } else if (a.t === "mint") {
    const shares = pick(a.amount, max.mint);
    const preview = await f.vault.previewMint(shares, PENDING);
    const r = await (await f.vault.connect(u).mint(shares, u.address)).wait();
    expect(vaultEvent(f, r, "Deposit")).to.deep.equal([preview, shares]);
    expect(tokens0 - (await f.vlt.token.balanceOf(u.address))).to.equal(preview);
    expect((await f.vault.balanceOf(u.address)) - shares0).to.equal(shares);
  } else if (a.t === "withdraw") {
    const assets = pick(a.amount, max.withdraw);
    const preview = await f.vault.previewWithdraw(assets, PENDING);
    const got0 = await f.vlt.token.balanceOf(receiver.address);
    const r = await (await f.vault.connect(u).withdraw(assets, receiver.address, u.address)).wait();
    expect(vaultEvent(f, r, "Withdraw")).to.deep.equal([assets, preview]);
    expect((await f.vlt.token.balanceOf(receiver.address)) - got0).to.equal(assets);
    expect(shares0 - (await f.vault.balanceOf(u.address))).to.equal(preview);
  } else if (a.t === "redeem") {
    const shares = pick(a.amount, max.redeem);
    const preview = await f.vault.previewRedeem(shares, PENDING);
    const got0 = await f.vlt.token.balanceOf(receiver.address);
    const r = await (await f.vault.connect(u).redeem(shares, receiver.address, u.address)).wait();
    expect(vaultEvent(f, r, "Withdraw")).to.deep.equal([preview, shares]);
    expect((await f.vlt.token.balanceOf(receiver.address)) - got0).to.equal(preview);
    expect(shares0 - (await f.vault.balanceOf(u.address))).to.equal(shares);
  } else if (a.t === "depositRedeem") {
    // Deposit x, redeem the shares it bought, in one block: x back at most.
    const assets = pick(a.amount, max.deposit);
    const shares = await f.vault.previewDeposit(assets, PENDING);
    const [r1, r2] = await oneBlock([
      () => f.vault.connect(u).deposit(assets, u.address, GAS),
      () => f.vault.connect(u).redeem(shares, u.address, u.address, GAS),
    ]);
    expect(vaultEvent(f, r1, "Deposit")).to.deep.equal([assets, shares]);
    const [back] = vaultEvent(f, r2, "Withdraw");
    expect(back, "deposit then redeem profited").to.be.lte(assets);
    expect(await f.vlt.token.balanceOf(u.address)).to.equal(tokens0 - assets + back);
  } else {
    // Mint s, then withdraw what it cost, in one block: that burns at least s.
    const shares = pick(a.amount, max.mint);
    const cost = await f.vault.previewMint(shares, PENDING);
    const m = await f.pool.expectedMarket(f.vlt.address, PENDING);
    const [ta, ts] = [m.totalSupplyAssets + cost, m.totalSupplyShares + shares]; // after the mint
    const burn = toSharesUp(cost, ta, ts);
    expect(burn, "mint then withdraw profited").to.be.gte(shares);
    // Run the withdrawal too when the owner's balance and the cash allow it after the mint.
    const cash = ta - m.totalBorrowAssets;
    const canWithdraw = burn <= shares0 + shares && cost <= toAssetsDown(shares0 + shares, ta, ts) && cost <= cash;
    const txs = [() => f.vault.connect(u).mint(shares, u.address, GAS)];
    if (canWithdraw) txs.push(() => f.vault.connect(u).withdraw(cost, u.address, u.address, GAS));
    const [r1, r2] = await oneBlock(txs);
    expect(vaultEvent(f, r1, "Deposit")).to.deep.equal([cost, shares]);
    if (r2) expect(vaultEvent(f, r2, "Withdraw")).to.deep.equal([cost, burn]);
  }
}

/** After every step: the vault's books are the pool's, and the max* views still answer. */
async function checkInvariants(f: Fx): Promise<void> {
  const asset = f.vlt.address;
  const poolShares = await f.pool.supplyShares(asset, f.vlt.vault);
  const m = await f.pool.expectedMarket(asset);
  expect(await f.vault.totalSupply()).to.equal(poolShares);
  expect(await f.vault.totalAssets()).to.equal(toAssetsDown(poolShares, m.totalSupplyAssets, m.totalSupplyShares));
  let sum = 0n;
  for (const u of f.users) sum += await f.vault.balanceOf(u.address);
  expect(sum).to.equal(poolShares);
  for (const u of f.users) {
    await f.vault.maxDeposit(u.address);
    await f.vault.maxMint(u.address);
    await f.vault.maxWithdraw(u.address);
    await f.vault.maxRedeem(u.address);
  }
}

describe("core: FulcraVault ERC-4626 properties (fast-check)", () => {
  // Whatever happens inside a one-block step (a timeout included), the suites after this one get a chain that mines.
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("max* never revert, entry points accept their max (0 included), previews are exact, round trips never profit", async function () {
    if (!COVERAGE) this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 14 }), async (actions) => {
        const f = await loadFixture(propertyFixture);
        for (const a of actions) {
          await step(f, a);
          await checkInvariants(f);
        }
      }),
      { numRuns: Number(process.env.VAULT_PROPERTY_RUNS ?? (COVERAGE ? 4 : 20)) },
    );
  });
});
