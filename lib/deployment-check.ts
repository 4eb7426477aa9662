// Does a deployment file describe what is on this chain? `checkDeploymentFile` compares every address the file
// records with the code at that address: no code, or code that is not the contract the file says (compared with the
// compiled artifact, immutables masked; the npm Uniswap artifacts by length, their immutables are not listed) is a
// problem (the CBOR metadata at the end is left out, so a comment edited since the deployment is no problem). The
// `deploy` task refuses to continue on a file with problems unless told `--fresh` (issue #18 item 7).
// Uses only the `hre` it is given, so tasks can import it.
import fs from "fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { UNISWAP_ARTIFACTS } from "./deploy-uniswap";
import type { Deployment } from "./deploy";

/** Project artifact (or npm Uniswap artifact) of each contract the deploy records by name. */
const ARTIFACT_OF: Record<string, string | { deployedBytecode: string }> = {
  timelock: "FulcraTimelock",
  poolExt: "PoolExt",
  pool: "Pool",
  volatilityOracle: "VolatilityOracle",
  riskEngine: "RiskEngine",
  lens: "FulcraLens",
  flashLiquidator: "FlashLiquidator",
  dexAdapter: "UniswapV3Adapter",
  marginRouter: "MarginRouter",
  uniswapFactory: UNISWAP_ARTIFACTS.factory,
  swapRouter: UNISWAP_ARTIFACTS.swapRouter,
  quoter: UNISWAP_ARTIFACTS.quoter,
  positionManager: UNISWAP_ARTIFACTS.positionManager,
};

/** Top-level address fields of the file and the contract record that must hold the same address. */
const FIELDS = [
  "pool",
  "poolExt",
  "timelock",
  "lens",
  "flashLiquidator",
  "riskEngine",
  "volatilityOracle",
  "dexAdapter",
  "marginRouter",
] as const;

function artifactOf(name: string): string | { deployedBytecode: string } | undefined {
  if (name.startsWith("token.")) return "MockERC20";
  if (name.startsWith("feed.")) return "MockPriceFeed";
  return ARTIFACT_OF[name];
}

/** Runtime code of a project contract with its immutables zeroed, or null when the build info is not available. */
async function expectedCode(
  hre: HardhatRuntimeEnvironment,
  name: string,
): Promise<{ code: string; masks: [number, number][] } | null> {
  const artifact = await hre.artifacts.readArtifact(name);
  const fqn = `${artifact.sourceName}:${artifact.contractName}`;
  const info = await hre.artifacts.getBuildInfo(fqn);
  const out = info?.output.contracts[artifact.sourceName]?.[artifact.contractName]?.evm?.deployedBytecode;
  if (!out) return { code: artifact.deployedBytecode.toLowerCase(), masks: [] };
  const refs =
    (out as { immutableReferences?: Record<string, { start: number; length: number }[]> }).immutableReferences ?? {};
  const masks = Object.values(refs)
    .flat()
    .map((r) => [r.start, r.length] as [number, number]);
  return { code: "0x" + out.object.toLowerCase(), masks };
}

/**
 * `code` with its immutables zeroed and without its CBOR metadata (the last two bytes give its length): a comment
 * edited in the source changes the metadata hash, not the contract.
 */
function masked(code: string, masks: [number, number][]): string {
  const bytes = code.slice(2).split("");
  for (const [start, length] of masks) for (let i = 2 * start; i < 2 * (start + length); i++) bytes[i] = "0";
  const hex = bytes.join("");
  const meta = parseInt(hex.slice(-4), 16);
  return (
    "0x" + (Number.isFinite(meta) && 2 * (meta + 2) < hex.length ? hex.slice(0, hex.length - 2 * (meta + 2)) : hex)
  );
}

/**
 * Problems of the deployment file `file` on `hre`'s network, one short sentence each; [] when every recorded address
 * holds the contract the file says.
 */
export async function checkDeploymentFile(hre: HardhatRuntimeEnvironment, file: string): Promise<string[]> {
  let dep: Partial<Deployment>;
  try {
    dep = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Deployment>;
  } catch (e) {
    return [`the file is not valid JSON (${(e as Error).message.split("\n")[0]})`];
  }
  const records = dep.contracts ?? {};
  // The expected code first (reading build info takes seconds on a busy machine), then the chain's, in one burst: a
  // request after a pause of more than 5 s can meet a keep-alive connection `hardhat node` has closed.
  const expected = new Map<string, { code: string; masks: [number, number][] } | null>();
  for (const name of Object.keys(records)) {
    const artifact = artifactOf(name);
    if (typeof artifact === "string" && !expected.has(artifact))
      expected.set(artifact, await expectedCode(hre, artifact));
  }
  const problems: string[] = [];
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  if (dep.chainId !== chainId) problems.push(`it records chain ${String(dep.chainId)}, the node is chain ${chainId}`);
  for (const field of FIELDS) {
    const top = dep[field];
    const rec = records[field];
    if (typeof top === "string" && rec && top.toLowerCase() !== rec.address.toLowerCase())
      problems.push(`"${field}" is ${top} but contracts.${field} records ${rec.address}`);
    else if (
      typeof top === "string" &&
      !rec &&
      !/^0x0{40}$/i.test(top) &&
      (await hre.ethers.provider.getCode(top)) === "0x"
    )
      problems.push(`${field} ${top} has no code`);
  }
  if (!records.pool && !problems.length) problems.push("it records no pool contract");
  for (const [name, rec] of Object.entries(records)) {
    const code = (await hre.ethers.provider.getCode(rec.address)).toLowerCase();
    if (code === "0x") {
      problems.push(`${name} ${rec.address} has no code`);
      continue;
    }
    const artifact = artifactOf(name);
    if (artifact === undefined) continue;
    if (typeof artifact === "string") {
      const want = expected.get(artifact);
      if (want && (code.length !== want.code.length || masked(code, want.masks) !== masked(want.code, want.masks)))
        problems.push(
          `${name} ${rec.address} holds other code than ${artifact} (${(code.length - 2) / 2} bytes, ${artifact} is ${(want.code.length - 2) / 2})`,
        );
    } else if (code.length !== artifact.deployedBytecode.length) {
      problems.push(
        `${name} ${rec.address} holds other code than the Uniswap ${name} (${(code.length - 2) / 2} bytes)`,
      );
    }
  }
  return problems;
}
