// Margin position tasks beyond open and close (tasks/act.ts): increase-position, decrease-position, add-margin,
// remove-margin — the MarginRouter's `increase`, `decrease`, `addMargin` and `removeMargin` — and the helpers the
// `positions` table shares: a position read that survives a price the pool refuses, and the position's cash flows
// (what the trader paid in and took out) from the router's events, which give the realized PnL.
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MarginRouter } from "../typechain-types";
import { encodePath } from "../lib/deploy-uniswap";
import {
  WAD,
  checkedSend,
  context,
  ensureFunds,
  erc20,
  fail,
  fmtHealth,
  fmtUnits,
  outputSent,
  parseLeverage,
  parseSlippage,
  parseUnits,
  readPrice,
  type Ctx,
  type PriceRead,
} from "./common";

/** The deployment's MarginRouter, bound to the context's signer (factory imported lazily, as in tasks/common.ts). */
export async function routerOf(ctx: Ctx): Promise<MarginRouter> {
  const { MarginRouter__factory } = await import("../typechain-types");
  return MarginRouter__factory.connect(ctx.dep.marginRouter, ctx.signer);
}

export async function deadline(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const b = await hre.ethers.provider.getBlock("latest");
  if (!b) fail("The node returned no latest block");
  return BigInt(b.timestamp + 600);
}

/** What the trader put into position `id` and took out of it (collateral-asset units), from the router's events. */
export async function positionFlows(ctx: Ctx, router: MarginRouter, id: bigint) {
  const from = ctx.dep.deployBlock;
  const sum = async (filter: Parameters<MarginRouter["queryFilter"]>[0], field: string) => {
    const events = await router.queryFilter(filter, from);
    return events.reduce((t, e) => t + ((e as unknown as { args: Record<string, bigint> }).args[field] ?? 0n), 0n);
  };
  const opened = await router.queryFilter(router.filters.PositionOpened(id), from);
  const paidIn =
    opened.reduce((t, e) => t + e.args.margin, 0n) +
    (await sum(router.filters.PositionIncreased(id), "margin")) +
    (await sum(router.filters.MarginAdded(id), "amount"));
  const closed = await router.queryFilter(router.filters.PositionClosed(id), from);
  const takenOut =
    (await sum(router.filters.PositionDecreased(id), "returned")) +
    closed.reduce((t, e) => t + e.args.returned, 0n) +
    (await sum(router.filters.MarginRemoved(id), "amount"));
  const open = opened.length > 0 && closed.length === 0;
  return { paidIn, takenOut, realizedPnl: open ? null : takenOut - paidIn, opened: opened[0]?.args };
}

export interface PositionRead {
  id: bigint;
  trader: string;
  base: string;
  quote: string;
  isLong: boolean;
  open: boolean;
  subId: bigint;
  size: bigint | null;
  collateral: bigint;
  debt: bigint;
  entryPrice: bigint;
  /** The router's view (mark, PnL, equity, leverage, health, liquidation price), null when a price is untrusted. */
  view: Awaited<ReturnType<MarginRouter["positionInfo"]>> | null;
  untrusted: { symbol: string; price: PriceRead }[];
}

/** Position `id`; when the pool refuses a price of its pair, what can be read without one (the price marked). */
export async function readPosition(ctx: Ctx, router: MarginRouter, id: bigint): Promise<PositionRead | null> {
  try {
    const v = await router.positionInfo(id);
    if (v.trader === ctx.hre.ethers.ZeroAddress) return null;
    return {
      id,
      trader: v.trader,
      base: v.base,
      quote: v.quote,
      isLong: v.isLong,
      open: v.open,
      subId: v.subId,
      size: v.size,
      collateral: v.collateral,
      debt: v.debt,
      entryPrice: v.entryPrice,
      view: v,
      untrusted: [],
    };
  } catch {
    const flows = await positionFlows(ctx, router, id);
    const o = flows.opened;
    if (!o) return null;
    const subId: bigint = await router.subIdOf(id);
    const coll = ctx.asset(o.isLong ? o.base : o.quote);
    const collateral: bigint = await ctx.pool.collateralOf(o.trader, subId, coll.address);
    const [, , debt] = await ctx.pool.accountOf(o.trader, subId);
    const untrusted = [];
    for (const addr of [o.base, o.quote]) {
      const a = ctx.asset(addr);
      const price = await readPrice(ctx, a);
      if (price.problem) untrusted.push({ symbol: a.symbol, price });
    }
    return {
      id,
      trader: o.trader,
      base: o.base,
      quote: o.quote,
      isLong: o.isLong,
      open: flows.realizedPnl === null,
      subId,
      size: null,
      collateral,
      debt,
      entryPrice: o.entryPrice,
      view: null,
      untrusted,
    };
  }
}

/** Position `id` of the signer, open: or a one-line refusal. */
async function ownOpenPosition(ctx: Ctx, router: MarginRouter, idArg: string) {
  if (!/^\d+$/.test(idArg))
    fail(`Invalid position id "${idArg}": a whole number (see: npx hardhat positions <address>)`);
  const p = await readPosition(ctx, router, BigInt(idArg));
  if (!p) fail(`No position #${idArg}`);
  if (p.trader.toLowerCase() !== ctx.me.toLowerCase())
    fail(`Position #${idArg} belongs to ${p.trader}, not ${ctx.me} (use --from)`);
  if (!p.open) fail(`Position #${idArg} is closed`);
  if (p.untrusted.length)
    fail(
      `Position #${idArg}: the pool refuses the price of ${p.untrusted.map((u) => `${u.symbol} (${u.price.problem})`).join(", ")}; nothing sent. Wait for a fresh feed within bounds (local: set-price or advance-time)`,
    );
  const coll = ctx.asset(p.isLong ? p.base : p.quote);
  const debt = ctx.asset(p.isLong ? p.quote : p.base);
  return { p, coll, debt };
}

const withPosition = (t: ReturnType<typeof task>) =>
  t
    .addOptionalParam("id", "Position id (required)", undefined, types.string)
    .addOptionalParam("from", "Signer index or address (default: the first account)", undefined, types.string)
    .addFlag("json", "Machine-readable output");

withPosition(
  task("increase-position", "Add to an open margin position: more margin at a leverage (same pair and side)"),
)
  .addOptionalParam(
    "margin",
    "Margin to add, whole tokens of the collateral asset (long: base, short: quote) (required)",
    undefined,
    types.string,
  )
  .addOptionalParam("leverage", "Leverage of the added part, e.g. 2 or 3.5 (required)", undefined, types.string)
  .addOptionalParam("slippage", "Max slippage vs the oracle, bps (0-1000)", "100", types.string)
  .setAction(
    async (
      args: { id: string; margin: string; leverage: string; slippage: string; from?: string; json: boolean },
      hre,
    ) => {
      const ctx = await context(hre, args.from);
      const router = await routerOf(ctx);
      const { p, coll, debt } = await ownOpenPosition(ctx, router, args.id);
      const margin = parseUnits(hre, args.margin, coll);
      const leverage = parseLeverage(args.leverage, await router.maxLeverage(coll.address), coll.symbol);
      const slippage = parseSlippage(args.slippage);
      const minOut = (((margin * leverage) / WAD - margin) * (10_000n - slippage)) / 10_000n;
      await ensureFunds(ctx, coll, margin, ctx.dep.marginRouter);
      const params = {
        base: p.base,
        quote: p.quote,
        isLong: p.isLong,
        margin,
        leverage,
        minOut,
        route: encodePath([debt.address, coll.address], [ctx.dep.uniswapFee]),
        deadline: await deadline(hre),
      };
      const r = await checkedSend(
        `increase position #${args.id}`,
        router,
        "increase",
        [p.id, params],
        [ctx.pool, await erc20(coll.address, ctx.signer)],
      );
      const v = await router.positionInfo(p.id);
      const data = {
        action: "increase-position",
        positionId: p.id,
        trader: ctx.me,
        margin,
        collateral: v.collateral,
        debt: v.debt,
        leverage: v.leverage,
        healthFactor: v.healthFactor,
      };
      return outputSent(
        args.json,
        r,
        data,
        () =>
          `Increased position #${args.id} by ${fmtUnits(margin, coll.decimals)} ${coll.symbol} at ${fmtUnits(leverage, 18, 2)}x · collateral ${fmtUnits(v.collateral, coll.decimals)} ${coll.symbol} · debt ${fmtUnits(v.debt, debt.decimals)} ${debt.symbol} · leverage ${fmtUnits(v.leverage, 18, 2)}x · health ${fmtHealth(v.healthFactor)} · tx ${r.hash}`,
      );
    },
  );

withPosition(task("decrease-position", "Close part of an open margin position (a percentage of its size)"))
  .addOptionalParam(
    "percent",
    "Share of the position to close, in percent, above 0 and below 100 (for 100 use close-position) (required)",
    undefined,
    types.string,
  )
  .addOptionalParam("slippage", "Max slippage vs the oracle, bps (0-1000)", "100", types.string)
  .setAction(async (args: { id: string; percent: string; slippage: string; from?: string; json: boolean }, hre) => {
    const ctx = await context(hre, args.from);
    const router = await routerOf(ctx);
    const { p, coll, debt } = await ownOpenPosition(ctx, router, args.id);
    if (!/^\d+(\.\d+)?$/.test(args.percent) || Number(args.percent) <= 0 || Number(args.percent) >= 100)
      fail(
        `Invalid --percent "${args.percent}": a number above 0 and below 100, e.g. 25 (to close everything use close-position)`,
      );
    const fraction = hre.ethers.parseUnits(args.percent, 16); // percent → WAD
    const slippage = parseSlippage(args.slippage);
    // Most collateral the swap may sell: the repaid debt's worth at the oracle price, plus the slippage.
    const repay = (p.debt * fraction) / WAD;
    const pColl: bigint = await ctx.pool.price(coll.address);
    const pDebt: bigint = await ctx.pool.price(debt.address);
    let maxSold = (((repay * pDebt) / pColl) * (10_000n + slippage)) / 10_000n + 1n;
    if (maxSold > p.collateral) maxSold = p.collateral;
    const t = await erc20(coll.address, ctx.signer);
    const before = await t.balanceOf(ctx.me);
    const route = encodePath([coll.address, debt.address], [ctx.dep.uniswapFee]);
    const r = await checkedSend(
      `decrease position #${args.id} by ${args.percent} %`,
      router,
      "decrease",
      [p.id, fraction, maxSold, route, await deadline(hre)],
      [ctx.pool, t],
    );
    const returned = (await t.balanceOf(ctx.me)) - before;
    const v = await router.positionInfo(p.id);
    const data = {
      action: "decrease-position",
      positionId: p.id,
      trader: ctx.me,
      fraction,
      returned,
      returnedSymbol: coll.symbol,
      collateral: v.collateral,
      debt: v.debt,
      healthFactor: v.healthFactor,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Decreased position #${args.id} by ${args.percent} % · ${fmtUnits(returned, coll.decimals)} ${coll.symbol} returned · collateral ${fmtUnits(v.collateral, coll.decimals)} ${coll.symbol} · debt ${fmtUnits(v.debt, debt.decimals)} ${debt.symbol} · health ${fmtHealth(v.healthFactor)} · tx ${r.hash}`,
    );
  });

withPosition(task("add-margin", "Add collateral to an open margin position (lowers its leverage)"))
  .addOptionalParam("amount", "Whole tokens of the position's collateral asset (required)", undefined, types.string)
  .setAction(async (args: { id: string; amount: string; from?: string; json: boolean }, hre) => {
    const ctx = await context(hre, args.from);
    const router = await routerOf(ctx);
    const { p, coll } = await ownOpenPosition(ctx, router, args.id);
    const amount = parseUnits(hre, args.amount, coll);
    await ensureFunds(ctx, coll, amount, ctx.dep.marginRouter);
    const r = await checkedSend(
      `add ${args.amount} ${coll.symbol} to position #${args.id}`,
      router,
      "addMargin",
      [p.id, amount],
      [ctx.pool, await erc20(coll.address, ctx.signer)],
    );
    const v = await router.positionInfo(p.id);
    const data = {
      action: "add-margin",
      positionId: p.id,
      trader: ctx.me,
      amount,
      collateral: v.collateral,
      leverage: v.leverage,
      healthFactor: v.healthFactor,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Added ${fmtUnits(amount, coll.decimals)} ${coll.symbol} to position #${args.id} · collateral ${fmtUnits(v.collateral, coll.decimals)} ${coll.symbol} · leverage ${fmtUnits(v.leverage, 18, 2)}x · health ${fmtHealth(v.healthFactor)} · tx ${r.hash}`,
    );
  });

withPosition(task("remove-margin", "Take collateral out of an open margin position (within its LTV)"))
  .addOptionalParam("amount", "Whole tokens of the position's collateral asset (required)", undefined, types.string)
  .setAction(async (args: { id: string; amount: string; from?: string; json: boolean }, hre) => {
    const ctx = await context(hre, args.from);
    const router = await routerOf(ctx);
    const { p, coll } = await ownOpenPosition(ctx, router, args.id);
    const amount = parseUnits(hre, args.amount, coll);
    if (amount > p.collateral)
      fail(
        `Position #${args.id} holds ${fmtUnits(p.collateral, coll.decimals, coll.decimals)} ${coll.symbol} of collateral, asked ${args.amount}`,
      );
    const t = await erc20(coll.address, ctx.signer);
    const before = await t.balanceOf(ctx.me);
    const r = await checkedSend(
      `remove ${args.amount} ${coll.symbol} from position #${args.id}`,
      router,
      "removeMargin",
      [p.id, amount],
      [ctx.pool, t],
    );
    const got = (await t.balanceOf(ctx.me)) - before;
    const v = await router.positionInfo(p.id);
    const data = {
      action: "remove-margin",
      positionId: p.id,
      trader: ctx.me,
      amount: got,
      collateral: v.collateral,
      leverage: v.leverage,
      healthFactor: v.healthFactor,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Removed ${fmtUnits(got, coll.decimals)} ${coll.symbol} from position #${args.id} · collateral ${fmtUnits(v.collateral, coll.decimals)} ${coll.symbol} · leverage ${fmtUnits(v.leverage, 18, 2)}x · health ${fmtHealth(v.healthFactor)} · tx ${r.hash}`,
    );
  });
