// Helpers of the deploy/CLI tests: a temporary deployments directory, task runs with captured output, and
// failure assertions.
import fs from "fs";
import os from "os";
import path from "path";
import hre from "hardhat";
import { expect } from "chai";

export function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fulcra-${label}-`));
}

/** Runs a task in-process and returns its result and everything it printed. */
export async function runTask(name: string, args: Record<string, unknown> = {}): Promise<{ result: any; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => {
    lines.push(a.map(String).join(" "));
  };
  try {
    const result = await hre.run(name, args);
    return { result, out: lines.join("\n") };
  } finally {
    console.log = orig;
  }
}

/** Asserts that `p` rejects with a message matching every pattern, and returns the message. */
export async function expectFailure(p: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let message: string | undefined;
  try {
    await p;
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message, "expected a failure").to.be.a("string");
  for (const re of patterns) expect(message).to.match(re);
  return message!;
}

/** Block number and the deployer's nonce: both unchanged means no transaction was sent. */
export async function chainMark(address: string) {
  return {
    block: await hre.ethers.provider.getBlockNumber(),
    nonce: await hre.ethers.provider.getTransactionCount(address),
  };
}
