// Action tasks: supply, withdraw, deposit-collateral, withdraw-collateral, borrow, repay, open-position, close-position. Each checks the
// balance, approves what it needs, and runs the call as a static call first so a refusal (would be unhealthy, cap,
// paused...) is reported clearly and nothing is sent.
import { task, types } from "hardhat/config";
import type { MockERC20 } from "../typechain-types";
import { encodePath } from "../lib/deploy-uniswap";
import {
  MAX_UINT256,
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
  type Ctx,
} from "./common";
import { deadline, positionFlows, routerOf } from "./margin";

interface ActArgs {
  asset: string;
  amount: string;
  sub: string;
  from?: string;
  json: boolean;
}

const withCommon = (t: ReturnType<typeof task>, amountHelp: string) =>
  t
    .addOptionalParam("asset", "Asset symbol (or address) (required)", undefined, types.string)
    .addOptionalParam("amount", amountHelp + " (required)", undefined, types.string)
    .addOptionalParam("sub", "Sub-account id", "0", types.string)
    .addOptionalParam("from", "Signer index or address (default: the first account)", undefined, types.string)
    .addFlag("json", "Machine-readable output");

async function healthAfter(ctx: Ctx, sub: bigint) {
  const h = await ctx.pool.accountHealth(ctx.me, sub);
  return h.healthFactor;
}

function subOf(s: string): bigint {
  if (!/^\d+$/.test(s)) fail(`Invalid sub-account "${s}"`);
  return BigInt(s);
}

async function decoders(ctx: Ctx, token: string): Promise<MockERC20[]> {
  return [await erc20(token, ctx.signer)];
}

withCommon(task("supply", "Supply an asset to earn interest"), "Whole tokens, e.g. 1000").setAction(
  async (args: ActArgs, hre) => {
    const ctx = await context(hre, args.from);
    const a = ctx.asset(args.asset);
    const amount = parseUnits(hre, args.amount, a);
    await ensureFunds(ctx, a, amount, ctx.dep.pool);
    const r = await checkedSend(
      `supply ${args.amount} ${a.symbol}`,
      ctx.pool,
      "supply",
      [a.address, amount, 0n, ctx.me],
      await decoders(ctx, a.address),
    );
    const balance: bigint = await ctx.pool.supplyBalance(a.address, ctx.me);
    const data = {
      action: "supply",
      account: ctx.me,
      asset: a.symbol,
      amount,
      supplied: balance,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Supplied ${fmtUnits(amount, a.decimals)} ${a.symbol} · now supplying ${fmtUnits(balance, a.decimals)} ${a.symbol} · tx ${r.hash}`,
    );
  },
);

withCommon(task("withdraw", "Withdraw supplied assets (amount or max)"), "Whole tokens, or max").setAction(
  async (args: ActArgs, hre) => {
    const ctx = await context(hre, args.from);
    const a = ctx.asset(args.asset);
    const supplied: bigint = await ctx.pool.supplyBalance(a.address, ctx.me);
    if (supplied === 0n) fail(`Insufficient balance: ${ctx.me} has nothing supplied in ${a.symbol}`);
    let callArgs: unknown[];
    if (args.amount === "max") {
      const shares: bigint = await ctx.pool.supplyShares(a.address, ctx.me);
      callArgs = [a.address, 0n, shares, ctx.me, ctx.me];
    } else {
      const amount = parseUnits(hre, args.amount, a);
      if (amount > supplied)
        fail(
          `Insufficient balance: ${ctx.me} supplies ${fmtUnits(supplied, a.decimals, a.decimals)} ${a.symbol}, asked ${args.amount}`,
        );
      callArgs = [a.address, amount, 0n, ctx.me, ctx.me];
    }
    const t = await erc20(a.address, ctx.signer);
    const before = await t.balanceOf(ctx.me);
    const r = await checkedSend(`withdraw ${args.amount} ${a.symbol}`, ctx.pool, "withdraw", callArgs);
    const got = (await t.balanceOf(ctx.me)) - before;
    const data = {
      action: "withdraw",
      account: ctx.me,
      asset: a.symbol,
      amount: got,
    };
    return outputSent(args.json, r, data, () => `Withdrew ${fmtUnits(got, a.decimals)} ${a.symbol} · tx ${r.hash}`);
  },
);

withCommon(task("deposit-collateral", "Deposit collateral into an account (owner, sub)"), "Whole tokens").setAction(
  async (args: ActArgs, hre) => {
    const ctx = await context(hre, args.from);
    const a = ctx.asset(args.asset);
    const sub = subOf(args.sub);
    const amount = parseUnits(hre, args.amount, a);
    await ensureFunds(ctx, a, amount, ctx.dep.pool);
    const r = await checkedSend(
      `deposit ${args.amount} ${a.symbol}`,
      ctx.pool,
      "supplyCollateral",
      [a.address, amount, ctx.me, sub],
      await decoders(ctx, a.address),
    );
    const collateral: bigint = await ctx.pool.collateralOf(ctx.me, sub, a.address);
    const data = {
      action: "deposit-collateral",
      account: ctx.me,
      subId: args.sub,
      asset: a.symbol,
      amount,
      collateral,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Deposited ${fmtUnits(amount, a.decimals)} ${a.symbol} · collateral now ${fmtUnits(collateral, a.decimals)} ${a.symbol} · tx ${r.hash}`,
    );
  },
);

withCommon(
  task("withdraw-collateral", "Withdraw collateral from an account (amount or max)"),
  "Whole tokens, or max",
).setAction(async (args: ActArgs, hre) => {
  const ctx = await context(hre, args.from);
  const a = ctx.asset(args.asset);
  const sub = subOf(args.sub);
  const have: bigint = await ctx.pool.collateralOf(ctx.me, sub, a.address);
  if (have === 0n) fail(`Insufficient balance: account ${ctx.me} sub ${args.sub} has no ${a.symbol} collateral`);
  const amount = args.amount === "max" ? have : parseUnits(hre, args.amount, a);
  if (amount > have)
    fail(
      `Insufficient balance: account ${ctx.me} sub ${args.sub} has ${fmtUnits(have, a.decimals, a.decimals)} ${a.symbol} collateral, asked ${args.amount}`,
    );
  const r = await checkedSend(`withdraw ${args.amount} ${a.symbol} collateral`, ctx.pool, "withdrawCollateral", [
    a.address,
    amount,
    ctx.me,
    sub,
    ctx.me,
  ]);
  const left: bigint = await ctx.pool.collateralOf(ctx.me, sub, a.address);
  const health = await healthAfter(ctx, sub);
  const data = {
    action: "withdraw-collateral",
    account: ctx.me,
    subId: args.sub,
    asset: a.symbol,
    amount,
    collateral: left,
    healthFactor: health,
  };
  return outputSent(
    args.json,
    r,
    data,
    () =>
      `Withdrew ${fmtUnits(amount, a.decimals)} ${a.symbol} collateral · ${fmtUnits(left, a.decimals)} ${a.symbol} left · health factor ${fmtHealth(health)} · tx ${r.hash}`,
  );
});

withCommon(task("borrow", "Borrow against the account's collateral"), "Whole tokens").setAction(
  async (args: ActArgs, hre) => {
    const ctx = await context(hre, args.from);
    const a = ctx.asset(args.asset);
    const sub = subOf(args.sub);
    const amount = parseUnits(hre, args.amount, a);
    const r = await checkedSend(`borrow ${args.amount} ${a.symbol}`, ctx.pool, "borrow", [
      a.address,
      amount,
      ctx.me,
      sub,
      ctx.me,
    ]);
    const health = await healthAfter(ctx, sub);
    const data = {
      action: "borrow",
      account: ctx.me,
      subId: args.sub,
      asset: a.symbol,
      amount,
      healthFactor: health,
    };
    return outputSent(
      args.json,
      r,
      data,
      () => `Borrowed ${fmtUnits(amount, a.decimals)} ${a.symbol} · health factor ${fmtHealth(health)} · tx ${r.hash}`,
    );
  },
);

withCommon(task("repay", "Repay debt (amount or max)"), "Whole tokens, or max").setAction(
  async (args: ActArgs, hre) => {
    const ctx = await context(hre, args.from);
    const a = ctx.asset(args.asset);
    const sub = subOf(args.sub);
    const [debtAsset, , debt] = await ctx.pool.accountOf(ctx.me, sub);
    if (debtAsset === hre.ethers.ZeroAddress) fail(`Account ${ctx.me} sub ${args.sub} has no debt`);
    if (debtAsset.toLowerCase() !== a.address.toLowerCase())
      fail(`Account ${ctx.me} sub ${args.sub} owes ${ctx.asset(debtAsset).symbol}, not ${a.symbol}`);
    const max = args.amount === "max";
    // Interest accrues until the repay is mined: allow a little more for max.
    const need = max ? debt + debt / 10_000n + 1n : parseUnits(hre, args.amount, a);
    await ensureFunds(ctx, a, need, ctx.dep.pool);
    const r = await checkedSend(
      `repay ${args.amount} ${a.symbol}`,
      ctx.pool,
      "repay",
      [a.address, max ? MAX_UINT256 : need, ctx.me, sub],
      await decoders(ctx, a.address),
    );
    const [, , left] = await ctx.pool.accountOf(ctx.me, sub);
    const data = {
      action: "repay",
      account: ctx.me,
      subId: args.sub,
      asset: a.symbol,
      debtBefore: debt,
      debtAfter: left,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Repaid ${a.symbol} · debt ${fmtUnits(debt, a.decimals)} → ${fmtUnits(left, a.decimals)} ${a.symbol} · tx ${r.hash}`,
    );
  },
);

task("open-position", "Open a leveraged long or short through the MarginRouter")
  .addOptionalParam("base", "Base asset (what you go long or short), e.g. WETH (required)", undefined, types.string)
  .addOptionalParam("quote", "Quote asset, e.g. USDC (required)", undefined, types.string)
  .addOptionalParam("side", "long or short (required)", undefined, types.string)
  .addOptionalParam(
    "margin",
    "Margin in the collateral asset (long: base, short: quote), whole tokens (required)",
    undefined,
    types.string,
  )
  .addOptionalParam("leverage", "Leverage, e.g. 2 or 3.5 (required)", undefined, types.string)
  .addOptionalParam("slippage", "Max slippage vs the oracle, bps", "100", types.string)
  .addOptionalParam("from", "Signer index or address", undefined, types.string)
  .addFlag("json", "Machine-readable output")
  .setAction(
    async (
      args: {
        base: string;
        quote: string;
        side: string;
        margin: string;
        leverage: string;
        slippage: string;
        from?: string;
        json: boolean;
      },
      hre,
    ) => {
      const ctx = await context(hre, args.from);
      if (args.side !== "long" && args.side !== "short") fail(`--side must be long or short, got "${args.side}"`);
      const isLong = args.side === "long";
      const base = ctx.asset(args.base);
      const quote = ctx.asset(args.quote);
      if (base.address === quote.address) fail("base and quote must differ");
      const coll = isLong ? base : quote;
      const debt = isLong ? quote : base;
      const margin = parseUnits(hre, args.margin, coll);
      const router = await routerOf(ctx);
      const leverage = parseLeverage(args.leverage, await router.maxLeverage(coll.address), coll.symbol);
      const slippage = parseSlippage(args.slippage);
      const notional = (margin * leverage) / WAD;
      const minOut = ((notional - margin) * (10_000n - slippage)) / 10_000n;
      await ensureFunds(ctx, coll, margin, ctx.dep.marginRouter);
      if (!(await ctx.pool.isAuthorized(ctx.me, ctx.dep.marginRouter)))
        await (await ctx.pool.setAuthorization(ctx.dep.marginRouter, true)).wait();
      const params = {
        base: base.address,
        quote: quote.address,
        isLong,
        margin,
        leverage,
        minOut,
        route: encodePath([debt.address, coll.address], [ctx.dep.uniswapFee]),
        deadline: await deadline(hre),
      };
      const id: bigint = await router.nextPositionId();
      const r = await checkedSend(
        `open ${args.side} ${base.symbol}/${quote.symbol}`,
        router,
        "openPosition",
        [params],
        [ctx.pool, await erc20(coll.address, ctx.signer)],
      );
      const v = await router.positionInfo(id);
      const data = {
        action: "open-position",
        positionId: id,
        trader: ctx.me,
        pair: `${base.symbol}/${quote.symbol}`,
        side: args.side,
        margin,
        collateral: v.collateral,
        debt: v.debt,
        entryPrice: v.entryPrice,
        leverage: v.leverage,
        healthFactor: v.healthFactor,
      };
      return outputSent(
        args.json,
        r,
        data,
        () =>
          `Opened position #${id}: ${args.side} ${base.symbol}/${quote.symbol} · collateral ${fmtUnits(v.collateral, coll.decimals)} ${coll.symbol} · debt ${fmtUnits(v.debt, debt.decimals)} ${debt.symbol} · entry ${fmtUnits(v.entryPrice, 18, 2)} · leverage ${fmtUnits(v.leverage, 18, 2)}x · health ${fmtHealth(v.healthFactor)} · tx ${r.hash}`,
      );
    },
  );

task("close-position", "Close a margin position entirely")
  .addOptionalPositionalParam("id", "Position id (required)", undefined, types.string)
  .addOptionalParam("from", "Signer index or address", undefined, types.string)
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { id: string; from?: string; json: boolean }, hre) => {
    const ctx = await context(hre, args.from);
    if (!/^\d+$/.test(args.id)) fail(`Invalid position id "${args.id}"`);
    const router = await routerOf(ctx);
    const v = await router.positionInfo(BigInt(args.id));
    if (v.trader === hre.ethers.ZeroAddress) fail(`No position #${args.id}`);
    if (v.trader.toLowerCase() !== ctx.me.toLowerCase())
      fail(`Position #${args.id} belongs to ${v.trader}, not ${ctx.me}`);
    if (!v.open) fail(`Position #${args.id} is already closed`);
    const coll = ctx.asset(v.isLong ? v.base : v.quote);
    const debt = ctx.asset(v.isLong ? v.quote : v.base);
    const t = await erc20(coll.address, ctx.signer);
    const before = await t.balanceOf(ctx.me);
    const route = encodePath([coll.address, debt.address], [ctx.dep.uniswapFee]);
    const r = await checkedSend(
      `close position #${args.id}`,
      router,
      "close",
      [BigInt(args.id), v.collateral, route, await deadline(hre)],
      [ctx.pool, t],
    );
    const returned = (await t.balanceOf(ctx.me)) - before;
    const flows = await positionFlows(ctx, router, BigInt(args.id));
    const realizedPnl = flows.takenOut - flows.paidIn;
    const data = {
      action: "close-position",
      positionId: args.id,
      trader: ctx.me,
      returned,
      returnedSymbol: coll.symbol,
      paidIn: flows.paidIn,
      takenOut: flows.takenOut,
      realizedPnl,
    };
    return outputSent(
      args.json,
      r,
      data,
      () =>
        `Closed position #${args.id}: ${fmtUnits(returned, coll.decimals)} ${coll.symbol} returned · realized PnL ${realizedPnl >= 0n ? "+" : ""}${fmtUnits(realizedPnl, coll.decimals)} ${coll.symbol} (paid in ${fmtUnits(flows.paidIn, coll.decimals)}, taken out ${fmtUnits(flows.takenOut, coll.decimals)}) · tx ${r.hash}`,
    );
  });
