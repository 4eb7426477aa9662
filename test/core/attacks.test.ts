// Attacks on the core: reentrancy through a hook-calling (ERC-777-style) token on every token-moving entry point,
// fee-on-transfer tokens, and first-depositor / donation inflation of an empty reserve.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { expectRevertNoChange, plainSpec, VIRTUAL_SHARES } from "../helpers/core";
import { listingParams, toFeedAnswer, type ListedAsset } from "../../lib/protocol";
import type { MockFeeToken, MockHookToken, MockFlashBorrower } from "../../typechain-types";

const E18 = 10n ** 18n;

/** Lists an already deployed token with a fresh $1 feed (18 decimals, collateral LTV 80 % / LT 85 %, borrowable). */
async function listToken(
  f: PoolFixture,
  token: { getAddress(): Promise<string> },
  symbol: string,
): Promise<ListedAsset> {
  const feed = await (await ethers.getContractFactory("MockPriceFeed")).deploy(8, `${symbol} / USD`, toFeedAnswer(1));
  const address = await token.getAddress();
  const spec = plainSpec(symbol);
  await f.pool.listAsset(address, listingParams(spec, await feed.getAddress()));
  const [, , , , , vault] = await f.pool.assetLimits(address);
  return { symbol, token: token as any, feed, address, vault, spec };
}

async function refresh(f: PoolFixture, extra: ListedAsset[]) {
  for (const a of [f.usdc, f.weth, f.wbtc, ...extra]) await a.feed.setAnswer(await a.feed.latestAnswer());
}

/**
 * HOOK listed; users 0-3 funded and approved. Lender 0 supplies 10,000 HOOK. Borrower 1 posts 10 WETH and borrows
 * 5,000 HOOK (HOOK debt). Borrower 2 posts 1,000 HOOK and borrows 700 USDC (HOOK collateral). Lender 3 supplies
 * USDC. A year passes (HOOK reserves accrue); borrower 2 is liquidated once (HOOK liquidation fees accrue); then
 * borrower 1's WETH falls so that it is liquidatable. The hook is disarmed throughout the setup.
 */
async function hookFixture() {
  const f = await deployPoolFixture();
  const hookToken = (await (await ethers.getContractFactory("MockHookToken")).deploy()) as unknown as MockHookToken;
  const hook = await listToken(f, hookToken, "HOOK");
  const [lender, b1, b2, lender3, liquidator] = f.users;
  for (const u of [lender, b1, b2, lender3, liquidator]) {
    await hookToken.mint(u.address, 1_000_000n * E18);
    await hookToken.connect(u).approve(f.poolAddress, ethers.MaxUint256);
  }
  await f.pool.connect(lender).supply(hook.address, 10_000n * E18, 0, lender.address);
  await f.pool.connect(b1).supplyCollateral(f.weth.address, units(f.weth, 10), b1.address, 0);
  await f.pool.connect(b1).borrow(hook.address, 5_000n * E18, b1.address, 0, b1.address);
  await f.pool.connect(lender3).supply(f.usdc.address, units(f.usdc, 10_000), 0, lender3.address);
  await f.pool.connect(b2).supplyCollateral(hook.address, 1_000n * E18, b2.address, 0);
  await f.pool.connect(b2).borrow(f.usdc.address, units(f.usdc, 700), b2.address, 0, b2.address);
  await time.increase(365 * 86_400);
  await refresh(f, [hook]);
  await hook.feed.setAnswer(toFeedAnswer(0.8)); // b2: 800 · 0.85 = 680 < 700 + interest
  await f.pool
    .connect(liquidator)
    .liquidate(b2.address, 0, hook.address, units(f.usdc, 100), 0, liquidator.address, "0x");
  await f.weth.feed.setAnswer(toFeedAnswer(400)); // b1: 4,000 · 0.825 = 3,300 < 5,000·1.02 HOOK at 0.8 = 4,090
  const borrower = (await (
    await ethers.getContractFactory("MockFlashBorrower")
  ).deploy(f.poolAddress)) as unknown as MockFlashBorrower;
  await borrower.approveLender(hook.address);
  return { ...f, hook, hookToken, borrower };
}

describe("core: reentrancy through a hook-calling token", () => {
  type Fx = Awaited<ReturnType<typeof hookFixture>>;
  const reenterSupply = (f: Fx) =>
    f.pool.interface.encodeFunctionData("supply", [f.hook.address, 1n, 0n, f.users[6].address]);
  const cases: [string, (f: Fx) => Promise<unknown>][] = [
    ["supply", (f) => f.pool.connect(f.users[0]).supply(f.hook.address, E18, 0, f.users[0].address)],
    [
      "withdraw",
      (f) => f.pool.connect(f.users[0]).withdraw(f.hook.address, E18, 0, f.users[0].address, f.users[0].address),
    ],
    [
      "supplyCollateral",
      (f) => f.pool.connect(f.users[2]).supplyCollateral(f.hook.address, E18, f.users[2].address, 0),
    ],
    [
      "withdrawCollateral",
      (f) =>
        f.pool.connect(f.users[3]).withdrawCollateral(f.hook.address, E18, f.users[3].address, 5, f.users[3].address),
    ],
    [
      "borrow",
      (f) => f.pool.connect(f.users[3]).borrow(f.hook.address, E18, f.users[3].address, 6, f.users[3].address),
    ],
    ["repay", (f) => f.pool.connect(f.users[1]).repay(f.hook.address, E18, f.users[1].address, 0)],
    [
      "liquidate",
      (f) =>
        f.pool
          .connect(f.users[4])
          .liquidate(f.users[1].address, 0, f.weth.address, 100n * E18, 0, f.users[4].address, "0x"),
    ],
    ["withdrawReserves", (f) => f.pool.withdrawReserves(f.hook.address, 1n, f.admin.address)],
    ["withdrawLiquidationFees", (f) => f.pool.withdrawLiquidationFees(f.hook.address, 1n, f.admin.address)],
  ];

  for (const [name, call] of cases) {
    it(`${name}: re-entering the pool from the token's transfer hook reverts Reentrancy; nothing changes`, async () => {
      // Positions used by some cases: user 3 holds HOOK collateral on sub-account 5 and WETH on 6.
      // Sanity: the same call succeeds with the hook disarmed.
      const g = await loadFixture(hookFixture);
      await g.pool.connect(g.users[3]).supplyCollateral(g.hook.address, 10n * E18, g.users[3].address, 5);
      await g.pool.connect(g.users[3]).supplyCollateral(g.weth.address, units(g.weth, 10), g.users[3].address, 6);
      await refresh(g, [g.hook]);
      await call(g);
      const h = await loadFixture(hookFixture);
      await h.pool.connect(h.users[3]).supplyCollateral(h.hook.address, 10n * E18, h.users[3].address, 5);
      await h.pool.connect(h.users[3]).supplyCollateral(h.weth.address, units(h.weth, 10), h.users[3].address, 6);
      await refresh(h, [h.hook]);
      await h.hookToken.arm(h.poolAddress, reenterSupply(h));
      await expectRevertNoChange(h, () => call(h), h.pool, "Reentrancy", [h.hook]);
    });
  }

  it("flashLoan: a nested flash loan from the token hook reverts Reentrancy", async () => {
    const f = await loadFixture(hookFixture);
    const data = f.pool.interface.encodeFunctionData("flashLoan", [
      await f.borrower.getAddress(),
      f.hook.address,
      1n,
      "0x",
    ]);
    await f.hookToken.arm(f.poolAddress, data);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.hook.address, E18), f.pool, "Reentrancy", [f.hook]);
  });

  it("every re-entry target is refused: withdraw, borrow, repay, supplyCollateral, liquidate from a supply hook", async () => {
    const f = await loadFixture(hookFixture);
    const u = f.users[0].address;
    const targets = [
      f.pool.interface.encodeFunctionData("withdraw", [f.hook.address, 1n, 0n, u, u]),
      f.pool.interface.encodeFunctionData("borrow", [f.hook.address, 1n, u, 0n, u]),
      f.pool.interface.encodeFunctionData("repay", [f.hook.address, 1n, u, 0n]),
      f.pool.interface.encodeFunctionData("supplyCollateral", [f.hook.address, 1n, u, 0n]),
      f.pool.interface.encodeFunctionData("liquidate", [u, 0n, f.hook.address, 1n, 0n, u, "0x"]),
    ];
    for (const data of targets) {
      await f.hookToken.arm(f.poolAddress, data);
      await expect(f.pool.connect(f.users[0]).supply(f.hook.address, E18, 0, u)).to.be.revertedWithCustomError(
        f.pool,
        "Reentrancy",
      );
    }
    await f.hookToken.disarm();
    await expect(f.pool.connect(f.users[0]).supply(f.hook.address, E18, 0, u)).not.to.be.reverted;
  });
});

describe("core: fee-on-transfer tokens are rejected by balance delta", () => {
  async function feeFixture() {
    const f = await deployPoolFixture();
    const feeToken = (await (await ethers.getContractFactory("MockFeeToken")).deploy(0)) as unknown as MockFeeToken;
    const fee = await listToken(f, feeToken, "FEE");
    const [lender, b] = f.users;
    for (const u of [lender, b]) {
      await feeToken.mint(u.address, 1_000_000n * E18);
      await feeToken.connect(u).approve(f.poolAddress, ethers.MaxUint256);
    }
    // While the fee is off: a lender supplies and a borrower borrows FEE against WETH.
    await f.pool.connect(lender).supply(fee.address, 1_000n * E18, 0, lender.address);
    await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 0);
    await f.pool.connect(b).borrow(fee.address, 100n * E18, b.address, 0, b.address);
    await feeToken.setFee(100); // 1 %
    const borrower = (await (
      await ethers.getContractFactory("MockFlashBorrower")
    ).deploy(f.poolAddress)) as unknown as MockFlashBorrower;
    await borrower.approveLender(fee.address);
    await feeToken.mint(await borrower.getAddress(), 1_000n * E18);
    return { ...f, fee, feeToken, borrower };
  }

  it("supply reverts TransferAmountMismatch", async () => {
    const f = await loadFixture(feeFixture);
    const u = f.users[0];
    await expectRevertNoChange(
      f,
      () => f.pool.connect(u).supply(f.fee.address, E18, 0, u.address),
      f.pool,
      "TransferAmountMismatch",
      [f.fee],
    );
  });
  it("supply by shares reverts TransferAmountMismatch", async () => {
    const f = await loadFixture(feeFixture);
    const u = f.users[0];
    await expectRevertNoChange(
      f,
      () => f.pool.connect(u).supply(f.fee.address, 0, E18 * VIRTUAL_SHARES, u.address),
      f.pool,
      "TransferAmountMismatch",
      [f.fee],
    );
  });
  it("supplyCollateral reverts TransferAmountMismatch", async () => {
    const f = await loadFixture(feeFixture);
    const u = f.users[0];
    await expectRevertNoChange(
      f,
      () => f.pool.connect(u).supplyCollateral(f.fee.address, E18, u.address, 0),
      f.pool,
      "TransferAmountMismatch",
      [f.fee],
    );
  });
  it("repay reverts TransferAmountMismatch (partial and all)", async () => {
    const f = await loadFixture(feeFixture);
    const b = f.users[1];
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).repay(f.fee.address, E18, b.address, 0),
      f.pool,
      "TransferAmountMismatch",
      [f.fee],
    );
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).repay(f.fee.address, ethers.MaxUint256, b.address, 0),
      f.pool,
      "TransferAmountMismatch",
      [f.fee],
    );
  });
  it("flashLoan reverts TransferAmountMismatch (the pool would get back less than it lent)", async () => {
    const f = await loadFixture(feeFixture);
    await expectRevertNoChange(f, () => f.borrower.borrow(f.fee.address, 10n * E18), f.pool, "TransferAmountMismatch", [
      f.fee,
    ]);
  });
  it("with the fee off again the same token works (the check is by balance delta, not a blocklist)", async () => {
    const f = await loadFixture(feeFixture);
    await f.feeToken.setFee(0);
    const u = f.users[0];
    await expect(f.pool.connect(u).supply(f.fee.address, E18, 0, u.address)).to.emit(f.pool, "Supply");
  });
});

describe("core: inflation / donation on an empty reserve", () => {
  it("first depositor donates 1,000,000 tokens after a 1-wei supply: the victim loses at most 1 wei, the attacker the donation", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [attacker, victim] = f.users;
    const a0 = await f.weth.token.balanceOf(attacker.address);
    await f.pool.connect(attacker).supply(f.weth.address, 1n, 0, attacker.address);
    const donation = units(f.weth, 1_000);
    await f.weth.token.connect(attacker).transfer(f.poolAddress, donation); // internal books ignore it
    const deposit = units(f.weth, 10);
    await f.pool.connect(victim).supply(f.weth.address, deposit, 0, victim.address);
    expect(await f.pool.supplyShares(f.weth.address, victim.address)).to.equal(deposit * VIRTUAL_SHARES);
    // Attacker leaves with everything it can.
    const s = await f.pool.supplyShares(f.weth.address, attacker.address);
    await f.pool.connect(attacker).withdraw(f.weth.address, 0, s, attacker.address, attacker.address);
    expect(a0 - (await f.weth.token.balanceOf(attacker.address))).to.be.gte(donation);
    // Victim takes out its deposit less at most 1 wei.
    const vs = await f.pool.supplyShares(f.weth.address, victim.address);
    const v0 = await f.weth.token.balanceOf(victim.address);
    await f.pool.connect(victim).withdraw(f.weth.address, 0, vs, victim.address, victim.address);
    expect(deposit - ((await f.weth.token.balanceOf(victim.address)) - v0)).to.be.lte(1n);
  });

  it("a donation by supplying on behalf of nobody-in-particular moves no price (shares are minted for it)", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [attacker, victim] = f.users;
    await f.pool.connect(attacker).supply(f.usdc.address, 1n, 0, attacker.address);
    await f.pool.connect(attacker).supply(f.usdc.address, units(f.usdc, 100_000), 0, f.users[7].address);
    await f.pool.connect(victim).supply(f.usdc.address, 1_000n, 0, victim.address);
    expect(await f.pool.supplyBalance(f.usdc.address, victim.address)).to.be.gte(999n);
  });

  it("a flash-loan fee on a nearly empty reserve goes to reserves: the first depositor's shares gain nothing", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [attacker, victim] = f.users;
    await f.pool.connect(attacker).supply(f.usdc.address, 1n, 0, attacker.address);
    await f.pool.setFlashFee(f.usdc.address, 100);
    await f.usdc.token.connect(victim).transfer(f.poolAddress, units(f.usdc, 1)); // liquidity to flash-borrow
    const borrower = (await (
      await ethers.getContractFactory("MockFlashBorrower")
    ).deploy(f.poolAddress)) as unknown as MockFlashBorrower;
    await borrower.approveLender(f.usdc.address);
    await f.usdc.token.mint(await borrower.getAddress(), units(f.usdc, 1));
    await borrower.borrow(f.usdc.address, units(f.usdc, 1));
    expect(await f.pool.supplyBalance(f.usdc.address, attacker.address)).to.be.lte(1n);
    await f.pool.connect(victim).supply(f.usdc.address, 1_000n, 0, victim.address);
    expect(await f.pool.supplyBalance(f.usdc.address, victim.address)).to.be.gte(999n);
  });

  it("rounding cannot be farmed: 20 rounds of supply 1 wei / withdraw all shares never return more than put in", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [lender, farmer] = f.users;
    await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 3), 0, lender.address);
    const b0 = await f.weth.token.balanceOf(farmer.address);
    for (let i = 0; i < 20; i++) {
      await f.pool.connect(farmer).supply(f.weth.address, 1n + BigInt(i % 3), 0, farmer.address);
      const s = await f.pool.supplyShares(f.weth.address, farmer.address);
      await f.pool.connect(farmer).withdraw(f.weth.address, 0, s, farmer.address, farmer.address);
    }
    expect(await f.weth.token.balanceOf(farmer.address)).to.be.lte(b0);
  });
});
