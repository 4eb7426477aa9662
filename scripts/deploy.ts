// `npx hardhat run scripts/deploy.ts --network <name>`: the `deploy` task run as a script, so both entry points
// share one behaviour: the existing deployment file is checked against the chain first (a file whose addresses hold
// no code or the wrong code is refused unless fresh; the old file is backed up), and the last line gives the
// transaction count and wall time. Environment: FULCRA_CONFIG=<config name> to use another network's configuration
// file, FULCRA_FRESH=1 (local networks only) to deploy a new stack over a file that does not match the chain.
import hre from "hardhat";

async function main() {
  await hre.run("deploy", { setup: process.env.FULCRA_CONFIG, fresh: process.env.FULCRA_FRESH === "1" });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
