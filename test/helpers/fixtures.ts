// Shared test fixtures: a pool with three listed demo assets (USDC 6 decimals, WETH 18, WBTC 8), funded users,
// and the deployer holding every role (tests of the timelock path build their own pool).
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployPool, deployAndListTestAsset, DEMO_ASSETS, ROLES, type ListedAsset } from "../../lib/protocol";
import type { IFulcraPool } from "../../typechain-types";

export interface PoolFixture {
  pool: IFulcraPool;
  poolAddress: string;
  admin: HardhatEthersSigner;
  users: HardhatEthersSigner[];
  usdc: ListedAsset;
  weth: ListedAsset;
  wbtc: ListedAsset;
}

export async function deployPoolFixture(): Promise<PoolFixture> {
  const [admin, ...users] = await ethers.getSigners();
  const pool = await deployPool(admin, admin.address);
  for (const role of [ROLES.RISK_ADMIN, ROLES.GUARDIAN, ROLES.TREASURY]) await pool.grantRole(role, admin.address);
  const listed: ListedAsset[] = [];
  for (const spec of DEMO_ASSETS) listed.push(await deployAndListTestAsset(pool, admin, spec));
  const poolAddress = await pool.getAddress();
  for (const u of users.slice(0, 8)) {
    for (const a of listed) {
      await a.token.mint(u.address, 10n ** BigInt(a.spec.decimals) * 1_000_000n);
      await a.token.connect(u).approve(poolAddress, ethers.MaxUint256);
    }
  }
  return { pool, poolAddress, admin, users, usdc: listed[0], weth: listed[1], wbtc: listed[2] };
}

/** Units helper: `units(asset, "1.5")` → raw amount. */
export function units(asset: ListedAsset, amount: string | number): bigint {
  return ethers.parseUnits(String(amount), asset.spec.decimals);
}
