// TypeScript reference of the pool's liquidation engine (Pool._assessLiquidation, Pool.liquidate,
// Pool._realizeBadDebt) and of the LT ramp (PoolStorage._effectiveLt), in bigint with the contract's exact rounding.
// Tests compute expected repaid / seized / fee / bad-debt values here and compare them with the pool's.
import type { IFulcraPool } from "../../typechain-types";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;
export const BONUS_RAMP = 10n ** 17n;
export const VIRTUAL_SHARES = 10n ** 6n;
export const VIRTUAL_ASSETS = 1n;
export const MAX_RAMP_BPS_PER_HOUR = 200n;

// ---------------------------------------------------------------- MathLib / SharesMathLib

export const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
export const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + (d - 1n)) / d;
export const bpsDown = (x: bigint, bps: bigint): bigint => (x * bps) / BPS;
export const bpsUp = (x: bigint, bps: bigint): bigint => (x * bps + (BPS - 1n)) / BPS;
export const min = (x: bigint, y: bigint): bigint => (x < y ? x : y);
export const max = (x: bigint, y: bigint): bigint => (x > y ? x : y);
export const zeroFloorSub = (x: bigint, y: bigint): bigint => (x > y ? x - y : 0n);

export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

// ---------------------------------------------------------------- state

export interface MarketState {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
  reserveShares: bigint;
}

export interface CollateralState {
  asset: string;
  amount: bigint;
  price: bigint; // pool price: USD (18 dec) per token unit, scaled 1e18; 0 when the feed cannot be trusted
  lt: bigint; // effective LT, bps
  maxBonus?: bigint; // the asset's max liquidation bonus (bps): what an insolvent account's close-out pays
}

export interface LiquidationConfigState {
  baseBonus: bigint;
  maxBonus: bigint;
  protocolShare: bigint;
}

export interface LiquidationGlobalsState {
  targetHealth: bigint;
  fullLiquidationHealth: bigint;
  dustValue: bigint;
}

/** Everything `_assessLiquidation` reads, as of the liquidation's block (debt market already accrued). */
export interface LiquidationInputs {
  borrowShares: bigint;
  debtMarket: MarketState;
  debtPrice: bigint;
  collaterals: CollateralState[]; // the account's list, in order
  pos: number; // position of the seized collateral in `collaterals`
  config: LiquidationConfigState; // of the seized collateral
  globals: LiquidationGlobalsState;
  closeOut?: boolean; // Account.closeOut: a shortfall was booked earlier
}

export interface Assessment {
  debt: bigint;
  debtValue: bigint;
  ltValue: bigint;
  health: bigint;
  bonus: bigint;
  collateral: bigint;
  collValue: bigint;
  /** Repay value that brings health back to the target (before the dust / collateral rules); debtValue if none. */
  targetRepayValue: bigint;
  /** Health was below fullLiquidationHealth: the whole debt may be repaid. */
  fullByHealth: boolean;
  /** The debt left after the target repay would be below the dust value, so the repay became the whole debt. */
  debtDust: boolean;
  /** repayValue reached what the collateral can pay for (repay·(1+b) ≥ collateral value). */
  collateralLimited: boolean;
  /** The collateral left would be below the dust value (and the limit was not reached). */
  collateralDust: boolean;
  repayValue: bigint;
  maxByCollateral: bigint;
  takeAll: boolean;
  repayAssets: bigint;
  seized: bigint;
  /** Unweighted value of the collateral with a trusted price. */
  value: bigint;
  /** Insolvent (every price trusted, value < debt value): debt shares written off before the seizure. */
  writeOffShares: bigint;
  /** The debt market after that write-off (the input market when there is none). */
  marketAfterWriteOff: MarketState;
  writeOff?: BadDebtResult;
  /** The bonus was lowered to the account's equity. */
  equityCapped: boolean;
}

export class HealthyAccountError extends Error {
  constructor() {
    super("HealthyAccount");
  }
}

/** Sum of the account's LT-weighted collateral values, as `_liquidationValues` (untrusted prices are 0). */
export function liquidationValue(collaterals: CollateralState[]): bigint {
  let lv = 0n;
  for (const c of collaterals) lv += bpsDown(mulDivDown(c.amount, c.price, WAD), c.lt);
  return lv;
}

/** Unweighted value of the collateral with a trusted price. */
export function collateralValue(collaterals: CollateralState[]): bigint {
  let v = 0n;
  for (const c of collaterals) v += mulDivDown(c.amount, c.price, WAD);
  return v;
}

/** Mirror of `_closeOutValue`: what the collateral repays when each asset is seized at its max bonus. */
export function closeOutValue(collaterals: CollateralState[]): bigint {
  let v = 0n;
  for (const c of collaterals) {
    if (c.maxBonus === undefined) throw new Error("closeOutValue needs each collateral's maxBonus");
    v += mulDivDown(mulDivDown(c.amount, c.price, WAD), BPS, BPS + c.maxBonus);
  }
  return v;
}

/** The bonus curve: base at health 1, rising linearly to max at 1 − BONUS_RAMP, capped there. */
export function bonusFor(health: bigint, cfg: LiquidationConfigState): bigint {
  const depth = min(WAD - health, BONUS_RAMP);
  return cfg.baseBonus + mulDivDown(cfg.maxBonus - cfg.baseBonus, depth, BONUS_RAMP);
}

/** Mirror of Pool._assessLiquidation. Throws HealthyAccountError where the pool reverts HealthyAccount. */
export function assessLiquidation(i: LiquidationInputs): Assessment {
  const ltValue = liquidationValue(i.collaterals);
  const value = collateralValue(i.collaterals);
  const allTrusted = i.collaterals.every((c) => c.price !== 0n);
  const debtPrice = i.debtPrice;
  let m = i.debtMarket;
  let debt = toAssetsUp(i.borrowShares, m.totalBorrowAssets, m.totalBorrowShares);
  let debtValue = mulDivUp(debt, debtPrice, WAD);
  if (ltValue >= debtValue) throw new HealthyAccountError();
  const health = mulDivDown(ltValue, WAD, debtValue);

  let closeOut = i.closeOut ?? false;
  let writeOffShares = 0n;
  let writeOff: BadDebtResult | undefined;
  if (allTrusted && value < debtValue) {
    const keepAssets = mulDivDown(closeOutValue(i.collaterals), WAD, debtPrice);
    const keepShares = toSharesDown(keepAssets, m.totalBorrowAssets, m.totalBorrowShares);
    if (keepShares < i.borrowShares) {
      writeOffShares = i.borrowShares - keepShares;
      writeOff = realizeBadDebt(m, writeOffShares);
      m = writeOff.marketAfter;
      debt = toAssetsUp(keepShares, m.totalBorrowAssets, m.totalBorrowShares);
      debtValue = mulDivUp(debt, debtPrice, WAD);
    }
    closeOut = true;
  }
  let bonus = closeOut ? i.config.maxBonus : bonusFor(health, i.config);

  const c = i.collaterals[i.pos];
  const collPrice = c.price;
  const collateral = c.amount;
  const collValue = mulDivDown(collateral, collPrice, WAD);
  const g = i.globals;

  let repayValue = debtValue;
  let targetRepayValue = debtValue;
  let debtDust = false;
  const fullByHealth = closeOut || health < g.fullLiquidationHealth;
  if (!fullByHealth) {
    const weight = (BPS + bonus) * c.lt * (WAD / BPS / BPS);
    const target = g.targetHealth;
    if (target > weight) {
      repayValue = min(mulDivUp(mulDivUp(target, debtValue, WAD) - ltValue, WAD, target - weight), debtValue);
    }
    targetRepayValue = repayValue;
    if (debtValue - repayValue < g.dustValue) {
      debtDust = repayValue !== debtValue;
      repayValue = debtValue;
    }
  }
  const maxByCollateral = mulDivDown(collValue, BPS, BPS + bonus);
  const collateralLimited = repayValue >= maxByCollateral;
  const collateralDust =
    !collateralLimited && zeroFloorSub(collValue, mulDivUp(repayValue, BPS + bonus, BPS)) < g.dustValue;
  let takeAll = collateralLimited || collateralDust;
  if (takeAll) repayValue = maxByCollateral;
  let repayAssets = mulDivUp(repayValue, WAD, debtPrice);
  if (repayAssets >= debt) {
    repayAssets = debt;
    takeAll = false;
  }
  let seized: bigint;
  if (takeAll) {
    seized = collateral;
  } else {
    seized = mulDivDown(mulDivDown(mulDivDown(repayAssets, debtPrice, WAD), BPS + bonus, BPS), WAD, collPrice);
    if (seized > collateral) seized = collateral;
  }
  // A solvent dust account is closed in full (`_closeDustAccount`); otherwise the equity cap (`_capBonusByEquity`).
  let equityCapped = false;
  if (value >= debtValue && value < i.globals.dustValue) {
    repayAssets = debt;
    seized = min(mulDivUp(mulDivUp(mulDivUp(debt, debtPrice, WAD), BPS + bonus, BPS), WAD, collPrice), collateral);
    takeAll = seized === collateral;
    const repaidValue = mulDivDown(debt, debtPrice, WAD);
    const gain = zeroFloorSub(mulDivUp(seized, collPrice, WAD), repaidValue);
    bonus = repaidValue === 0n ? 0n : mulDivUp(gain, BPS, repaidValue);
  } else if (value >= debtValue) {
    const equity = zeroFloorSub(value - debtValue, 2n);
    let repaidValue = mulDivDown(repayAssets, debtPrice, WAD);
    if (mulDivUp(seized, collPrice, WAD) > repaidValue + equity) {
      const coverable = zeroFloorSub(mulDivDown(collateral, collPrice, WAD), equity);
      repayAssets = min(mulDivDown(coverable, WAD, debtPrice), debt);
      repaidValue = mulDivDown(repayAssets, debtPrice, WAD);
      seized =
        repayAssets === debt && i.collaterals.length === 1
          ? collateral
          : min(mulDivDown(repaidValue + equity, WAD, collPrice), collateral);
      const gain = zeroFloorSub(mulDivUp(seized, collPrice, WAD), repaidValue);
      bonus = repaidValue === 0n ? 0n : mulDivUp(gain, BPS, repaidValue);
      equityCapped = true;
    }
  }
  return {
    debt,
    debtValue,
    ltValue,
    health,
    bonus,
    collateral,
    collValue,
    targetRepayValue,
    fullByHealth,
    debtDust,
    collateralLimited,
    collateralDust,
    repayValue,
    maxByCollateral,
    takeAll,
    repayAssets,
    seized,
    value,
    writeOffShares,
    marketAfterWriteOff: m,
    writeOff,
    equityCapped,
  };
}

export interface BadDebtResult {
  debt: bigint;
  covered: bigint;
  socialized: bigint;
  burntReserveShares: bigint;
  marketAfter: MarketState;
}

/** Mirror of Pool._realizeBadDebt on the market as the liquidation left it. */
export function realizeBadDebt(m: MarketState, shares: bigint): BadDebtResult {
  const debt = toAssetsUp(shares, m.totalBorrowAssets, m.totalBorrowShares);
  const totalAssets = m.totalSupplyAssets;
  const totalShares = m.totalSupplyShares;
  const covered = min(toAssetsDown(m.reserveShares, totalAssets, totalShares), debt);
  const burnt = min(toSharesUp(covered, totalAssets, totalShares), m.reserveShares);
  return {
    debt,
    covered,
    socialized: debt - covered,
    burntReserveShares: burnt,
    marketAfter: {
      totalSupplyAssets: zeroFloorSub(totalAssets, debt),
      totalSupplyShares: totalShares - burnt,
      totalBorrowAssets: zeroFloorSub(m.totalBorrowAssets, debt),
      totalBorrowShares: m.totalBorrowShares - shares,
      reserveShares: m.reserveShares - burnt,
    },
  };
}

export interface LiquidationResult {
  assessment: Assessment;
  repaid: bigint;
  repaidShares: bigint;
  /** Gross collateral taken from the account (the `seized` of the Liquidate event). */
  seized: bigint;
  protocolFee: bigint;
  /** Collateral sent to the receiver (`seized − protocolFee`, the function's return value). */
  sentToReceiver: bigint;
  collateralLeft: bigint;
  collateralCountAfter: number;
  borrowSharesLeft: bigint;
  debtMarketAfter: MarketState;
  badDebt?: BadDebtResult;
  /** With `badDebt` after the seizure: what was left of every collateral went to the protocol's fees (DustSwept). */
  swept: { asset: string; amount: bigint }[];
  /** Everything written off in the transaction: the insolvency write-off before the seizure plus `badDebt`. */
  writtenOff: { debt: bigint; covered: bigint; socialized: bigint };
  /** The pool reverts SlippageExceeded. */
  slippage: boolean;
  /** A caller-capped repay would leave debt or collateral worth less than the dust value: LiquidationLeavesDust. */
  leavesDust: boolean;
}

/** Mirror of Pool.liquidate after the checks: caps at `maxRepay`, scales the seizure (dust rule), books debt, fee, bad debt. */
export function simulateLiquidation(i: LiquidationInputs, maxRepay: bigint, minSeized = 0n): LiquidationResult {
  const a = assessLiquidation(i);
  const repaid = min(a.repayAssets, maxRepay);
  let seized = a.seized;
  let leavesDust = false;
  if (repaid < a.repayAssets) {
    seized = mulDivDown(seized, repaid, a.repayAssets);
    const c = i.collaterals[i.pos];
    leavesDust =
      mulDivDown(a.debt - repaid, i.debtPrice, WAD) < i.globals.dustValue ||
      mulDivDown(a.collateral - seized, c.price, WAD) < i.globals.dustValue;
  }
  const m = a.marketAfterWriteOff;
  const borrowShares = i.borrowShares - a.writeOffShares;
  const shares = repaid === a.debt ? borrowShares : toSharesDown(repaid, m.totalBorrowAssets, m.totalBorrowShares);
  let debtMarketAfter: MarketState = {
    ...m,
    totalBorrowAssets: zeroFloorSub(m.totalBorrowAssets, repaid),
    totalBorrowShares: m.totalBorrowShares - shares,
  };
  let borrowSharesLeft = borrowShares - shares;
  const protocolFee = bpsDown(seized - mulDivUp(seized, BPS, BPS + a.bonus), i.config.protocolShare);
  // minSeized bounds what the receiver gets: the seizure net of the protocol fee.
  const slippage = seized === 0n || seized - protocolFee < minSeized;
  const collateralLeft = a.collateral - seized;
  const collateralCountAfter = i.collaterals.length - (collateralLeft === 0n ? 1 : 0);
  let badDebt: BadDebtResult | undefined;
  // Only dust left after emptying this collateral (worth less than the dust value and than the debt): written off too.
  let onlyDustLeft = false;
  if (borrowSharesLeft !== 0n && collateralLeft === 0n && collateralCountAfter > 0) {
    const rest = i.collaterals.reduce((v, c, k) => (k === i.pos ? v : v + mulDivDown(c.amount, c.price, WAD)), 0n);
    const restTrusted = i.collaterals.every((c, k) => k === i.pos || c.price !== 0n);
    const debtLeft = toAssetsUp(borrowSharesLeft, debtMarketAfter.totalBorrowAssets, debtMarketAfter.totalBorrowShares);
    onlyDustLeft =
      restTrusted &&
      rest < i.globals.dustValue &&
      (a.writeOffShares !== 0n || rest < mulDivUp(debtLeft, i.debtPrice, WAD));
  }
  const swept: { asset: string; amount: bigint }[] = [];
  let countAfter = collateralCountAfter;
  if (borrowSharesLeft !== 0n && (collateralCountAfter === 0 || onlyDustLeft)) {
    for (const [k, c] of i.collaterals.entries()) if (k !== i.pos) swept.push({ asset: c.asset, amount: c.amount });
    countAfter = 0;
    badDebt = realizeBadDebt(debtMarketAfter, borrowSharesLeft);
    debtMarketAfter = badDebt.marketAfter;
    borrowSharesLeft = 0n;
  }
  const parts = [a.writeOff, badDebt].filter((x): x is BadDebtResult => x !== undefined);
  const writtenOff = {
    debt: parts.reduce((t, x) => t + x.debt, 0n),
    covered: parts.reduce((t, x) => t + x.covered, 0n),
    socialized: parts.reduce((t, x) => t + x.socialized, 0n),
  };
  return {
    assessment: a,
    repaid,
    repaidShares: shares,
    seized,
    protocolFee,
    sentToReceiver: seized - protocolFee,
    collateralLeft,
    collateralCountAfter: countAfter,
    borrowSharesLeft,
    debtMarketAfter,
    badDebt,
    swept,
    writtenOff,
    slippage,
    leavesDust,
  };
}

// ---------------------------------------------------------------- LT ramp

/** Mirror of PoolStorage._effectiveLt: from the anchor `lt` toward `ltTarget`, no faster than the ramp. */
export function effectiveLt(
  lt: bigint,
  risk: { ltTarget: bigint; rampStart: bigint; rampBpsPerHour: bigint },
  timestamp: bigint,
): bigint {
  const target = risk.ltTarget;
  if (target >= lt) return lt;
  const fallen = ((timestamp - risk.rampStart) * risk.rampBpsPerHour) / 3600n;
  return fallen >= lt - target ? target : lt - fallen;
}

// ---------------------------------------------------------------- on-chain state loaders

export function toMarketState(m: {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
  reserveShares: bigint;
}): MarketState {
  return {
    totalSupplyAssets: m.totalSupplyAssets,
    totalSupplyShares: m.totalSupplyShares,
    totalBorrowAssets: m.totalBorrowAssets,
    totalBorrowShares: m.totalBorrowShares,
    reserveShares: m.reserveShares,
  };
}

/**
 * Reads what a liquidation of `(owner, subId)` seizing `collateralAsset` would see in the NEXT block (the "pending"
 * block, whose timestamp honours `time.setNextBlockTimestamp`): the debt market accrued to that time (the pool's own
 * `expectedMarket`), prices, the account's collateral list and each collateral's LT ramped to that time (computed
 * here from the stored anchor and ramp).
 */
export type LoadedInputs = LiquidationInputs & { timestamp: bigint; debtAsset: string };

export async function loadLiquidationInputs(
  pool: IFulcraPool,
  owner: string,
  subId: bigint | number,
  collateralAsset: string,
): Promise<LoadedInputs> {
  const blockTag = "pending";
  const [debtAsset, borrowShares, , assets, amounts] = await pool.accountOf(owner, subId, { blockTag });
  if (debtAsset === "0x0000000000000000000000000000000000000000") throw new Error("account has no debt");
  const dm = await pool.expectedMarket(debtAsset, { blockTag });
  const timestamp = dm.lastUpdate;
  const debtPrice = await pool.price(debtAsset, { blockTag });
  const collaterals: CollateralState[] = [];
  for (let k = 0; k < assets.length; k++) {
    const cfg = await pool.assetConfig(assets[k], { blockTag });
    const risk = await pool.assetRisk(assets[k], { blockTag });
    let price = 0n;
    try {
      price = await pool.price(assets[k], { blockTag });
    } catch {
      // An untrusted feed: the liquidation counts this collateral as zero.
    }
    collaterals.push({
      asset: assets[k],
      amount: amounts[k],
      price,
      lt: effectiveLt(cfg.lt, risk, timestamp),
      maxBonus: (await pool.liquidationConfig(assets[k], { blockTag })).maxBonus,
    });
  }
  const pos = collaterals.findIndex((c) => c.asset.toLowerCase() === collateralAsset.toLowerCase());
  if (pos < 0) throw new Error("not a collateral of the account");
  const lc = await pool.liquidationConfig(collateralAsset, { blockTag });
  const g = await pool.liquidationGlobals({ blockTag });
  return {
    timestamp,
    debtAsset,
    borrowShares,
    debtMarket: toMarketState(dm),
    debtPrice,
    collaterals,
    pos,
    config: { baseBonus: lc.baseBonus, maxBonus: lc.maxBonus, protocolShare: lc.protocolShare },
    globals: { targetHealth: g.targetHealth, fullLiquidationHealth: g.fullLiquidationHealth, dustValue: g.dustValue },
    closeOut: await pool.isCloseOut(owner, subId, { blockTag }),
  };
}

/** Health factor of an account after a liquidation, from the reference's own books (LT-weighted / debt value). */
export function healthAfter(i: LiquidationInputs, r: LiquidationResult): bigint {
  const collaterals = i.collaterals.map((c, k) => (k === i.pos ? { ...c, amount: r.collateralLeft } : c));
  const debt = toAssetsUp(r.borrowSharesLeft, r.debtMarketAfter.totalBorrowAssets, r.debtMarketAfter.totalBorrowShares);
  const debtValue = mulDivUp(debt, i.debtPrice, WAD);
  if (debtValue === 0n) return (1n << 256n) - 1n;
  return mulDivDown(liquidationValue(collaterals), WAD, debtValue);
}
