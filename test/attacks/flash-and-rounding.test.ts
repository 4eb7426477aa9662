// Attack suite (issue 5), the attacks not covered next to their area: read-only reentrancy through the Lens during a
// flash loan, flash-loan-funded borrow and liquidation in one transaction, and rounding abuse with 1-wei operations
// repeated many times. The attacker is a contract (AttackCaller) that runs a batch of calls as itself, and a second
// batch inside the ERC-3156 callback, recording what each call returned.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { toFeedAnswer } from "../../lib/protocol";
import type { AttackCaller, FulcraLens } from "../../typechain-types";

const E18 = 10n ** 18n;
type Call = { target: string; data: string };

/**
 * Lender 0 supplies 100,000 USDC (1,000 of them through the USDC vault) and 100 WETH. Borrower 1: 10 WETH,
 * 14,000 USDC debt (healthy). Borrower 2: 1 WETH, 1,550 USDC debt; WETH then falls to 1,850, so borrower 2's health
 * is 1,850 · 0.825 / 1,550 = 0.985 (liquidatable). Flash fee 9 bps on USDC and WETH. The attacker contract holds
 * 1,000 USDC and 1 WETH of its own.
 */
async function attackFixture() {
  const f = await deployPoolFixture();
  const [lender, b1, b2] = f.users;
  const vault = await ethers.getContractAt("FulcraVault", f.usdc.vault);
  await f.usdc.token.connect(lender).approve(f.usdc.vault, ethers.MaxUint256);
  await vault.connect(lender).deposit(units(f.usdc, 1_000), lender.address);
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 99_000), 0, lender.address);
  await f.pool.connect(lender).supply(f.weth.address, units(f.weth, 100), 0, lender.address);
  await f.pool.connect(b1).supplyCollateral(f.weth.address, units(f.weth, 10), b1.address, 0);
  await f.pool.connect(b1).borrow(f.usdc.address, units(f.usdc, 14_000), b1.address, 0, b1.address);
  await f.pool.connect(b2).supplyCollateral(f.weth.address, units(f.weth, 1), b2.address, 0);
  await f.pool.connect(b2).borrow(f.usdc.address, units(f.usdc, 1_550), b2.address, 0, b2.address);
  await f.weth.feed.setAnswer(toFeedAnswer(1850));
  await f.pool.setFlashFee(f.usdc.address, 9);
  await f.pool.setFlashFee(f.weth.address, 9);
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  const attacker = (await (await ethers.getContractFactory("AttackCaller")).deploy()) as unknown as AttackCaller;
  const attackerAddress = await attacker.getAddress();
  await f.usdc.token.mint(attackerAddress, units(f.usdc, 1_000));
  await f.weth.token.mint(attackerAddress, E18);
  return { ...f, lender, b1, b2, vault, lens, attacker, attackerAddress };
}
type Fx = Awaited<ReturnType<typeof attackFixture>>;

const call = (c: { getAddress?: unknown; interface: any }, target: string, fn: string, args: unknown[] = []): Call => ({
  target,
  data: c.interface.encodeFunctionData(fn, args),
});

async function results(f: Fx): Promise<string[]> {
  const n = await f.attacker.resultCount();
  const out: string[] = [];
  for (let i = 0n; i < n; ++i) out.push(await f.attacker.results(i));
  return out;
}

describe("attacks: read-only reentrancy through the Lens during a flash loan", () => {
  it("Lens snapshot, market info and vault views read inside the callback equal those before the loan", async () => {
    const f = await loadFixture(attackFixture);
    const amount = await f.usdc.token.balanceOf(f.poolAddress); // the pool's whole USDC balance
    const fee = await f.pool.flashFee(f.usdc.address, amount);
    expect(fee).to.equal((amount * 9n + 9_999n) / 10_000n);
    const owners = [f.b1.address, f.b2.address];
    const probes: Call[] = [
      call(f.lens, await f.lens.getAddress(), "snapshot", [owners, [0, 0]]),
      call(f.pool, f.poolAddress, "marketInfo", [f.usdc.address]),
      call(f.vault, f.usdc.vault, "totalAssets"),
      call(f.vault, f.usdc.vault, "convertToAssets", [10n ** 12n]),
      call(f.vault, f.usdc.vault, "maxWithdraw", [f.lender.address]),
    ];
    const balanceProbe = call(f.usdc.token, f.usdc.address, "balanceOf", [f.poolAddress]);
    const outer = [
      balanceProbe,
      ...probes,
      call(f.pool, f.poolAddress, "flashLoan", [f.attackerAddress, f.usdc.address, amount, "0x"]),
      balanceProbe,
      ...probes,
    ];
    const inner = [
      balanceProbe,
      ...probes,
      call(f.usdc.token, f.usdc.address, "approve", [f.poolAddress, amount + fee]),
    ];
    await expect(f.attacker.run(outer, inner, true))
      .to.emit(f.pool, "FlashLoan")
      .withArgs(f.attackerAddress, f.attackerAddress, f.usdc.address, amount, fee);

    const r = await results(f);
    expect(r.length).to.equal(1 + 5 + (1 + 5 + 1) + 1 + 1 + 5);
    const [balBefore, ...rest] = r;
    const before = rest.slice(0, 5);
    const balDuring = rest[5];
    const during = rest.slice(6, 11);
    const balAfter = rest[13];
    const after = rest.slice(14, 19);
    const coder = ethers.AbiCoder.defaultAbiCoder();
    const u = (x: string) => coder.decode(["uint256"], x)[0] as bigint;
    // The pool really was emptied of USDC during the callback ...
    expect(u(balBefore)).to.equal(amount);
    expect(u(balDuring)).to.equal(0n);
    expect(u(balAfter)).to.equal(amount + fee);
    // ... yet every view a third party would read then is exactly what it was before: they price from the books.
    expect(during).to.deep.equal(before);
    const snap = f.lens.interface.decodeFunctionResult("snapshot", before[0]);
    const [s1, s2] = snap[2];
    expect(s1.liquidatable).to.equal(false);
    expect(s2.liquidatable).to.equal(true);
    // 1 WETH at 1,850 weighted by LT 82.5 % = 1,526.25 USD against 1,550 USDC plus a few seconds of interest.
    expect(s2.liquidationValue).to.equal(152_625n * 10n ** 16n);
    expect(s2.debt).to.be.gte(units(f.usdc, 1_550)).and.lt(units(f.usdc, 1_550.01));
    expect(s2.healthFactor).to.equal((s2.liquidationValue * E18) / s2.debtValue);
    expect(s2.healthFactor).to.be.lt((1850n * E18 * 8250n) / 10_000n / 1_550n + 1n); // ≤ 0.98467…
    // After the loan: the accounts read the same; the lenders gained exactly the fee (credited to reserves).
    expect(after[0]).to.equal(before[0]);
    const infoBefore = f.pool.interface.decodeFunctionResult("marketInfo", before[1])[0];
    const infoAfter = f.pool.interface.decodeFunctionResult("marketInfo", after[1])[0];
    expect(infoAfter.totalSupplyAssets - infoBefore.totalSupplyAssets).to.equal(fee);
    expect(infoAfter.totalBorrowAssets).to.equal(infoBefore.totalBorrowAssets);
    expect(u(after[2])).to.be.gte(u(before[2]));
  });
});

describe("attacks: flash-loan-funded borrow and liquidation in one transaction", () => {
  const FLASH_WETH = 100n * E18;
  const FEE_WETH = (FLASH_WETH * 9n) / 10_000n; // 0.09 WETH, exact

  it("flash WETH as collateral, borrow 80,000 USDC, take the collateral back to repay the loan: reverts InsufficientCollateral", async () => {
    const f = await loadFixture(attackFixture);
    const P = f.poolAddress;
    const inner: Call[] = [
      call(f.weth.token, f.weth.address, "approve", [P, ethers.MaxUint256]),
      call(f.pool, P, "supplyCollateral", [f.weth.address, FLASH_WETH, f.attackerAddress, 0]),
      call(f.pool, P, "borrow", [f.usdc.address, units(f.usdc, 80_000), f.attackerAddress, 0, f.attackerAddress]),
      call(f.pool, P, "withdrawCollateral", [f.weth.address, FLASH_WETH, f.attackerAddress, 0, f.attackerAddress]),
    ];
    const outer = [call(f.pool, P, "flashLoan", [f.attackerAddress, f.weth.address, FLASH_WETH, "0x"])];
    const poolUsdc = await f.usdc.token.balanceOf(P);
    await expect(f.attacker.run(outer, inner, false)).to.be.revertedWithCustomError(f.pool, "InsufficientCollateral");
    // Leaving the collateral in place instead: the loan cannot be repaid (the attacker holds 1 WETH).
    await expect(f.attacker.run(outer, inner.slice(0, 3), false)).to.be.revertedWithCustomError(
      f.weth.token,
      "ERC20InsufficientBalance",
    );
    expect(await f.usdc.token.balanceOf(P)).to.equal(poolUsdc);
    expect(await f.usdc.token.balanceOf(f.attackerAddress)).to.equal(units(f.usdc, 1_000));
    expect(await f.weth.token.balanceOf(f.attackerAddress)).to.equal(E18);
  });

  it("the complete round trip (collateral, borrow, repay all, withdraw) costs the attacker the fee and the rounding", async () => {
    const f = await loadFixture(attackFixture);
    const P = f.poolAddress;
    const BORROW = units(f.usdc, 80_000);
    const inner: Call[] = [
      call(f.weth.token, f.weth.address, "approve", [P, ethers.MaxUint256]),
      call(f.usdc.token, f.usdc.address, "approve", [P, ethers.MaxUint256]),
      call(f.pool, P, "supplyCollateral", [f.weth.address, FLASH_WETH, f.attackerAddress, 0]),
      call(f.pool, P, "borrow", [f.usdc.address, BORROW, f.attackerAddress, 0, f.attackerAddress]),
      call(f.pool, P, "repay", [f.usdc.address, ethers.MaxUint256, f.attackerAddress, 0]),
      call(f.pool, P, "withdrawCollateral", [
        f.weth.address,
        ethers.MaxUint256,
        f.attackerAddress,
        0,
        f.attackerAddress,
      ]),
    ];
    const outer = [call(f.pool, P, "flashLoan", [f.attackerAddress, f.weth.address, FLASH_WETH, "0x"])];
    const tx = f.attacker.run(outer, inner, true);
    await expect(tx).to.changeTokenBalances(f.weth.token, [f.attacker, f.pool], [-FEE_WETH, FEE_WETH]);
    const r = await results(f);
    const [repaid] = f.pool.interface.decodeFunctionResult("repay", r[4]);
    // Repaying all pulls the debt rounded up: never less than was borrowed.
    expect(repaid).to.be.gte(BORROW);
    expect(repaid - BORROW).to.be.lte(1n);
    expect(await f.usdc.token.balanceOf(f.attackerAddress)).to.equal(units(f.usdc, 1_000) - (repaid - BORROW));
    const [debtAsset, shares, , collaterals] = await f.pool.accountOf(f.attackerAddress, 0);
    expect([debtAsset, shares, collaterals.length]).to.deep.equal([ethers.ZeroAddress, 0n, 0]);
  });

  it("a flash loan cannot make a healthy account liquidatable: self-borrow then self-liquidation reverts HealthyAccount", async () => {
    const f = await loadFixture(attackFixture);
    const P = f.poolAddress;
    // 100 WETH at 1,850 = 185,000 USD; LTV 80 % → 148,000 max, the pool only has 84,450 USDC: borrow 84,000.
    const inner: Call[] = [
      call(f.weth.token, f.weth.address, "approve", [P, ethers.MaxUint256]),
      call(f.usdc.token, f.usdc.address, "approve", [P, ethers.MaxUint256]),
      call(f.pool, P, "supplyCollateral", [f.weth.address, FLASH_WETH, f.attackerAddress, 0]),
      call(f.pool, P, "borrow", [f.usdc.address, units(f.usdc, 84_000), f.attackerAddress, 0, f.attackerAddress]),
      call(f.pool, P, "liquidate", [
        f.attackerAddress,
        0,
        f.weth.address,
        ethers.MaxUint256,
        0,
        f.attackerAddress,
        "0x",
      ]),
    ];
    const outer = [call(f.pool, P, "flashLoan", [f.attackerAddress, f.weth.address, FLASH_WETH, "0x"])];
    await expect(f.attacker.run(outer, inner, false)).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
    // Nor a flash-funded liquidation of the healthy borrower 1 (14,000 USDC against 10 WETH at 1,850: health 1.09).
    const inner2: Call[] = [
      call(f.usdc.token, f.usdc.address, "approve", [P, ethers.MaxUint256]),
      call(f.pool, P, "liquidate", [f.b1.address, 0, f.weth.address, ethers.MaxUint256, 0, f.attackerAddress, "0x"]),
    ];
    const outer2 = [call(f.pool, P, "flashLoan", [f.attackerAddress, f.usdc.address, units(f.usdc, 50_000), "0x"])];
    await expect(f.attacker.run(outer2, inner2, false)).to.be.revertedWithCustomError(f.pool, "HealthyAccount");
  });

  it("flash-funded liquidation of the unhealthy borrower earns the bonus, never more than a plain liquidation", async () => {
    const f = await loadFixture(attackFixture);
    const P = f.poolAddress;
    // Interest frozen (accrued first), so the preview of this block is exactly what the next block executes.
    await f.pool.setRateModel(f.usdc.address, 0, 0, 0, 8000);
    const preview = await f.pool.previewLiquidation(f.b2.address, 0, f.weth.address);
    expect(preview.liquidatable).to.equal(true);
    const flash = preview.maxRepay;
    const fee = await f.pool.flashFee(f.usdc.address, flash);
    const inner: Call[] = [
      call(f.usdc.token, f.usdc.address, "approve", [P, ethers.MaxUint256]),
      call(f.pool, P, "liquidate", [f.b2.address, 0, f.weth.address, ethers.MaxUint256, 0, f.attackerAddress, "0x"]),
    ];
    const outer = [call(f.pool, P, "flashLoan", [f.attackerAddress, f.usdc.address, flash, "0x"])];
    const tx = f.attacker.run(outer, inner, false);
    // The attacker pays the repaid debt plus the flash fee in USDC and receives the previewed collateral, net of the
    // protocol's share — exactly what the same liquidation without a flash loan gives, minus the fee.
    await expect(tx).to.changeTokenBalance(f.usdc.token, f.attacker, -(flash + fee));
    await expect(tx).to.changeTokenBalance(f.weth.token, f.attacker, preview.seized - preview.protocolFee);
    const h = await f.pool.accountHealth(f.b2.address, 0);
    expect(h.healthFactor).to.be.gte(E18); // restored, not pushed further down
  });
});

describe("attacks: rounding abuse with 1-wei operations repeated", () => {
  /** The fixture with the USDC share prices moved off 1:1e6 by a year of interest, then the rate frozen at 0 %. */
  async function roundingFixture() {
    const f = await attackFixture();
    await ethers.provider.send("evm_increaseTime", [365 * 86_400]);
    await f.usdc.feed.setAnswer(toFeedAnswer(1));
    await f.weth.feed.setAnswer(toFeedAnswer(1850));
    await f.pool.setRateModel(f.usdc.address, 0, 0, 0, 8000); // accrues the year, then no more interest
    await f.attacker.run(
      [
        call(f.usdc.token, f.usdc.address, "approve", [f.poolAddress, ethers.MaxUint256]),
        call(f.weth.token, f.weth.address, "approve", [f.poolAddress, ethers.MaxUint256]),
      ],
      [],
      false,
    );
    return f;
  }
  // 200 rounds of each operation; 20 under solidity-coverage, whose opcode tracing makes 1,000 calls take minutes
  // (the same code paths are exercised either way).
  const ROUNDS = (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING ? 20 : 200;
  const BATCH = Math.min(50, ROUNDS);

  async function batched(f: Fx, make: () => Call) {
    for (let done = 0; done < ROUNDS; done += BATCH) {
      await f.attacker.run(Array.from({ length: BATCH }, make), [], false);
    }
  }

  it("supply side: 200 × supply 1 wei, 200 × withdraw 1 wei, 200 × mint 1 share — then exit: no wei gained, lenders not diluted", async () => {
    const f = await loadFixture(roundingFixture);
    const P = f.poolAddress;
    const A = f.attackerAddress;
    const m0 = await f.pool.market(f.usdc.address);
    expect(m0.totalSupplyShares * 1n).to.not.equal(m0.totalSupplyAssets * 10n ** 6n); // price is off 1:1e6
    const lenderBefore = await f.pool.supplyBalance(f.usdc.address, f.lender.address);
    const start = await f.usdc.token.balanceOf(A);
    // An honest deposit first, so that the 1-wei withdrawals have something to burn.
    await f.attacker.run([call(f.pool, P, "supply", [f.usdc.address, units(f.usdc, 100), 0, A])], [], false);
    await batched(f, () => call(f.pool, P, "supply", [f.usdc.address, 1n, 0n, A]));
    await batched(f, () => call(f.pool, P, "withdraw", [f.usdc.address, 1n, 0n, A, A]));
    await batched(f, () => call(f.pool, P, "supply", [f.usdc.address, 0n, 1n, A]));
    const shares = await f.pool.supplyShares(f.usdc.address, A);
    await f.attacker.run([call(f.pool, P, "withdraw", [f.usdc.address, 0n, shares, A, A])], [], false);
    const end = await f.usdc.token.balanceOf(A);
    expect(await f.pool.supplyShares(f.usdc.address, A)).to.equal(0n);
    // 3 × ROUNDS deposits/withdrawals of dust, a deposit and an exit: the attacker ends with at most what it started with ...
    expect(end).to.be.lte(start);
    // Exactly: the 200 one-share mints each paid 1 wei for a share worth less than 1 wei, which the exit rounds away.
    expect(end - start).to.equal(-BigInt(ROUNDS));
    console.log(
      `      rounding (supply side): attacker ${start} → ${end} USDC wei (Δ ${end - start}) over ${3 * ROUNDS + 2} ops`,
    );
    // ... and the lender's claim never fell.
    expect(await f.pool.supplyBalance(f.usdc.address, f.lender.address)).to.be.gte(lenderBefore);
  });

  it("borrow side: 200 × borrow 1 wei and 200 × repay 1 wei on a 100 USDC debt — paid back ≥ received", async () => {
    const f = await loadFixture(roundingFixture);
    const P = f.poolAddress;
    const A = f.attackerAddress;
    const startUsdc = await f.usdc.token.balanceOf(A);
    await f.attacker.run(
      [
        call(f.pool, P, "supplyCollateral", [f.weth.address, E18, A, 0]),
        call(f.pool, P, "borrow", [f.usdc.address, units(f.usdc, 100), A, 0, A]),
      ],
      [],
      false,
    );
    const sharesAfterBorrow = (await f.pool.accountOf(A, 0))[1];
    await batched(f, () => call(f.pool, P, "borrow", [f.usdc.address, 1n, A, 0, A]));
    const sharesAfterDust = (await f.pool.accountOf(A, 0))[1];
    // Each 1-wei borrow minted debt shares rounded up: at least a 1-wei debt each.
    expect(sharesAfterDust).to.be.gt(sharesAfterBorrow);
    await batched(f, () => call(f.pool, P, "repay", [f.usdc.address, 1n, A, 0]));
    await f.attacker.run(
      [
        call(f.pool, P, "repay", [f.usdc.address, ethers.MaxUint256, A, 0]),
        call(f.pool, P, "withdrawCollateral", [f.weth.address, ethers.MaxUint256, A, 0, A]),
      ],
      [],
      false,
    );
    const endUsdc = await f.usdc.token.balanceOf(A);
    console.log(
      `      rounding (borrow side): attacker ${startUsdc} → ${endUsdc} USDC wei (Δ ${endUsdc - startUsdc}) over ${2 * ROUNDS + 3} ops`,
    );
    expect(endUsdc).to.be.lte(startUsdc);
    expect(endUsdc - startUsdc).to.equal(-1n); // the final repay of all rounds the debt up by one wei
    expect(await f.weth.token.balanceOf(A)).to.equal(E18);
    const [debtAsset, shares] = await f.pool.accountOf(A, 0);
    expect([debtAsset, shares]).to.deep.equal([ethers.ZeroAddress, 0n]);
  });
});
