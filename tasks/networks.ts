// Test networks, added to the resolved Hardhat config without touching hardhat.config.ts. The RPC URL and the
// deployer key come from Hardhat configuration variables (`npx hardhat vars set SEPOLIA_RPC_URL`, stored outside
// the repository) or, failing that, from the environment. Nothing secret is ever committed.
import { extendConfig, vars } from "hardhat/config";
import type { HttpNetworkConfig } from "hardhat/types";

const read = (name: string): string | undefined => (vars.has(name) ? vars.get(name) : process.env[name]) || undefined;

extendConfig((config) => {
  // `npx hardhat node --port N` elsewhere than 8545: FULCRA_LOCALHOST_URL=http://127.0.0.1:N.
  const localUrl = process.env.FULCRA_LOCALHOST_URL;
  const localhost = config.networks.localhost as HttpNetworkConfig | undefined;
  if (localUrl && localhost) localhost.url = localUrl;
  if (!config.networks.sepolia) {
    const key = read("SEPOLIA_PRIVATE_KEY") ?? read("DEPLOYER_PRIVATE_KEY");
    const sepolia: HttpNetworkConfig = {
      // Without a URL the network still resolves; using it fails at the first request with a connection error.
      url: read("SEPOLIA_RPC_URL") ?? "http://sepolia-rpc-url-not-set.invalid",
      chainId: 11155111,
      accounts: key ? [key] : [],
      gas: "auto",
      gasPrice: "auto",
      gasMultiplier: 1,
      httpHeaders: {},
      timeout: 40_000,
      ignition: {},
    };
    config.networks.sepolia = sepolia;
  }
  const etherscanKey = read("ETHERSCAN_API_KEY");
  const c = config as unknown as { etherscan?: { apiKey: string | Record<string, string> } };
  if (etherscanKey && c.etherscan && !c.etherscan.apiKey) c.etherscan.apiKey = etherscanKey;
});
