// Local-only tasks for demos and rehearsals: move a mock price feed (and the Uniswap pools with it), advance time.
import { task, types } from "hardhat/config";
import { syncPoolPrice } from "../lib/deploy-uniswap";
import { context, fail, fmtUsd, output, requireLocal, WAD } from "./common";

task("set-price", "Local only: set a mock feed's USD price (and move the Uniswap pools to match)")
  .addOptionalPositionalParam("asset", "Asset symbol (required)", undefined, types.string)
  .addOptionalPositionalParam("price", "USD price, e.g. 1850.5 (required)", undefined, types.string)
  .addFlag("noDex", "Leave the Uniswap pools where they are")
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { asset: string; price: string; noDex: boolean; json: boolean }, hre) => {
    const ctx = await context(hre);
    requireLocal(hre, ctx.dep, "set-price");
    const a = ctx.asset(args.asset);
    if (!a.mockFeed) fail(`${a.symbol} uses a real price feed, which cannot be moved`);
    if (!/^\d+(\.\d+)?$/.test(args.price) || Number(args.price) <= 0)
      fail(`Invalid price "${args.price}": a positive USD price, e.g. 1850.5`);
    const feed = await hre.ethers.getContractAt("MockPriceFeed", a.feed, ctx.signer);
    const frac = args.price.split(".")[1] ?? "";
    if (frac.length > a.feedDecimals)
      fail(`Invalid price "${args.price}": the ${a.symbol} feed has ${a.feedDecimals} decimals`);
    const answer = hre.ethers.parseUnits(args.price, a.feedDecimals);
    // The pool rejects answers at or beyond its bounds for the feed: refuse before moving anything.
    const risk = await ctx.pool.assetRisk(a.address);
    const bound = (x: bigint) => fmtUsd((x * WAD) / 10n ** BigInt(a.feedDecimals));
    if (answer <= risk.minAnswer || answer >= risk.maxAnswer)
      fail(
        `Price ${args.price} is outside the ${a.symbol} feed's bounds: the pool accepts prices above ${bound(risk.minAnswer)} and below ${bound(risk.maxAnswer)} (minPrice/maxPrice in config/${hre.network.name}.ts); nothing sent`,
      );
    await (await feed.setAnswer(answer)).wait();
    const synced: string[] = [];
    if (!args.noDex) {
      const usdOf = async (sym: string) => {
        const x = ctx.asset(sym);
        const f = await hre.ethers.getContractAt("MockPriceFeed", x.feed, ctx.signer);
        const [, ans] = await f.latestRoundData();
        return { address: x.address, decimals: x.decimals, usd: (ans * WAD) / 10n ** BigInt(x.feedDecimals) };
      };
      for (const p of ctx.dep.uniswapPools) {
        if (!p.pair.includes(a.symbol)) continue;
        const mint = async (token: string, to: string, amount: bigint) => {
          const t = await hre.ethers.getContractAt("MockERC20", token, ctx.signer);
          await (await t.mint(to, amount)).wait();
        };
        if (
          await syncPoolPrice(
            hre,
            ctx.signer,
            ctx.dep.uniswapFactory,
            ctx.dep.swapRouter,
            p.fee,
            await usdOf(p.pair[0]),
            await usdOf(p.pair[1]),
            mint,
          )
        )
          synced.push(p.pair.join("/"));
      }
    }
    const price: bigint = await ctx.pool.price(a.address);
    const whole = (price * 10n ** BigInt(a.decimals)) / WAD;
    const data = { asset: a.symbol, answer, priceUsd: whole, dexPoolsMoved: synced };
    return output(
      args.json,
      data,
      () => `${a.symbol} = ${fmtUsd(whole)}${synced.length ? ` · Uniswap moved: ${synced.join(", ")}` : ""}`,
    );
  });

task("advance-time", "Local only: advance the chain's clock (and refresh the mock feeds so they do not go stale)")
  .addOptionalPositionalParam("seconds", "Seconds to advance (required)", undefined, types.string)
  .addFlag("keepStale", "Do not refresh the mock feeds")
  .addFlag("json", "Machine-readable output")
  .setAction(async (args: { seconds: string; keepStale: boolean; json: boolean }, hre) => {
    const ctx = await context(hre);
    requireLocal(hre, ctx.dep, "advance-time");
    if (!/^\d+$/.test(args.seconds) || Number(args.seconds) <= 0)
      fail(`Invalid seconds "${args.seconds}": a whole number of seconds above 0, e.g. 3600`);
    const latest = async () => {
      const b = await hre.ethers.provider.getBlock("latest");
      if (!b) fail("The node returned no latest block");
      return b.timestamp;
    };
    const before = await latest();
    await hre.network.provider.send("evm_increaseTime", [Number(args.seconds)]);
    await hre.network.provider.send("evm_mine", []);
    const refreshed: string[] = [];
    if (!args.keepStale) {
      for (const a of ctx.dep.assets) {
        if (!a.mockFeed) continue;
        const f = await hre.ethers.getContractAt("MockPriceFeed", a.feed, ctx.signer);
        const [, ans] = await f.latestRoundData();
        await (await f.setAnswer(ans)).wait();
        refreshed.push(a.symbol);
      }
    }
    const after = await latest();
    const data = { from: before, to: after, advanced: after - before, feedsRefreshed: refreshed };
    return output(
      args.json,
      data,
      () =>
        `Time ${new Date(before * 1000).toISOString()} → ${new Date(after * 1000).toISOString()} (+${after - before} s)${refreshed.length ? ` · feeds refreshed: ${refreshed.join(", ")}` : ""}`,
    );
  });
