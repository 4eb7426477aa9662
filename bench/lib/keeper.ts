// Drives the real keeper in process for the keeper bench: a Keeper on the in-process network with the bench's
// defaults, and a tick that mines what it sent. The keeper-free fixtures are in lib/fixtures/keeper.ts.
import { network } from "hardhat";
import { BrowserProvider, Network, type Eip1193Provider } from "ethers";
import pino from "pino";
import { Keeper } from "../../keeper/keeper";
import type { Deployment, KeeperConfig } from "../../keeper/config";
import type { FulcraLens } from "../../typechain-types";
import type { PoolFixture } from "../../lib/fixtures/pool";
import { addUniswapMarket, walletAt, KEEPER_INDEX } from "../../lib/fixtures/keeper";

export interface KeeperFixture extends PoolFixture {
  lens: FulcraLens;
  deployment: Deployment;
  deployBlock: number;
}

export function makeProvider(eip: Eip1193Provider): BrowserProvider {
  return new BrowserProvider(eip, Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 });
}

export const quietLogger = () => pino({ level: process.env.KEEPER_LOG ?? "silent" });

/** A keeper in own-capital mode, no confirmations and no profit floor, unless `opts.config` says otherwise. */
export function makeKeeper(
  f: KeeperFixture,
  opts: {
    eip?: Eip1193Provider;
    config?: Partial<KeeperConfig>;
    signerIndex?: number;
    deployment?: Deployment;
    logger?: pino.Logger;
  } = {},
): Keeper {
  const provider = makeProvider(opts.eip ?? network.provider);
  const signer = walletAt(opts.signerIndex ?? KEEPER_INDEX).connect(provider);
  return new Keeper({
    provider,
    signer,
    deployment: opts.deployment ?? f.deployment,
    logger: opts.logger ?? quietLogger(),
    config: {
      mode: "own",
      confirmations: 0,
      minProfitUsd: 0,
      volIntervalSec: 0,
      metricsPort: 0,
      pageSize: 1_000,
      retries: 6,
      rpcTimeoutMs: 5_000,
      ...opts.config,
    },
  });
}

/** Ticks the keeper and mines one block with whatever it sent (automine is off while the keeper runs). */
export async function stepAndMine(k: Keeper) {
  const r = await k.safeTick();
  await network.provider.send("evm_mine", []);
  return r;
}

/** addUniswapMarket, with the deployment the keeper reads (flashLiquidator and quoter filled in). */
export async function addUniswap(f: KeeperFixture, wethPrice?: number, depthWeth?: number) {
  const m = await addUniswapMarket(f, wethPrice, depthWeth);
  return { ...m, deployment: { ...f.deployment, flashLiquidator: m.flashLiquidator, quoter: m.quoter } };
}
