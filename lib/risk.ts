// Deploys the dynamic-collateral stack (VolatilityOracle + RiskEngine) next to a pool and wires it: the engine gets
// the pool's RISK_ENGINE_ROLE, every asset is listed in the oracle (its feed read from the pool) with a seeded
// volatility, and gets its default profile from config/profiles.ts. Shared by the deploy script, the keeper,
// the simulation, the benchmarks and the tests.
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import type { IFulcraPool, RiskEngine, VolatilityOracle } from "../typechain-types";
import { DEFAULT_PROFILES, toOnchainProfile, type RiskProfile } from "../config/profiles";

/** The role table (lib/constants.ts), under the name the risk tests use. */
export { ROLE_IDS as RISK_ROLES } from "./constants";
import { ROLE_IDS as RISK_ROLES, toWad } from "./constants";
import { deployRiskContracts, freshDeployer } from "./stack/contracts";

/** Estimator parameters of the volatility oracle for one asset (seconds; vol as a fraction, 0.6 = 60 %). */
export interface OracleParams {
  halfLife: number;
  /** Half-life of the short estimate (VolatilityOracle.setFastHalfLife); default: equal to halfLife. */
  fastHalfLife?: number;
  minInterval: number;
  maxAge?: number; // default: twice the pool's heartbeat for the asset (capped at 7 days)
  shockWindow?: number; // default: the profile's cooldown
  initialVol: number;
}

/**
 * Defaults: a long estimate with a one-day half-life (stable: it drives nothing alone but the LT's level while
 * volatility builds) and a short one with a two-hour half-life (the warning: most of the way to a new regime within
 * ~4 hours), at most one accepted update per 10 minutes (the keeper calls every 15 minutes; Chainlink posts on a
 * 0.5 % deviation in fast markets), seeded at each asset's typical calm-regime 30-day realized volatility. See
 * docs/risk-engine.md.
 */
export const DEFAULT_ORACLE_PARAMS: Record<string, OracleParams> = {
  WETH: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.6 },
  WBTC: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.5 },
  USDC: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.02 },
};
/** Used for assets without an entry above. */
export const FALLBACK_ORACLE_PARAMS: OracleParams = {
  halfLife: 86_400,
  fastHalfLife: 7_200,
  minInterval: 600,
  initialVol: 0.8,
};

/** A fraction (0.6) as a WAD bigint (6e17), exact to 9 digits. */
export const wad = (x: number): bigint => toWad(x, 9);

export interface RiskAsset {
  symbol: string;
  address: string;
  profile?: RiskProfile; // default: DEFAULT_PROFILES[symbol]
  oracle?: Partial<OracleParams>;
}

export interface RiskStackOptions {
  /** Static mode for every asset (the simulation's baseline): profiles are set but the pool is left alone. */
  staticMode?: boolean;
  /** Run one engine update per asset after wiring (records the price baseline, applies the calm targets). */
  initialUpdate?: boolean; // default true
  /** Hand DEFAULT_ADMIN, RISK_ADMIN and ORACLE_ADMIN of both contracts to this address (the timelock) and renounce
   * the deployer's. The pool's RISK_ENGINE grant stays as made. */
  governor?: string;
}

export interface RiskStack {
  oracle: VolatilityOracle;
  engine: RiskEngine;
  oracleAddress: string;
  engineAddress: string;
}

/**
 * Deploys and wires the oracle and the engine. `admin` must hold DEFAULT_ADMIN_ROLE on the pool (to grant
 * RISK_ENGINE_ROLE); it receives every role on the new contracts (handed to `opts.governor` if given).
 */
export async function deployRiskStack(
  pool: IFulcraPool,
  admin: Signer,
  assets: RiskAsset[],
  opts: RiskStackOptions = {},
): Promise<RiskStack> {
  const adminAddress = await admin.getAddress();
  const contracts = await deployRiskContracts(freshDeployer(ethers, admin), await pool.getAddress(), adminAddress);
  const oracle = contracts.oracle as unknown as VolatilityOracle;
  const oracleAddress = await oracle.getAddress();
  const engine = contracts.engine as unknown as RiskEngine;
  const engineAddress = await engine.getAddress();

  await (await oracle.connect(admin).grantRole(RISK_ROLES.ORACLE_ADMIN, adminAddress)).wait();
  await (await engine.connect(admin).grantRole(RISK_ROLES.RISK_ADMIN, adminAddress)).wait();
  await (await pool.connect(admin).grantRole(RISK_ROLES.RISK_ENGINE, engineAddress)).wait();

  for (const a of assets) {
    const profile = a.profile ?? DEFAULT_PROFILES[a.symbol];
    if (!profile) throw new Error(`deployRiskStack: no risk profile for ${a.symbol}`);
    const op: OracleParams = { ...(DEFAULT_ORACLE_PARAMS[a.symbol] ?? FALLBACK_ORACLE_PARAMS), ...a.oracle };
    const cfg = await pool.assetConfig(a.address);
    await (
      await oracle
        .connect(admin)
        .listAsset(
          a.address,
          cfg.feed,
          op.halfLife,
          op.minInterval,
          op.maxAge ?? Math.min(2 * Number(cfg.heartbeat), 7 * 86_400),
          op.shockWindow ?? profile.cooldown,
          wad(op.initialVol),
        )
    ).wait();
    if (op.fastHalfLife !== undefined && op.fastHalfLife !== op.halfLife) {
      await (await oracle.connect(admin).setFastHalfLife(a.address, op.fastHalfLife)).wait();
    }
    await (await engine.connect(admin).setProfile(a.address, toOnchainProfile(profile, !opts.staticMode))).wait();
  }

  if (opts.initialUpdate ?? true) {
    await (await engine.connect(admin).updateMany(assets.map((a) => a.address))).wait();
  }

  if (opts.governor) {
    for (const c of [oracle, engine] as const) {
      const adminRole = c === oracle ? RISK_ROLES.ORACLE_ADMIN : RISK_ROLES.RISK_ADMIN;
      await (await c.connect(admin).grantRole(adminRole, opts.governor)).wait();
      await (await c.connect(admin).grantRole(RISK_ROLES.DEFAULT_ADMIN, opts.governor)).wait();
      await (await c.connect(admin).renounceRole(adminRole, adminAddress)).wait();
      await (await c.connect(admin).renounceRole(RISK_ROLES.DEFAULT_ADMIN, adminAddress)).wait();
    }
  }
  return { oracle, engine, oracleAddress, engineAddress };
}
