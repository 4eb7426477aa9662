// The local Uniswap V3 library: deployment from npm artifacts, pools at a human price (both token orders),
// deep liquidity, a swap that matches the QuoterV2 quote, multi-hop paths and the price mover.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployUniswapV3,
  createPoolAtPrice,
  addFullRangeLiquidity,
  addLiquidityAroundPrice,
  encodePath,
  encodeSqrtPriceX96,
  sqrtPriceX96ToPrice,
  getPoolPrice,
  quoteExactInput,
  quoteExactOutput,
  swapExactInputSingle,
  movePoolPrice,
  isqrt,
  FEE,
  Q96,
} from "../../lib/uniswap";

describe("periphery: local Uniswap V3 library", () => {
  async function fixture() {
    const [deployer, lp, trader] = await ethers.getSigners();
    const uni = await deployUniswapV3(deployer);
    const F = await ethers.getContractFactory("MockERC20");
    const usdc = await F.deploy("USDC", "USDC", 6);
    const weth = await F.deploy("Wrapped Ether", "WETH", 18);
    const wbtc = await F.deploy("WBTC", "WBTC", 8);
    for (const t of [usdc, weth, wbtc]) {
      const d = await t.decimals();
      await t.mint(lp.address, 10n ** d * 10n ** 9n);
      await t.mint(trader.address, 10n ** d * 10n ** 7n);
    }
    return { deployer, lp, trader, uni, usdc, weth, wbtc };
  }

  it("deploys factory, router, quoter and position manager wired to the factory", async () => {
    const { uni } = await loadFixture(fixture);
    expect(await uni.router.factory()).to.equal(uni.addresses.factory);
    expect(await uni.quoter.factory()).to.equal(uni.addresses.factory);
    expect(await uni.positionManager.factory()).to.equal(uni.addresses.factory);
    expect(await uni.factory.feeAmountTickSpacing(FEE.MEDIUM)).to.equal(60n);
  });

  it("bigint sqrt and sqrtPriceX96 encoding are exact", async () => {
    expect(isqrt(0n)).to.equal(0n);
    expect(isqrt(10n ** 40n)).to.equal(10n ** 20n);
    expect(isqrt(10n ** 40n - 1n)).to.equal(10n ** 20n - 1n);
    for (const n of [2n ** 192n * 3n + 12345n, 7n * 10n ** 57n + 1n, (1n << 255n) - 19n, 99n]) {
      const r = isqrt(n);
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).to.equal(true);
    }
    // 1:1 with equal decimals is exactly 2^96
    const lo = "0x0000000000000000000000000000000000000001";
    const hi = "0x0000000000000000000000000000000000000002";
    expect(encodeSqrtPriceX96(lo, hi, 1, 18, 18)).to.equal(Q96);
    expect(encodeSqrtPriceX96(hi, lo, 1, 18, 18)).to.equal(Q96);
    // price 4 of token0 in token1 → sqrt = 2; reversed order → 1/2
    expect(encodeSqrtPriceX96(lo, hi, 4, 18, 18)).to.equal(2n * Q96);
    expect(encodeSqrtPriceX96(hi, lo, 4, 18, 18)).to.equal(Q96 / 2n);
  });

  it("creates pools at the requested human price whatever the token order (slot0 checked)", async () => {
    const { uni, usdc, weth, wbtc } = await loadFixture(fixture);
    const w = await weth.getAddress();
    const u = await usdc.getAddress();
    const b = await wbtc.getAddress();
    const pool1 = await createPoolAtPrice(uni, weth, usdc, FEE.LOW, 2000, 18, 6);
    const pool2 = await createPoolAtPrice(uni, wbtc, weth, FEE.MEDIUM, 30, 8, 18);
    for (const [pool, a, bb, price, da, db] of [
      [pool1, w, u, 2000, 18, 6],
      [pool2, b, w, 30, 8, 18],
    ] as const) {
      const [sqrtP] = await pool.slot0();
      expect(sqrtP).to.equal(encodeSqrtPriceX96(a, bb, price, da, db));
      // independent check from the raw ratio: token1/token0 raw = sqrtP^2 / 2^192
      const token0 = await pool.token0();
      const raw = (Number(sqrtP) / Number(Q96)) ** 2;
      const human = token0 === a ? raw * 10 ** (da - db) : (1 / raw) * 10 ** (da - db);
      expect(human).to.be.closeTo(price, price * 1e-9);
      expect(sqrtPriceX96ToPrice(sqrtP, a, bb, da, db)).to.be.closeTo(price, price * 1e-9);
      // and the inverse
      expect(sqrtPriceX96ToPrice(sqrtP, bb, a, db, da)).to.be.closeTo(1 / price, 1e-9 / price);
    }
  });

  it("adds deep liquidity, swaps exactly the QuoterV2 quote, and quotes multi-hop paths", async () => {
    const { uni, lp, trader, usdc, weth, wbtc } = await loadFixture(fixture);
    const w = await weth.getAddress();
    const u = await usdc.getAddress();
    const b = await wbtc.getAddress();
    await createPoolAtPrice(uni, weth, usdc, FEE.LOW, 2000, 18, 6);
    await createPoolAtPrice(uni, wbtc, weth, FEE.MEDIUM, 30, 8, 18);
    const full = await addFullRangeLiquidity(
      uni,
      lp,
      weth,
      usdc,
      FEE.LOW,
      10_000n * 10n ** 18n,
      20_000_000n * 10n ** 6n,
    );
    expect(full.liquidity).to.be.gt(0n);
    const around = await addLiquidityAroundPrice(
      uni,
      lp,
      wbtc,
      weth,
      FEE.MEDIUM,
      500n * 10n ** 8n,
      15_000n * 10n ** 18n,
      20,
    );
    expect(around.liquidity).to.be.gt(0n);

    // 1 WETH → USDC: ~2000 less 0.05 % fee and a little impact
    const pathWU = encodePath([w, u], [FEE.LOW]);
    const quoted = await quoteExactInput(uni, pathWU, 10n ** 18n);
    expect(quoted).to.be.lt((2000n * 10n ** 6n * 9995n) / 10000n);
    expect(quoted).to.be.gt((2000n * 10n ** 6n * 9990n) / 10000n);
    const before = await usdc.balanceOf(trader.address);
    const out = await swapExactInputSingle(uni, trader, weth, usdc, FEE.LOW, 10n ** 18n);
    expect(out).to.equal(quoted);
    expect((await usdc.balanceOf(trader.address)) - before).to.equal(quoted);

    // multi-hop WBTC → WETH → USDC: the two single-hop quotes chained give exactly the multi-hop quote
    const hop1 = await quoteExactInput(uni, encodePath([b, w], [FEE.MEDIUM]), 10n ** 8n);
    const hop2 = await quoteExactInput(uni, pathWU, hop1);
    const q2 = await quoteExactInput(uni, encodePath([b, w, u], [FEE.MEDIUM, FEE.LOW]), 10n ** 8n);
    expect(q2).to.equal(hop2);
    // ≈ 60 000 USDC less two fees and the impact of ~30 WETH on a full-range 10 000 WETH pool (x·y = k: ~0.3 %)
    expect(Number(q2) / 1e6).to.be.closeTo(60000 * 0.997 * 0.9995 * (1 - 30 / 10_030), 60);
    // exact output: path is written from the output
    const need = await quoteExactOutput(uni, encodePath([w, u], [FEE.LOW]), 10n ** 18n);
    expect(Number(need) / 1e6).to.be.closeTo(2000 / 0.9995, 3);
  });

  it("moves a pool to a target price in both directions", async () => {
    const { uni, lp, trader, usdc, weth } = await loadFixture(fixture);
    await createPoolAtPrice(uni, weth, usdc, FEE.LOW, 2000, 18, 6);
    await addFullRangeLiquidity(uni, lp, weth, usdc, FEE.LOW, 10_000n * 10n ** 18n, 20_000_000n * 10n ** 6n);
    const up = await movePoolPrice(uni, trader, weth, usdc, FEE.LOW, 2300, 18, 6);
    expect(up.tokenIn).to.equal(await usdc.getAddress());
    expect(up.amountIn).to.be.gt(0n);
    expect(await getPoolPrice(uni, weth, usdc, FEE.LOW, 18, 6)).to.be.closeTo(2300, 0.01);
    const down = await movePoolPrice(uni, trader, weth, usdc, FEE.LOW, 1700, 18, 6);
    expect(down.tokenIn).to.equal(await weth.getAddress());
    expect(await getPoolPrice(uni, weth, usdc, FEE.LOW, 18, 6)).to.be.closeTo(1700, 0.01);
    expect(await getPoolPrice(uni, usdc, weth, FEE.LOW, 6, 18)).to.be.closeTo(1 / 1700, 1e-8);
  });
});
