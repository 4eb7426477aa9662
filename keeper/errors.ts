// Decoding what the chain says back: a revert's custom error name (ours: the pool's and the FlashLiquidator's), and
// event logs parsed without throwing on foreign ones.
import type { Interface, LogDescription } from "ethers";
import { flashIface, poolIface } from "./abis";

/** The revert data nested somewhere in an ethers / provider error. */
export function findRevertData(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== "object" || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8}/.test(o.data)) return o.data;
    for (const k of ["error", "info", "cause", "data"]) {
      const r = walk(o[k]);
      if (r) return r;
    }
    return undefined;
  };
  return walk(e);
}

/** Decodes a revert into the custom error's name, if one of ours. */
export function revertName(e: unknown): string | undefined {
  const data = findRevertData(e);
  if (!data) return undefined;
  for (const iface of [poolIface, flashIface]) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return parsed.name;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Parses one log with `iface`; null when it is not one of its events. */
export function safeParse(iface: Interface, l: { topics: readonly string[]; data: string }): LogDescription | null {
  try {
    return iface.parseLog({ topics: [...l.topics], data: l.data });
  } catch {
    return null;
  }
}

/** An error the keeper cannot work around: the CLI prints its message (one line, with the fix) and exits 1. */
export class KeeperFatal extends Error {}
