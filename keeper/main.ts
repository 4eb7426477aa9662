// CLI entry point: `npm run keeper -- --network localhost` (or `--rpc <url>`), key from KEEPER_PRIVATE_KEY.
import { JsonRpcProvider, Wallet } from "ethers";
import pino from "pino";
import { helpText, loadDeployment, parseCli } from "./config";
import { Keeper } from "./keeper";
import { KeeperMetrics, startMetricsServer } from "./metrics";

async function main(): Promise<void> {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(String((e as Error).message ?? e));
    console.error("run with --help for the flags");
    process.exit(2);
  }
  if (cli.help) {
    console.log(helpText());
    return;
  }
  const log = pino({ level: cli.config.logLevel });
  if (!cli.rpc) throw new Error(`no RPC URL for network "${cli.network}": pass --rpc or set KEEPER_RPC_URL`);
  const deployment = loadDeployment(cli.deploymentsFile);
  const provider = new JsonRpcProvider(cli.rpc, undefined, { batchMaxCount: 1, cacheTimeout: -1, staticNetwork: true });
  const key = process.env.KEEPER_PRIVATE_KEY;
  let signer: Wallet;
  if (key) signer = new Wallet(key, provider);
  else if (cli.config.dryRun) {
    signer = Wallet.createRandom(provider) as unknown as Wallet;
    log.warn({ address: signer.address }, "no KEEPER_PRIVATE_KEY: dry run from a random address (flash simulations will fail onlyOwner)");
  } else throw new Error("KEEPER_PRIVATE_KEY is not set (use --dry-run to run without a key)");

  const metrics = new KeeperMetrics(true);
  const keeper = new Keeper({ provider, signer, deployment, config: cli.config, logger: log, metrics });
  const server =
    cli.config.metricsPort > 0 ? await startMetricsServer(metrics, cli.config.metricsHost, cli.config.metricsPort, () => keeper.health()) : undefined;
  if (server) log.info({ host: cli.config.metricsHost, port: cli.config.metricsPort }, "metrics on /metrics, health on /health");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    await keeper.stop();
    server?.close();
    provider.destroy();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  await keeper.init();
  await keeper.run();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
