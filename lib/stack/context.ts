// The state one deployStack run carries from step to step: the configuration, the deployer, the deployment record
// (saved to deployments/<network>.json after every change) and the idempotent primitives every step uses.
import fs from "fs";
import path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Contract, ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import type { IFulcraPool } from "../../typechain-types";
import type { NetworkConfig } from "../../config/types";
import { roleName } from "../constants";
import { factoryOf, type Deployer } from "./contracts";
import type { Deployment } from "./deployment";

export interface StackContext {
  hre: HardhatRuntimeEnvironment;
  ethers: HardhatRuntimeEnvironment["ethers"];
  config: NetworkConfig;
  signer: Signer;
  /** The deployer's address. */
  me: string;
  dep: Deployment;
  log: (line: string) => void;
  /** Transactions sent so far. */
  txCount: number;
  /** Stamps and (unless the run does not write) saves the deployment file. */
  save: () => void;
  /** Sends `tx`, waits for it, counts and logs it. */
  send: (what: string, tx: Promise<ContractTransactionResponse>) => Promise<ContractTransactionReceipt | null>;
  /** Deploys `name` unless the recorded one has code (then attaches to it); records and saves what it deploys. */
  deploy: Deployer;
  hasCode: (address: string) => Promise<boolean>;
  /** Grants `role` on `target` to `account` unless it holds it already. */
  ensureRole: (target: Contract | IFulcraPool, label: string, role: string, account: string) => Promise<void>;
}

export function createContext(
  hre: HardhatRuntimeEnvironment,
  config: NetworkConfig,
  signer: Signer,
  me: string,
  dep: Deployment,
  log: (line: string) => void,
  file: string | undefined,
): StackContext {
  const { ethers } = hre;
  // The primitives refer to `ctx`, never `this`: steps destructure them.
  const ctx: StackContext = {
    hre,
    ethers,
    config,
    signer,
    me,
    dep,
    log,
    txCount: 0,
    save() {
      dep.updatedAt = new Date().toISOString();
      if (!file) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(dep, null, 2) + "\n");
    },
    async send(what, tx) {
      const r = await (await tx).wait();
      ctx.txCount++;
      log(`  ✓ ${what}${r ? ` (block ${r.blockNumber})` : ""}`);
      return r;
    },
    hasCode: async (a) => a !== ethers.ZeroAddress && (await ethers.provider.getCode(a)) !== "0x",
    async deploy(name, artifact, args) {
      const factory = await factoryOf(ethers, artifact, signer);
      const rec = dep.contracts[name];
      if (rec && (await ctx.hasCode(rec.address))) return factory.attach(rec.address) as Contract;
      const c = (await factory.deploy(...args)) as Contract;
      const receipt = await c.deploymentTransaction()?.wait();
      if (!receipt) throw new Error(`deploy ${name}: no receipt (the transaction was dropped or replaced): run again`);
      ctx.txCount++;
      const address = await c.getAddress();
      dep.contracts[name] = { address, block: receipt.blockNumber, tx: receipt.hash };
      log(`  + ${name.padEnd(22)} ${address} (block ${receipt.blockNumber})`);
      ctx.save();
      return c;
    },
    async ensureRole(target, label, role, account) {
      if (!(await target.hasRole(role, account)))
        await ctx.send(`${label}: grant ${roleName(role)} to ${account}`, target.grantRole(role, account));
    },
  };
  return ctx;
}
