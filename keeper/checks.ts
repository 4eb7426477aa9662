// What the keeper checks about its deployment before watching it (at start and after every reconnection).
import { flashIface } from "./abis";
import type { Deployment, Mode } from "./config";
import { KeeperFatal } from "./errors";
import type { Rpc } from "./rpc";

/** The deployments file's chain must be the node's; flash mode needs a FlashLiquidator. */
export function checkChain(d: Deployment, chainId: bigint, mode: Mode): void {
  if (d.chainId !== undefined && BigInt(d.chainId) !== chainId) {
    throw new KeeperFatal(
      `the deployments file is for chain ${d.chainId} but the node is chain ${chainId}: point --rpc / FULCRA_LOCALHOST_URL at the right node or --deployments at the right file`,
    );
  }
  if (mode === "flash" && !d.flashLiquidator) {
    throw new KeeperFatal("--mode flash needs flashLiquidator in the deployments file (or run --mode own)");
  }
}

/**
 * The pool must have code at its address: after a node restart (a fresh local chain) it has none, and watching it
 * would find nothing forever. Flash mode (sending): the FlashLiquidator must be owned by the keeper's key.
 */
export async function checkDeployment(
  rpc: Rpc,
  d: Deployment,
  o: { mode: Mode; dryRun: boolean; keeper: string },
): Promise<void> {
  const code = await rpc.run("eth_getCode", () => rpc.provider.getCode(d.pool));
  if (code === "0x") {
    throw new KeeperFatal(
      `no contract at the pool address ${d.pool} (chain reset, e.g. a restarted hardhat node, or a stale deployments file): redeploy (npx hardhat deploy --network <network>) or point --deployments at the right file`,
    );
  }
  if (o.mode !== "flash" || !d.flashLiquidator || o.dryRun) return;
  const ret = await rpc.call({ to: d.flashLiquidator, data: flashIface.encodeFunctionData("owner", []) });
  const owner = flashIface.decodeFunctionResult("owner", ret)[0] as string;
  if (owner.toLowerCase() !== o.keeper.toLowerCase()) {
    throw new KeeperFatal(
      `the FlashLiquidator ${d.flashLiquidator} is owned by ${owner}, not the keeper's key ${o.keeper}: deploy with roles.liquidatorOwner = ${o.keeper}, transfer it to the keeper, set KEEPER_PRIVATE_KEY to the owner's key, or run --mode own`,
    );
  }
}
