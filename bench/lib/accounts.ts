// Shared set-up of the keeper benchmarks: a pool with deep USDC liquidity, a Lens, and a MockAccountFactory that
// opens thousands of 1-WETH accounts in few transactions.
import { ethers } from "hardhat";
import { deployPoolFixture, units } from "../../lib/fixtures/pool";
import type { FulcraLens } from "../../typechain-types";

/** Deploys the pool fixture, a FulcraLens and a MockAccountFactory funded with `n` WETH; the admin supplies 60M
 * USDC so every account can borrow. `deployBlock` is the block right after the pool fixture (the indexer's start). */
export async function massAccountWorld(n: number) {
  const f = await deployPoolFixture();
  const deployBlock = await ethers.provider.getBlockNumber();
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  await f.usdc.token.mint(f.admin.address, units(f.usdc, 60_000_000));
  await f.usdc.token.connect(f.admin).approve(f.poolAddress, ethers.MaxUint256);
  await f.pool.connect(f.admin).supply(f.usdc.address, units(f.usdc, 60_000_000), 0n, f.admin.address);
  const factory = await (await ethers.getContractFactory("MockAccountFactory", f.admin)).deploy(f.poolAddress);
  const factoryAddr = await factory.getAddress();
  await f.weth.token.mint(factoryAddr, units(f.weth, n));
  return { f, deployBlock, lens, factory, factoryAddr };
}
