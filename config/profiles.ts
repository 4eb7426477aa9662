// Default risk-engine profiles. Volatility figures are annualized realized volatility (WAD: 1e18 = 100 %).
// Reference ranges used (30-day realized volatility of daily log returns, 2019–2024):
//  - ETH: calm regimes 40–70 %; 2021 bull market 80–100 %; March 2020 and May 2021 crashes 130–190 %.
//  - BTC: calm regimes 30–55 %; crash months (March 2020, May 2021, June 2022) 90–150 %.
//  - USDC: below 5 % except the March 2023 depeg (USDC fell to 0.88 in a day: realized volatility > 50 %).
// The calm profile equals a conservative static listing (Aave v3-like LTV/LT); the slopes make LT reach its floor
// around the worst historical regimes, and the breaker trips above every regime seen outside crashes.
export interface RiskProfile {
  ltvMax: number;
  ltMax: number;
  ltvMin: number;
  ltMin: number;
  ltvSlope: number; // bps lost per 10 % of volatility above refVol
  ltSlope: number;
  rampBpsPerHour: number;
  cooldown: number; // seconds
  refVol: number; // fraction, e.g. 0.6
  breakerVol: number;
  breakerMove: number; // absolute log return of one update
  /** RiskEngine.ltHold flags: 1 = LT does not tighten while the breaker is on, 2 = nor while the short volatility
   * estimate is below the long one, 4 = LT follows the larger estimate instead of the long one, 8 = LT back at the
   * calm value while the breaker is on and for RiskEngine.RELEASE_WINDOW (12 h) after it lifts. Default 0. */
  ltHold?: number;
}

export const LT_HOLD = { ON_BREAKER: 1, WHEN_EASING: 2, FOLLOWS_FAST: 4, RELEASE_ON_BREAKER: 8 } as const;

export const DEFAULT_PROFILES: Record<string, RiskProfile> = {
  WETH: {
    ltvMax: 8000,
    ltMax: 8250,
    ltvMin: 5000,
    ltMin: 6500,
    ltvSlope: 600,
    ltSlope: 400,
    rampBpsPerHour: 200,
    cooldown: 3600,
    refVol: 0.6,
    breakerVol: 2.0,
    breakerMove: 0.15,
    ltHold: 15,
  },
  WBTC: {
    ltvMax: 7300,
    ltMax: 7800,
    ltvMin: 4500,
    ltMin: 6000,
    ltvSlope: 600,
    ltSlope: 400,
    rampBpsPerHour: 200,
    cooldown: 3600,
    refVol: 0.5,
    breakerVol: 1.8,
    breakerMove: 0.12,
    ltHold: 15,
  },
  USDC: {
    ltvMax: 8000,
    ltMax: 8500,
    ltvMin: 5000,
    ltMin: 7000,
    ltvSlope: 600,
    ltSlope: 300,
    rampBpsPerHour: 100,
    cooldown: 3600,
    refVol: 0.05,
    breakerVol: 0.6,
    breakerMove: 0.05,
    ltHold: 15,
  },
};

const bpsTargets = (p: RiskProfile, vol: number): { ltv: number; lt: number } => {
  // Mirrors RiskEngine._targets (integer bps, drops rounded up, floors, LTV at least 1 % under LT). Volatilities
  // are taken in integer micro-units (1e-6) and the drops computed in integers, so the result equals the contract's
  // for every volatility with at most 6 decimals (floating point would be off by one bp at multiples of 10 %).
  const excess = Math.max(0, Math.round(vol * 1e6) - Math.round(p.refVol * 1e6)); // micro-units
  const ltvDrop = Math.ceil((excess * p.ltvSlope) / 100_000);
  const ltDrop = Math.ceil((excess * p.ltSlope) / 100_000);
  let ltv = ltvDrop + p.ltvMin >= p.ltvMax ? p.ltvMin : p.ltvMax - ltvDrop;
  const lt = ltDrop + p.ltMin >= p.ltMax ? p.ltMin : p.ltMax - ltDrop;
  if (ltv + 100 > lt) ltv = lt - 100;
  return { ltv, lt };
};
export const targetsFor = bpsTargets;

/** The on-chain Profile struct for RiskEngine.setProfile. */
export function toOnchainProfile(p: RiskProfile, dynamic = true) {
  const wad = (x: number) => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
  return {
    ltvMax: p.ltvMax,
    ltMax: p.ltMax,
    ltvMin: p.ltvMin,
    ltMin: p.ltMin,
    ltvSlope: p.ltvSlope,
    ltSlope: p.ltSlope,
    rampBpsPerHour: p.rampBpsPerHour,
    cooldown: p.cooldown,
    refVol: wad(p.refVol),
    breakerVol: wad(p.breakerVol),
    breakerMove: wad(p.breakerMove),
    dynamic,
    ltHold: p.ltHold ?? 0,
  };
}
