// Price scenarios: geometric Brownian motion with regime switches, seeded.
//
// Each scenario is a sequence of phases. Within a phase, every step's log return for an asset is
//     r = μ/n − σ²·dt/2 + σ·√dt·z,
// with σ the phase's annualized volatility, dt the step in years, n the phase's number of steps and μ the phase's
// total deterministic log move (so a "crash" phase falls by e^μ on top of the noise). WETH and WBTC shocks are
// correlated (ρ = 0.8, the 2020–2024 daily-return correlation of ETH and BTC); USDC stays at $1.
// Phase lengths are shares of the run, so `--steps` changes the resolution, not the story.
import { Rng } from "./random";

export const STEP_SECONDS = 900; // 15 minutes per step
export const YEAR_SECONDS = 365 * 86_400;
export const CORRELATION = 0.8;
export const INITIAL_PRICES = { WETH: 2000, WBTC: 60_000 } as const;
export type SimAsset = keyof typeof INITIAL_PRICES;
export const SIM_ASSETS: SimAsset[] = ["WETH", "WBTC"];

export interface Phase {
  name: string;
  share: number; // share of the run's steps (at least one step)
  sigma: Record<SimAsset, number>; // annualized volatility
  move: Record<SimAsset, number>; // total deterministic move over the phase, as a price ratio (0.65 = −35 %)
  /** Share of the setup DEX liquidity LPs keep in the pools during the phase (default 1). */
  dexLiquidity?: number;
}

export interface Scenario {
  name: string;
  description: string;
  phases: Phase[];
}

const CALM = { WETH: 0.55, WBTC: 0.45 }; // calm-regime ETH/BTC realized volatility (2019–2024 quiet months)
const FLAT = { WETH: 1, WBTC: 1 };

export const SCENARIOS: Record<string, Scenario> = {
  calm: {
    name: "calm",
    description: "Calm drift: one regime, ETH σ 55 %, BTC σ 45 %, no trend.",
    phases: [{ name: "calm", share: 1, sigma: CALM, move: FLAT }],
  },
  "regime-shift": {
    name: "regime-shift",
    description: "Volatility regime shift: calm for 40 % of the run, then ETH σ 140 % / BTC σ 110 % with no trend.",
    phases: [
      { name: "calm", share: 0.4, sigma: CALM, move: FLAT },
      { name: "high-vol", share: 0.6, sigma: { WETH: 1.4, WBTC: 1.1 }, move: FLAT },
    ],
  },
  crash: {
    name: "crash",
    description:
      "Crash (March 2020 / May 2021 ETH): calm, then turbulence (σ 120 %, −7 %), then −35 % ETH / −30 % BTC within 10 % of the run (3¼ h at the default 128 steps) " +
      "at σ 160 %, then a choppy aftermath. LPs pull 70 % of the DEX liquidity during the crash and come back " +
      "to 60 % after it.",
    phases: [
      { name: "calm", share: 0.4, sigma: CALM, move: FLAT },
      { name: "turbulence", share: 0.25, sigma: { WETH: 1.2, WBTC: 0.95 }, move: { WETH: 0.93, WBTC: 0.95 } },
      {
        name: "crash",
        share: 0.1,
        sigma: { WETH: 1.6, WBTC: 1.3 },
        move: { WETH: 0.65, WBTC: 0.7 },
        dexLiquidity: 0.3,
      },
      {
        name: "aftermath",
        share: 0.25,
        sigma: { WETH: 1.2, WBTC: 1.0 },
        move: { WETH: 1.05, WBTC: 1.04 },
        dexLiquidity: 0.6,
      },
    ],
  },
  "flash-crash": {
    name: "flash-crash",
    description:
      "Flash crash: calm, then −30 % within 30 minutes (LPs pull 70 % of the DEX liquidity), a rebound to −3 % within " +
      "the next hour, then calm.",
    phases: [
      { name: "calm", share: 0.5, sigma: CALM, move: FLAT },
      {
        name: "flash",
        share: 0.0125,
        sigma: { WETH: 1.0, WBTC: 0.8 },
        move: { WETH: 0.7, WBTC: 0.75 },
        dexLiquidity: 0.3,
      },
      { name: "rebound", share: 0.025, sigma: { WETH: 1.0, WBTC: 0.8 }, move: { WETH: 0.97 / 0.7, WBTC: 0.98 / 0.75 } },
      { name: "after", share: 0.4625, sigma: { WETH: 0.7, WBTC: 0.55 }, move: FLAT },
    ],
  },
};

export interface PricePath {
  scenario: string;
  steps: number;
  stepSeconds: number;
  /** prices[a][i]: price after step i (index 0 is the start). */
  prices: Record<SimAsset, number[]>;
  /** phase name of each step 1..steps (index 0 = "start"). */
  phase: string[];
  /** Steps 1..calmSteps are the calm phase. */
  calmSteps: number;
  /** DEX liquidity share of each step 1..steps (index 0 = 1). */
  dexLiquidity: number[];
}

/** Splits `steps` into the phases' shares, each phase at least one step, the total exact. */
export function phaseLengths(s: Scenario, steps: number): number[] {
  const raw = s.phases.map((p) => Math.max(1, Math.round(p.share * steps)));
  let diff = steps - raw.reduce((a, b) => a + b, 0);
  // Give or take the rounding difference on the longest phase.
  const longest = raw.indexOf(Math.max(...raw));
  raw[longest] += diff;
  diff = 0;
  if (raw[longest] < 1) throw new Error(`--steps ${steps} is too few for scenario ${s.name}`);
  return raw;
}

export function generatePath(scenarioName: string, steps: number, rng: Rng): PricePath {
  const s = SCENARIOS[scenarioName];
  if (!s) throw new Error(`unknown scenario ${scenarioName} (choose: ${Object.keys(SCENARIOS).join(", ")})`);
  const dt = STEP_SECONDS / YEAR_SECONDS;
  const lengths = phaseLengths(s, steps);
  const prices: Record<SimAsset, number[]> = { WETH: [INITIAL_PRICES.WETH], WBTC: [INITIAL_PRICES.WBTC] };
  const phase = ["start"];
  const dexLiquidity = [1];
  lengths.forEach((n, pi) => {
    const p = s.phases[pi];
    for (let k = 0; k < n; k++) {
      const zE = rng.normal();
      const zB = CORRELATION * zE + Math.sqrt(1 - CORRELATION * CORRELATION) * rng.normal();
      const z: Record<SimAsset, number> = { WETH: zE, WBTC: zB };
      for (const a of SIM_ASSETS) {
        const sigma = p.sigma[a];
        const r = Math.log(p.move[a]) / n - (sigma * sigma * dt) / 2 + sigma * Math.sqrt(dt) * z[a];
        const last = prices[a][prices[a].length - 1];
        prices[a].push(last * Math.exp(r));
      }
      phase.push(p.name);
      dexLiquidity.push(p.dexLiquidity ?? 1);
    }
  });
  return {
    scenario: s.name,
    steps,
    stepSeconds: STEP_SECONDS,
    prices,
    phase,
    calmSteps: s.phases[0].name === "calm" ? lengths[0] : 0,
    dexLiquidity,
  };
}

/** Annualized realized volatility of the last `window` log returns ending at step `i` (for the chart). */
export function realizedVol(series: number[], i: number, window = 16): number {
  const from = Math.max(1, i - window + 1);
  if (i < 2) return 0;
  let sum = 0;
  let n = 0;
  for (let k = from; k <= i; k++) {
    const r = Math.log(series[k] / series[k - 1]);
    sum += r * r;
    n++;
  }
  return Math.sqrt((sum / n) * (YEAR_SECONDS / STEP_SECONDS));
}
