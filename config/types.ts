// Typed per-network deployment configuration, its validation and its hash. Pure TypeScript (no Hardhat import), so
// the deploy library, the tasks and the tests can all use it.
import { createHash } from "crypto";
import type { RiskProfile } from "./profiles";

/** Bounds mirrored from PoolStorage / PoolExt / RiskEngine / MarginRouter so that a bad config fails before any tx. */
export const BOUNDS = {
  MAX_LT: 9_700,
  MIN_LTV_LT_GAP: 100,
  MAX_RESERVE_FACTOR: 5_000,
  MAX_BASE_RATE: 10_000,
  MAX_SLOPE1: 20_000,
  MAX_SLOPE2: 60_000,
  MIN_KINK: 1_000,
  MAX_KINK: 9_900,
  MIN_HEARTBEAT: 60,
  MAX_HEARTBEAT: 7 * 86_400,
  MAX_FLASH_FEE: 100,
  MAX_BONUS: 2_000,
  MAX_PROTOCOL_SHARE: 5_000,
  MAX_ASSETS: 255,
  MAX_TOKEN_PLUS_FEED_DECIMALS: 36,
  // RiskEngine
  RE_MAX_SLOPE: 2_000,
  RE_MAX_RAMP: 200,
  RE_MIN_REF_VOL: 0.05,
  RE_MAX_REF_VOL: 3,
  RE_MAX_BREAKER_VOL: 10,
  RE_MIN_BREAKER_MOVE: 0.02,
  RE_MAX_BREAKER_MOVE: 1,
  RE_MAX_COOLDOWN: 7 * 86_400,
  RE_MAX_LT_HOLD: 15,
  // VolatilityOracle
  VO_MIN_HALF_LIFE: 3_600,
  VO_MIN_FAST_HALF_LIFE: 900,
  VO_MAX_HALF_LIFE: 90 * 86_400,
  VO_MIN_INTERVAL: 60,
  VO_MAX_INTERVAL: 86_400,
  VO_MIN_MAX_AGE: 60,
  VO_MAX_MAX_AGE: 7 * 86_400,
  VO_MAX_SHOCK_WINDOW: 7 * 86_400,
  VO_MAX_VOL: 10,
  // MarginRouter
  MARGIN_MAX_FEE_BPS: 50,
  MARGIN_MAX_DEVIATION_BPS: 500,
  // OZ TimelockController has no bound; we refuse anything above 30 days as a typo guard.
  MAX_TIMELOCK_DELAY: 30 * 86_400,
} as const;

/** A string amount in whole tokens ("1000000", "0.05") or "max" for no cap (type(uint128).max). */
export type Amount = string;

export interface AssetEntry {
  symbol: string;
  decimals: number;
  /** Token address on a real network, or "mock" to deploy a MockERC20 (always the case on local networks). */
  token: string;
  /** Chainlink AggregatorV3 address on a real network, or "mock" to deploy a movable MockPriceFeed. */
  feed: string;
  feedDecimals: number;
  /** USD price the mock feed starts at and Uniswap is seeded at (local networks; informative elsewhere). */
  initialPrice: number;
  heartbeat: number; // seconds
  /** Oracle clamps in USD; answers at or outside are rejected by the pool. */
  minPrice: number;
  maxPrice: number;
  ltvBps: number;
  ltBps: number;
  borrowable: boolean;
  reserveFactorBps: number;
  flashFeeBps: number;
  rate: { baseBps: number; slope1Bps: number; slope2Bps: number; kinkBps: number };
  caps: { supply: Amount; borrow: Amount; collateral: Amount; minBorrow: Amount };
  /** Liquidation incentive; omitted: the pool's default from the LT. */
  liquidation?: { baseBonusBps: number; maxBonusBps: number; protocolShareBps: number };
  /** Risk-engine profile; omitted: the engine leaves the asset alone. Dynamic mode needs `oracle`. */
  risk?: RiskProfile & { dynamic: boolean };
  /** Volatility-oracle estimator (seconds; initialVol annualized, 0.6 = 60 %). maxAge defaults to 2 × heartbeat
   * (at most 7 days), shockWindow to the risk profile's cooldown. Omitted: the asset is not in the oracle. */
  oracle?: {
    halfLife: number;
    fastHalfLife?: number;
    minInterval: number;
    maxAge?: number;
    shockWindow?: number;
    initialVol: number;
  };
}

export interface NetworkConfig {
  /** Hardhat network name this config is for. */
  network: string;
  /** Local networks deploy mocks, Uniswap V3 and demo accounts, and allow set-price / advance-time. */
  local: boolean;
  /** Expected chain id; the deploy refuses to run against another chain. */
  chainId: number;
  assets: AssetEntry[];
  roles: {
    /** Timelock proposers (a multisig in production). Empty: the deployer. */
    proposers: string[];
    /** Timelock executors; "0x0000000000000000000000000000000000000000" means anyone. Empty: the deployer. */
    executors: string[];
    /** GUARDIAN_ROLE holders (pause, circuit breaker). Empty: the deployer. */
    guardians: string[];
    /** TREASURY_ROLE holder (reserves, liquidation fees). Empty: the timelock. */
    treasury?: string;
    /** Owner of the FlashLiquidator (the keeper's account). Empty: the deployer. */
    liquidatorOwner?: string;
  };
  timelock: {
    minDelay: number; // seconds
    /** Hand DEFAULT_ADMIN / RISK_ADMIN (pool, risk engine) and the margin admin to the timelock and renounce. */
    handOver: boolean;
  };
  liquidationGlobals?: { targetHealth: number; fullLiquidationHealth: number; dustValueUsd: number };
  uniswap:
    | { deploy: true; fee: number; seedUsd: number; pairs: [string, string][] }
    | { deploy: false; factory: string; swapRouter: string; quoter: string; fee: number; pairs: [string, string][] }
    /** Use an existing factory but deploy the classic SwapRouter + QuoterV2 (Sepolia ships only SwapRouter02). */
    | { deploy: "periphery"; factory: string; weth: string; fee: number; pairs: [string, string][] };
  margin: {
    feeBps: number;
    feeRecipient?: string;
    maxDeviationBps: number;
    minPositionValueUsd: number;
    maxNewDebtPerBlockUsd: number;
  };
  /** Local only: signers[1..accounts] receive these whole-token amounts of every mock asset. */
  demo?: { accounts: number; amounts: Record<string, number> };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ZERO = "0x0000000000000000000000000000000000000000";
const isAddr = (s: unknown): s is string => typeof s === "string" && ADDRESS.test(s) && s !== ZERO;
const isInt = (n: unknown, lo: number, hi: number) =>
  typeof n === "number" && Number.isInteger(n) && n >= lo && n <= hi;
const isAmount = (s: unknown) => typeof s === "string" && (s === "max" || /^\d+(\.\d+)?$/.test(s));

/** Every problem with `c`, one human-readable line each (empty when the config is valid). */
export function validateConfig(c: NetworkConfig): string[] {
  const p: string[] = [];
  const err = (where: string, msg: string) => p.push(`${where}: ${msg}`);
  if (!c || typeof c !== "object") return ["config: not an object"];
  if (!isInt(c.chainId, 1, Number.MAX_SAFE_INTEGER)) err("chainId", `must be a positive integer, got ${c.chainId}`);
  if (!Array.isArray(c.assets) || c.assets.length === 0) err("assets", "at least one asset is required");
  const symbols = new Set<string>();
  for (const [i, a] of (c.assets ?? []).entries()) {
    const w = `assets[${i}]${a?.symbol ? ` (${a.symbol})` : ""}`;
    if (!a.symbol || !/^[A-Za-z0-9.]{1,11}$/.test(a.symbol))
      err(w, `symbol must be 1-11 letters/digits, got "${a.symbol}"`);
    if (symbols.has(a.symbol)) err(w, `duplicate symbol ${a.symbol}`);
    symbols.add(a.symbol);
    if (!isInt(a.decimals, 0, 36)) err(w, `decimals must be an integer 0..36, got ${a.decimals}`);
    if (!isInt(a.feedDecimals, 0, 36)) err(w, `feedDecimals must be an integer 0..36, got ${a.feedDecimals}`);
    else if (a.decimals + a.feedDecimals > BOUNDS.MAX_TOKEN_PLUS_FEED_DECIMALS)
      err(w, `decimals + feedDecimals = ${a.decimals + a.feedDecimals} exceeds ${BOUNDS.MAX_TOKEN_PLUS_FEED_DECIMALS}`);
    if (c.local) {
      if (a.token !== "mock") err(w, `token must be "mock" on a local network, got ${String(a.token)}`);
      if (a.feed !== "mock") err(w, `feed must be "mock" on a local network, got ${String(a.feed)}`);
    } else {
      if (a.token !== "mock" && !isAddr(a.token))
        err(w, `token must be an address or "mock", got "${String(a.token)}"`);
      if (!isAddr(a.feed))
        err(w, `feed must be a Chainlink aggregator address on a non-local network, got "${String(a.feed)}"`);
    }
    if (!(typeof a.initialPrice === "number" && a.initialPrice > 0 && Number.isFinite(a.initialPrice)))
      err(w, `initialPrice must be a positive number, got ${a.initialPrice}`);
    if (!isInt(a.heartbeat, BOUNDS.MIN_HEARTBEAT, BOUNDS.MAX_HEARTBEAT))
      err(w, `heartbeat must be ${BOUNDS.MIN_HEARTBEAT}..${BOUNDS.MAX_HEARTBEAT} s, got ${a.heartbeat}`);
    if (!(a.minPrice >= 0)) err(w, `minPrice must be >= 0, got ${a.minPrice}`);
    if (!(a.maxPrice > a.minPrice)) err(w, `maxPrice (${a.maxPrice}) must exceed minPrice (${a.minPrice})`);
    else if (a.initialPrice <= a.minPrice || a.initialPrice >= a.maxPrice)
      err(w, `initialPrice ${a.initialPrice} is outside the oracle clamps (${a.minPrice}, ${a.maxPrice})`);
    if (!isInt(a.ltBps, 0, BOUNDS.MAX_LT)) err(w, `ltBps must be 0..${BOUNDS.MAX_LT}, got ${a.ltBps}`);
    if (!isInt(a.ltvBps, 0, BOUNDS.MAX_LT)) err(w, `ltvBps must be 0..${BOUNDS.MAX_LT}, got ${a.ltvBps}`);
    if (a.ltBps === 0 && a.ltvBps !== 0) err(w, `ltvBps must be 0 when ltBps is 0 (not collateral)`);
    if (a.ltBps !== 0 && a.ltvBps + BOUNDS.MIN_LTV_LT_GAP > a.ltBps)
      err(w, `ltvBps (${a.ltvBps}) must be at least ${BOUNDS.MIN_LTV_LT_GAP} bps below ltBps (${a.ltBps})`);
    if (typeof a.borrowable !== "boolean") err(w, "borrowable must be true or false");
    if (!isInt(a.reserveFactorBps, 0, BOUNDS.MAX_RESERVE_FACTOR))
      err(w, `reserveFactorBps must be 0..${BOUNDS.MAX_RESERVE_FACTOR}, got ${a.reserveFactorBps}`);
    if (!isInt(a.flashFeeBps, 0, BOUNDS.MAX_FLASH_FEE))
      err(w, `flashFeeBps must be 0..${BOUNDS.MAX_FLASH_FEE}, got ${a.flashFeeBps}`);
    const r = a.rate ?? ({} as AssetEntry["rate"]);
    if (!isInt(r.baseBps, 0, BOUNDS.MAX_BASE_RATE))
      err(w, `rate.baseBps must be 0..${BOUNDS.MAX_BASE_RATE}, got ${r.baseBps}`);
    if (!isInt(r.slope1Bps, 0, BOUNDS.MAX_SLOPE1))
      err(w, `rate.slope1Bps must be 0..${BOUNDS.MAX_SLOPE1}, got ${r.slope1Bps}`);
    if (!isInt(r.slope2Bps, 0, BOUNDS.MAX_SLOPE2))
      err(w, `rate.slope2Bps must be 0..${BOUNDS.MAX_SLOPE2}, got ${r.slope2Bps}`);
    if (!isInt(r.kinkBps, BOUNDS.MIN_KINK, BOUNDS.MAX_KINK))
      err(w, `rate.kinkBps must be ${BOUNDS.MIN_KINK}..${BOUNDS.MAX_KINK}, got ${r.kinkBps}`);
    for (const k of ["supply", "borrow", "collateral", "minBorrow"] as const)
      if (!isAmount(a.caps?.[k]))
        err(w, `caps.${k} must be a decimal string of whole tokens or "max", got ${a.caps?.[k]}`);
    if (
      isAmount(a.caps?.borrow) &&
      isAmount(a.caps?.supply) &&
      a.caps.borrow !== "max" &&
      a.caps.supply !== "max" &&
      Number(a.caps.borrow) > Number(a.caps.supply)
    )
      err(w, `caps.borrow (${a.caps.borrow}) exceeds caps.supply (${a.caps.supply})`);
    if (a.liquidation) {
      const l = a.liquidation;
      if (
        !isInt(l.baseBonusBps, 0, BOUNDS.MAX_BONUS) ||
        !isInt(l.maxBonusBps, 0, BOUNDS.MAX_BONUS) ||
        l.baseBonusBps > l.maxBonusBps
      )
        err(
          w,
          `liquidation bonus must satisfy 0 <= baseBonusBps (${l.baseBonusBps}) <= maxBonusBps (${l.maxBonusBps}) <= ${BOUNDS.MAX_BONUS}`,
        );
      else if (a.ltBps * (10_000 + l.maxBonusBps) >= 10_000 * 10_000)
        err(w, `ltBps · (1 + maxBonus) must stay below 100 % (LT ${a.ltBps}, max bonus ${l.maxBonusBps})`);
      if (!isInt(l.protocolShareBps, 0, BOUNDS.MAX_PROTOCOL_SHARE))
        err(w, `liquidation.protocolShareBps must be 0..${BOUNDS.MAX_PROTOCOL_SHARE}, got ${l.protocolShareBps}`);
    }
    if (a.risk) {
      const q = a.risk;
      const rw = `${w} risk`;
      if (q.ltMax > BOUNDS.MAX_LT) err(rw, `ltMax ${q.ltMax} exceeds ${BOUNDS.MAX_LT}`);
      if (q.ltMin === 0 || q.ltMin > q.ltMax) err(rw, `need 0 < ltMin (${q.ltMin}) <= ltMax (${q.ltMax})`);
      if (q.ltvMin > q.ltvMax) err(rw, `ltvMin (${q.ltvMin}) exceeds ltvMax (${q.ltvMax})`);
      if (q.ltvMax + BOUNDS.MIN_LTV_LT_GAP > q.ltMax)
        err(rw, `ltvMax (${q.ltvMax}) must be ${BOUNDS.MIN_LTV_LT_GAP} bps below ltMax (${q.ltMax})`);
      if (q.ltvMin + BOUNDS.MIN_LTV_LT_GAP > q.ltMin)
        err(rw, `ltvMin (${q.ltvMin}) must be ${BOUNDS.MIN_LTV_LT_GAP} bps below ltMin (${q.ltMin})`);
      if (q.ltvSlope > BOUNDS.RE_MAX_SLOPE || q.ltSlope > BOUNDS.RE_MAX_SLOPE)
        err(rw, `slopes must be <= ${BOUNDS.RE_MAX_SLOPE}`);
      if (!isInt(q.rampBpsPerHour, 1, BOUNDS.RE_MAX_RAMP))
        err(rw, `rampBpsPerHour must be 1..${BOUNDS.RE_MAX_RAMP}, got ${q.rampBpsPerHour}`);
      if (!(q.refVol >= BOUNDS.RE_MIN_REF_VOL && q.refVol <= BOUNDS.RE_MAX_REF_VOL))
        err(rw, `refVol must be ${BOUNDS.RE_MIN_REF_VOL}..${BOUNDS.RE_MAX_REF_VOL}, got ${q.refVol}`);
      if (!(q.breakerVol > q.refVol && q.breakerVol <= BOUNDS.RE_MAX_BREAKER_VOL))
        err(rw, `breakerVol must be above refVol and <= ${BOUNDS.RE_MAX_BREAKER_VOL}, got ${q.breakerVol}`);
      if (!(q.breakerMove >= BOUNDS.RE_MIN_BREAKER_MOVE && q.breakerMove <= BOUNDS.RE_MAX_BREAKER_MOVE))
        err(
          rw,
          `breakerMove must be ${BOUNDS.RE_MIN_BREAKER_MOVE}..${BOUNDS.RE_MAX_BREAKER_MOVE}, got ${q.breakerMove}`,
        );
      if (!isInt(q.cooldown, 0, BOUNDS.RE_MAX_COOLDOWN))
        err(rw, `cooldown must be 0..${BOUNDS.RE_MAX_COOLDOWN} s, got ${q.cooldown}`);
      if (q.ltHold !== undefined && !isInt(q.ltHold, 0, BOUNDS.RE_MAX_LT_HOLD))
        err(rw, `ltHold must be 0..${BOUNDS.RE_MAX_LT_HOLD}, got ${q.ltHold}`);
      if (q.dynamic && !a.oracle) err(rw, "a dynamic profile needs the asset's oracle settings (oracle: {...})");
      if (q.ltvMax !== a.ltvBps || q.ltMax !== a.ltBps)
        err(
          rw,
          `calm profile (ltvMax ${q.ltvMax}, ltMax ${q.ltMax}) must equal the listing (ltvBps ${a.ltvBps}, ltBps ${a.ltBps})`,
        );
    }
  }
  for (const [i, a] of (c.assets ?? []).entries()) {
    const o = a.oracle;
    if (!o) continue;
    const w = `assets[${i}] (${a.symbol}) oracle`;
    if (!isInt(o.halfLife, BOUNDS.VO_MIN_HALF_LIFE, BOUNDS.VO_MAX_HALF_LIFE))
      err(w, `halfLife must be ${BOUNDS.VO_MIN_HALF_LIFE}..${BOUNDS.VO_MAX_HALF_LIFE} s, got ${o.halfLife}`);
    if (o.fastHalfLife !== undefined && !isInt(o.fastHalfLife, BOUNDS.VO_MIN_FAST_HALF_LIFE, BOUNDS.VO_MAX_HALF_LIFE))
      err(
        w,
        `fastHalfLife must be ${BOUNDS.VO_MIN_FAST_HALF_LIFE}..${BOUNDS.VO_MAX_HALF_LIFE} s, got ${o.fastHalfLife}`,
      );
    if (!isInt(o.minInterval, BOUNDS.VO_MIN_INTERVAL, BOUNDS.VO_MAX_INTERVAL))
      err(w, `minInterval must be ${BOUNDS.VO_MIN_INTERVAL}..${BOUNDS.VO_MAX_INTERVAL} s, got ${o.minInterval}`);
    if (o.maxAge !== undefined && !isInt(o.maxAge, BOUNDS.VO_MIN_MAX_AGE, BOUNDS.VO_MAX_MAX_AGE))
      err(w, `maxAge must be ${BOUNDS.VO_MIN_MAX_AGE}..${BOUNDS.VO_MAX_MAX_AGE} s, got ${o.maxAge}`);
    if (o.shockWindow !== undefined && !isInt(o.shockWindow, 0, BOUNDS.VO_MAX_SHOCK_WINDOW))
      err(w, `shockWindow must be 0..${BOUNDS.VO_MAX_SHOCK_WINDOW} s, got ${o.shockWindow}`);
    if (!(o.initialVol > 0 && o.initialVol <= BOUNDS.VO_MAX_VOL))
      err(w, `initialVol must be in (0, ${BOUNDS.VO_MAX_VOL}], got ${o.initialVol}`);
  }
  const roles = c.roles ?? ({} as NetworkConfig["roles"]);
  for (const k of ["proposers", "guardians"] as const)
    for (const [i, a] of (roles[k] ?? []).entries())
      if (!isAddr(a)) err(`roles.${k}[${i}]`, `not an address: "${String(a)}"`);
  for (const [i, a] of (roles.executors ?? []).entries())
    if (!(isAddr(a) || a === ZERO)) err(`roles.executors[${i}]`, `not an address: "${String(a)}"`);
  if (roles.treasury !== undefined && !isAddr(roles.treasury))
    err("roles.treasury", `not an address: "${String(roles.treasury)}"`);
  if (roles.liquidatorOwner !== undefined && !isAddr(roles.liquidatorOwner))
    err("roles.liquidatorOwner", `not an address: "${String(roles.liquidatorOwner)}"`);
  if (!c.timelock || !isInt(c.timelock.minDelay, 0, BOUNDS.MAX_TIMELOCK_DELAY))
    err("timelock.minDelay", `must be 0..${BOUNDS.MAX_TIMELOCK_DELAY} s, got ${c.timelock?.minDelay}`);
  if (!c.local && c.timelock && !c.timelock.handOver) err("timelock.handOver", "must be true on a non-local network");
  if (!c.local && c.timelock && c.timelock.minDelay < 3_600)
    err("timelock.minDelay", `must be at least 1 hour on a non-local network, got ${c.timelock.minDelay}`);
  if (c.liquidationGlobals) {
    const g = c.liquidationGlobals;
    if (!(g.targetHealth >= 1.01 && g.targetHealth <= 1.25))
      err("liquidationGlobals.targetHealth", `must be 1.01..1.25, got ${g.targetHealth}`);
    if (!(g.fullLiquidationHealth >= 0.8 && g.fullLiquidationHealth <= 0.99))
      err("liquidationGlobals.fullLiquidationHealth", `must be 0.80..0.99, got ${g.fullLiquidationHealth}`);
    if (!(g.dustValueUsd >= 0 && g.dustValueUsd <= 1000))
      err("liquidationGlobals.dustValueUsd", `must be 0..1000 USD, got ${g.dustValueUsd}`);
  }
  const u = c.uniswap;
  if (!u) err("uniswap", "missing");
  else {
    if (![100, 500, 3000, 10000].includes(u.fee)) err("uniswap.fee", `must be 100, 500, 3000 or 10000, got ${u.fee}`);
    if (c.local && u.deploy !== true) err("uniswap.deploy", "must be true on a local network");
    if (u.deploy === true && !(u.seedUsd > 0)) err("uniswap.seedUsd", `must be positive, got ${u.seedUsd}`);
    if (u.deploy === false) {
      for (const k of ["factory", "swapRouter", "quoter"] as const)
        if (!isAddr(u[k])) err(`uniswap.${k}`, `not an address: "${String(u[k])}"`);
    }
    if (u.deploy === "periphery") {
      for (const k of ["factory", "weth"] as const)
        if (!isAddr(u[k])) err(`uniswap.${k}`, `not an address: "${String(u[k])}"`);
    }
    for (const [i, pair] of (u.pairs ?? []).entries()) {
      for (const s of pair) if (!symbols.has(s)) err(`uniswap.pairs[${i}]`, `unknown asset ${s}`);
      if (pair[0] === pair[1]) err(`uniswap.pairs[${i}]`, "a pair needs two different assets");
    }
  }
  const m = c.margin;
  if (!m) err("margin", "missing");
  else {
    if (!isInt(m.feeBps, 0, BOUNDS.MARGIN_MAX_FEE_BPS))
      err("margin.feeBps", `must be 0..${BOUNDS.MARGIN_MAX_FEE_BPS}, got ${m.feeBps}`);
    if (m.feeBps > 0 && !isAddr(m.feeRecipient)) err("margin.feeRecipient", "required (an address) when feeBps > 0");
    if (!isInt(m.maxDeviationBps, 1, BOUNDS.MARGIN_MAX_DEVIATION_BPS))
      err("margin.maxDeviationBps", `must be 1..${BOUNDS.MARGIN_MAX_DEVIATION_BPS}, got ${m.maxDeviationBps}`);
    if (!(m.minPositionValueUsd >= 0)) err("margin.minPositionValueUsd", `must be >= 0, got ${m.minPositionValueUsd}`);
    if (!(m.maxNewDebtPerBlockUsd >= 0))
      err("margin.maxNewDebtPerBlockUsd", `must be >= 0, got ${m.maxNewDebtPerBlockUsd}`);
  }
  if (c.demo) {
    if (!c.local) err("demo", "demo accounts are for local networks only");
    if (!isInt(c.demo.accounts, 0, 19)) err("demo.accounts", `must be 0..19, got ${c.demo.accounts}`);
    for (const s of Object.keys(c.demo.amounts ?? {})) if (!symbols.has(s)) err(`demo.amounts.${s}`, "unknown asset");
  }
  return p;
}

export class ConfigError extends Error {
  constructor(
    public readonly network: string,
    public readonly problems: string[],
  ) {
    super(
      `Invalid deployment configuration for "${network}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "ConfigError";
  }
}

/** Throws ConfigError listing every problem. */
export function assertValidConfig(c: NetworkConfig): void {
  const problems = validateConfig(c);
  if (problems.length) throw new ConfigError(c?.network ?? "?", problems);
}

/** JSON with sorted keys (stable across key order), bigints as strings. */
export function canonicalJson(v: unknown): string {
  if (typeof v === "bigint") return JSON.stringify(v.toString());
  if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
  if (v && typeof v === "object")
    return (
      "{" +
      Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => JSON.stringify(k) + ":" + canonicalJson((v as Record<string, unknown>)[k]))
        .join(",") +
      "}"
    );
  return JSON.stringify(v);
}

const sha = (s: string) => "0x" + createHash("sha256").update(s).digest("hex");

/** Hash of the whole config and of each section (to say which part changed). */
export function configHashes(c: NetworkConfig): { hash: string; sections: Record<string, string> } {
  const sections: Record<string, string> = {};
  for (const a of c.assets) sections[`assets.${a.symbol}`] = sha(canonicalJson(a));
  for (const k of [
    "network",
    "local",
    "chainId",
    "roles",
    "timelock",
    "liquidationGlobals",
    "uniswap",
    "margin",
    "demo",
  ] as const)
    sections[k] = sha(canonicalJson(c[k] ?? null));
  return { hash: sha(canonicalJson(c)), sections };
}
