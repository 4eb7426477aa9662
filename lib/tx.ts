// Waiting for a transaction: ethers' `wait()` types its receipt as nullable (null only for a transaction replaced
// while waiting with zero confirmations); these helpers turn that case into a clear error instead of a `!`.
import type { ContractTransactionReceipt, ContractTransactionResponse, TransactionReceipt } from "ethers";

/** The receipt of `tx` once mined; throws if the node returned none (the transaction was dropped or replaced). */
export async function mined(
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  const sent = await tx;
  const receipt = await sent.wait();
  if (!receipt) throw new Error(`transaction ${sent.hash} has no receipt (dropped or replaced): send it again`);
  return receipt;
}

/** The gas `tx` used, once mined. */
export async function gasOf(tx: ContractTransactionResponse | Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await mined(tx)).gasUsed);
}

/** A receipt that must exist (from `deploymentTransaction()?.wait()` and the like). */
export function required<T extends TransactionReceipt>(receipt: T | null, what: string): T {
  if (!receipt) throw new Error(`${what}: no receipt (the transaction was dropped or replaced): run again`);
  return receipt;
}
