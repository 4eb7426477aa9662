// Read tasks: markets, account, positions.
import { task, types } from "hardhat/config";
import { MAX_UINT256, WAD, context, fail, fmtBps, fmtCap, fmtHealth, fmtPct, fmtUnits, fmtUsd, output, table, wholePrice } from "./common";

const FLAG_BREAKER = 16;

task("markets", "Markets: price, supply, borrow, utilization, rates, caps, LTV/LT, volatility")
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { json: boolean }, hre) => {
    const ctx = await context(hre);
    const risk = await volatilitySource(hre, ctx.dep.riskEngine, ctx.signer);
    const rows = await Promise.all(ctx.dep.assets.map(async (a) => {
      const info = await ctx.pool.marketInfo(a.address);
      const cfg = await ctx.pool.assetConfig(a.address);
      const r = await ctx.pool.assetRisk(a.address);
      const [supplyCap, borrowCap, collateralCap, minBorrow] = await ctx.pool.assetLimits(a.address);
      const lt: bigint = await ctx.pool.effectiveLt(a.address);
      let price: bigint | null = null;
      try {
        price = wholePrice(await ctx.pool.price(a.address), a.decimals);
      } catch {
        price = null; // stale or out-of-bounds feed: shown as n/a
      }
      const volatility = risk ? ((await risk(a.address)) as bigint | null) : null;
      return {
        symbol: a.symbol,
        address: a.address,
        priceUsd: price,
        totalSupply: info.totalSupplyAssets as bigint,
        totalBorrow: info.totalBorrowAssets as bigint,
        totalCollateral: info.totalCollateral as bigint,
        utilization: info.utilization as bigint,
        borrowApy: info.borrowApy as bigint,
        supplyApy: info.supplyApy as bigint,
        reserves: info.reserves as bigint,
        supplyCap: supplyCap as bigint,
        borrowCap: borrowCap as bigint,
        collateralCap: collateralCap as bigint,
        minBorrow: minBorrow as bigint,
        ltvBps: Number(cfg.ltv),
        ltBps: Number(lt),
        ltTargetBps: Number(r.ltTarget),
        borrowable: (Number(cfg.flags) & 2) !== 0,
        circuitBreaker: (Number(cfg.flags) & FLAG_BREAKER) !== 0,
        volatility,
        decimals: a.decimals,
      };
    }));
    return output(args.json, rows, () =>
      table(
        rows.map((r) => ({
          market: r.symbol,
          price: r.priceUsd === null ? "n/a" : fmtUsd(r.priceUsd),
          supplied: fmtUnits(r.totalSupply, r.decimals, 2),
          borrowed: fmtUnits(r.totalBorrow, r.decimals, 2),
          collateral: fmtUnits(r.totalCollateral, r.decimals, 2),
          util: fmtPct(r.utilization),
          "borrow APY": fmtPct(r.borrowApy),
          "supply APY": fmtPct(r.supplyApy),
          "supply cap": fmtCap(r.supplyCap, r.decimals),
          "borrow cap": fmtCap(r.borrowCap, r.decimals),
          LTV: fmtBps(r.ltvBps),
          LT: fmtBps(r.ltBps) + (r.ltTargetBps !== r.ltBps ? ` → ${fmtBps(r.ltTargetBps)}` : ""),
          vol: r.volatility === null ? "n/a" : fmtPct(r.volatility, 1),
          breaker: r.circuitBreaker ? "ON" : "-",
        })),
      ),
    );
  });

/** Annualized volatility per asset from the risk engine's oracle, or null when there is none. */
async function volatilitySource(hre: import("hardhat/types").HardhatRuntimeEnvironment, riskEngine: string, signer: import("ethers").Signer) {
  if (!riskEngine || riskEngine === hre.ethers.ZeroAddress) return null;
  const engine = await hre.ethers.getContractAt("RiskEngine", riskEngine, signer);
  const oracle = await hre.ethers.getContractAt("VolatilityOracle", await engine.ORACLE(), signer);
  return async (asset: string) => {
    try {
      return (await oracle.volatility(asset)) as bigint;
    } catch {
      return null;
    }
  };
}

task("account", "An account: collateral, debt, health factor, liquidation prices")
  .addPositionalParam("address", "Account owner")
  .addOptionalPositionalParam("sub", "Sub-account id", "0", types.string)
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { address: string; sub: string; json: boolean }, hre) => {
    const ctx = await context(hre);
    if (!hre.ethers.isAddress(args.address)) fail(`Not an address: "${args.address}"`);
    if (!/^\d+$/.test(args.sub)) fail(`Invalid sub-account "${args.sub}"`);
    const sub = BigInt(args.sub);
    const [debtAsset, , debt, cAssets, cAmounts] = await ctx.pool.accountOf(args.address, sub);
    const h = await ctx.pool.accountHealth(args.address, sub);
    const collaterals = await Promise.all((cAssets as string[]).map(async (addr, i) => {
      const a = ctx.asset(addr);
      const price: bigint = await ctx.pool.price(a.address);
      const lt: bigint = await ctx.pool.effectiveLt(a.address);
      const amount: bigint = cAmounts[i];
      const value = (amount * price) / WAD;
      const ltValue = (value * lt) / 10_000n;
      // Price of this collateral at which health reaches 1, the other assets' prices unchanged.
      const others = (h.liquidationValue as bigint) - ltValue;
      const need = (h.debtValue as bigint) - others; // LT-weighted value this collateral must keep
      let liquidationPrice: bigint | null = null;
      if ((h.debtValue as bigint) > 0n && need > 0n && amount > 0n && lt > 0n)
        liquidationPrice = (need * 10_000n * WAD * 10n ** BigInt(a.decimals)) / (amount * lt) / WAD;
      return { symbol: a.symbol, amount, decimals: a.decimals, valueUsd: value, ltBps: Number(lt), priceUsd: wholePrice(price, a.decimals), liquidationPriceUsd: liquidationPrice };
    }));
    const debtInfo = debtAsset === hre.ethers.ZeroAddress ? null : { symbol: ctx.asset(debtAsset).symbol, amount: debt as bigint, decimals: ctx.asset(debtAsset).decimals };
    const data = {
      owner: args.address,
      subId: args.sub,
      collateral: collaterals,
      debt: debtInfo,
      collateralValueUsd: h.collateralValue as bigint,
      borrowingPowerUsd: h.borrowingPower as bigint,
      liquidationValueUsd: h.liquidationValue as bigint,
      debtValueUsd: h.debtValue as bigint,
      healthFactor: h.healthFactor as bigint,
    };
    return output(args.json, data, () =>
      [
        `Account ${args.address} sub ${args.sub}`,
        table(
          collaterals.map((c) => ({
            collateral: c.symbol,
            amount: fmtUnits(c.amount, c.decimals),
            value: fmtUsd(c.valueUsd),
            LT: fmtBps(c.ltBps),
            price: fmtUsd(c.priceUsd),
            "liquidation price": c.liquidationPriceUsd === null ? "-" : fmtUsd(c.liquidationPriceUsd),
          })),
        ),
        `Debt: ${debtInfo ? `${fmtUnits(debtInfo.amount, debtInfo.decimals)} ${debtInfo.symbol} (${fmtUsd(data.debtValueUsd)})` : "none"}`,
        `Collateral value ${fmtUsd(data.collateralValueUsd)} · borrowing power ${fmtUsd(data.borrowingPowerUsd)} · liquidation value ${fmtUsd(data.liquidationValueUsd)}`,
        `Health factor: ${fmtHealth(data.healthFactor)}`,
      ].join("\n"),
    );
  });

task("positions", "Margin positions of a trader")
  .addPositionalParam("address", "Trader")
  .addFlag("json", "Machine-readable output")
  .addFlag("all", "Include closed positions")
  .setAction(async (args: { address: string; json: boolean; all: boolean }, hre) => {
    const ctx = await context(hre);
    if (!hre.ethers.isAddress(args.address)) fail(`Not an address: "${args.address}"`);
    const router = await hre.ethers.getContractAt("MarginRouter", ctx.dep.marginRouter, ctx.signer);
    const ids = await router.positionsOf(args.address);
    const all = await Promise.all(ids.map(async (id) => {
      const v = await router.positionInfo(id);
      const base = ctx.asset(v.base);
      const quote = ctx.asset(v.quote);
      const coll = v.isLong ? base : quote;
      const debt = v.isLong ? quote : base;
      return {
        id: id as bigint,
        pair: `${base.symbol}/${quote.symbol}`,
        side: v.isLong ? "long" : "short",
        open: v.open,
        subId: v.subId as bigint,
        size: v.size as bigint,
        sizeDecimals: base.decimals,
        collateral: v.collateral as bigint,
        collateralSymbol: coll.symbol,
        collateralDecimals: coll.decimals,
        debt: v.debt as bigint,
        debtSymbol: debt.symbol,
        debtDecimals: debt.decimals,
        entryPrice: v.entryPrice as bigint,
        markPrice: v.markPrice as bigint,
        pnlUsd: v.unrealizedPnlValue as bigint,
        equityUsd: v.equityValue as bigint,
        leverage: v.leverage as bigint,
        healthFactor: v.healthFactor as bigint,
        liquidationPrice: v.liquidationPrice as bigint,
      };
    }));
    const rows = all.filter((r) => r.open || args.all);
    return output(args.json, rows, () =>
      table(
        rows.map((r) => ({
          id: r.id.toString(),
          pair: r.pair,
          side: r.side + (r.open ? "" : " (closed)"),
          size: fmtUnits(r.size, r.sizeDecimals),
          collateral: `${fmtUnits(r.collateral, r.collateralDecimals)} ${r.collateralSymbol}`,
          debt: `${fmtUnits(r.debt, r.debtDecimals)} ${r.debtSymbol}`,
          entry: fmtUnits(r.entryPrice, 18, 2),
          mark: fmtUnits(r.markPrice, 18, 2),
          PnL: r.open ? fmtUsd(r.pnlUsd) : "-",
          equity: r.open ? fmtUsd(r.equityUsd) : "-",
          leverage: !r.open ? "-" : r.leverage === MAX_UINT256 ? "∞" : fmtUnits(r.leverage, 18, 2) + "x",
          health: r.open ? fmtHealth(r.healthFactor) : "-",
          "liq. price": r.liquidationPrice === 0n ? "-" : fmtUnits(r.liquidationPrice, 18, 2),
        })),
      ),
    );
  });
