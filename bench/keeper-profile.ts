// Scan profiler (`npx hardhat run bench/keeper-profile.ts`): where the time of a Lens health scan goes — calldata
// encoding in TypeScript, the JSON-RPC round trip, EVM execution (gas) — per method. Prints a table; not part of
// the bench results.
import { ethers } from "hardhat";
import { units } from "../lib/fixtures/pool";
import { massAccountWorld } from "./lib/accounts";
import { lensIface, poolIface } from "../keeper/abis";
import { getAddress } from "ethers";

const N = Number(process.env.PROFILE_ACCOUNTS ?? 2_000);
const B = Number(process.env.PROFILE_BATCH ?? 500);

async function main() {
  const { f, lens, factory, factoryAddr: fa } = await massAccountWorld(N);
  for (let first = 0; first < N; first += 100) {
    const borrows = Array.from({ length: Math.min(100, N - first) }, (_, i) =>
      units(f.usdc, (800 + ((first + i) % 50)).toFixed(2)),
    );
    await factory.open(f.weth.address, units(f.weth, 1), f.usdc.address, first, borrows, { gasLimit: 29_000_000n });
  }
  const owners = Array.from({ length: B }, () => fa);
  const subIds = Array.from({ length: B }, (_, i) => BigInt(i));
  const lensAddr = await lens.getAddress();
  const p = ethers.provider;
  const time = async (label: string, fn: () => unknown, runs = 7) => {
    const ts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      ts.push(performance.now() - t);
    }
    ts.sort((a, b) => a - b);
    console.log(`${label.padEnd(66)} median ${ts[Math.floor(runs / 2)].toFixed(1)} ms, min ${ts[0].toFixed(1)} ms`);
  };
  await time(`TS encode healthFactors(${B}) with getAddress`, () =>
    lensIface.encodeFunctionData("healthFactors", [owners.map((o) => getAddress(o)), subIds]),
  );
  const data = lensIface.encodeFunctionData("healthFactors", [owners, subIds]);
  const bad = lensIface.encodeFunctionData("healthFactors", [owners, subIds.slice(1)]);
  await time(`RPC round trip + calldata decode only (LengthMismatch, ${B})`, () =>
    p.call({ to: lensAddr, data: bad }).catch(() => 0),
  );
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
  for (const n of [125, 250, 500, 1000, 2000].filter((x) => x <= N)) {
    const d = lensIface.encodeFunctionData("healthFactors", [
      Array.from({ length: n }, () => fa),
      Array.from({ length: n }, (_, i) => BigInt(i)),
    ]);
    const g = await p.estimateGas({ to: lensAddr, data: d });
    await time(`Lens.healthFactors(${n}) eth_call, gas ${g} (${Number(g) / n}/account)`, () =>
      p.call({ to: lensAddr, data: d }),
    );
  }
  // The same account 500 times (its slots warm after the first): how much of the cost is reading cold state.
  const same = poolIface.encodeFunctionData("healthFactors", [owners, subIds.map(() => 1n)]);
  await time(`Pool.healthFactors(${B}) one account repeated (warm state)`, () =>
    p.call({ to: f.poolAddress, data: same }),
  );
  const pd2 = poolIface.encodeFunctionData("healthFactors", [owners, subIds]);
  await time(`Pool.healthFactors(${B}) distinct accounts (again)`, () => p.call({ to: f.poolAddress, data: pd2 }));
  const one = poolIface.encodeFunctionData("accountHealth", [fa, 1n]);
  await time("Pool.accountHealth(1) eth_call", () => p.call({ to: f.poolAddress, data: one }), 21);
  const g1 = await p.estimateGas({ to: f.poolAddress, data: one });
  console.log(`Pool.accountHealth gas: ${g1}`);
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
