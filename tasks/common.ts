// Shared helpers of the Fulcra CLI tasks: deployment context, asset lookup, signer choice, human units, tables,
// JSON output and revert decoding. Imports nothing from "hardhat" (tasks are loaded by hardhat.config.ts).
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { isAddress as ethersIsAddress, parseUnits as ethersParseUnits } from "ethers";
import type { BaseContract, ContractTransactionReceipt, Signer } from "ethers";
import type { IFulcraPool, MockERC20 } from "../typechain-types";
import {
  assertNetworkReady,
  connectPool,
  deploymentFile,
  readDeployment,
  type DeployedAsset,
  type Deployment,
} from "../lib/deploy";

export const PLUGIN = "fulcra";
export const WAD = 10n ** 18n;
export const MAX_UINT256 = (1n << 256n) - 1n;

/** A user-facing error: Hardhat prints its message without a stack trace. */
export function fail(message: string): never {
  throw new HardhatPluginError(PLUGIN, message);
}

export interface Ctx {
  hre: HardhatRuntimeEnvironment;
  dep: Deployment;
  signer: Signer;
  me: string;
  pool: IFulcraPool;
  asset: (symbolOrAddress: string) => DeployedAsset;
}

/** Loads the network's deployment and binds the pool to `from` (signer index or address; default signer 0). */
export async function context(hre: HardhatRuntimeEnvironment, from?: string): Promise<Ctx> {
  let dep: Deployment;
  try {
    assertNetworkReady(hre);
    dep = readDeployment(hre);
  } catch (e) {
    fail((e as Error).message);
  }
  // The TypeChain factories load first: on a busy machine that takes seconds, and a request after such a pause goes
  // out on a keep-alive connection `hardhat node` has already closed (idle 5 s): "other side closed".
  const unsigned = await connectPool(dep.pool, hre.ethers.provider);
  const signer = await pickSigner(hre, from);
  const pool = unsigned.connect(signer);
  // A pool address with no code (node restarted, file edited) or another contract's code: say so, not a decode error.
  const file = deploymentFile(hre);
  const redeploy = dep.local
    ? `the node was restarted or the file was edited: run npx hardhat deploy --network ${hre.network.name} --fresh`
    : `correct the file`;
  if ((await hre.ethers.provider.getCode(dep.pool)) === "0x")
    fail(`No contract at the pool address ${dep.pool} recorded in ${file}: ${redeploy}`);
  try {
    await pool.assetCount();
  } catch {
    fail(`The contract at ${dep.pool} recorded as the pool in ${file} is not a Fulcra pool: ${redeploy}`);
  }
  const asset = (s: string) => {
    const a = dep.assets.find(
      (x) => x.symbol.toLowerCase() === s.toLowerCase() || x.address.toLowerCase() === s.toLowerCase(),
    );
    if (!a) fail(`Unknown asset "${s}". Listed: ${dep.assets.map((x) => x.symbol).join(", ")}`);
    return a;
  };
  return { hre, dep, signer, me: await signer.getAddress(), pool, asset };
}

export async function pickSigner(hre: HardhatRuntimeEnvironment, from?: string): Promise<Signer> {
  const signers = await hre.ethers.getSigners();
  if (from === undefined || from === "") {
    if (!signers.length) fail(`No account configured for network "${hre.network.name}" (see docs/deploy.md).`);
    return signers[0];
  }
  if (/^\d+$/.test(from)) {
    const s = signers[Number(from)];
    if (!s) fail(`--from ${from}: the network has only ${signers.length} account(s)`);
    return s;
  }
  const s = signers.find((x) => x.address.toLowerCase() === from.toLowerCase());
  if (!s) fail(`--from ${from}: not one of this network's accounts`);
  return s;
}

export function parseUnits(hre: HardhatRuntimeEnvironment, amount: string, a: DeployedAsset): bigint {
  if (!/^\d+(\.\d+)?$/.test(amount))
    fail(`Invalid amount "${amount}": use a decimal number of whole ${a.symbol}, e.g. 1.5`);
  const frac = amount.split(".")[1] ?? "";
  if (frac.length > a.decimals) fail(`Invalid amount "${amount}": ${a.symbol} has ${a.decimals} decimals`);
  const v = hre.ethers.parseUnits(amount, a.decimals);
  if (v === 0n) fail("Amount must be positive");
  return v;
}

/** `--leverage`: a number above 1 and at most `max` (WAD, the router's maxLeverage for the collateral now). */
export function parseLeverage(s: string, max: bigint, collateral: string): bigint {
  const most = `${fmtUnits(max, 18, 2)}x`;
  if (!/^\d+(\.\d{1,18})?$/.test(s))
    fail(`Invalid leverage "${s}": a number above 1, e.g. 2 or 3.5 (at most ${most} for ${collateral} collateral now)`);
  const v = ethersParseUnits(s, 18);
  if (v <= WAD)
    fail(
      `Leverage ${s}x must be above 1 (no borrowing at 1x: use deposit-collateral); at most ${most} for ${collateral} collateral now`,
    );
  if (max === 0n) fail(`No leverage on ${collateral} collateral now: its circuit breaker is on`);
  if (v > max) fail(`Leverage ${s}x is above the maximum ${most} for ${collateral} collateral now`);
  return v;
}

/** `--slippage`: whole basis points, 0 to 1000 (10 %). */
export function parseSlippage(s: string): bigint {
  if (!/^\d+$/.test(s) || Number(s) > 1000)
    fail(`Invalid slippage "${s}": whole basis points from 0 to 1000, e.g. 100 for 1 %`);
  return BigInt(s);
}

/** Raw units → "1,234.5678" (up to `digits` fraction digits). */
export function fmtUnits(v: bigint, decimals: number, digits = 4): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const s = abs.toString().padStart(decimals + 1, "0");
  const int = s.slice(0, s.length - decimals) || "0";
  let frac = decimals ? s.slice(s.length - decimals).slice(0, digits) : "";
  frac = frac.replace(/0+$/, "");
  const intFmt = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (neg ? "-" : "") + intFmt + (frac ? "." + frac : "");
}
export const fmtUsd = (wad: bigint, digits = 2) => "$" + fmtUnits(wad, 18, digits);
export const fmtPct = (wad: bigint, digits = 2) => fmtUnits(wad * 100n, 18, digits) + "%";
export const fmtBps = (bps: bigint | number) => (Number(bps) / 100).toFixed(2) + "%";
export const fmtHealth = (wad: bigint) => (wad === MAX_UINT256 ? "∞" : fmtUnits(wad, 18, 4));
export const fmtCap = (v: bigint, decimals: number) => (v >= (1n << 128n) - 1n ? "none" : fmtUnits(v, decimals, 2));

/** USD per whole token (WAD) from the pool's price (USD·1e18 per raw unit, scaled 1e18). */
export const wholePrice = (poolPrice: bigint, decimals: number) => (poolPrice * 10n ** BigInt(decimals)) / WAD;

/** A plain text table. */
export function table(rows: Record<string, string>[]): string {
  if (!rows.length) return "(none)";
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [
    line(cols),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map((r) => line(cols.map((c) => r[c] ?? ""))),
  ].join("\n");
}

/** JSON with bigints as decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x), 2);
}

/** Prints `data` as JSON or `text`, and returns `data` (so hre.run callers get it). */
export function output<T>(json: boolean, data: T, text: () => string): T {
  console.log(json ? toJson(data) : text());
  return data;
}

/** `output` for a command that sent a transaction: the record ends with the transaction's hash and block. */
export function outputSent<T extends object>(
  json: boolean,
  r: { hash: string; blockNumber: number },
  data: T,
  text: () => string,
): T & { tx: string; block: number } {
  return output(json, { ...data, tx: r.hash, block: r.blockNumber }, text);
}

const FRIENDLY: Record<string, string> = {
  InsufficientCollateral: "would be unhealthy: the account's borrowing power (LTV) does not cover this",
  InsufficientLiquidity: "not enough liquidity in the market",
  InsufficientBalance: "insufficient balance in the pool for this account",
  SupplyCapExceeded: "the supply cap would be exceeded",
  BorrowCapExceeded: "the borrow cap would be exceeded",
  CollateralCapExceeded: "the collateral cap would be exceeded",
  BelowMinBorrow: "the debt would be below the market's minimum borrow",
  NotBorrowable: "this asset cannot be borrowed",
  NotCollateral: "this asset cannot be collateral",
  DebtAssetMismatch: "the account already owes another asset (one debt asset per account)",
  CollateralIsDebtAsset: "an account cannot borrow the asset it uses as collateral",
  TooManyCollaterals: "the account already has the maximum number of collateral assets",
  CircuitBreakerActive: "the circuit breaker is on for this asset",
  SupplyPaused: "supply is paused",
  BorrowPaused: "borrowing is paused",
  StalePrice: "a price feed is stale (on a local network: run advance-time, which refreshes the mock feeds)",
  NoDebt: "the account has no debt",
  RepayExceedsDebt: "more than the debt (use --amount max to repay everything)",
  Unauthorized: "not authorized for this account",
  LeverageTooHigh: "leverage above the maximum the collateral's LTV allows",
  PositionTooSmall: "position below the router's minimum size",
  PriceDeviation: "the swap price deviates too far from the oracle",
  NotTrader: "not the trader of this position",
  PositionClosed: "the position is already closed",
  ERC20InsufficientBalance: "insufficient token balance",
  ERC20InsufficientAllowance: "insufficient allowance",
};

/** Turns a revert into "<ErrorName>: <what it means>". */
export function describeRevert(e: unknown, contracts: BaseContract[]): string {
  const err = e as {
    revert?: { name: string; args: unknown[] };
    data?: string;
    shortMessage?: string;
    message?: string;
  };
  let name = err.revert?.name;
  let args = err.revert?.args;
  const data = err.data ?? (e as { error?: { data?: string } }).error?.data;
  if (!name && typeof data === "string" && data.length >= 10) {
    for (const c of contracts) {
      try {
        const parsed = c.interface.parseError(data);
        if (parsed) {
          name = parsed.name;
          args = [...parsed.args];
          break;
        }
      } catch {
        /* not this contract's error */
      }
    }
  }
  if (!name) {
    // Over JSON-RPC (`npx hardhat node`) the revert can arrive only as Hardhat's message text.
    const m = /custom error '(\w+)\((.*?)\)'/.exec(err.message ?? "");
    if (m) {
      name = m[1];
      args = m[2] ? m[2].split(",").map((x) => x.trim()) : [];
    }
  }
  if (name) {
    // Amounts the error reports in WAD (leverage), shown as numbers rather than raw integers.
    const wad = (x: unknown, f: (v: bigint) => string) => (/^\d+$/.test(String(x)) ? f(BigInt(String(x))) : String(x));
    if (name === "LeverageTooHigh" && args) args = args.map((x) => wad(x, (v) => `${fmtUnits(v, 18, 4)}x`));
    if (name === "PriceDeviation" && args) args = args.map((x) => wad(x, (v) => fmtUsd(v))); // USD values, WAD
    const a = args && args.length ? `(${args.map((x) => String(x)).join(", ")})` : "";
    return `${name}${a}: ${FRIENDLY[name] ?? "reverted"}`;
  }
  return err.shortMessage ?? err.message ?? String(e);
}

/** Runs `fn.staticCall(...args)` to surface a revert with a clear message before sending, then sends. */
export async function checkedSend(
  what: string,
  c: BaseContract,
  fn: string,
  args: unknown[],
  decoders: BaseContract[] = [],
): Promise<ContractTransactionReceipt> {
  try {
    await c.getFunction(fn).staticCall(...args);
  } catch (e) {
    fail(`${what} refused (checked with a static call, nothing sent): ${describeRevert(e, [c, ...decoders])}`);
  }
  // `send`: what calling a non-view method does, typed (the bare call is typed `any` on an untyped method).
  const tx = await c.getFunction(fn).send(...args);
  const receipt = await tx.wait();
  if (!receipt) fail(`${what}: sent as ${tx.hash}, but the node returned no receipt`);
  return receipt;
}

/**
 * The token at `address`, with MockERC20's ABI: it carries OpenZeppelin's ERC20 errors, which describeRevert decodes.
 * The TypeChain factory is imported lazily: this module loads with hardhat.config.ts, before a first compile.
 */
export async function erc20(address: string, signer: Signer): Promise<MockERC20> {
  const { MockERC20__factory } = await import("../typechain-types");
  return MockERC20__factory.connect(address, signer);
}

/** ethers' isAddress without its type guard, which narrows a rejected `string` to `never` (unprintable). */
export const isAddress = (s: string): boolean => ethersIsAddress(s);

/** Fails with "insufficient balance" if `me` holds less than `amount`, then approves `spender` if needed. */
export async function ensureFunds(ctx: Ctx, a: DeployedAsset, amount: bigint, spender: string) {
  const t = await erc20(a.address, ctx.signer);
  const bal = await t.balanceOf(ctx.me);
  if (bal < amount)
    fail(
      `Insufficient balance: ${ctx.me} holds ${fmtUnits(bal, a.decimals, a.decimals)} ${a.symbol}, needs ${fmtUnits(amount, a.decimals, a.decimals)}`,
    );
  const allowance = await t.allowance(ctx.me, spender);
  if (allowance < amount) await (await t.approve(spender, amount)).wait();
}

/** A price as the pool sees it, or, when the pool refuses the feed's answer, the answer itself marked untrusted. */
export interface PriceRead {
  /** USD per whole token (WAD): the pool's price, or the feed's answer when `problem` is set (null if unreadable). */
  usd: bigint | null;
  /** The pool's price (USD·1e18 per raw unit, scaled 1e18), null when the pool refuses it. */
  poolPrice: bigint | null;
  /** Why the price cannot be trusted ("stale", "out of bounds", ...), null when it can. */
  problem: string | null;
}

const PRICE_PROBLEMS: Record<string, string> = {
  StalePrice: "stale",
  PriceAtBound: "out of bounds",
  NonPositivePrice: "not positive",
};

export async function readPrice(ctx: Ctx, a: DeployedAsset): Promise<PriceRead> {
  try {
    const p = await ctx.pool.price(a.address);
    return { usd: wholePrice(p, a.decimals), poolPrice: p, problem: null };
  } catch (e) {
    const name = /^(\w+)/.exec(describeRevert(e, [ctx.pool]))?.[1] ?? "";
    const problem = PRICE_PROBLEMS[name] ?? "unreadable";
    try {
      const feed = await ctx.hre.ethers.getContractAt("MockPriceFeed", a.feed, ctx.signer);
      const [, answer] = await feed.latestRoundData();
      return { usd: (answer * WAD) / 10n ** BigInt(a.feedDecimals), poolPrice: null, problem };
    } catch {
      return { usd: null, poolPrice: null, problem };
    }
  }
}

/** "$2,000", or "$1,000,000,000 (out of bounds!)" for a price the pool refuses. */
export const fmtPrice = (p: PriceRead) =>
  (p.usd === null ? "n/a" : fmtUsd(p.usd)) + (p.problem ? ` (${p.problem}!)` : "");

/** The warning line under a table for the prices the pool refuses, or nothing. */
export function priceWarnings(rows: { symbol: string; price: PriceRead }[]): string[] {
  const bad = rows.filter((r) => r.price.problem);
  if (!bad.length) return [];
  return [
    `! untrusted price: ${bad.map((r) => `${r.symbol} ${r.price.problem}`).join(", ")} (feed answer shown; the pool refuses borrows, withdrawals and liquidations that need it until the feed is fresh and within bounds${
      bad.some((r) => r.price.problem === "stale") ? "; on a local network run advance-time" : ""
    })`,
  ];
}

export function requireLocal(hre: HardhatRuntimeEnvironment, dep: Deployment, task: string) {
  if (!dep.local) fail(`${task} is for local networks only ("${hre.network.name}" is not local)`);
}
