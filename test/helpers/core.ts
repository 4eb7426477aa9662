// Shared helpers of the core test suite (test/core): a snapshot of everything a reverted call must leave
// untouched, extra assets to list, and the pool's rounding in bigint.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployPoolFixture, type PoolFixture } from "./fixtures";
import { DEMO_ASSETS, MAX_UINT128, deployAndListTestAsset, type AssetSpec, type ListedAsset } from "../../lib/protocol";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;
export const YEAR = 365n * 86_400n;
export const VIRTUAL_SHARES = 10n ** 6n;

export const mulDivDown = (x: bigint, y: bigint, d: bigint) => (x * y) / d;
export const mulDivUp = (x: bigint, y: bigint, d: bigint) => (x * y + d - 1n) / d;
export const toSharesDown = (a: bigint, ta: bigint, ts: bigint) => mulDivDown(a, ts + VIRTUAL_SHARES, ta + 1n);
export const toSharesUp = (a: bigint, ta: bigint, ts: bigint) => mulDivUp(a, ts + VIRTUAL_SHARES, ta + 1n);
export const toAssetsDown = (s: bigint, ta: bigint, ts: bigint) => mulDivDown(s, ta + 1n, ts + VIRTUAL_SHARES);
export const toAssetsUp = (s: bigint, ta: bigint, ts: bigint) => mulDivUp(s, ta + 1n, ts + VIRTUAL_SHARES);

/** An 18-decimal, $1 asset with no caps and no minimum borrow (the USDC rate model). */
export function plainSpec(symbol: string, over: Partial<AssetSpec> = {}): AssetSpec {
  return {
    ...DEMO_ASSETS[0],
    symbol,
    decimals: 18,
    price: 1,
    supplyCap: MAX_UINT128,
    borrowCap: MAX_UINT128,
    collateralCap: MAX_UINT128,
    minBorrow: 0n,
    ...over,
  };
}

/** Lists `spec`, mints `amount` to each of `users` and approves the pool. */
export async function listFunded(
  f: PoolFixture,
  spec: AssetSpec,
  users: HardhatEthersSigner[],
  amount: bigint,
): Promise<ListedAsset> {
  const a = await deployAndListTestAsset(f.pool, f.admin, spec);
  for (const u of users) {
    await a.token.mint(u.address, amount);
    await a.token.connect(u).approve(f.poolAddress, ethers.MaxUint256);
  }
  return a;
}

/** Everything the pool keeps about the demo assets and the first users, as one comparable string. */
export async function snapshot(f: PoolFixture, extra: ListedAsset[] = [], subIds: bigint[] = [0n]): Promise<string> {
  const assets = [f.usdc, f.weth, f.wbtc, ...extra];
  const users = f.users.slice(0, 5);
  const parts: string[] = [];
  for (const a of assets) {
    parts.push(String(await f.pool.market(a.address)));
    parts.push(String(await f.pool.assetLimits(a.address)));
    parts.push(String(await f.pool.assetConfig(a.address)));
    parts.push(String(await a.token.balanceOf(f.poolAddress)));
    for (const u of users) {
      parts.push(String(await f.pool.supplyShares(a.address, u.address)));
      parts.push(String(await a.token.balanceOf(u.address)));
    }
  }
  for (const u of users) {
    for (const s of subIds) {
      // Stored state only: the accrued-debt field (index 2) moves with the clock.
      const [debtAsset, borrowShares, , cAssets, cAmounts] = await f.pool.accountOf(u.address, s);
      parts.push(String([debtAsset, borrowShares, cAssets, cAmounts]));
    }
  }
  return parts.join("|");
}

/** Runs `call`, expects the custom error `name` of `on`, and that nothing in the snapshot changed. */
export async function expectRevertNoChange(
  f: PoolFixture,
  call: () => Promise<unknown>,
  on: { interface: any },
  name: string,
  extra: ListedAsset[] = [],
) {
  const before = await snapshot(f, extra);
  await expect(call()).to.be.revertedWithCustomError(on, name);
  expect(await snapshot(f, extra)).to.equal(before);
}

export { deployPoolFixture };
export type { PoolFixture };
