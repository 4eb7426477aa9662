// deployStack(hre, config, opts): deploys (or resumes, or verifies) the whole Fulcra stack for one network and
// records it in deployments/<network>.json. Used by scripts/deploy.ts, the `deploy` task and the deploy tests. The
// run is a sequence of small steps (lib/stack/steps.ts: governance and pool, tokens/oracles/listings, risk engine,
// lens, DEX, liquidator and margin, roles, demo accounts, hand-over), which create contracts through the same
// builders (lib/stack/contracts.ts) as the test fixtures, the simulation and the bench. Uses only the `hre` it is
// given (no `import "hardhat"`), so tasks can import it.
//
// Idempotency: every step first looks at the chain. A contract recorded in the file with code at its address is
// reused; a listing, role, parameter or seeded pool that is already in place is skipped. A re-run of a complete
// deployment with the same configuration therefore sends no transaction. A deployment file made with a different
// configuration is refused (the changed sections are named), so a second protocol is never deployed by accident.
import fs from "fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { assertValidConfig, configHashes, type NetworkConfig } from "../config/types";
import { localConfig } from "../config/hardhat";
import { createContext } from "./stack/context";
import * as step from "./stack/steps";
import {
  DeploymentMismatchError,
  assertNetworkReady,
  deploymentFile,
  emptyDeployment,
  type DeployOptions,
  type DeployResult,
  type Deployment,
} from "./stack/deployment";

export * from "./stack/deployment";
export { ROLE_IDS, MAX_UINT128, WAD } from "./constants";

/** Deploys, resumes or verifies the stack described by `config` on `hre`'s network. */
export async function deployStack(
  hre: HardhatRuntimeEnvironment,
  config: NetworkConfig,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const { ethers } = hre;
  const log = opts.log ?? ((l: string) => console.log(l));
  assertValidConfig(config); // throws ConfigError listing every problem, before anything is sent

  assertNetworkReady(hre);
  const signer = opts.signer ?? (await ethers.getSigners())[0];
  if (!signer)
    throw new Error(`No deployer account for network "${hre.network.name}": set the key (see docs/deploy.md).`);
  const me = await signer.getAddress();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  if (chainId !== config.chainId)
    throw new DeploymentMismatchError(
      `Configuration "${config.network}" is for chain ${config.chainId} but network "${hre.network.name}" is chain ${chainId}.`,
    );

  const hashes = configHashes(config);
  const write = opts.write ?? true;
  const file = deploymentFile(hre, opts, config.network === hre.network.name ? hre.network.name : config.network);
  const dep = await openDeployment(hre, config, file, chainId, me, hashes, opts, log);
  const ctx = createContext(hre, config, signer, me, dep, log, write ? file : undefined);

  log(`Fulcra deploy on "${hre.network.name}" (chain ${chainId}) by ${me}, config ${hashes.hash.slice(0, 10)}`);
  const pool = await step.governanceAndPool(ctx);
  const bySymbol = await step.tokensOraclesAndListings(ctx, pool);
  const { oracle, engine } = await step.riskEngine(ctx, pool, bySymbol);
  await step.lens(ctx);
  await step.dex(ctx, bySymbol);
  const router = await step.liquidatorAndMargin(ctx);
  await step.operatorRoles(ctx, pool);
  await step.demoAccounts(ctx, bySymbol);
  await step.handOverToTimelock(ctx, pool, router, oracle, engine);

  dep.complete = true;
  ctx.save();
  log(
    ctx.txCount === 0
      ? "Nothing to do: the deployment matches the configuration."
      : `Done: ${ctx.txCount} transaction(s).`,
  );
  return { deployment: dep, txCount: ctx.txCount, file: write ? file : undefined };
}

/**
 * The local stack (config/hardhat.ts) on the in-process network, for the keeper tests and the market simulation:
 * `tweak` may edit the configuration first (it is validated afterwards). Neither reads nor writes a deployment file
 * unless `opts.fresh` / `opts.write` say otherwise.
 */
export async function deployLocalStack(
  hre: HardhatRuntimeEnvironment,
  tweak?: (c: NetworkConfig) => void,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const config = localConfig(hre.network.name);
  tweak?.(config);
  return deployStack(hre, config, { log: () => {}, write: false, fresh: true, ...opts });
}

/**
 * The deployment to continue: the file's, if it describes this chain and this configuration; a new one if there is
 * no file, `opts.fresh` is set, or (local networks) the chain it describes is gone. Refuses anything else.
 */
async function openDeployment(
  hre: HardhatRuntimeEnvironment,
  config: NetworkConfig,
  file: string,
  chainId: number,
  me: string,
  hashes: ReturnType<typeof configHashes>,
  opts: DeployOptions,
  log: (line: string) => void,
): Promise<Deployment> {
  const { ethers } = hre;
  const hasCode = async (a: string) => a !== ethers.ZeroAddress && (await ethers.provider.getCode(a)) !== "0x";

  const fresh = emptyDeployment(config, chainId, me, hashes);
  if (!fs.existsSync(file) || opts.fresh) return fresh;
  const old = JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
  const stale = old.chainId !== chainId || !(await hasCode(old.pool));
  if (stale && config.local) {
    log(`Deployment file ${file} describes a chain that is gone (local node restarted): deploying a new stack.`);
  } else if (stale) {
    throw new DeploymentMismatchError(
      `Deployment file ${file} records chain ${old.chainId} and pool ${old.pool}, but there is no pool code at that address on network "${hre.network.name}" (chain ${chainId}). Refusing to deploy a second protocol; move the file away if this is intended.`,
    );
  } else if (old.configHash !== hashes.hash) {
    const changed = Object.keys({ ...old.configSections, ...hashes.sections }).filter(
      (k) => old.configSections?.[k] !== hashes.sections[k],
    );
    throw new DeploymentMismatchError(
      `Configuration mismatch: ${file} was deployed with a different configuration (changed: ${changed.join(", ") || "unknown"}). ` +
        `Refusing to continue, so as not to deploy a second protocol by accident. Change live parameters through the timelock` +
        (config.local ? `, or start over with --fresh (local networks).` : `.`),
    );
  } else {
    return old;
  }
  return fresh;
}
