// Sepolia example. !!! Every address below is TO BE VERIFIED against the official source before use !!!
//  - Chainlink feeds: https://docs.chain.link/data-feeds/price-feeds/addresses?network=ethereum&page=1 (Sepolia)
//  - Uniswap V3 on Sepolia: https://docs.uniswap.org/contracts/v3/reference/deployments/ethereum-deployments
//  - Circle USDC on Sepolia: https://developers.circle.com/stablecoins/usdc-on-test-networks
// They were written from memory, not fetched (this project builds offline). Sepolia has no canonical WBTC, so the
// deploy mints a MockERC20 "WBTC" priced by the real BTC/USD feed. Sepolia's Uniswap deployment ships only
// SwapRouter02, whose interface differs from the SwapRouter our adapter uses, so the deploy puts the classic
// SwapRouter + QuoterV2 (npm artifacts) on top of the official factory ("periphery" mode); pools for the pairs
// below must exist and have liquidity before margin trading or flash liquidation works.
// Risk profiles and oracle settings are the local ones (config/profiles.ts, docs/risk-engine.md).
// Proposers/guardians/treasury: replace the placeholders with your multisig / operator addresses.
import { LOCAL_ASSETS } from "./hardhat";
import type { AssetEntry, NetworkConfig } from "./types";

const base = (symbol: string): AssetEntry => {
  const a = LOCAL_ASSETS.find((x) => x.symbol === symbol);
  if (!a) throw new Error(`config/sepolia.ts: no local asset ${symbol} to start from`);
  return structuredClone(a);
};

// TO BE VERIFIED (see the header).
export const SEPOLIA = {
  feeds: {
    ETH_USD: "0x694AA1769357215DE4FAC081bf1f309aDC325306",
    BTC_USD: "0x1b44F3514812d835EB1BDB0acB33d3fA3351Ee43",
    USDC_USD: "0xA2F78ab2355fe2f984D808B5CeE7FD0A93D5270E",
  },
  tokens: {
    USDC: "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238", // Circle test USDC
    WETH: "0xfFf9976782d46CC05630D1f6eBAb18b2324d6B14", // WETH9 used by Uniswap on Sepolia
  },
  uniswap: { factory: "0x0227628f3F023bb0B980b67D528571c95c6DaC1c" },
};

const config: NetworkConfig = {
  network: "sepolia",
  local: false,
  chainId: 11155111,
  assets: [
    // Test networks: small caps, USDC/USD feed heartbeat is 24 h, ETH/USD and BTC/USD 1 h on Sepolia (to verify).
    {
      ...base("USDC"),
      token: SEPOLIA.tokens.USDC,
      feed: SEPOLIA.feeds.USDC_USD,
      caps: { supply: "1000000", borrow: "900000", collateral: "1000000", minBorrow: "10" },
    },
    {
      ...base("WETH"),
      token: SEPOLIA.tokens.WETH,
      feed: SEPOLIA.feeds.ETH_USD,
      caps: { supply: "1000", borrow: "800", collateral: "1000", minBorrow: "0.01" },
    },
    {
      ...base("WBTC"),
      token: "mock",
      feed: SEPOLIA.feeds.BTC_USD,
      caps: { supply: "50", borrow: "10", collateral: "50", minBorrow: "0.0005" },
    },
  ],
  roles: {
    // Replace with your multisig; until then the deployer proposes and anyone may execute after the delay.
    proposers: [],
    executors: ["0x0000000000000000000000000000000000000000"],
    guardians: [],
  },
  timelock: { minDelay: 2 * 86_400, handOver: true },
  liquidationGlobals: { targetHealth: 1.05, fullLiquidationHealth: 0.95, dustValueUsd: 10 },
  uniswap: {
    deploy: "periphery",
    factory: SEPOLIA.uniswap.factory,
    weth: SEPOLIA.tokens.WETH,
    fee: 3000,
    pairs: [["WETH", "USDC"]],
  },
  margin: { feeBps: 0, maxDeviationBps: 200, minPositionValueUsd: 10, maxNewDebtPerBlockUsd: 100_000 },
};
export default config;
