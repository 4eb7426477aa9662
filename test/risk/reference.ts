// Floating-point reference of VolatilityOracle's estimator and deterministic price-path generators for the tests.
//   r = ln(P_t / P_prev), dt = feed-time difference, decay = 2^(-dt / halfLife)
//   var = decay·var + (1 - decay)·r²·YEAR/dt, vol = sqrt(var)
export const YEAR = 365 * 86_400;

export interface RefObs {
  answer: bigint; // feed answer (8 decimals)
  feedTime: number; // the round's updatedAt
}

export class RefEstimator {
  variance: number;
  vol: number;
  last?: { logPrice: number; feedTime: number };
  constructor(
    public halfLife: number,
    initialVol: number,
  ) {
    this.vol = initialVol;
    this.variance = initialVol * initialVol;
  }
  /** Feeds one accepted observation; returns the log return (0 for the baseline). */
  push(o: RefObs): number {
    const lp = Math.log(Number(o.answer));
    let r = 0;
    if (this.last) {
      r = lp - this.last.logPrice;
      const dt = o.feedTime - this.last.feedTime;
      const decay = Math.pow(2, -dt / this.halfLife);
      this.variance = decay * this.variance + (1 - decay) * ((r * r * YEAR) / dt);
      this.variance = Math.min(this.variance, 100);
      this.vol = Math.sqrt(this.variance);
    }
    this.last = { logPrice: lp, feedTime: o.feedTime };
    return r;
  }
}

/** Deterministic PRNG (mulberry32) and standard normals (Box-Muller). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

export interface PathStep {
  dt: number; // seconds since the previous step
  price: number; // USD
}

/** Geometric Brownian steps: `sigma(i)` annualized vol and `mu` annual drift (log), dt(i) seconds. */
export function gbmPath(
  seed: number,
  start: number,
  n: number,
  dt: (i: number) => number,
  sigma: (i: number) => number,
  mu = 0,
): PathStep[] {
  const g = rng(seed);
  let p = start;
  const out: PathStep[] = [];
  for (let i = 0; i < n; i++) {
    const d = dt(i);
    const s = sigma(i);
    p = p * Math.exp((mu - (s * s) / 2) * (d / YEAR) + s * Math.sqrt(d / YEAR) * g.normal());
    out.push({ dt: d, price: p });
  }
  return out;
}

/** Feed answer with 8 decimals. */
export const toAnswer = (price: number): bigint => BigInt(Math.round(price * 1e8));
export const fromWad = (x: bigint): number => Number(x) / 1e18;
