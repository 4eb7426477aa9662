// `npx hardhat deploy --network <name>`: the deploy script as a task (same library, same deployment file).
import { task, types } from "hardhat/config";
import { ConfigError, loadConfig, validateConfig } from "../config";
import { DeploymentMismatchError, assertNetworkReady, deployStack } from "../lib/deploy";
import { fail, output } from "./common";

task("deploy", "Deploy (or resume, or verify) Fulcra on this network from config/<network>.ts")
  .addOptionalParam("setup", "Configuration name (default: the network's name)", undefined, types.string)
  .addFlag("fresh", "Local networks: ignore an existing deployment file and deploy a new stack")
  .addFlag("validate", "Only validate the configuration; send nothing")
  .addFlag("json", "Print the deployment record as JSON")
  .setAction(async (args: { setup?: string; fresh: boolean; validate: boolean; json: boolean }, hre) => {
    let config;
    try {
      config = loadConfig(args.setup ?? hre.network.name);
    } catch (e) {
      fail((e as Error).message);
    }
    if (args.validate) {
      const problems = validateConfig(config);
      if (problems.length) fail(new ConfigError(config.network, problems).message);
      return output(args.json, { valid: true, network: config.network }, () => `Configuration "${config.network}" is valid.`);
    }
    if (args.fresh && !config.local) fail("--fresh is for local networks only");
    try {
      assertNetworkReady(hre);
    } catch (e) {
      fail((e as Error).message);
    }
    try {
      const r = await deployStack(hre, config, { fresh: args.fresh, log: args.json ? () => {} : undefined });
      return output(args.json, r.deployment, () => `Deployment written to ${r.file}`);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof DeploymentMismatchError) fail(e.message);
      throw e;
    }
  });
