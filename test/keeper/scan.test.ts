// The scanner's health path on the in-process network: batches go to the pool's own batch view when it has one
// (detected at init), else to FulcraLens.healthFactors, else to snapshots; all three give the same health as the
// pool's accountHealth, account by account, in batches smaller than the account list.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployKeeperWorld, dropWeth, makeProvider } from "./helpers";
import { Rpc } from "../../keeper/rpc";
import { Scanner } from "../../keeper/scanner";
import { WAD, type AccountRef } from "../../keeper/util";

const world = () => deployKeeperWorld(40);

describe("keeper: scanner health path", () => {
  it("pool batch view, Lens and snapshots agree with accountHealth; the target is detected", async () => {
    const f = await loadFixture(world);
    await dropWeth(f);
    const signers = await ethers.getSigners();
    const refs: AccountRef[] = f.borrowers.map((b) => ({ owner: signers[b.ownerIndex].address, subId: b.subId }));
    refs.push({ owner: ethers.Wallet.createRandom().address, subId: 5n }); // unknown account: no debt
    const head = await ethers.provider.getBlockNumber();
    const rpc = new Rpc(makeProvider((await import("hardhat")).network.provider), {
      retries: 0,
      timeoutMs: 10_000,
    });
    const opts = {
      lens: f.deployment.lens,
      batchSize: 7,
      concurrency: 3,
      nearHealth: 1.05,
      watchHealth: 1.2,
      watchEvery: 5,
      healthyEvery: 25,
    };
    const viaPool = new Scanner(rpc, { ...opts, pool: f.deployment.pool });
    const viaLens = new Scanner(rpc, { ...opts, pool: f.usdc.address }); // a "pool" without the batch view
    const viaSnap = new Scanner(rpc, { ...opts, method: "snapshot" });
    expect(await viaPool.detectMethod()).to.equal("health");
    expect(viaPool.healthTarget).to.equal("pool");
    expect(await viaLens.detectMethod()).to.equal("health");
    expect(viaLens.healthTarget).to.equal("lens");
    const expected: bigint[] = [];
    for (const r of refs)
      expected.push((await f.pool.accountHealth(r.owner, r.subId, { blockTag: head })).healthFactor);
    expect(await viaPool.healthFactors(refs, head)).to.deep.equal(expected);
    expect(await viaLens.healthFactors(refs, head)).to.deep.equal(expected);
    // Full scans: same health for every account, and the ones below 1 come back as full snapshots (liquidatable).
    const byKey = (xs: { key: string; healthFactor: bigint; liquidatable: boolean }[]) =>
      Object.fromEntries(xs.map((x) => [x.key, [x.healthFactor, x.liquidatable]]));
    const a = byKey(await viaPool.scan(refs, head));
    expect(byKey(await viaLens.scan(refs, head))).to.deep.equal(a);
    expect(byKey(await viaSnap.scan(refs, head))).to.deep.equal(a);
    const low = expected.filter((h) => h < WAD).length;
    expect(low).to.be.greaterThan(5);
    expect(Object.values(a).filter(([, l]) => l).length).to.equal(low);
  });
});
