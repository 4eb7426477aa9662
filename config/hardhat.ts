// Local configuration: the in-process Hardhat network and `npx hardhat node` (localhost). Mock tokens and movable
// Chainlink-style feeds, Uniswap V3 from the npm artifacts seeded at the feed prices, funded demo accounts.
// Listing parameters are the demo markets of lib/protocol.ts; risk profiles are config/profiles.ts and
// oracle estimator settings lib/risk.ts's DEFAULT_ORACLE_PARAMS (see docs/risk-engine.md).
import { DEFAULT_PROFILES } from "./profiles";
import type { AssetEntry, NetworkConfig } from "./types";

export const LOCAL_ASSETS: AssetEntry[] = [
  {
    symbol: "USDC",
    decimals: 6,
    token: "mock",
    feed: "mock",
    feedDecimals: 8,
    initialPrice: 1,
    heartbeat: 86_400,
    minPrice: 0.01,
    maxPrice: 100,
    ltvBps: 8000,
    ltBps: 8500,
    borrowable: true,
    reserveFactorBps: 1000,
    flashFeeBps: 0,
    rate: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 9000 },
    caps: { supply: "100000000", borrow: "90000000", collateral: "100000000", minBorrow: "100" },
    risk: { ...DEFAULT_PROFILES.USDC, dynamic: true },
    oracle: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.02 },
  },
  {
    symbol: "WETH",
    decimals: 18,
    token: "mock",
    feed: "mock",
    feedDecimals: 8,
    initialPrice: 2000,
    heartbeat: 3_600,
    minPrice: 1,
    maxPrice: 1_000_000,
    ltvBps: 8000,
    ltBps: 8250,
    borrowable: true,
    reserveFactorBps: 1500,
    flashFeeBps: 0,
    rate: { baseBps: 0, slope1Bps: 300, slope2Bps: 8000, kinkBps: 8000 },
    caps: { supply: "100000", borrow: "80000", collateral: "100000", minBorrow: "0.05" },
    risk: { ...DEFAULT_PROFILES.WETH, dynamic: true },
    oracle: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.6 },
  },
  {
    symbol: "WBTC",
    decimals: 8,
    token: "mock",
    feed: "mock",
    feedDecimals: 8,
    initialPrice: 60000,
    heartbeat: 3_600,
    minPrice: 10,
    maxPrice: 10_000_000,
    ltvBps: 7300,
    ltBps: 7800,
    borrowable: true,
    reserveFactorBps: 2000,
    flashFeeBps: 0,
    rate: { baseBps: 0, slope1Bps: 400, slope2Bps: 30000, kinkBps: 4500 },
    caps: { supply: "5000", borrow: "1000", collateral: "5000", minBorrow: "0.001" },
    risk: { ...DEFAULT_PROFILES.WBTC, dynamic: true },
    oracle: { halfLife: 86_400, fastHalfLife: 7_200, minInterval: 600, initialVol: 0.5 },
  },
];

export function localConfig(network: string): NetworkConfig {
  return {
    network,
    local: true,
    chainId: 31337,
    assets: structuredClone(LOCAL_ASSETS),
    // Empty lists: the deployer (signer 0) proposes, executes and guards, so a local demo needs one key.
    roles: { proposers: [], executors: [], guardians: [] },
    timelock: { minDelay: 60, handOver: false },
    liquidationGlobals: { targetHealth: 1.05, fullLiquidationHealth: 0.95, dustValueUsd: 10 },
    uniswap: {
      deploy: true,
      fee: 3000,
      seedUsd: 20_000_000,
      pairs: [
        ["WETH", "USDC"],
        ["WBTC", "USDC"],
        ["WBTC", "WETH"],
      ],
    },
    margin: { feeBps: 0, maxDeviationBps: 200, minPositionValueUsd: 100, maxNewDebtPerBlockUsd: 0 },
    demo: { accounts: 4, amounts: { USDC: 1_000_000, WETH: 1_000, WBTC: 50 } },
  };
}

const config: NetworkConfig = localConfig("hardhat");
export default config;
