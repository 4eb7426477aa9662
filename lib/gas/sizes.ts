// Runtime code size of every contract the project deploys, from Hardhat's artifacts: each artifact under
// artifacts/contracts/ outside mocks/ that has runtime code and an external entry point (interfaces, abstract
// contracts and internal-only libraries have none). Pool's constructor deploys VaultDeployer and each listing a
// FulcraVault; lib/deploy.ts deploys the rest. No `import "hardhat"`.
import fs from "fs";
import path from "path";
import { BenchError } from "./solc";
import { TARGETS } from "./spec";

export interface CodeSize {
  contract: string;
  source: string;
  runtimeBytes: number;
  /** EIP-170 limit minus runtimeBytes */
  headroom: number;
  /** headroom >= TARGETS.minHeadroom */
  ok: boolean;
}

interface Artifact {
  contractName: string;
  sourceName: string;
  abi: { type: string }[];
  deployedBytecode: string;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".json") && !e.name.endsWith(".dbg.json") ? [p] : [];
  });
}

/** Largest first. `artifactsDir` is Hardhat's paths.artifacts. */
export function deployedCodeSizes(artifactsDir: string): CodeSize[] {
  const root = path.join(artifactsDir, "contracts");
  if (!fs.existsSync(root)) throw new BenchError(`no artifacts in ${artifactsDir}: run npx hardhat compile`);
  const sizes: CodeSize[] = [];
  for (const file of walk(root)) {
    const a = JSON.parse(fs.readFileSync(file, "utf8")) as Artifact;
    if (a.sourceName.startsWith("contracts/mocks/")) continue;
    if (a.deployedBytecode === "0x" || !a.abi.some((f) => ["function", "fallback", "receive"].includes(f.type)))
      continue;
    // immutables are zero-filled placeholders of their final length: the artifact's length is the on-chain length
    const runtimeBytes = (a.deployedBytecode.length - 2) / 2;
    const headroom = TARGETS.codeSizeLimit - runtimeBytes;
    sizes.push({
      contract: a.contractName,
      source: a.sourceName,
      runtimeBytes,
      headroom,
      ok: headroom >= TARGETS.minHeadroom,
    });
  }
  if (!sizes.length) throw new BenchError(`no deployable contract in ${root}: run npx hardhat compile`);
  return sizes.sort((x, y) => y.runtimeBytes - x.runtimeBytes || x.contract.localeCompare(y.contract));
}
