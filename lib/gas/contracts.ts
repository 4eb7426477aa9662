// The contracts of the neutral gas scenario that are not Fulcra's, built with solc-js at bench time (see solc.ts):
//  - the shared harness's TestToken, FlashReceiver and FreshFeed (bench/neutral-gas/harness) with the harness's
//    settings, the same for every protocol;
//  - Morpho Blue 1.0.0 (npm) with its OracleMock, and AdaptiveCurveIrm v1.0.0 (bench/neutral-gas/morpho-blue-irm),
//    with Morpho's own settings.
// Fulcra itself comes from the project's artifacts (hardhat compile), with the project's settings.
import path from "path";
import { compileCached, BenchError, type CompiledContract, type SolcJob } from "./solc";

const HARNESS_DIR = "bench/neutral-gas/harness";
const IRM_DIR = "bench/neutral-gas/morpho-blue-irm/src";
const MORPHO_PKG = "@morpho-org/morpho-blue/src";

/** The harness's COMMON_SETTINGS: solc 0.8.28, optimizer runs 200, evm cancun, no viaIR. */
export const HARNESS_JOB: SolcJob = {
  label: "harness",
  solcPackage: "solc",
  version: "0.8.28",
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  entries: [`${HARNESS_DIR}/TestToken.sol`, `${HARNESS_DIR}/FlashReceiver.sol`, `${HARNESS_DIR}/FreshFeed.sol`],
};

/** Morpho's settings (morpho-blue and morpho-blue-irm foundry.toml, as the harness applies them). */
export const MORPHO_JOB: SolcJob = {
  label: "morpho",
  solcPackage: "solc-0.8.19",
  version: "0.8.19",
  settings: {
    viaIR: true,
    optimizer: { enabled: true, runs: 999999 },
    evmVersion: "paris",
    metadata: { bytecodeHash: "none" },
  },
  entries: [`${MORPHO_PKG}/Morpho.sol`, `${MORPHO_PKG}/mocks/OracleMock.sol`, `${IRM_DIR}/AdaptiveCurveIrm.sol`],
};

export function describeSettings(job: SolcJob): string {
  const s = job.settings as {
    viaIR?: boolean;
    optimizer: { runs: number };
    evmVersion: string;
    metadata?: { bytecodeHash: string };
  };
  return [
    `solc ${job.version}`,
    s.viaIR ? "viaIR" : "no viaIR",
    `optimizer runs ${s.optimizer.runs}`,
    `evm ${s.evmVersion}`,
    ...(s.metadata ? [`bytecodeHash ${s.metadata.bytecodeHash}`] : []),
  ].join(", ");
}

export interface NeutralContracts {
  testToken: CompiledContract;
  flashReceiver: CompiledContract;
  freshFeed: CompiledContract;
  morpho?: { morpho: CompiledContract; oracleMock: CompiledContract; adaptiveCurveIrm: CompiledContract };
  /** what was compiled now vs read from the cache, for the log */
  built: string[];
  cached: string[];
}

function pick(contracts: Record<string, CompiledContract>, key: string): CompiledContract {
  const c = contracts[key];
  if (!c || c.bytecode === "0x")
    throw new BenchError(`${key} missing from the compiler output: delete cache/neutral-gas and run again`);
  return c;
}

/** Builds (or reads from `<root>/cache/neutral-gas`) the harness contracts, and Morpho's when `withMorpho`. */
export function neutralContracts(root: string, withMorpho: boolean): NeutralContracts {
  const cacheDir = path.join(root, "cache", "neutral-gas");
  const built: string[] = [];
  const cached: string[] = [];
  const h = compileCached(root, cacheDir, HARNESS_JOB);
  (h.cached ? cached : built).push("harness");
  const res: NeutralContracts = {
    testToken: pick(h.contracts, `${HARNESS_DIR}/TestToken.sol:TestToken`),
    flashReceiver: pick(h.contracts, `${HARNESS_DIR}/FlashReceiver.sol:FlashReceiver`),
    freshFeed: pick(h.contracts, `${HARNESS_DIR}/FreshFeed.sol:FreshFeed`),
    built,
    cached,
  };
  if (withMorpho) {
    const m = compileCached(root, cacheDir, MORPHO_JOB);
    (m.cached ? cached : built).push("Morpho Blue + AdaptiveCurveIrm");
    res.morpho = {
      morpho: pick(m.contracts, `${MORPHO_PKG}/Morpho.sol:Morpho`),
      oracleMock: pick(m.contracts, `${MORPHO_PKG}/mocks/OracleMock.sol:OracleMock`),
      adaptiveCurveIrm: pick(m.contracts, `${IRM_DIR}/AdaptiveCurveIrm.sol:AdaptiveCurveIrm`),
    };
  }
  return res;
}
