// Scan profiler (`npx hardhat run bench/keeper-profile.ts`): where the time of a Lens health scan goes — calldata
// encoding in TypeScript, the JSON-RPC round trip, EVM execution (gas) — per method. Prints a table; not part of
// the bench results.
import { ethers } from "hardhat";
import { deployPoolFixture, units } from "../test/helpers/fixtures";
import { lensIface, poolIface } from "../keeper/abis";
import { getAddress } from "ethers";
import type { FulcraLens } from "../typechain-types";

const N = Number(process.env.PROFILE_ACCOUNTS ?? 2_000);
const B = Number(process.env.PROFILE_BATCH ?? 500);

async function main() {
  const f = await deployPoolFixture();
  const lens = (await (await ethers.getContractFactory("FulcraLens")).deploy(f.poolAddress)) as unknown as FulcraLens;
  await f.usdc.token.mint(f.admin.address, units(f.usdc, 60_000_000));
  await f.usdc.token.connect(f.admin).approve(f.poolAddress, ethers.MaxUint256);
  await f.pool.connect(f.admin).supply(f.usdc.address, units(f.usdc, 60_000_000), 0n, f.admin.address);
  const factory = await (await ethers.getContractFactory("MockAccountFactory", f.admin)).deploy(f.poolAddress);
  const fa = await factory.getAddress();
  await f.weth.token.mint(fa, units(f.weth, N));
  for (let first = 0; first < N; first += 100) {
    const borrows = Array.from({ length: Math.min(100, N - first) }, (_, i) => units(f.usdc, (800 + ((first + i) % 50)).toFixed(2)));
    await factory.open(f.weth.address, units(f.weth, 1), f.usdc.address, first, borrows, { gasLimit: 29_000_000n });
  }
  const owners = Array.from({ length: B }, () => fa);
  const subIds = Array.from({ length: B }, (_, i) => BigInt(i));
  const lensAddr = await lens.getAddress();
  const p = ethers.provider;
  const time = async (label: string, fn: () => Promise<unknown>, runs = 5) => {
    const ts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      ts.push(performance.now() - t);
    }
    ts.sort((a, b) => a - b);
    console.log(`${label.padEnd(60)} ${ts[Math.floor(runs / 2)].toFixed(1)} ms`);
  };
  await time(`TS encode healthFactors(${B}) with getAddress`, async () => lensIface.encodeFunctionData("healthFactors", [owners.map((o) => getAddress(o)), subIds]));
  const data = lensIface.encodeFunctionData("healthFactors", [owners, subIds]);
  const bad = lensIface.encodeFunctionData("healthFactors", [owners, subIds.slice(1)]);
  await time(`RPC round trip + calldata decode only (LengthMismatch, ${B})`, () => p.call({ to: lensAddr, data: bad }).catch(() => 0));
  await time(`Lens.healthFactors(${B}) eth_call`, () => p.call({ to: lensAddr, data }));
  const gas = await p.estimateGas({ to: lensAddr, data });
  console.log(`Lens.healthFactors(${B}) gas: ${gas} (${Number(gas) / B} per account)`);
  try {
    const pd = poolIface.encodeFunctionData("healthFactors", [owners, subIds]);
    await time(`Pool.healthFactors(${B}) eth_call (batch view)`, () => p.call({ to: f.poolAddress, data: pd }));
    const g2 = await p.estimateGas({ to: f.poolAddress, data: pd });
    console.log(`Pool.healthFactors(${B}) gas: ${g2} (${Number(g2) / B} per account)`);
  } catch (e) {
    console.log("no Pool.healthFactors:", String(e).slice(0, 80));
  }
  for (const n of [250, 500, 1000, 2000].filter((x) => x <= N)) {
    const d = lensIface.encodeFunctionData("healthFactors", [Array.from({ length: n }, () => fa), Array.from({ length: n }, (_, i) => BigInt(i))]);
    const g = await p.estimateGas({ to: lensAddr, data: d });
    await time(`Lens.healthFactors(${n}) eth_call, gas ${g} (${Number(g) / n}/account)`, () => p.call({ to: lensAddr, data: d }));
  }
  const one = poolIface.encodeFunctionData("accountHealth", [fa, 1n]);
  await time("Pool.accountHealth(1) eth_call", () => p.call({ to: f.poolAddress, data: one }), 21);
  const g1 = await p.estimateGas({ to: f.poolAddress, data: one });
  console.log(`Pool.accountHealth gas: ${g1}`);
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
