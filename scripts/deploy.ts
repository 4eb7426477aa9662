// `npx hardhat run scripts/deploy.ts --network <name>`: deploys (or resumes / verifies) Fulcra on <name> from
// config/<name>.ts and writes deployments/<name>.json. Same as `npx hardhat deploy --network <name>`.
// Environment: FULCRA_CONFIG=<config name> to use another network's configuration file, FULCRA_FRESH=1 (local
// networks only) to ignore an existing deployment file.
import hre from "hardhat";
import { loadConfig } from "../config";
import { deployStack } from "../lib/deploy";

async function main() {
  const config = loadConfig(process.env.FULCRA_CONFIG ?? hre.network.name);
  const { deployment, file } = await deployStack(hre, config, { fresh: process.env.FULCRA_FRESH === "1" });
  console.log(`Pool ${deployment.pool} · deployment file ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
