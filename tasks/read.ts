// Read tasks: markets, account, positions.
import { task, types } from "hardhat/config";
import { positionFlows, readPosition, routerOf } from "./margin";
import {
  MAX_UINT256,
  WAD,
  context,
  fail,
  fmtBps,
  fmtCap,
  fmtHealth,
  fmtPct,
  fmtPrice,
  fmtUnits,
  fmtUsd,
  isAddress,
  output,
  priceWarnings,
  readPrice,
  table,
  type PriceRead,
} from "./common";

const FLAG_BREAKER = 16;

task("markets", "Markets: price, supply, borrow, utilization, rates, caps, LTV/LT, volatility")
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { json: boolean }, hre) => {
    const ctx = await context(hre);
    const risk = await volatilitySource(hre, ctx.dep.riskEngine, ctx.signer);
    const rows = await Promise.all(
      ctx.dep.assets.map(async (a) => {
        const info = await ctx.pool.marketInfo(a.address);
        const cfg = await ctx.pool.assetConfig(a.address);
        const r = await ctx.pool.assetRisk(a.address);
        const [supplyCap, borrowCap, collateralCap, minBorrow] = await ctx.pool.assetLimits(a.address);
        const lt: bigint = await ctx.pool.effectiveLt(a.address);
        const priceRead = await readPrice(ctx, a); // a stale or out-of-bounds feed: its answer, marked
        const price = priceRead.problem ? null : priceRead.usd;
        const volatility = risk ? await risk(a.address) : null;
        return {
          symbol: a.symbol,
          address: a.address,
          priceUsd: price,
          priceProblem: priceRead.problem,
          feedPriceUsd: priceRead.usd,
          totalSupply: info.totalSupplyAssets,
          totalBorrow: info.totalBorrowAssets,
          totalCollateral: info.totalCollateral,
          utilization: info.utilization,
          borrowApy: info.borrowApy,
          supplyApy: info.supplyApy,
          reserves: info.reserves,
          supplyCap: supplyCap,
          borrowCap: borrowCap,
          collateralCap: collateralCap,
          minBorrow: minBorrow,
          ltvBps: Number(cfg.ltv),
          ltBps: Number(lt),
          ltTargetBps: Number(r.ltTarget),
          borrowable: (Number(cfg.flags) & 2) !== 0,
          circuitBreaker: (Number(cfg.flags) & FLAG_BREAKER) !== 0,
          volatility,
          decimals: a.decimals,
        };
      }),
    );
    return output(args.json, rows, () =>
      [
        table(
          rows.map((r) => ({
            market: r.symbol,
            price: fmtPrice({ usd: r.feedPriceUsd, poolPrice: null, problem: r.priceProblem }),
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
        ...priceWarnings(
          rows.map((r) => ({
            symbol: r.symbol,
            price: { usd: r.feedPriceUsd, poolPrice: null, problem: r.priceProblem },
          })),
        ),
      ].join("\n"),
    );
  });

/** Annualized volatility per asset from the risk engine's oracle, or null when there is none. */
async function volatilitySource(
  hre: import("hardhat/types").HardhatRuntimeEnvironment,
  riskEngine: string,
  signer: import("ethers").Signer,
) {
  if (!riskEngine || riskEngine === hre.ethers.ZeroAddress) return null;
  const engine = await hre.ethers.getContractAt("RiskEngine", riskEngine, signer);
  const oracle = await hre.ethers.getContractAt("VolatilityOracle", await engine.ORACLE(), signer);
  return async (asset: string) => {
    try {
      return await oracle.volatility(asset);
    } catch {
      return null;
    }
  };
}

task(
  "account",
  "An account: collateral, debt, health factor, liquidation prices; and the owner's supply (lender) with earnings",
)
  .addOptionalPositionalParam("address", "Account owner (required)", undefined, types.string)
  .addOptionalPositionalParam("sub", "Sub-account id", "0", types.string)
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { address: string; sub: string; json: boolean }, hre) => {
    const ctx = await context(hre);
    if (!isAddress(args.address))
      fail(`Not an address: "${args.address}" (an account owner, 0x followed by 40 hex digits)`);
    if (!/^\d+$/.test(args.sub)) fail(`Invalid sub-account "${args.sub}": a whole number, e.g. 0`);
    const sub = BigInt(args.sub);
    const [debtAsset, , debt, cAssets, cAmounts] = await ctx.pool.accountOf(args.address, sub);
    // The health needs every price: a stale or out-of-bounds feed makes the pool refuse it; then everything else is
    // still shown, the untrusted prices marked and the health "n/a".
    // (The pool values collateral whose price it refuses at 0, which would show as health 0: not shown either.)
    const prices = new Map<string, PriceRead>();
    const priceOf = async (addr: string) => {
      const a = ctx.asset(addr);
      if (!prices.has(a.symbol)) prices.set(a.symbol, await readPrice(ctx, a));
      return prices.get(a.symbol) as PriceRead; // set just above
    };
    for (const addr of cAssets) await priceOf(addr);
    if (debtAsset !== hre.ethers.ZeroAddress) await priceOf(debtAsset);
    let h: {
      collateralValue: bigint;
      borrowingPower: bigint;
      liquidationValue: bigint;
      debtValue: bigint;
      healthFactor: bigint;
    } | null = null;
    if (![...prices.values()].some((p) => p.problem)) {
      try {
        h = await ctx.pool.accountHealth(args.address, sub);
      } catch {
        h = null;
      }
    }
    const collaterals: {
      symbol: string;
      amount: bigint;
      decimals: number;
      valueUsd: bigint | null;
      ltBps: number;
      priceUsd: bigint | null;
      priceProblem: string | null;
      liquidationPriceUsd: bigint | null;
    }[] = [];
    for (const [i, addr] of cAssets.entries()) {
      const a = ctx.asset(addr);
      const price = await priceOf(addr);
      const lt: bigint = await ctx.pool.effectiveLt(a.address);
      const amount: bigint = cAmounts[i];
      const value = price.usd === null ? null : (amount * price.usd) / 10n ** BigInt(a.decimals);
      let liquidationPrice: bigint | null = null;
      if (h && value !== null && !price.problem) {
        // Price of this collateral at which health reaches 1, the other assets' prices unchanged.
        const ltValue = (value * lt) / 10_000n;
        const others = h.liquidationValue - ltValue;
        const need = h.debtValue - others; // LT-weighted value this collateral must keep
        if (h.debtValue > 0n && need > 0n && amount > 0n && lt > 0n)
          liquidationPrice = (need * 10_000n * WAD * 10n ** BigInt(a.decimals)) / (amount * lt) / WAD;
      }
      collaterals.push({
        symbol: a.symbol,
        amount,
        decimals: a.decimals,
        valueUsd: value,
        ltBps: Number(lt),
        priceUsd: price.usd,
        priceProblem: price.problem,
        liquidationPriceUsd: liquidationPrice,
      });
    }
    const debtInfo =
      debtAsset === hre.ethers.ZeroAddress
        ? null
        : { symbol: ctx.asset(debtAsset).symbol, amount: debt, decimals: ctx.asset(debtAsset).decimals };
    const supplied = await lenderPositions(ctx, args.address);
    const untrusted = [...prices.entries()].filter(([, p]) => p.problem).map(([symbol, price]) => ({ symbol, price }));
    const data = {
      owner: args.address,
      subId: args.sub,
      collateral: collaterals,
      debt: debtInfo,
      collateralValueUsd: h ? h.collateralValue : null,
      borrowingPowerUsd: h ? h.borrowingPower : null,
      liquidationValueUsd: h ? h.liquidationValue : null,
      debtValueUsd: h ? h.debtValue : null,
      healthFactor: h ? h.healthFactor : null,
      supplied,
      untrustedPrices: untrusted.map((u) => ({
        symbol: u.symbol,
        problem: u.price.problem,
        feedPriceUsd: u.price.usd,
      })),
    };
    const usdOrNa = (v: bigint | null) => (v === null ? "n/a" : fmtUsd(v));
    return output(args.json, data, () =>
      [
        `Account ${args.address} sub ${args.sub}`,
        table(
          collaterals.map((c) => ({
            collateral: c.symbol,
            amount: fmtUnits(c.amount, c.decimals),
            value: usdOrNa(c.valueUsd),
            LT: fmtBps(c.ltBps),
            price: fmtPrice({ usd: c.priceUsd, poolPrice: null, problem: c.priceProblem }),
            "liquidation price": c.liquidationPriceUsd === null ? "-" : fmtUsd(c.liquidationPriceUsd),
          })),
        ),
        `Debt: ${debtInfo ? `${fmtUnits(debtInfo.amount, debtInfo.decimals)} ${debtInfo.symbol} (${usdOrNa(data.debtValueUsd)})` : "none"}`,
        `Collateral value ${usdOrNa(data.collateralValueUsd)} · borrowing power ${usdOrNa(data.borrowingPowerUsd)} · liquidation value ${usdOrNa(data.liquidationValueUsd)}`,
        `Health factor: ${data.healthFactor === null ? "n/a (a price the pool refuses, see below)" : fmtHealth(data.healthFactor)}`,
        supplied.length
          ? `Supplied (lender, all sub-accounts): ${supplied.map((x) => `${fmtUnits(x.balance, x.decimals)} ${x.symbol} (earned ${fmtUnits(x.earned, x.decimals)} ${x.symbol})`).join(" · ")}`
          : "Supplied (lender): none",
        ...priceWarnings(untrusted),
      ].join("\n"),
    );
  });

/**
 * What `owner` supplies as a lender in each market and what it earned: balance now + withdrawn − supplied, from the
 * pool's Supply and Withdraw events since the deployment block (in token units).
 */
async function lenderPositions(ctx: Awaited<ReturnType<typeof context>>, owner: string) {
  const out = [];
  for (const a of ctx.dep.assets) {
    const balance: bigint = await ctx.pool.supplyBalance(a.address, owner);
    const ins = await ctx.pool.queryFilter(ctx.pool.filters.Supply(a.address, undefined, owner), ctx.dep.deployBlock);
    const outs = await ctx.pool.queryFilter(
      ctx.pool.filters.Withdraw(a.address, undefined, owner),
      ctx.dep.deployBlock,
    );
    if (balance === 0n && !ins.length) continue;
    const deposited = ins.reduce((t, e) => t + e.args.assets, 0n);
    const withdrawn = outs.reduce((t, e) => t + e.args.assets, 0n);
    out.push({
      symbol: a.symbol,
      decimals: a.decimals,
      balance,
      deposited,
      withdrawn,
      earned: balance + withdrawn - deposited,
    });
  }
  return out;
}

task(
  "positions",
  "Margin positions of a trader: size, PnL (unrealized while open, realized once closed), leverage, health",
)
  .addOptionalPositionalParam("address", "Trader (required)", undefined, types.string)
  .addFlag("json", "Machine-readable output")
  .addFlag("all", "Include closed positions")
  .setAction(async (args: { address: string; json: boolean; all: boolean }, hre) => {
    const ctx = await context(hre);
    if (!isAddress(args.address)) fail(`Not an address: "${args.address}" (a trader, 0x followed by 40 hex digits)`);
    const router = await routerOf(ctx);
    const ids = await router.positionsOf(args.address);
    const all = [];
    for (const id of ids) {
      const p = await readPosition(ctx, router, id);
      if (!p) continue;
      const flows = await positionFlows(ctx, router, id);
      const base = ctx.asset(p.base);
      const quote = ctx.asset(p.quote);
      const coll = p.isLong ? base : quote;
      const debt = p.isLong ? quote : base;
      const v = p.view;
      all.push({
        id,
        pair: `${base.symbol}/${quote.symbol}`,
        side: p.isLong ? "long" : "short",
        open: p.open,
        subId: p.subId,
        size: p.size,
        sizeDecimals: base.decimals,
        collateral: p.collateral,
        collateralSymbol: coll.symbol,
        collateralDecimals: coll.decimals,
        debt: p.debt,
        debtSymbol: debt.symbol,
        debtDecimals: debt.decimals,
        entryPrice: p.entryPrice,
        markPrice: v ? v.markPrice : null,
        pnlUsd: v ? v.unrealizedPnlValue : null,
        equityUsd: v ? v.equityValue : null,
        leverage: v ? v.leverage : null,
        healthFactor: v ? v.healthFactor : null,
        liquidationPrice: v ? v.liquidationPrice : null,
        /** Collateral-asset units the trader paid in (margin, increases, added margin) and took out (returns, removed margin). */
        paidIn: flows.paidIn,
        takenOut: flows.takenOut,
        /** takenOut − paidIn once the position is closed (collateral-asset units), null while it is open. */
        realizedPnl: flows.realizedPnl,
        untrustedPrices: p.untrusted.map((u) => ({
          symbol: u.symbol,
          problem: u.price.problem,
          feedPriceUsd: u.price.usd,
        })),
      });
    }
    const rows = all.filter((r) => r.open || args.all);
    const untrusted = new Map<string, PriceRead>();
    for (const r of rows)
      for (const u of r.untrustedPrices)
        untrusted.set(u.symbol, { usd: u.feedPriceUsd, poolPrice: null, problem: u.problem });
    const na = "n/a";
    return output(args.json, rows, () =>
      [
        table(
          rows.map((r) => ({
            id: r.id.toString(),
            pair: r.pair,
            side: r.side + (r.open ? "" : " (closed)"),
            size: r.size === null ? na : fmtUnits(r.size, r.sizeDecimals),
            collateral: `${fmtUnits(r.collateral, r.collateralDecimals)} ${r.collateralSymbol}`,
            debt: `${fmtUnits(r.debt, r.debtDecimals)} ${r.debtSymbol}`,
            entry: fmtUnits(r.entryPrice, 18, 2),
            mark: r.markPrice === null ? na : fmtUnits(r.markPrice, 18, 2),
            PnL: r.open ? (r.pnlUsd === null ? na : fmtUsd(r.pnlUsd)) : "-",
            "realized PnL":
              r.realizedPnl === null ? "-" : `${fmtUnits(r.realizedPnl, r.collateralDecimals)} ${r.collateralSymbol}`,
            equity: !r.open ? "-" : r.equityUsd === null ? na : fmtUsd(r.equityUsd),
            leverage: !r.open
              ? "-"
              : r.leverage === null
                ? na
                : r.leverage === MAX_UINT256
                  ? "∞"
                  : fmtUnits(r.leverage, 18, 2) + "x",
            health: !r.open ? "-" : r.healthFactor === null ? na : fmtHealth(r.healthFactor),
            "liq. price":
              r.liquidationPrice === null ? na : r.liquidationPrice === 0n ? "-" : fmtUnits(r.liquidationPrice, 18, 2),
          })),
        ),
        ...priceWarnings([...untrusted.entries()].map(([symbol, price]) => ({ symbol, price }))),
      ].join("\n"),
    );
  });
