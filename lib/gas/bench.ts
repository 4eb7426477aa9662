// The neutral gas bench on the in-process Hardhat network: builds the harness and peer contracts (contracts.ts), runs
// the scenario (scenario.ts) for Fulcra and for Morpho Blue + AdaptiveCurveIrm, and assembles the result (report.ts).
// Used by bench/gas.ts and test/core/gas.test.ts. Fulcra must be compiled (hardhat compile) before.
import { config, network } from "hardhat";
import { describeSettings, HARNESS_JOB, neutralContracts } from "./contracts";
import { fulcraAdapter, fulcraCompiler } from "./fulcra";
import { morphoAdapter } from "./morpho";
import { ABOUT, opResults, type GasResult, type ProtocolRun } from "./report";
import { runNeutralScenario, type ScenarioRun } from "./scenario";
import { deployedCodeSizes } from "./sizes";
import { BenchError } from "./solc";
import { PEER_SOURCE, TARGETS, type Op } from "./spec";

export interface NeutralRuns {
  fulcra: ScenarioRun;
  morpho?: ScenarioRun;
  /** contract sets compiled now / read from cache/neutral-gas */
  built: string[];
  cached: string[];
}

function assertHardhatNetwork() {
  if (network.name !== "hardhat")
    throw new BenchError(
      `the bench runs on the in-process Hardhat network, not "${network.name}": unset HARDHAT_NETWORK / drop --network`,
    );
}

/** Runs the scenario for Fulcra, and for Morpho Blue + AdaptiveCurveIrm when `withMorpho`. */
export async function measureNeutral(withMorpho: boolean): Promise<NeutralRuns> {
  assertHardhatNetwork();
  const contracts = neutralContracts(config.paths.root, withMorpho);
  const adapters = [fulcraAdapter(await fulcraCompiler()), ...(withMorpho ? [morphoAdapter()] : [])];
  const [fulcra, morpho] = await runNeutralScenario(adapters, contracts);
  return { fulcra, morpho, built: contracts.built, cached: contracts.cached };
}

/** Fulcra's figures only (no Morpho build): the gas regression test. */
export async function measureFulcraNeutral(): Promise<Record<Op, number>> {
  return (await measureNeutral(false)).fulcra.gas;
}

const protocolRun = (r: ScenarioRun): ProtocolRun => ({
  compiler: r.compiler,
  notes: r.notes,
  extra: r.extra,
  checks: r.checks,
});

export function buildResult(runs: NeutralRuns): GasResult {
  if (!runs.morpho) throw new Error("buildResult needs the Morpho run");
  return {
    about: ABOUT,
    network: {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file read at run time, not a module
      hardhat: (require("hardhat/package.json") as { version: string }).version,
      hardfork: (network.config as { hardfork?: string }).hardfork ?? "default",
    },
    harnessCompiler: describeSettings(HARNESS_JOB) + " (TestToken, FlashReceiver, FreshFeed)",
    peerSource: PEER_SOURCE,
    targets: TARGETS,
    operations: opResults(runs.fulcra.gas, runs.morpho.gas),
    codeSize: deployedCodeSizes(config.paths.artifacts),
    fulcra: protocolRun(runs.fulcra),
    morpho: protocolRun(runs.morpho),
  };
}
