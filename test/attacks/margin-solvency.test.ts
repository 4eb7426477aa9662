// Issue #15, margin side (findings 5, 7, 8): exits that no pause can stop, the advertised leverage opening, a
// deleveraging partial decrease above the LTV, and operators scoped to sub-accounts. On the real local Uniswap V3 of
// test/helpers/margin.ts (no interest, so every amount is checked to the wei against the exact V3 model).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  deployMarginFixture,
  expectedMaxLeverage,
  v3ExactIn,
  v3ExactOut,
  poolState,
  FEE_TIER,
  WAD,
  type MarginFixture,
  sideOf,
  type Side,
} from "../helpers/margin";
import { movePoolPrice } from "../../lib/uniswap";
import { toFeedAnswer } from "../../lib/protocol";

const FAR = 2n ** 40n;
const USDC = 10n ** 6n;
const ALL_ONES = (1n << 96n) - 1n;

function params(f: MarginFixture, side: Side, margin: bigint, leverage: bigint) {
  const s = sideOf(f, side);
  return {
    base: f.weth.address,
    quote: f.usdc.address,
    isLong: s.isLong,
    margin,
    leverage,
    minOut: 0n,
    route: s.openRoute,
    deadline: FAR,
  };
}

/** Oracle and Uniswap pool both at `wethUsd` (the Uniswap pool moved by an arbitrageur). */
async function setPrice(f: MarginFixture, wethUsd: number) {
  await f.weth.feed.setAnswer(toFeedAnswer(wethUsd));
  await movePoolUni(f, wethUsd);
}

async function movePoolUni(f: MarginFixture, wethUsd: number) {
  await f.weth.token.mint(f.lp.address, 10_000n * WAD);
  await f.usdc.token.mint(f.lp.address, 20_000_000n * USDC);
  await movePoolPrice(f.uni, f.lp, f.weth.token, f.usdc.token, FEE_TIER, wethUsd, 18, 6);
}

/** Collateral and debt of position `id`'s sub-account. */
async function book(f: MarginFixture, id: bigint, side: Side) {
  const sub = await f.router.subIdOf(id);
  const s = sideOf(f, side);
  const coll = await f.pool.collateralOf(f.trader.address, sub, s.collateral.address);
  const debt = (await f.pool.accountOf(f.trader.address, sub))[2];
  return { sub, coll, debt };
}

/** Partial decrease of `fraction` within the LTV, checked to the wei against the V3 model. */
async function expectDecrease(f: MarginFixture, id: bigint, side: Side, fraction: bigint) {
  const s = sideOf(f, side);
  const { sub, coll, debt } = await book(f, id, side);
  const repay = (debt * fraction) / WAD;
  const take = (coll * fraction) / WAD;
  const sold = v3ExactOut(await poolState(f.uniPool), s.closeZeroForOne, repay, FEE_TIER).amountIn;
  const bal = await s.collateral.token.balanceOf(f.trader.address);
  await expect(f.router.connect(f.trader).decrease(id, fraction, take, s.closeRoute, FAR))
    .to.emit(f.router, "PositionDecreased")
    .withArgs(id, fraction, repay, sold, take - sold);
  expect((await s.collateral.token.balanceOf(f.trader.address)) - bal).to.equal(take - sold);
  expect(await f.pool.collateralOf(f.trader.address, sub, s.collateral.address)).to.equal(coll - take);
  expect((await f.pool.accountOf(f.trader.address, sub))[2]).to.equal(debt - repay);
}

/** Full close, checked to the wei against the V3 model; the sub-account ends empty. */
async function expectClose(f: MarginFixture, id: bigint, side: Side) {
  const s = sideOf(f, side);
  const { sub, coll, debt } = await book(f, id, side);
  const sold = v3ExactOut(await poolState(f.uniPool), s.closeZeroForOne, debt, FEE_TIER).amountIn;
  const bal = await s.collateral.token.balanceOf(f.trader.address);
  await expect(f.router.connect(f.trader).close(id, coll, s.closeRoute, FAR))
    .to.emit(f.router, "PositionClosed")
    .withArgs(id, debt, sold, coll - sold);
  expect((await s.collateral.token.balanceOf(f.trader.address)) - bal).to.equal(coll - sold);
  const [dAsset, , dLeft, cAssets] = await f.pool.accountOf(f.trader.address, sub);
  expect(dAsset).to.equal(ethers.ZeroAddress);
  expect(dLeft).to.equal(0n);
  expect(cAssets.length).to.equal(0);
  expect((await f.router.positionInfo(id)).open).to.equal(false);
}

async function routerHoldsNothing(f: MarginFixture) {
  for (const a of [f.weth, f.usdc]) expect(await a.token.balanceOf(f.routerAddress)).to.equal(0n);
}

describe("attacks: margin solvency (issue #15: findings 5, 7, 8)", () => {
  it("finding 5: close and decrease work while the debt asset's borrows and flash loans are paused", async () => {
    type Pause = { name: string; apply: (f: MarginFixture) => Promise<void>; openError: string };
    const assets = (f: MarginFixture) => [f.usdc, f.weth, f.wbtc];
    const pauses: Pause[] = [
      {
        name: "setPause(supply, borrow) on every asset",
        apply: async (f) => {
          for (const a of assets(f)) await f.pool.setPause(a.address, true, true);
        },
        openError: "BorrowPaused",
      },
      {
        name: "setFlashPause on every asset",
        apply: async (f) => {
          for (const a of assets(f)) await f.pool.setFlashPause(a.address, true);
        },
        openError: "FlashPaused",
      },
      {
        name: "setCircuitBreaker on every asset",
        apply: async (f) => {
          for (const a of assets(f)) await f.pool.setCircuitBreaker(a.address, true);
        },
        openError: "CircuitBreakerActive",
      },
      {
        name: "all of them at once",
        apply: async (f) => {
          for (const a of assets(f)) {
            await f.pool.setPause(a.address, true, true);
            await f.pool.setFlashPause(a.address, true);
            await f.pool.setCircuitBreaker(a.address, true);
          }
        },
        openError: "CircuitBreakerActive",
      },
    ];
    for (const pause of pauses) {
      const f = await loadFixture(deployMarginFixture);
      const { router, pool, trader } = f;
      await router.connect(trader).openPosition(params(f, "long", 10n * WAD, 3n * WAD));
      await router.connect(trader).openPosition(params(f, "short", 20_000n * USDC, 3n * WAD));
      await pause.apply(f);

      // the pause bites: no new position, and (flash pause) no flash loan of either asset
      const refused = router.connect(trader).openPosition(params(f, "long", 10n * WAD, 2n * WAD));
      if (pause.openError === "CircuitBreakerActive") {
        await expect(refused, pause.name).to.be.revertedWithCustomError(router, pause.openError);
      } else {
        await expect(refused, pause.name).to.be.revertedWithCustomError(pool, pause.openError);
      }
      if (
        pause.name !== "setPause(supply, borrow) on every asset" &&
        pause.name !== "setCircuitBreaker on every asset"
      ) {
        expect(await pool.maxFlashLoan(f.usdc.address), pause.name).to.equal(0n);
      }

      const sub1 = await router.subIdOf(1n);
      // addMargin and removeMargin (within the LTV)
      let c = await pool.collateralOf(trader.address, sub1, f.weth.address);
      await expect(router.connect(trader).addMargin(1n, WAD), pause.name)
        .to.emit(router, "MarginAdded")
        .withArgs(1n, WAD);
      expect(await pool.collateralOf(trader.address, sub1, f.weth.address)).to.equal(c + WAD);
      let bal = await f.weth.token.balanceOf(trader.address);
      await expect(router.connect(trader).removeMargin(1n, WAD), pause.name)
        .to.emit(router, "MarginRemoved")
        .withArgs(1n, WAD);
      expect((await f.weth.token.balanceOf(trader.address)) - bal).to.equal(WAD);
      // a plain repay and a collateral top-up straight on the pool
      await f.usdc.token.connect(trader).approve(f.poolAddress, ethers.MaxUint256);
      await f.weth.token.connect(trader).approve(f.poolAddress, ethers.MaxUint256);
      const d = (await pool.accountOf(trader.address, sub1))[2];
      await expect(pool.connect(trader).repay(f.usdc.address, 100n * USDC, trader.address, sub1), pause.name)
        .to.emit(pool, "Repay")
        .withArgs(f.usdc.address, trader.address, trader.address, sub1, 100n * USDC, anyValue);
      expect((await pool.accountOf(trader.address, sub1))[2]).to.equal(d - 100n * USDC);
      c = await pool.collateralOf(trader.address, sub1, f.weth.address);
      bal = await f.weth.token.balanceOf(trader.address);
      await pool.connect(trader).supplyCollateral(f.weth.address, WAD, trader.address, sub1);
      expect(await pool.collateralOf(trader.address, sub1, f.weth.address)).to.equal(c + WAD);
      expect(bal - (await f.weth.token.balanceOf(trader.address))).to.equal(WAD);

      // a partial decrease (30 %) and full closes of both sides, to the wei
      await expectDecrease(f, 1n, "long", 3n * 10n ** 17n);
      await expectDecrease(f, 2n, "short", 3n * 10n ** 17n);
      await expectClose(f, 1n, "long");
      await expectClose(f, 2n, "short");
      await routerHoldsNothing(f);
    }
  });

  describe("finding 7", () => {
    it("finding 7: opening at maxLeverage succeeds", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, pool, trader, uniPool } = f;
      for (const [side, id, margin] of [
        ["long", 1n, 10n * WAD],
        ["short", 2n, 20_000n * USDC],
      ] as const) {
        const s = sideOf(f, side);
        const max = await router.maxLeverage(s.collateral.address);
        const pC = await pool.price(s.collateral.address);
        const pD = await pool.price(s.debt.address);
        const notional = (margin * max) / WAD;
        const borrow = ((notional - margin) * pC) / pD;
        const fill = v3ExactIn(await poolState(uniPool), s.openZeroForOne, borrow, FEE_TIER);
        await expect(router.connect(trader).openPosition(params(f, side, margin, max)))
          .to.emit(router, "PositionOpened")
          .withArgs(
            id,
            trader.address,
            f.weth.address,
            f.usdc.address,
            s.isLong,
            margin,
            margin + fill.out,
            borrow,
            anyValue,
          );
        // WETH and USDC both LTV 80 %, deviation bound 1 %, no fee: (1 + 0.008) / (1 − 0.792) less 2 bps
        expect(max).to.equal(expectedMaxLeverage(8000n));
        expect(max).to.equal(4845184615384615383n);
        await expect(router.connect(trader).openPosition(params(f, side, margin, max + 10n ** 15n)))
          .to.be.revertedWithCustomError(router, "LeverageTooHigh")
          .withArgs(max + 10n ** 15n, max);
        const { sub, coll, debt } = await book(f, id, side);
        expect(coll).to.equal(margin + fill.out);
        expect(debt).to.equal(borrow);
        // the position's leverage, collateral value / equity, exactly as positionInfo reports it: the asked
        // leverage made a little higher by the swap's cost (0.3 % fee + impact on the bought part)
        const cValue = (coll * pC) / WAD;
        const dValue = (debt * pD + WAD - 1n) / WAD;
        const info = await router.positionInfo(id);
        expect(info.leverage).to.equal((cValue * WAD) / (cValue - dValue));
        expect(info.leverage).to.be.gt(max);
        expect(info.leverage).to.be.lt((max * 10_200n) / 10_000n);
        // and it is within its LTV after the open
        const h = await pool.accountHealth(trader.address, sub);
        expect(h.borrowingPower).to.be.gte(h.debtValue);
      }

      // With a 0.5 % fee and the Uniswap pool 0.4 % dear (the fill ≈ 0.8 % under the oracle, within the 1 % bound),
      // the lower maxLeverage still opens.
      await router.setFee(50, f.users[6].address);
      const max = await router.maxLeverage(f.weth.address);
      expect(max).to.equal(expectedMaxLeverage(8000n, 100n, 50n));
      await movePoolUni(f, 2008);
      await expect(router.connect(trader).openPosition(params(f, "long", 10n * WAD, max))).to.emit(
        router,
        "PositionOpened",
      );
      await routerHoldsNothing(f);
    });

    it("finding 7: a partial decrease above the LTV works and leaves the position healthier", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, pool, trader, uniPool } = f;
      const treasury = f.users[6].address;
      await router.connect(trader).openPosition(params(f, "long", 10n * WAD, 45n * 10n ** 17n));
      await router.connect(trader).openPosition(params(f, "short", 20_000n * USDC, 45n * 10n ** 17n));
      const frac = 3n * 10n ** 17n;

      // ---- the long, WETH down to 1,920: above the 80 % LTV, below the 82.5 % LT (health ≥ 1)
      await setPrice(f, 1920);
      let { sub, coll, debt } = await book(f, 1n, "long");
      let h0 = await pool.accountHealth(trader.address, sub);
      expect(h0.borrowingPower).to.be.lt(h0.debtValue);
      expect(h0.healthFactor).to.be.gte(WAD);
      let repay = (debt * frac) / WAD;
      let sold = v3ExactOut(await poolState(uniPool), sideOf(f, "long").closeZeroForOne, repay, FEE_TIER).amountIn;
      const size0 = (await router.positionInfo(1n)).size;
      let bal = await f.weth.token.balanceOf(trader.address);
      // the old router withdrew 30 % of the collateral here and the pool refused it (InsufficientCollateral)
      await expect(router.connect(trader).decrease(1n, frac, 100n * WAD, f.pathWU, FAR))
        .to.emit(router, "PositionDecreased")
        .withArgs(1n, frac, repay, sold, 0n);
      // only what the swap cost left the position; the trader got nothing back
      expect(await f.weth.token.balanceOf(trader.address)).to.equal(bal);
      expect(await pool.collateralOf(trader.address, sub, f.weth.address)).to.equal(coll - sold);
      expect((await pool.accountOf(trader.address, sub))[2]).to.equal(debt - repay);
      expect((await router.positionInfo(1n)).size).to.equal(size0 - (size0 * sold) / coll);
      let h1 = await pool.accountHealth(trader.address, sub);
      expect(h1.healthFactor).to.be.gt(h0.healthFactor);

      // ---- the short, with a 0.3 % closing fee, WETH up to 2,100: above the 80 % LTV, below the 85 % LT
      await router.setFee(30, treasury);
      await setPrice(f, 2100);
      ({ sub, coll, debt } = await book(f, 2n, "short"));
      h0 = await pool.accountHealth(trader.address, sub);
      expect(h0.borrowingPower).to.be.lt(h0.debtValue);
      expect(h0.healthFactor).to.be.gte(WAD);
      // a swap that would cost more than the oracle bound allows cannot drain it: with the Uniswap pool pushed 3 %
      // against the short, the swap needs more than the withdrawal cap (what a fill within 1 % of the oracle costs),
      // so Uniswap's max-in check refuses it (STF); the arbitrageur then brings the pool back
      await movePoolUni(f, 2163);
      await expect(router.connect(trader).decrease(2n, frac, 100_000n * USDC, f.pathUW, FAR)).to.be.revertedWith("STF");
      await movePoolUni(f, 2100);
      repay = (debt * frac) / WAD;
      sold = v3ExactOut(await poolState(uniPool), sideOf(f, "short").closeZeroForOne, repay, FEE_TIER).amountIn;
      const fee = (sold * 30n) / 10_000n; // of the collateral sold, paid from the unspent part
      bal = await f.usdc.token.balanceOf(trader.address);
      const t0 = await f.usdc.token.balanceOf(treasury);
      const shortSize = (await router.positionInfo(2n)).size;
      await expect(router.connect(trader).decrease(2n, frac, 100_000n * USDC, f.pathUW, FAR))
        .to.emit(router, "PositionDecreased")
        .withArgs(2n, frac, repay, sold, 0n)
        .and.to.emit(router, "FeePaid")
        .withArgs(2n, f.usdc.address, fee);
      expect(await f.usdc.token.balanceOf(trader.address)).to.equal(bal);
      expect((await f.usdc.token.balanceOf(treasury)) - t0).to.equal(fee);
      expect(await pool.collateralOf(trader.address, sub, f.usdc.address)).to.equal(coll - sold - fee);
      expect((await pool.accountOf(trader.address, sub))[2]).to.equal(debt - repay);
      expect((await router.positionInfo(2n)).size).to.equal(shortSize - (shortSize * frac) / WAD);
      h1 = await pool.accountHealth(trader.address, sub);
      expect(h1.healthFactor).to.be.gt(h0.healthFactor);
      await routerHoldsNothing(f);
    });
  });

  describe("finding 8", () => {
    it("finding 8: an operator scoped to sub-account 1 cannot touch sub-account 2", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { pool, trader, weth, usdc } = f;
      const op = f.users[7];
      await weth.token.connect(op).approve(f.poolAddress, ethers.MaxUint256);
      await weth.token.connect(trader).approve(f.poolAddress, ethers.MaxUint256);
      await usdc.token.connect(trader).approve(f.poolAddress, ethers.MaxUint256);
      // the trader also lends, and has collateral on sub-account 2
      await pool.connect(trader).supply(usdc.address, 1_000n * USDC, 0, trader.address);
      await pool.connect(trader).supplyCollateral(weth.address, 5n * WAD, trader.address, 2n);

      await expect(pool.connect(trader).setAuthorizationScope(op.address, 1n, ALL_ONES))
        .to.emit(pool, "SetAuthorizationScope")
        .withArgs(trader.address, op.address, 1n, ALL_ONES);
      expect(await pool.authorizationScope(trader.address, op.address)).to.deep.equal([1n, ALL_ONES]);
      expect(await pool.isAuthorized(trader.address, op.address)).to.equal(false);

      // sub-account 1: supply collateral (the operator pays), borrow and withdraw to the operator
      await pool.connect(op).supplyCollateral(weth.address, 10n * WAD, trader.address, 1n);
      expect(await pool.collateralOf(trader.address, 1n, weth.address)).to.equal(10n * WAD);
      const u0 = await usdc.token.balanceOf(op.address);
      await pool.connect(op).borrow(usdc.address, 5_000n * USDC, trader.address, 1n, op.address);
      expect((await usdc.token.balanceOf(op.address)) - u0).to.equal(5_000n * USDC);
      expect((await pool.accountOf(trader.address, 1n))[2]).to.equal(5_000n * USDC);
      const w0 = await weth.token.balanceOf(op.address);
      await pool.connect(op).withdrawCollateral(weth.address, WAD, trader.address, 1n, op.address);
      expect((await weth.token.balanceOf(op.address)) - w0).to.equal(WAD);
      expect(await pool.collateralOf(trader.address, 1n, weth.address)).to.equal(9n * WAD);

      // sub-account 2, sub-account 0 and the lender position: Unauthorized
      for (const sub of [2n, 0n, 3n]) {
        await expect(
          pool.connect(op).supplyCollateral(weth.address, WAD, trader.address, sub),
        ).to.be.revertedWithCustomError(pool, "Unauthorized");
        await expect(
          pool.connect(op).borrow(usdc.address, 1_000n * USDC, trader.address, sub, op.address),
        ).to.be.revertedWithCustomError(pool, "Unauthorized");
        await expect(
          pool.connect(op).withdrawCollateral(weth.address, WAD, trader.address, sub, op.address),
        ).to.be.revertedWithCustomError(pool, "Unauthorized");
      }
      await expect(
        pool.connect(op).withdraw(usdc.address, 1n * USDC, 0, trader.address, op.address),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      expect(await pool.collateralOf(trader.address, 2n, weth.address)).to.equal(5n * WAD);
      // a prefix outside its mask is refused
      await expect(pool.connect(trader).setAuthorizationScope(op.address, 3n, 1n)).to.be.revertedWithCustomError(
        pool,
        "InvalidScope",
      );

      // revoke: sub-account 1 is closed to it too
      await expect(pool.connect(trader).setAuthorizationScope(op.address, 0n, 0n))
        .to.emit(pool, "SetAuthorizationScope")
        .withArgs(trader.address, op.address, 0n, 0n);
      await expect(
        pool.connect(op).supplyCollateral(weth.address, WAD, trader.address, 1n),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      await expect(
        pool.connect(op).withdrawCollateral(weth.address, WAD, trader.address, 1n, op.address),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      // the owner itself still can
      await pool.connect(trader).withdrawCollateral(weth.address, WAD, trader.address, 1n, trader.address);
    });

    it("the router works with only its scope", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, pool, trader } = f;
      const [prefix, mask] = await router.authorizationScope();
      expect(prefix).to.equal(await router.SUB_PREFIX());
      expect(mask).to.equal(ALL_ONES ^ ((1n << 64n) - 1n)); // the high 32 bits: flag + router address bits
      // every position sub-account is inside the scope, the trader's ordinary ones are not
      expect((await router.subIdOf(1n)) & mask).to.equal(prefix);
      expect((await router.subIdOf(123_456n)) & mask).to.equal(prefix);
      expect(0n & mask).to.not.equal(prefix);

      await pool.connect(trader).setAuthorization(f.routerAddress, false);
      await pool.connect(trader).setAuthorizationScope(f.routerAddress, prefix, mask);
      await expect(router.connect(trader).openPosition(params(f, "long", 10n * WAD, 3n * WAD))).to.emit(
        router,
        "PositionOpened",
      );
      await expect(router.connect(trader).openPosition(params(f, "short", 20_000n * USDC, 3n * WAD))).to.emit(
        router,
        "PositionOpened",
      );
      await expect(router.connect(trader).increase(1n, params(f, "long", 5n * WAD, 2n * WAD))).to.emit(
        router,
        "PositionIncreased",
      );
      await expect(router.connect(trader).addMargin(1n, WAD)).to.emit(router, "MarginAdded").withArgs(1n, WAD);
      await expect(router.connect(trader).removeMargin(1n, WAD)).to.emit(router, "MarginRemoved").withArgs(1n, WAD);
      await expectDecrease(f, 1n, "long", 3n * 10n ** 17n);
      await expectClose(f, 1n, "long");
      await expectClose(f, 2n, "short");
      await routerHoldsNothing(f);

      // the scope is this router's: a second router (other prefix) is refused by the pool
      const router2 = await (
        await ethers.getContractFactory("MarginRouter", f.admin)
      ).deploy(f.poolAddress, await f.adapter.getAddress(), f.admin.address);
      await f.weth.token.connect(trader).approve(await router2.getAddress(), ethers.MaxUint256);
      await pool.connect(trader).setAuthorizationScope(await router2.getAddress(), prefix, mask);
      await expect(
        router2.connect(trader).openPosition(params(f, "long", 10n * WAD, 3n * WAD)),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      // and without any authorization the router cannot open
      await pool.connect(trader).setAuthorizationScope(f.routerAddress, 0n, 0n);
      await expect(
        router.connect(trader).openPosition(params(f, "long", 10n * WAD, 3n * WAD)),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
    });
  });
});
