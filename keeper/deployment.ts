// deployments/<network>.json as the keeper reads it: the format and its validation.
import fs from "node:fs";
import { getAddress, isAddress } from "ethers";

/**
 * deployments/<network>.json — what the keeper needs to know about one deployment. Written by the deploy script.
 * Addresses are 0x-hex; `deployBlock` is the block the pool was deployed in (the indexer starts there).
 */
export interface Deployment {
  chainId?: number;
  pool: string;
  lens: string;
  /** FlashLiquidator owned by the keeper's key; needed for `--mode flash`. */
  flashLiquidator?: string;
  /** RiskEngine; the keeper calls its updateMany on a schedule when set. */
  riskEngine?: string;
  /** Uniswap V3 QuoterV2; needed for swap-cost estimates in flash mode. */
  quoter?: string;
  assets: { symbol: string; address: string; decimals?: number }[];
  deployBlock: number;
}

export function validateDeployment(raw: unknown, source = "deployment"): Deployment {
  const d = raw as Record<string, unknown>;
  const bad = (m: string): never => {
    throw new Error(`${source}: ${m}`);
  };
  if (!d || typeof d !== "object") bad("not an object");
  const addr = (k: string): string | undefined => {
    const v = d[k];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string" || !isAddress(v)) return bad(`"${k}" is not an address`);
    return getAddress(v);
  };
  const required = (k: string): string => addr(k) ?? bad(`missing "${k}"`);
  if (!Array.isArray(d.assets)) bad(`"assets" must be an array of {symbol, address}`);
  const assets = (d.assets as { symbol?: unknown; address?: unknown; decimals?: unknown }[]).map((a, i) => {
    if (typeof a?.symbol !== "string" || typeof a?.address !== "string" || !isAddress(a.address)) {
      bad(`assets[${i}] must be {symbol, address}`);
    }
    return {
      symbol: a.symbol as string,
      address: getAddress(a.address as string),
      ...(typeof a.decimals === "number" ? { decimals: a.decimals } : {}),
    };
  });
  const deployBlock = Number(d.deployBlock ?? 0);
  if (!Number.isInteger(deployBlock) || deployBlock < 0) bad(`"deployBlock" must be a non-negative integer`);
  return {
    chainId: typeof d.chainId === "number" ? d.chainId : undefined,
    pool: required("pool"),
    lens: required("lens"),
    flashLiquidator: addr("flashLiquidator"),
    riskEngine: addr("riskEngine"),
    quoter: addr("quoter"),
    assets,
    deployBlock,
  };
}

export function loadDeployment(file: string): Deployment {
  if (!fs.existsSync(file)) throw new Error(`deployments file not found: ${file}`);
  return validateDeployment(JSON.parse(fs.readFileSync(file, "utf8")), file);
}
