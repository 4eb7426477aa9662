// MarginRouter on a real local Uniswap V3 (WETH/USDC 0.3 %, full-range liquidity, so every swap stays in one range
// and the exact TypeScript V3 model in test/helpers/margin.ts applies). Fills, debts, returned funds and PnL are
// checked against that model to the wei (tolerance: 0 — and each fill also equals the QuoterV2's quote); the
// frictionless PnL is checked within 1 % (fees 0.3 % per swap plus price impact).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  deployMarginFixture,
  v3ExactIn,
  v3ExactOut,
  poolState,
  FEE_TIER,
  WAD,
  expectedMaxLeverage,
  type MarginFixture,
  sideOf,
  type Side,
} from "../helpers/margin";
import {
  movePoolPrice,
  getPoolPrice,
  createPoolAtPrice,
  addFullRangeLiquidity,
  quoteExactInput,
  quoteExactOutput,
  encodePath,
} from "../../lib/uniswap";
import { toFeedAnswer } from "../../lib/protocol";

const FAR = 2n ** 40n;
const USDC = 10n ** 6n;

async function setPrice(f: MarginFixture, wethUsd: number) {
  await f.weth.feed.setAnswer(toFeedAnswer(wethUsd));
  await weth2usdcPool(f, wethUsd);
}

async function weth2usdcPool(f: MarginFixture, wethUsd: number) {
  // an arbitrageur (the LP account, topped up with both tokens) aligns the pool with the oracle
  await f.weth.token.mint(f.lp.address, 10_000n * WAD);
  await f.usdc.token.mint(f.lp.address, 20_000_000n * USDC);
  await movePoolPrice(f.uni, f.lp, f.weth.token, f.usdc.token, FEE_TIER, wethUsd, 18, 6);
  expect(await getPoolPrice(f.uni, f.weth.token, f.usdc.token, FEE_TIER, 18, 6)).to.be.closeTo(wethUsd, wethUsd * 1e-6);
}

/** The router's borrow for an open: (margin·(L − 1)) converted at oracle prices, as MarginRouter._increase. */
async function expectedBorrow(f: MarginFixture, side: Side, margin: bigint, leverage: bigint) {
  const s = sideOf(f, side);
  const pC = await f.pool.price(s.collateral.address);
  const pD = await f.pool.price(s.debt.address);
  const notional = (margin * leverage) / WAD;
  return { borrow: ((notional - margin) * pC) / pD, notional, pC, pD };
}

async function openParams(
  f: MarginFixture,
  side: Side,
  margin: bigint,
  leverage: bigint,
  over: Partial<Record<string, unknown>> = {},
) {
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
    ...over,
  };
}

describe("margin: MarginRouter on Uniswap V3", () => {
  for (const side of ["long", "short"] as const) {
    it(`3x ${side}: open, mark, increase, partial close, close — fills and returns equal the exact V3 model`, async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, pool, trader, uniPool, uni } = f;
      const s = sideOf(f, side);
      const unit = 10n ** BigInt(s.collateral.spec.decimals);
      const margin = side === "long" ? 10n * WAD : 20_000n * USDC;
      const lev = 3n * WAD;
      const sub = await f.router.subIdOf(1n);
      const startBal = await s.collateral.token.balanceOf(trader.address);

      // ---- open
      const { borrow, pC } = await expectedBorrow(f, side, margin, lev);
      const st0 = await poolState(uniPool);
      const fill = v3ExactIn(st0, s.openZeroForOne, borrow, FEE_TIER);
      expect(await quoteExactInput(uni, s.openRoute, borrow)).to.equal(fill.out); // the QuoterV2 agrees with the model
      await expect(router.connect(trader).openPosition(await openParams(f, side, margin, lev)))
        .to.emit(router, "PairRegistered")
        .withArgs(1n, f.weth.address, f.usdc.address)
        .and.to.emit(router, "PositionOpened")
        .withArgs(
          1n,
          trader.address,
          f.weth.address,
          f.usdc.address,
          s.isLong,
          margin,
          margin + fill.out,
          borrow,
          anyValue,
        );
      expect(await pool.collateralOf(trader.address, sub, s.collateral.address)).to.equal(margin + fill.out);
      let [debtAsset, , debt] = await pool.accountOf(trader.address, sub);
      expect(debtAsset).to.equal(s.debt.address);
      expect(debt).to.equal(borrow);
      expect((await uniPool.slot0())[0]).to.equal(fill.sqrtP); // the pool moved exactly as modelled
      expect(await s.collateral.token.balanceOf(trader.address)).to.equal(startBal - margin);

      // size and entry price (quote per base, WAD) as the model computes them
      let size: bigint;
      let entry: bigint;
      if (side === "long") {
        size = margin + fill.out;
        // the margin counts at the oracle price, in whole quote units (WAD)
        const marginQuote = (((margin * pC) / WAD) * WAD * WAD) / ((await pool.price(f.usdc.address)) * USDC);
        const quoteValue = marginQuote + (borrow * WAD) / USDC;
        entry = (quoteValue * WAD) / size; // size in WETH wei = whole·1e18
      } else {
        size = borrow;
        entry = (((fill.out * WAD) / USDC) * WAD) / borrow;
      }
      let v = await router.positionInfo(1n);
      expect(v.size).to.equal(size);
      expect(v.entryPrice).to.equal(entry);
      expect(v.markPrice).to.equal(2000n * WAD);
      // the entry price is the oracle price made worse by the 0.3 % fee and the impact (≈ 0.1 %)
      const entryNum = Number(entry) / 1e18;
      // (long: the margin counts at the oracle, the bought 2/3 at the fill)
      if (side === "long") expect(entryNum).to.be.within(2000 * 1.002, 2000 * 1.004);
      else expect(entryNum).to.be.within(2000 * 0.994, 2000 * 0.997);
      expect(v.leverage).to.be.closeTo(lev, lev / 50n); // 3x less the swap's ~0.5 % cost
      expect(await router.positionsOf(trader.address)).to.deep.equal([1n]);

      // ---- mark to a new price: +10 % for the long, −10 % for the short (both gain)
      const newPrice = side === "long" ? 2200 : 1800;
      await setPrice(f, newPrice);
      v = await router.positionInfo(1n);
      expect(v.markPrice).to.equal(BigInt(newPrice) * WAD);
      const move = side === "long" ? BigInt(newPrice) * WAD - entry : entry - BigInt(newPrice) * WAD;
      // USDC at 1 USD: PnL in quote = PnL in USD (18 decimals); the size is in base units (WETH: 18 decimals)
      expect(v.unrealizedPnlValue).to.equal((size * move) / WAD);
      // ≈ size × 10 % of the price, less the entry cost
      expect(Number(v.unrealizedPnlValue) / 1e18).to.be.closeTo(
        (Number(size) / 1e18) * 200,
        (Number(size) / 1e18) * 200 * 0.08,
      );
      const collAmt = await pool.collateralOf(trader.address, sub, s.collateral.address);
      const lt = BigInt(s.collateral.spec.ltBps);
      const cValue = (collAmt * (await pool.price(s.collateral.address))) / WAD;
      const dValue = (borrow * (await pool.price(s.debt.address)) + WAD - 1n) / WAD;
      const hf = (((cValue * lt) / 10_000n) * WAD) / dValue;
      expect(v.healthFactor).to.equal(hf);
      expect(v.equityValue).to.equal(cValue - dValue);
      // at the liquidation price the health factor is 1
      const liq = Number(v.liquidationPrice) / 1e18;
      expect(liq).to.be.closeTo(
        side === "long" ? newPrice / (Number(hf) / 1e18) : newPrice * (Number(hf) / 1e18),
        1e-6,
      );

      // ---- increase: 50 % more margin at 2x
      const margin2 = margin / 2n;
      const e2 = await expectedBorrow(f, side, margin2, 2n * WAD);
      const fill2 = v3ExactIn(await poolState(uniPool), s.openZeroForOne, e2.borrow, FEE_TIER);
      await expect(router.connect(trader).increase(1n, await openParams(f, side, margin2, 2n * WAD)))
        .to.emit(router, "PositionIncreased")
        .withArgs(1n, margin2, margin2 + fill2.out, e2.borrow);
      let coll = margin + fill.out + margin2 + fill2.out;
      debt = borrow + e2.borrow;
      expect(await pool.collateralOf(trader.address, sub, s.collateral.address)).to.equal(coll);
      expect((await pool.accountOf(trader.address, sub))[2]).to.equal(debt);
      const added = side === "long" ? margin2 + fill2.out : e2.borrow;
      expect((await router.positionInfo(1n)).size).to.equal(size + added);
      size += added;

      // ---- partial close: 40 %
      const frac = 4n * 10n ** 17n;
      const repay1 = (debt * frac) / WAD;
      const take1 = (coll * frac) / WAD;
      const sold1 = v3ExactOut(await poolState(uniPool), s.closeZeroForOne, repay1, FEE_TIER).amountIn;
      expect(await quoteExactOutput(uni, s.isLong ? f.pathUW : f.pathWU, repay1)).to.equal(sold1);
      const bal1 = await s.collateral.token.balanceOf(trader.address);
      await expect(router.connect(trader).decrease(1n, frac, take1, s.closeRoute, FAR))
        .to.emit(router, "PositionDecreased")
        .withArgs(1n, frac, repay1, sold1, take1 - sold1);
      expect((await s.collateral.token.balanceOf(trader.address)) - bal1).to.equal(take1 - sold1);
      coll -= take1;
      debt -= repay1;
      expect(await pool.collateralOf(trader.address, sub, s.collateral.address)).to.equal(coll);
      expect((await pool.accountOf(trader.address, sub))[2]).to.equal(debt);
      expect((await router.positionInfo(1n)).size).to.equal(size - (size * frac) / WAD);

      // ---- close the rest
      const sold2 = v3ExactOut(await poolState(uniPool), s.closeZeroForOne, debt, FEE_TIER).amountIn;
      const bal2 = await s.collateral.token.balanceOf(trader.address);
      await expect(router.connect(trader).close(1n, coll, s.closeRoute, FAR))
        .to.emit(router, "PositionClosed")
        .withArgs(1n, debt, sold2, coll - sold2);
      expect((await s.collateral.token.balanceOf(trader.address)) - bal2).to.equal(coll - sold2);
      const [dAsset, , dLeft, cAssets] = await pool.accountOf(trader.address, sub);
      expect(dAsset).to.equal(ethers.ZeroAddress);
      expect(dLeft).to.equal(0n);
      expect(cAssets.length).to.equal(0);
      expect((await router.positionInfo(1n)).open).to.equal(false);
      expect(await s.collateral.token.balanceOf(f.routerAddress)).to.equal(0n);
      expect(await s.debt.token.balanceOf(f.routerAddress)).to.equal(0n);

      // ---- realized PnL: exactly the model's, and within 1 % of the frictionless one (fees + impact)
      const endBal = await s.collateral.token.balanceOf(trader.address);
      const pnl = endBal - startBal; // collateral-asset units
      const modelPnl = take1 - sold1 + (coll - sold2) - margin - margin2;
      expect(pnl).to.equal(modelPnl);
      // frictionless: equity at the new price (all trades at the oracle; the increase was at the new price) minus
      // margins, in collateral units
      const p0 = 2000;
      const p1 = newPrice;
      const m1 = Number(margin) / Number(unit);
      const m2 = Number(margin2) / Number(unit);
      let ideal: number;
      if (side === "long") {
        const wethHeld = 3 * m1 + 2 * m2; // WETH
        const usdDebt = 2 * m1 * p0 + 1 * m2 * p1;
        ideal = (wethHeld * p1 - usdDebt) / p1 - (m1 + m2);
      } else {
        const usdHeld = 3 * m1 + 2 * m2;
        const wethDebt = (2 * m1) / p0 + m2 / p1;
        ideal = usdHeld - wethDebt * p1 - (m1 + m2);
      }
      const real = Number(pnl) / Number(unit);
      // friction always costs, and at most 0.5 % of the volume swapped (0.3 % fee + impact on a deep pool); the
      // volume is each borrow sold at open/increase and bought back at close, in collateral units
      const volume = 2 * (2 * m1 + m2);
      expect(real).to.be.lt(ideal);
      expect(ideal - real).to.be.lt(volume * 0.005);
      expect(ideal - real).to.be.gt(volume * 0.003); // the fee alone
    });
  }

  describe("guards", () => {
    it("slippage: min-out on open and max-in on close revert inside Uniswap", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { borrow } = await expectedBorrow(f, "long", 10n * WAD, 3n * WAD);
      const out = await quoteExactInput(f.uni, f.pathUW, borrow);
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { minOut: out + 1n })),
      ).to.be.revertedWith("Too little received");
      await f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { minOut: out }));
      const debt = (await f.pool.accountOf(f.trader.address, await f.router.subIdOf(1n)))[2];
      const need = await quoteExactOutput(f.uni, f.pathUW, debt);
      // SwapRouter.exactOutput pays the pool before it checks its max-in, so the limit shows as a failed pull (STF)
      await expect(f.router.connect(f.trader).close(1n, need - 1n, f.pathWU, FAR)).to.be.revertedWith("STF");
      await expect(f.router.connect(f.trader).close(1n, need, f.pathWU, FAR)).to.emit(f.router, "PositionClosed");
    });

    it("deadline: an expired open or close reverts with Expired", async () => {
      const f = await loadFixture(deployMarginFixture);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { deadline: now })),
      ).to.be.revertedWithCustomError(f.router, "Expired");
      await f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD));
      await expect(f.router.connect(f.trader).close(1n, 100n * WAD, f.pathWU, now)).to.be.revertedWithCustomError(
        f.router,
        "Expired",
      );
    });

    it("a pool pushed away from the oracle makes the trade revert (PriceDeviation), whichever side", async () => {
      const f = await loadFixture(deployMarginFixture);
      await weth2usdcPool(f, 2060); // WETH 3 % dear on Uniswap: buying it (long) loses > 1 %
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD)),
      ).to.be.revertedWithCustomError(f.router, "PriceDeviation");
      // the short sells WETH dear: fine
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "short", 20_000n * USDC, 3n * WAD)),
      ).to.emit(f.router, "PositionOpened");
      await weth2usdcPool(f, 1940); // WETH cheap: the short's open sells it 3 % under the oracle
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "short", 20_000n * USDC, 3n * WAD)),
      ).to.be.revertedWithCustomError(f.router, "PriceDeviation");
      // closing the short buys WETH cheap: fine; a tighter bound still passes within 1 %
      await expect(f.router.connect(f.trader).close(1n, 10n ** 12n, f.pathUW, FAR)).to.emit(f.router, "PositionClosed");
    });

    it("leverage: above the limit of the current LTV reverts; the limit follows a lowered LTV; breaker refuses", async () => {
      const f = await loadFixture(deployMarginFixture);
      // WETH LTV 80 %, deviation bound 1 %: (1 + 0.8·0.01) / (1 − 0.8·0.99) = 4.846x, less 2 bps
      const max = expectedMaxLeverage(8000n);
      expect(await f.router.maxLeverage(f.weth.address)).to.equal(max);
      await expect(f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, max + 1n)))
        .to.be.revertedWithCustomError(f.router, "LeverageTooHigh")
        .withArgs(max + 1n, max);
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, WAD)),
      ).to.be.revertedWithCustomError(f.router, "InvalidParams");
      // the risk side lowers WETH's LTV to 50 %: 3x is now too much (limit 1.005 / 0.505 = 1.990x, less 2 bps)
      await f.pool.setCollateralParams(f.weth.address, 5000, 8250);
      await expect(f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD)))
        .to.be.revertedWithCustomError(f.router, "LeverageTooHigh")
        .withArgs(3n * WAD, expectedMaxLeverage(5000n));
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 19n * 10n ** 17n)),
      ).to.emit(f.router, "PositionOpened");
      // circuit breaker on the collateral or on the debt asset: no new leverage
      await f.pool.setCircuitBreaker(f.weth.address, true);
      expect(await f.router.maxLeverage(f.weth.address)).to.equal(0n);
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n * WAD, 15n * 10n ** 17n)),
      ).to.be.revertedWithCustomError(f.router, "CircuitBreakerActive");
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "short", 20_000n * USDC, 2n * WAD)),
      ).to.be.revertedWithCustomError(f.router, "CircuitBreakerActive");
      await expect(
        f.router.connect(f.trader).increase(1n, await openParams(f, "long", 1n * WAD, 15n * 10n ** 17n)),
      ).to.be.revertedWithCustomError(f.router, "CircuitBreakerActive");
      // closing still works while the breaker is on
      await expect(f.router.connect(f.trader).close(1n, 100n * WAD, f.pathWU, FAR)).to.emit(f.router, "PositionClosed");
    });

    it("minimum size and the per-block cap on new margin debt", async () => {
      const f = await loadFixture(deployMarginFixture);
      // 0.01 WETH at 3x = 60 USD < 100 USD minimum
      await expect(
        f.router.connect(f.trader).openPosition(await openParams(f, "long", 10n ** 16n, 3n * WAD)),
      ).to.be.revertedWithCustomError(f.router, "PositionTooSmall");
      await expect(f.router.setGuards(100, 1_000_001n * WAD, 0)).to.be.revertedWithCustomError(
        f.router,
        "InvalidParams",
      );
      await expect(f.router.setGuards(501, 100n * WAD, 0)).to.be.revertedWithCustomError(f.router, "InvalidParams");
      await expect(f.router.connect(f.trader).setGuards(100, 100n * WAD, 0)).to.be.revertedWithCustomError(
        f.router,
        "AccessControlUnauthorizedAccount",
      );
      // cap 50 000 USD of new debt per block: one 40 000 open fits, a second in the same block does not
      await expect(f.router.setGuards(100, 100n * WAD, 50_000n * WAD))
        .to.emit(f.router, "GuardsSet")
        .withArgs(100, 100n * WAD, 50_000n * WAD);
      await ethers.provider.send("evm_setAutomine", [false]);
      const p = await openParams(f, "long", 10n * WAD, 3n * WAD);
      const tx1 = await f.router.connect(f.trader).openPosition(p, { gasLimit: 2_000_000 });
      const tx2 = await f.router.connect(f.other).openPosition(p, { gasLimit: 2_000_000 });
      await mine(1);
      await ethers.provider.send("evm_setAutomine", [true]);
      const r1 = await ethers.provider.getTransactionReceipt(tx1.hash);
      const r2 = await ethers.provider.getTransactionReceipt(tx2.hash);
      expect(r1!.blockNumber).to.equal(r2!.blockNumber);
      expect(r1!.status).to.equal(1);
      expect(r2!.status).to.equal(0);
      await expect(f.router.connect(f.other).openPosition.staticCall(p, { blockTag: "pending" })).to.not.be.reverted;
      // the next block has a fresh budget
      await expect(f.router.connect(f.other).openPosition(p)).to.emit(f.router, "PositionOpened");
    });
  });

  describe("ownership and margin", () => {
    it("only the trader (through its authorized router) can touch a position", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, trader, other, pool } = f;
      await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD));
      const sub = await f.router.subIdOf(1n);
      // bit 95 set, then 31 bits of the router's address, then the position id: never an ordinary account's id
      expect(sub).to.equal((1n << 95n) | ((BigInt(f.routerAddress) & 0x7fffffffn) << 64n) | 1n);
      await expect(router.connect(other).close(1n, 100n * WAD, f.pathWU, FAR)).to.be.revertedWithCustomError(
        router,
        "NotTrader",
      );
      await expect(
        router.connect(other).decrease(1n, WAD / 2n, 100n * WAD, f.pathWU, FAR),
      ).to.be.revertedWithCustomError(router, "NotTrader");
      await expect(
        router.connect(other).increase(1n, await openParams(f, "long", WAD, 2n * WAD)),
      ).to.be.revertedWithCustomError(router, "NotTrader");
      await expect(router.connect(other).addMargin(1n, WAD)).to.be.revertedWithCustomError(router, "NotTrader");
      await expect(router.connect(other).removeMargin(1n, WAD)).to.be.revertedWithCustomError(router, "NotTrader");
      // nor directly on the pool
      await expect(
        pool.connect(other).withdrawCollateral(f.weth.address, WAD, trader.address, sub, other.address),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      await expect(
        pool.connect(other).borrow(f.usdc.address, 1000n * USDC, trader.address, sub, other.address),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      // the flash callback only runs inside a loan the router itself took
      await expect(
        router.connect(other).onFlashLoan(f.routerAddress, f.usdc.address, 1n, 0n, "0x"),
      ).to.be.revertedWithCustomError(router, "BadCallback");
      // a trader who has not authorized the router cannot open (the pool refuses the borrow)
      const stranger = f.users[4];
      await f.weth.token.connect(stranger).approve(f.routerAddress, ethers.MaxUint256);
      await expect(
        router.connect(stranger).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD)),
      ).to.be.revertedWithCustomError(pool, "Unauthorized");
      // after revoking, even the trader's router cannot act
      await pool.connect(trader).setAuthorization(f.routerAddress, false);
      await expect(router.connect(trader).removeMargin(1n, WAD)).to.be.revertedWithCustomError(pool, "Unauthorized");
      // a closed position cannot be touched again
      await pool.connect(trader).setAuthorization(f.routerAddress, true);
      await router.connect(trader).close(1n, 100n * WAD, f.pathWU, FAR);
      await expect(router.connect(trader).close(1n, 100n * WAD, f.pathWU, FAR)).to.be.revertedWithCustomError(
        router,
        "PositionNotOpen",
      );
    });

    it("addMargin lowers leverage, removeMargin raises it within the LTV; positions are separate sub-accounts", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, trader, pool } = f;
      await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD));
      await router.connect(trader).openPosition(await openParams(f, "short", 20_000n * USDC, 2n * WAD));
      expect(await router.positionsOf(trader.address)).to.deep.equal([1n, 2n]);
      const before = await router.positionInfo(1n);
      const c0 = await pool.collateralOf(trader.address, await f.router.subIdOf(1n), f.weth.address);
      await expect(router.connect(trader).addMargin(1n, 5n * WAD))
        .to.emit(router, "MarginAdded")
        .withArgs(1n, 5n * WAD);
      expect(await pool.collateralOf(trader.address, await f.router.subIdOf(1n), f.weth.address)).to.equal(
        c0 + 5n * WAD,
      );
      const mid = await router.positionInfo(1n);
      expect(mid.leverage).to.be.lt(before.leverage);
      expect(mid.healthFactor).to.be.gt(before.healthFactor);
      const bal = await f.weth.token.balanceOf(trader.address);
      await expect(router.connect(trader).removeMargin(1n, 4n * WAD))
        .to.emit(router, "MarginRemoved")
        .withArgs(1n, 4n * WAD);
      expect((await f.weth.token.balanceOf(trader.address)) - bal).to.equal(4n * WAD);
      // taking out too much breaks the LTV: the pool refuses
      await expect(router.connect(trader).removeMargin(1n, 20n * WAD)).to.be.revertedWithCustomError(
        pool,
        "InsufficientCollateral",
      );
      // the short lives in its own sub-account with its own collateral and debt
      const [d2, , , assets2] = await pool.accountOf(trader.address, await f.router.subIdOf(2n));
      expect(d2).to.equal(f.weth.address);
      expect(assets2).to.deep.equal([f.usdc.address]);
      await expect(router.connect(trader).addMargin(1n, 0n)).to.be.revertedWithCustomError(router, "ZeroAmount");
    });

    it("opening and closing fees: bounded, on the notional, to the fee recipient", async () => {
      const f = await loadFixture(deployMarginFixture);
      const { router, trader, admin } = f;
      const treasury = f.users[6].address;
      await expect(router.setFee(51, treasury)).to.be.revertedWithCustomError(router, "InvalidParams");
      await expect(router.setFee(30, ethers.ZeroAddress)).to.be.revertedWithCustomError(router, "InvalidParams");
      await expect(router.setFee(30, treasury)).to.emit(router, "FeeSet").withArgs(30, treasury);
      const t0 = await f.weth.token.balanceOf(treasury);
      const margin = 10n * WAD;
      const openFee = (margin * 3n * 30n) / 10_000n; // 0.3 % of 30 WETH notional
      const { borrow } = await expectedBorrow(f, "long", margin, 3n * WAD);
      const out = await quoteExactInput(f.uni, f.pathUW, borrow);
      await expect(router.connect(trader).openPosition(await openParams(f, "long", margin, 3n * WAD)))
        .to.emit(router, "FeePaid")
        .withArgs(1n, f.weth.address, openFee);
      const coll = await f.pool.collateralOf(trader.address, await f.router.subIdOf(1n), f.weth.address);
      expect(coll).to.equal(margin - openFee + out);
      const debt = (await f.pool.accountOf(trader.address, await f.router.subIdOf(1n)))[2];
      const sold = await quoteExactOutput(f.uni, f.pathUW, debt);
      const closeFee = (coll * 30n) / 10_000n;
      const bal = await f.weth.token.balanceOf(trader.address);
      await expect(router.connect(trader).close(1n, coll, f.pathWU, FAR))
        .to.emit(router, "FeePaid")
        .withArgs(1n, f.weth.address, closeFee);
      expect((await f.weth.token.balanceOf(trader.address)) - bal).to.equal(coll - sold - closeFee);
      expect((await f.weth.token.balanceOf(treasury)) - t0).to.equal(openFee + closeFee);
      void admin;
    });
  });

  it("a long that falls under water is liquidated by the FlashLiquidator through the ordinary pool path", async () => {
    const f = await loadFixture(deployMarginFixture);
    const { router, trader, pool, admin } = f;
    await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 4n * WAD));
    const sub = await f.router.subIdOf(1n);
    const info0 = await router.positionInfo(1n);
    const liqPrice = Number(info0.liquidationPrice) / 1e18;
    expect(liqPrice).to.be.closeTo((2000 * (1 - 1 / 4)) / 0.825, 20); // ≈ 1818: debt 30 000 over 40 WETH·LT
    // WETH falls 15 % (oracle and the Uniswap pool, arbitraged)
    await setPrice(f, 1700);
    const info = await router.positionInfo(1n);
    expect(info.healthFactor).to.be.lt(WAD);
    const preview = await pool.previewLiquidation(trader.address, sub, f.weth.address);
    expect(preview.liquidatable).to.equal(true);

    // the Lens a keeper scans with sees the margin sub-account like any other account
    const lens = await (await ethers.getContractFactory("FulcraLens", admin)).deploy(f.poolAddress);
    const [, found] = await lens.liquidatable([trader.address, trader.address], [sub, 0n]);
    expect(found.length).to.equal(1);
    expect(found[0].subId).to.equal(sub);
    expect(found[0].maxRepay).to.equal(preview.maxRepay);
    expect(found[0].seized).to.equal(preview.seized - preview.protocolFee);

    const keeper = f.users[5];
    const liquidator = await (
      await ethers.getContractFactory("FlashLiquidator", admin)
    ).deploy(f.poolAddress, f.uni.addresses.router, keeper.address);
    const order = {
      owner: trader.address,
      subId: sub,
      collateralAsset: f.weth.address,
      debtAsset: f.usdc.address,
      maxRepay: ethers.MaxUint256,
      minSeized: 0n,
      path: f.pathWU,
      minProfit: 1n,
    };
    const profitQuote =
      (await quoteExactInput(f.uni, f.pathWU, preview.seized - preview.protocolFee)) - preview.maxRepay;
    const keeperBal = await f.usdc.token.balanceOf(keeper.address);
    await expect(liquidator.connect(keeper).liquidate(order))
      .to.emit(liquidator, "Liquidated")
      .withArgs(
        trader.address,
        sub,
        f.weth.address,
        f.usdc.address,
        preview.maxRepay,
        preview.seized - preview.protocolFee, // the protocol's share of the bonus stays in the pool
        profitQuote,
      );
    expect((await f.usdc.token.balanceOf(keeper.address)) - keeperBal).to.equal(profitQuote);
    const after = await router.positionInfo(1n);
    expect(after.debt).to.equal(info.debt - preview.maxRepay);
    expect(after.healthFactor).to.be.gte(WAD);
    // the trader's other accounts are untouched, and it can still close what is left
    await expect(router.connect(trader).close(1n, after.collateral, f.pathWU, FAR)).to.emit(router, "PositionClosed");
    expect((await pool.accountOf(trader.address, sub))[2]).to.equal(0n);
  });

  it("multi-hop routes (USDC → WBTC → WETH and back) fill exactly the QuoterV2's quotes; a wrong route is refused", async () => {
    const f = await loadFixture(deployMarginFixture);
    const { uni, lp, weth, usdc, wbtc, router, trader, pool } = f;
    await createPoolAtPrice(uni, wbtc.token, usdc.token, FEE_TIER, 60000, 8, 6);
    await createPoolAtPrice(uni, weth.token, wbtc.token, FEE_TIER, "0.033333333333333333", 18, 8);
    await wbtc.token.mint(lp.address, 10_000n * 10n ** 8n);
    await weth.token.mint(lp.address, 100_000n * WAD);
    await usdc.token.mint(lp.address, 200_000_000n * USDC);
    await addFullRangeLiquidity(uni, lp, wbtc.token, usdc.token, FEE_TIER, 2_000n * 10n ** 8n, 120_000_000n * USDC);
    await addFullRangeLiquidity(uni, lp, weth.token, wbtc.token, FEE_TIER, 60_000n * WAD, 2_000n * 10n ** 8n);
    const up = encodePath([usdc.address, wbtc.address, weth.address], [FEE_TIER, FEE_TIER]);
    const down = encodePath([weth.address, wbtc.address, usdc.address], [FEE_TIER, FEE_TIER]);

    const { borrow } = await expectedBorrow(f, "long", 10n * WAD, 3n * WAD);
    const bought = await quoteExactInput(uni, up, borrow);
    await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { route: up }));
    const sub = await f.router.subIdOf(1n);
    const coll = await pool.collateralOf(trader.address, sub, weth.address);
    expect(coll).to.equal(10n * WAD + bought);
    // exact output: the quoter's path is written from the output
    const sold = await quoteExactOutput(
      uni,
      encodePath([usdc.address, wbtc.address, weth.address], [FEE_TIER, FEE_TIER]),
      borrow,
    );
    const bal = await weth.token.balanceOf(trader.address);
    await expect(router.connect(trader).close(1n, coll, down, FAR))
      .to.emit(router, "PositionClosed")
      .withArgs(1n, borrow, sold, coll - sold);
    expect((await weth.token.balanceOf(trader.address)) - bal).to.equal(coll - sold);

    const bad = encodePath([usdc.address, wbtc.address], [FEE_TIER]);
    await expect(
      router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { route: bad })),
    ).to.be.revertedWithCustomError(f.adapter, "BadRoute");
    await expect(
      router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD, { route: "0x1234" })),
    ).to.be.revertedWithCustomError(f.adapter, "BadRoute");
  });

  it("a short that falls under water (WETH up 15 %) is liquidated by the FlashLiquidator selling its USDC", async () => {
    const f = await loadFixture(deployMarginFixture);
    const { router, trader, pool, admin } = f;
    await router.connect(trader).openPosition(await openParams(f, "short", 20_000n * USDC, 4n * WAD));
    const sub = await f.router.subIdOf(1n);
    const info0 = await router.positionInfo(1n);
    // HF = 80 000·0.85 / (30 000 · P/2000) → liquidation near 2000 · 68 000/60 000 ≈ 2267
    expect(Number(info0.liquidationPrice) / 1e18).to.be.closeTo(2266, 15);
    await setPrice(f, 2300);
    expect((await router.positionInfo(1n)).healthFactor).to.be.lt(WAD);
    const preview = await pool.previewLiquidation(trader.address, sub, f.usdc.address);
    expect(preview.liquidatable).to.equal(true);
    const keeper = f.users[5];
    const liquidator = await (
      await ethers.getContractFactory("FlashLiquidator", admin)
    ).deploy(f.poolAddress, f.uni.addresses.router, keeper.address);
    const seized = preview.seized - preview.protocolFee;
    const profit = (await quoteExactInput(f.uni, f.pathUW, seized)) - preview.maxRepay;
    await expect(
      liquidator.connect(keeper).liquidate({
        owner: trader.address,
        subId: sub,
        collateralAsset: f.usdc.address,
        debtAsset: f.weth.address,
        maxRepay: ethers.MaxUint256,
        minSeized: 0n,
        path: f.pathUW,
        minProfit: 1n,
      }),
    )
      .to.emit(liquidator, "Liquidated")
      .withArgs(trader.address, sub, f.usdc.address, f.weth.address, preview.maxRepay, seized, profit);
    expect((await router.positionInfo(1n)).healthFactor).to.be.gte(WAD);
  });

  it("with interest accruing, a full close repays principal and interest and leaves nothing behind", async () => {
    const f = await loadFixture(deployMarginFixture);
    const { router, trader, pool } = f;
    await pool.setRateModel(f.usdc.address, 200, 400, 6000, 8000); // 2 % base + utilization slope
    await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 3n * WAD));
    const sub = await f.router.subIdOf(1n);
    const [, , debt0] = await pool.accountOf(trader.address, sub);
    await time.increase(30 * 86_400);
    await f.weth.feed.setAnswer(toFeedAnswer(2000)); // keep the feeds within their heartbeats
    await f.usdc.feed.setAnswer(toFeedAnswer(1));
    const [, , debt1] = await pool.accountOf(trader.address, sub);
    expect(debt1).to.be.gt(debt0);
    const tx = router.connect(trader).close(1n, 100n * WAD, f.pathWU, FAR);
    await expect(tx).to.emit(router, "PositionClosed");
    const rc = await (await tx).wait();
    const ev = rc!.logs.map((l) => router.interface.parseLog(l)).find((e) => e?.name === "PositionClosed")!;
    expect(ev.args.debtRepaid).to.be.gte(debt1); // one more second of interest at most
    expect(ev.args.debtRepaid - debt1).to.be.lt(debt1 / 1_000_000n);
    const [dAsset, , dLeft, cAssets] = await pool.accountOf(trader.address, sub);
    expect(dAsset).to.equal(ethers.ZeroAddress);
    expect(dLeft).to.equal(0n);
    expect(cAssets.length).to.equal(0);
    expect(await f.usdc.token.balanceOf(f.routerAddress)).to.equal(0n);
    expect(await f.weth.token.balanceOf(f.routerAddress)).to.equal(0n);
  });

  it("a position above its LTV but healthy: a partial decrease deleverages it (nothing returned, health rises), a full close works", async () => {
    const f = await loadFixture(deployMarginFixture);
    const { router, trader, pool } = f;
    await router.connect(trader).openPosition(await openParams(f, "long", 10n * WAD, 45n * 10n ** 17n));
    await setPrice(f, 1920); // borrowing power (80 %) < debt < liquidation value (82.5 %)
    const sub = await f.router.subIdOf(1n);
    const h = await pool.accountHealth(trader.address, sub);
    expect(h.borrowingPower).to.be.lt(h.debtValue);
    expect(h.healthFactor).to.be.gt(WAD);
    // Before issue #15 (finding 7b) the pool refused this withdrawal (InsufficientCollateral): see
    // test/attacks/margin-solvency.test.ts for the exact amounts.
    const bal = await f.weth.token.balanceOf(trader.address);
    await expect(router.connect(trader).decrease(1n, WAD / 2n, 100n * WAD, f.pathWU, FAR))
      .to.emit(router, "PositionDecreased")
      .withArgs(1n, WAD / 2n, anyValue, anyValue, 0n);
    expect(await f.weth.token.balanceOf(trader.address)).to.equal(bal);
    expect((await pool.accountHealth(trader.address, sub)).healthFactor).to.be.gt(h.healthFactor);
    await expect(router.connect(trader).close(1n, 100n * WAD, f.pathWU, FAR)).to.emit(router, "PositionClosed");
  });
});
