// FulcraLens: one view call, pinned to one block, that reports health, debt, collateral values and the best
// liquidation of a list of accounts. Every field is compared with the pool's own views read in the same block; a
// 500-account batch must fit one eth_call on the local network; accounts whose feeds are unusable come back ok=false.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units, type PoolFixture } from "../helpers/fixtures";
import { deployAndListTestAsset, DEMO_ASSETS, MAX_UINT128, toFeedAnswer, type ListedAsset } from "../../lib/protocol";
import { WAD, mulDivDown, mulDivUp } from "../helpers/liquidation";
import type { FulcraLens, MockAccountBatch } from "../../typechain-types";

const MAX_UINT = ethers.MaxUint256;
const N = 500;
const BATCH = 100;

type Snapshot = Awaited<ReturnType<FulcraLens["snapshot"]>>[2][number];

interface LensFixture extends PoolFixture {
  lens: FulcraLens;
  batch: MockAccountBatch;
  batchAddress: string;
  brk: ListedAsset; // a collateral whose feed the tests break
  owners: string[];
  subIds: bigint[];
}

/**
 * 500 sub-accounts of one batch contract, each with 1 WETH of collateral and a USDC debt rising from 1,400 to
 * ≈ 1,599.6 (0.4 USDC apart); sub-accounts 0–9 also hold 0.001 WBTC, sub-accounts 10–14 also hold 100 BRK (a fourth
 * asset, $1 each, whose feed tests can break). Plus: a user with collateral and no debt, and a user with nothing.
 */
async function lensFixture(): Promise<LensFixture> {
  const f = await deployPoolFixture();
  const [lender] = f.users;
  await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 1_000_000), 0, lender.address);
  const brk = await deployAndListTestAsset(f.pool, f.admin, {
    ...DEMO_ASSETS[0],
    symbol: "BRK",
    decimals: 18,
    borrowable: false,
    collateralCap: MAX_UINT128,
  });
  const batch = (await (
    await ethers.getContractFactory("MockAccountBatch")
  ).deploy(f.poolAddress)) as unknown as MockAccountBatch;
  const batchAddress = await batch.getAddress();
  await f.weth.token.mint(batchAddress, units(f.weth, N));
  await f.wbtc.token.mint(batchAddress, units(f.wbtc, 1));
  await brk.token.mint(batchAddress, units(brk, 10_000));
  for (let first = 0; first < N; first += BATCH) {
    const base = units(f.usdc, 1_400) + BigInt(first) * units(f.usdc, "0.4");
    await batch.open(f.weth.address, units(f.weth, 1), f.usdc.address, base, units(f.usdc, "0.4"), first, BATCH);
  }
  await batch.open(f.wbtc.address, units(f.wbtc, "0.001"), ethers.ZeroAddress, 0, 0, 0, 10);
  await batch.open(brk.address, units(brk, 100), ethers.ZeroAddress, 0, 0, 10, 5);
  const [, , , , holder] = f.users;
  await f.pool.connect(holder).supplyCollateral(f.weth.address, units(f.weth, 1), holder.address, 0);
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  const owners = Array.from({ length: N }, () => batchAddress);
  const subIds = Array.from({ length: N }, (_, i) => BigInt(i));
  return { ...f, lens, batch, batchAddress, brk, owners, subIds };
}

/** The snapshot the lens should return for one account, rebuilt from the pool's own views at `blockTag`. */
async function expectedSnapshot(f: LensFixture, owner: string, subId: bigint, blockTag: number) {
  const h = await f.pool.accountHealth(owner, subId, { blockTag });
  const [debtAsset, , debt, collaterals] = await f.pool.accountOf(owner, subId, { blockTag });
  const e = {
    ok: true,
    healthFactor: h.healthFactor,
    debtAsset: h.debtValue === 0n ? ethers.ZeroAddress : debtAsset,
    debt: h.debtValue === 0n ? 0n : debt,
    debtValue: h.debtValue,
    collateralValue: h.collateralValue,
    liquidationValue: h.liquidationValue,
    liquidatable: false,
    bestCollateral: ethers.ZeroAddress,
    maxRepay: 0n,
    seized: 0n,
    bonusBps: 0n,
    bonusValue: 0n,
  };
  if (h.healthFactor >= WAD) return e;
  const debtPrice = await f.pool.price(debtAsset, { blockTag });
  for (const c of collaterals) {
    const p = await f.pool.previewLiquidation(owner, subId, c, { blockTag });
    if (!p.liquidatable) continue;
    const received = p.seized - p.protocolFee;
    const got = mulDivDown(received, await f.pool.price(c, { blockTag }), WAD);
    const paid = mulDivUp(p.maxRepay, debtPrice, WAD);
    const bonusValue = got > paid ? got - paid : 0n;
    if (!e.liquidatable || bonusValue > e.bonusValue) {
      Object.assign(e, {
        liquidatable: true,
        bestCollateral: c,
        maxRepay: p.maxRepay,
        seized: received,
        bonusBps: p.bonusBps,
        bonusValue,
      });
    }
  }
  return e;
}

function fieldsOf(s: Snapshot) {
  return {
    ok: s.ok,
    healthFactor: s.healthFactor,
    debtAsset: s.debtAsset,
    debt: s.debt,
    debtValue: s.debtValue,
    collateralValue: s.collateralValue,
    liquidationValue: s.liquidationValue,
    liquidatable: s.liquidatable,
    bestCollateral: s.bestCollateral,
    maxRepay: s.maxRepay,
    seized: s.seized,
    bonusBps: s.bonusBps,
    bonusValue: s.bonusValue,
  };
}

describe("FulcraLens", () => {
  it("every field equals the pool's own views in the same block (healthy, liquidatable, multi-collateral, empty)", async () => {
    const f = await loadFixture(lensFixture);
    await f.weth.feed.setAnswer(toFeedAnswer("1900")); // LT value 1,567.5: sub-accounts above ≈ 419 are liquidatable
    await time.increase(3600); // a little interest
    await f.usdc.feed.setAnswer(toFeedAnswer("1"));
    await f.wbtc.feed.setAnswer(toFeedAnswer("60000"));
    await f.brk.feed.setAnswer(toFeedAnswer("1"));
    await f.weth.feed.setAnswer(toFeedAnswer("1900"));
    const [, , , , holder, nobody] = f.users;
    const picks = [0n, 5n, 9n, 12n, 418n, 419n, 420n, 450n, 499n];
    const owners = [...picks.map(() => f.batchAddress), holder.address, nobody.address];
    const subIds = [...picks, 0n, 0n];
    const blockTag = await ethers.provider.getBlockNumber();
    const [blockNumber, timestamp, out] = await f.lens.snapshot(owners, subIds, { blockTag });
    expect(blockNumber).to.equal(BigInt(blockTag));
    expect(timestamp).to.equal(BigInt((await ethers.provider.getBlock(blockTag))!.timestamp));
    expect(out.length).to.equal(owners.length);
    let liquidatable = 0;
    for (let i = 0; i < owners.length; i++) {
      expect(out[i].owner).to.equal(owners[i]);
      expect(out[i].subId).to.equal(subIds[i]);
      const e = await expectedSnapshot(f, owners[i], subIds[i], blockTag);
      expect(fieldsOf(out[i]), `account ${i}`).to.deep.equal(e);
      if (e.liquidatable) liquidatable++;
    }
    // 450 and 499 are liquidatable; 0–418 (and the WBTC / BRK holders) are not; no-debt and empty accounts have max health.
    expect(out.map((s) => s.liquidatable)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(liquidatable).to.equal(4);
    expect(out[9].healthFactor).to.equal(MAX_UINT);
    expect(out[9].collateralValue).to.equal(units(f.weth, 1900)); // 1 WETH at $1,900 (18-dec USD)
    expect(out[10].healthFactor).to.equal(MAX_UINT);
    expect(out[10].collateralValue).to.equal(0n);
    // A liquidatable account's best collateral is its only one, and its bonus value is positive.
    expect(out[8].bestCollateral).to.equal(f.weth.address);
    expect(out[8].bonusValue).to.be.gt(0n);
  });

  it("picks the collateral that pays the liquidator most among several", async () => {
    const f = await loadFixture(lensFixture);
    // Sub-accounts 0–9 hold WETH and WBTC; WETH at 1,600 makes 9 (1,403.6 USDC of debt) liquidatable (health ≈ 0.97).
    await f.weth.feed.setAnswer(toFeedAnswer("1600"));
    const blockTag = await ethers.provider.getBlockNumber();
    const [, , [s]] = await f.lens.snapshot([f.batchAddress], [9n], { blockTag });
    expect(s.liquidatable).to.equal(true);
    const bonusOf = async (c: string) => {
      const p = await f.pool.previewLiquidation(f.batchAddress, 9n, c, { blockTag });
      const got = mulDivDown(p.seized - p.protocolFee, await f.pool.price(c, { blockTag }), WAD);
      return got - mulDivUp(p.maxRepay, await f.pool.price(f.usdc.address, { blockTag }), WAD);
    };
    const [bWeth, bWbtc] = [await bonusOf(f.weth.address), await bonusOf(f.wbtc.address)];
    expect(bWeth).to.not.equal(bWbtc);
    expect(s.bestCollateral).to.equal(bWeth > bWbtc ? f.weth.address : f.wbtc.address);
    expect(s.bonusValue).to.equal(bWeth > bWbtc ? bWeth : bWbtc);
  });

  it("what the lens predicts is exactly what liquidate does in that block", async () => {
    const f = await loadFixture(lensFixture);
    const [, , liquidator] = f.users;
    await f.weth.feed.setAnswer(toFeedAnswer("1800"));
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    const [, , [s]] = await f.lens.snapshot([f.batchAddress], [300n], { blockTag: "pending" });
    expect(s.liquidatable).to.equal(true);
    const tx = f.pool
      .connect(liquidator)
      .liquidate(f.batchAddress, 300n, s.bestCollateral, s.maxRepay, s.seized, liquidator.address, "0x");
    await expect(tx).to.changeTokenBalances(f.weth.token, [liquidator], [s.seized]);
    await expect(tx).to.changeTokenBalances(f.usdc.token, [liquidator], [-s.maxRepay]);
  });

  it(`handles ${N} accounts in ONE eth_call (a sixth of them liquidatable, then all of them)`, async () => {
    const f = await loadFixture(lensFixture);
    const blockGasLimit = (await ethers.provider.getBlock("latest"))!.gasLimit;
    console.log(`      block gas limit ${blockGasLimit.toLocaleString("en-US")}`);
    for (const [price, minLiquidatable] of [
      ["1900", 80],
      ["1500", 500],
    ] as const) {
      await f.weth.feed.setAnswer(toFeedAnswer(price));
      const t0 = Date.now();
      const [, , out] = await f.lens.snapshot(f.owners, f.subIds);
      const ms = Date.now() - t0;
      const gas = await f.lens.snapshot.estimateGas(f.owners, f.subIds);
      const n = out.filter((s) => s.liquidatable).length;
      console.log(
        `      lens.snapshot(${N}) WETH $${price}: ${n} liquidatable, ${gas.toLocaleString("en-US")} gas, ${ms} ms`,
      );
      expect(out.length).to.equal(N);
      expect(out.every((s) => s.ok)).to.equal(true);
      expect(n).to.be.gte(minLiquidatable);
      expect(gas).to.be.lt(blockGasLimit); // fits the local network's eth_call gas cap (its block gas limit)
      const t1 = Date.now();
      const [, liq] = await f.lens.liquidatable(f.owners, f.subIds);
      console.log(`      lens.liquidatable(${N}): ${liq.length} returned, ${Date.now() - t1} ms`);
      expect(liq.map((s) => s.subId)).to.deep.equal(out.filter((s) => s.liquidatable).map((s) => s.subId));
    }
  });

  it("a collateral with an unusable feed counts as zero (ok, as the pool's health); the rest of the batch is unaffected", async () => {
    const f = await loadFixture(lensFixture);
    await f.weth.feed.setAnswer(toFeedAnswer("1900"));
    const owners = f.owners.slice(0, 20).concat(f.owners[450]);
    const subIds = f.subIds.slice(0, 20).concat(f.subIds[450]);
    const before = (await f.lens.snapshot(owners, subIds))[2];
    expect(before.every((s) => s.ok)).to.equal(true);

    // BRK's feed goes stale (updated two days ago, heartbeat one day): sub-accounts 10–14 hold BRK.
    await f.brk.feed.setAnswerAt(toFeedAnswer("1"), (await time.latest()) - 2 * 24 * 3600);
    // The liquidation rule: the stale BRK counts as zero in the pool's health (issue #15, finding 2).
    expect((await f.pool.accountHealth(f.batchAddress, 10n)).collateralValue).to.be.lt(
      (await f.pool.accountHealth(f.batchAddress, 0n)).collateralValue,
    );
    const blockTag = await ethers.provider.getBlockNumber();
    const [, , out] = await f.lens.snapshot(owners, subIds, { blockTag });
    for (let i = 0; i < out.length; i++) {
      const broken = i >= 10 && i < 15;
      expect(out[i].ok, `sub-account ${subIds[i]}`).to.equal(true);
      if (broken) {
        const h = await f.pool.accountHealth(owners[i], subIds[i], { blockTag });
        expect([out[i].healthFactor, out[i].collateralValue, out[i].debtValue]).to.deep.equal([
          h.healthFactor,
          h.collateralValue,
          h.debtValue,
        ]);
        // Never the broken BRK as the collateral to seize.
        if (out[i].liquidatable) expect(out[i].bestCollateral).to.not.equal(await f.brk.token.getAddress());
        expect(out[i].owner).to.equal(f.batchAddress);
        expect(out[i].subId).to.equal(subIds[i]);
      } else {
        expect(fieldsOf(out[i])).to.deep.equal(await expectedSnapshot(f, owners[i], subIds[i], blockTag));
      }
    }
    expect(out[20].liquidatable).to.equal(true);
    // An incomplete round on WETH (every account's collateral): WETH counts as zero and cannot be seized; no revert.
    const now = await time.latest();
    await f.weth.feed.setRawRound(100n, toFeedAnswer("1900"), now, now, 99n);
    const h450 = await f.pool.accountHealth(f.batchAddress, 450n);
    expect((await f.lens.snapshot([f.batchAddress], [450n]))[2][0].collateralValue).to.equal(h450.collateralValue);
    const [, , all] = await f.lens.snapshot(owners, subIds);
    expect(all.every((s) => s.ok && s.bestCollateral !== f.weth.address)).to.equal(true);
  });

  it("reverts LengthMismatch when the owner and sub-id lists differ in length", async () => {
    const f = await loadFixture(lensFixture);
    await expect(f.lens.snapshot([f.batchAddress], [0n, 1n])).to.be.revertedWithCustomError(f.lens, "LengthMismatch");
    await expect(f.lens.liquidatable([f.batchAddress, f.batchAddress], [0n])).to.be.revertedWithCustomError(
      f.lens,
      "LengthMismatch",
    );
  });
});
