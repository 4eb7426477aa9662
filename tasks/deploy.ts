// `npx hardhat deploy --network <name>`: the deploy script as a task (same library, same deployment file).
// Before sending anything it checks the existing deployment file against the chain (lib/deployment-check.ts): a file
// whose addresses hold no code or the wrong code is refused unless `--fresh`; the old file is backed up before the
// run writes a new one. The last line gives the transaction count and the wall time.
import fs from "fs";
import { task, types } from "hardhat/config";
import { ConfigError, loadConfig, validateConfig } from "../config";
import { DeploymentMismatchError, assertNetworkReady, deployStack, deploymentFile } from "../lib/deploy";
import { checkDeploymentFile } from "../lib/deployment-check";
import { fail, output } from "./common";

/** `deployments/localhost.json` → `deployments/localhost.2026-12-04T18-30-00-000Z.bak.json`. */
export function backupName(file: string, at = new Date()): string {
  return file.replace(/\.json$/, "") + `.${at.toISOString().replace(/[:.]/g, "-")}.bak.json`;
}

task("deploy", "Deploy (or resume, or verify) Fulcra on this network from config/<network>.ts")
  .addOptionalParam("setup", "Configuration name (default: the network's name)", undefined, types.string)
  .addFlag(
    "fresh",
    "Local networks: deploy a new stack even if the deployment file does not match the chain (the old file is backed up)",
  )
  .addFlag("validate", "Only validate the configuration; send nothing")
  .addFlag("json", "Print the deployment record as JSON")
  .setAction(async (args: { setup?: string; fresh: boolean; validate: boolean; json: boolean }, hre) => {
    const started = Date.now();
    let config;
    try {
      config = loadConfig(args.setup ?? hre.network.name);
    } catch (e) {
      fail((e as Error).message);
    }
    if (args.validate) {
      const problems = validateConfig(config);
      if (problems.length) fail(new ConfigError(config.network, problems).message);
      return output(
        args.json,
        { valid: true, network: config.network },
        () => `Configuration "${config.network}" is valid.`,
      );
    }
    if (args.fresh && !config.local) fail("--fresh is for local networks only");
    try {
      assertNetworkReady(hre);
    } catch (e) {
      fail((e as Error).message);
    }
    const file = deploymentFile(hre, {}, config.network === hre.network.name ? hre.network.name : config.network);
    let backup: string | undefined;
    if (fs.existsSync(file)) {
      if (!args.fresh) {
        const problems = await checkDeploymentFile(hre, file);
        if (problems.length) {
          const shown =
            problems.slice(0, 3).join("; ") + (problems.length > 3 ? `; and ${problems.length - 3} more` : "");
          fail(
            `${file} does not match network "${hre.network.name}": ${shown}. Nothing sent. ` +
              (config.local
                ? `If the node was restarted, deploy a new stack with --fresh (the old file is backed up first); otherwise correct the file.`
                : `Correct the file (or move it away to deploy a new protocol on purpose).`),
          );
        }
      }
      backup = backupName(file);
      fs.copyFileSync(file, backup);
    }
    let r;
    try {
      r = await deployStack(hre, config, { fresh: args.fresh, log: args.json ? () => {} : undefined });
    } catch (e) {
      if (e instanceof ConfigError || e instanceof DeploymentMismatchError) fail(e.message);
      throw e;
    }
    // A run that sent nothing only touched updatedAt: its backup is not worth keeping.
    if (backup && r.txCount === 0 && !args.fresh) {
      fs.rmSync(backup);
      backup = undefined;
    }
    const seconds = (Date.now() - started) / 1000;
    return output(args.json, r.deployment, () =>
      [
        ...(backup ? [`Previous deployment file backed up to ${backup}`] : []),
        `Deployment written to ${r.file} · ${r.txCount} transaction(s) in ${seconds.toFixed(1)} s`,
      ].join("\n"),
    );
  });
