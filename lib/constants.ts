// Numbers and role ids every part of the off-chain code shares, declared once.
import { ZeroHash, id } from "ethers";

/** Every AccessControl role of the protocol's contracts (pool, margin router, volatility oracle, risk engine). */
export const ROLE_IDS = {
  DEFAULT_ADMIN: ZeroHash,
  RISK_ADMIN: id("RISK_ADMIN_ROLE"),
  RISK_ENGINE: id("RISK_ENGINE_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
  TREASURY: id("TREASURY_ROLE"),
  MARGIN_ADMIN: id("MARGIN_ADMIN_ROLE"),
  ORACLE_ADMIN: id("ORACLE_ADMIN_ROLE"),
} as const;

/** The role's name in ROLE_IDS, or the id itself if it is none of them. */
export function roleName(role: string): string {
  for (const [k, v] of Object.entries(ROLE_IDS)) if (v === role) return k;
  return role;
}

/** The pool's "no cap" amount (caps are uint128). */
export const MAX_UINT128 = (1n << 128n) - 1n;
export const WAD = 10n ** 18n;

/** A decimal number (0.6, 1.05) as a WAD bigint, exact to `digits` fractional digits (6 unless said). */
export const toWad = (x: number, digits = 6): bigint =>
  BigInt(Math.round(x * 10 ** digits)) * 10n ** BigInt(18 - digits);
