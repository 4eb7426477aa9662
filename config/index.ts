// Per-network configurations, keyed by Hardhat network name. Add a network: write config/<name>.ts exporting a
// NetworkConfig as default and register it here.
import hardhat from "./hardhat";
import localhost from "./localhost";
import sepolia from "./sepolia";
import type { NetworkConfig } from "./types";

export * from "./types";

export const CONFIGS: Record<string, NetworkConfig> = { hardhat, localhost, sepolia };

/** The configuration of `network`, deep-copied (callers may modify it). */
export function loadConfig(network: string): NetworkConfig {
  const c = CONFIGS[network];
  if (!c)
    throw new Error(
      `No deployment configuration for network "${network}". Known: ${Object.keys(CONFIGS).join(", ")}. Add config/${network}.ts and register it in config/index.ts.`,
    );
  return structuredClone(c);
}
