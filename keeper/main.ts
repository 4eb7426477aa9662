// CLI entry point: `npm run keeper -- --network localhost` (or `--rpc <url>`). The key comes from KEEPER_PRIVATE_KEY;
// on a local Hardhat chain without it, Hardhat account #19 (account #0 is the deployer's and set-price's, and two
// processes signing with one key take each other's nonces). Operator errors are one line with the fix, exit 1
// (exit 2 for bad flags); SIGTERM/SIGINT stop gracefully (a second one exits at once).
import { HDNodeWallet, JsonRpcProvider, Network, Wallet } from "ethers";
import type { Logger } from "pino";
import { makeLogger } from "./logging";
import { helpText, loadDeployment, parseCli, type CliOptions } from "./config";
import { KeeperFatal } from "./errors";
import { Keeper } from "./keeper";
import { lockState, type StateLock } from "./lock";
import { KeeperMetrics, startMetricsServer } from "./metrics";
import { KeeperRunner } from "./runner";
import type { TxSigner } from "./executor";
import { errText } from "./util";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const LOCAL_KEEPER_ACCOUNT = 19;

class UsageError extends Error {}

/** The keeper's key: KEEPER_PRIVATE_KEY; on chain 31337 Hardhat account #19; a random address for a dry run. */
export function keeperSigner(
  chainId: bigint,
  cli: CliOptions,
  provider: JsonRpcProvider,
  log: Logger,
  env = process.env,
): TxSigner {
  const key = env.KEEPER_PRIVATE_KEY;
  if (key) {
    try {
      return new Wallet(key, provider);
    } catch {
      throw new KeeperFatal("KEEPER_PRIVATE_KEY is not a valid private key (expected 0x followed by 64 hex digits)");
    }
  }
  if (chainId === 31337n) {
    const w = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${LOCAL_KEEPER_ACCOUNT}`).connect(
      provider,
    );
    log.info(
      `no KEEPER_PRIVATE_KEY: local chain, signing with Hardhat account #${LOCAL_KEEPER_ACCOUNT} ${w.address} (set KEEPER_PRIVATE_KEY to use another key)`,
    );
    return w;
  }
  if (cli.config.dryRun) {
    const w = Wallet.createRandom(provider);
    log.warn(
      `no KEEPER_PRIVATE_KEY: dry run from the random address ${w.address} (flash simulations will fail onlyOwner)`,
    );
    return w;
  }
  throw new KeeperFatal(
    `KEEPER_PRIVATE_KEY is not set: on chain ${chainId} the keeper needs its own funded key (the FlashLiquidator's owner); use --dry-run to run without one`,
  );
}

/** eth_chainId over plain HTTP (before building the provider, so a node that is down is one clear line). */
async function chainIdOf(url: string): Promise<bigint> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: unknown };
  if (typeof body.result !== "string") throw new Error(`unexpected answer to eth_chainId (HTTP ${res.status})`);
  return BigInt(body.result);
}

async function main(): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (e) {
    throw new UsageError(errText(e));
  }
  if (cli.help) {
    console.log(helpText());
    return 0;
  }
  const log = makeLogger(cli.config.logLevel, cli.config.jsonLogs);
  if (!cli.rpc) throw new KeeperFatal(`no RPC URL for network "${cli.network}": pass --rpc or set KEEPER_RPC_URL`);
  let deployment;
  try {
    deployment = loadDeployment(cli.deploymentsFile);
  } catch (e) {
    throw new KeeperFatal(
      `${errText(e)} (deploy first: npx hardhat deploy --network ${cli.network}, or pass --deployments <file>)`,
    );
  }
  const rpcUrl = cli.rpc;
  let chainId: bigint;
  try {
    chainId = await chainIdOf(rpcUrl);
  } catch (e) {
    const code = (e as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === "string" ? code : errText(e).split("\n")[0].slice(0, 100);
    throw new KeeperFatal(
      `cannot reach the node at ${rpcUrl} (${why}): start it (npx hardhat node), or point the keeper at it with FULCRA_LOCALHOST_URL / --rpc`,
    );
  }
  // The network is known: ethers never re-detects it (no "failed to detect network" loop when the node goes away).
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), {
    batchMaxCount: 1,
    cacheTimeout: -1,
    staticNetwork: true,
  });
  let lock: StateLock | undefined;
  let server: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    const signer = keeperSigner(chainId, cli, provider, log);
    lock = lockState([cli.config.stateFile, cli.config.checkpointFile]);
    const metrics = new KeeperMetrics(true);
    const keeper = new Keeper({ provider, signer, deployment, config: cli.config, logger: log, metrics });
    const c = cli.config;
    const runner = new KeeperRunner(
      keeper,
      {
        pollMs: c.pollMs,
        maxBlockAgeSec: c.maxBlockAgeSec,
        shutdownWaitSec: c.shutdownWaitSec,
        reconnectMaxSec: c.reconnectMaxSec,
        rpcLabel: cli.rpc,
      },
      log,
    );
    if (c.metricsPort > 0) {
      server = await startMetricsServer(metrics, c.metricsHost, c.metricsPort, () => runner.health()).catch(
        (e: NodeJS.ErrnoException) => {
          if (e.code === "EADDRINUSE")
            throw new KeeperFatal(
              `metrics port ${c.metricsPort} on ${c.metricsHost} is already in use (another keeper?): pass --metrics-port <free port>, or 0 to turn metrics off`,
            );
          throw e;
        },
      );
      log.info({ host: c.metricsHost, port: c.metricsPort }, "metrics on /metrics, health on /health");
    }
    let signals = 0;
    const stopped = new Promise<number>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) {
          log.warn(`${signal} again: exiting now (state saved at the last change)`);
          lock?.release();
          process.exit(130);
        }
        log.info(`${signal}: stopping (waiting up to ${c.shutdownWaitSec} s for transactions in flight)`);
        runner.stop().then(
          (left) => {
            log.info(
              left > 0
                ? `stopped; ${left} transactions still in flight, saved to ${c.stateFile} (a restart resumes them)`
                : "stopped; state saved",
            );
            resolve(0);
          },
          (e: unknown) => {
            log.error(`stop failed: ${errText(e)}`);
            resolve(1);
          },
        );
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    });
    await keeper.init();
    const code = await Promise.race([runner.run().then(() => stopped), stopped]);
    return code;
  } finally {
    server?.close();
    provider.destroy();
    lock?.release();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) {
        console.error(`keeper: ${e.message}\nrun with --help for the flags`);
        process.exit(2);
      }
      if (e instanceof KeeperFatal) console.error(`keeper: ${e.message}`);
      else
        console.error(
          `keeper: unexpected error: ${errText(e).split("\n")[0]} (run with --log-level debug for details)`,
        );
      process.exit(1);
    },
  );
}
