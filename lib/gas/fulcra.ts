// Fulcra in the neutral gas scenario: the shared harness's adapter (../shared/gas-harness/scripts/adapters/fulcra.ts,
// "fresh" variant) on the project's own artifacts and deploy library. PoolExt then Pool (deployPool), RISK_ADMIN to the
// deployer, one FreshFeed per asset, then LUSD, CETH and CBTC listed with listingParams from DEMO_ASSETS' USDC, WETH
// and WBTC specs with 18 decimals, unlimited caps and minBorrow 0; flash fee 0 (the listing default).
import { artifacts, ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { deployPool, listingParams, DEMO_ASSETS, MAX_UINT128, ROLES, type AssetSpec } from "../protocol";
import type { IFulcraPool as FulcraPool } from "../../typechain-types";
import type { Amount, Ctx, LendingAdapter } from "./scenario";

/** The project's compiler settings, read back from Pool's build-info. */
export async function fulcraCompiler(): Promise<string> {
  const bi = await artifacts.getBuildInfo("contracts/core/Pool.sol:Pool");
  if (!bi) return "unknown (no build-info: run npx hardhat compile)";
  const s = bi.input.settings as {
    viaIR?: boolean;
    optimizer?: { enabled?: boolean; runs?: number };
    evmVersion?: string;
  };
  return `solc ${bi.solcVersion}, ${s.viaIR ? "viaIR" : "no viaIR"}, optimizer ${s.optimizer?.enabled ? `runs ${s.optimizer.runs}` : "off"}, evm ${s.evmVersion} (the project's hardhat.config.ts)`;
}

function neutralSpec(base: AssetSpec, symbol: string): AssetSpec {
  return {
    ...base,
    symbol,
    decimals: 18,
    supplyCap: MAX_UINT128,
    borrowCap: MAX_UINT128,
    collateralCap: MAX_UINT128,
    minBorrow: 0n,
  };
}

export function fulcraAdapter(compiler: string): LendingAdapter {
  let ctx: Ctx;
  let pool: FulcraPool;
  let collFeed: Contract;
  let loanAddr: string, collAddr: string;
  const MAX = ethers.MaxUint256;

  return {
    name: "Fulcra",
    compiler,
    notes: [
      "Pool + PoolExt (+ PoolViews, deployed by PoolExt) from the project's artifacts (lib/protocol.ts deployPool); LUSD, CETH, CBTC listed",
      "LUSD: LTV 80 %, LT 85 %, RF 10 %, rate 0 / 4 % / 60 % at kink 90 %; CETH: LTV 80 %, LT 82.5 %, RF 15 %; caps unlimited, minBorrow 0, flash fee 0",
      "oracle: FreshFeed (one SLOAD, updatedAt = block.timestamp)",
      "repay all = repay(max); withdraw all = withdrawCollateral(max); liquidate(borrower, 0, CETH, 3,750, 0, liquidator, '')",
      "flash loan: ERC-3156 flashLoan(FlashReceiver, LUSD, 1,000, '') through FlashReceiver.genericFlash",
    ],
    async deploy(c) {
      ctx = c;
      const d = c.users.deployer;
      const dAddr = await d.getAddress();
      pool = await deployPool(d, dAddr);
      await (await pool.grantRole(ROLES.RISK_ADMIN, dAddr)).wait();
      const F = new ethers.ContractFactory(c.contracts.freshFeed.abi as never, c.contracts.freshFeed.bytecode, d);
      const feed = async (answer: bigint) => {
        const f = await F.deploy(answer);
        await f.waitForDeployment();
        return f as unknown as Contract;
      };
      const loanFeed = await feed(c.prices.loan);
      collFeed = await feed(c.prices.coll);
      const coll2Feed = await feed(c.prices.coll2);
      loanAddr = await c.loan.getAddress();
      collAddr = await c.coll.getAddress();
      const [usdc, weth, wbtc] = DEMO_ASSETS;
      const list = async (token: string, spec: AssetSpec, f: Contract) =>
        (await pool.listAsset(token, listingParams(spec, await f.getAddress()))).wait();
      await list(loanAddr, neutralSpec(usdc, "LUSD"), loanFeed);
      await list(collAddr, neutralSpec(weth, "CETH"), collFeed);
      await list(await c.coll2.getAddress(), neutralSpec(wbtc, "CBTC"), coll2Feed);
      await (await c.flashReceiver.approveMax(loanAddr, await pool.getAddress())).wait();
    },
    async approve(user: Signer) {
      const p = await pool.getAddress();
      await (await (ctx.loan.connect(user) as Contract).approve(p, MAX)).wait();
      await (await (ctx.coll.connect(user) as Contract).approve(p, MAX)).wait();
    },
    async setCollateralPrice(p: bigint) {
      await (await collFeed.setAnswer(p)).wait();
    },
    async supply(user, amount) {
      return pool.connect(user).supply(loanAddr, amount, 0, await user.getAddress());
    },
    async supplyCollateral(user, amount) {
      return pool.connect(user).supplyCollateral(collAddr, amount, await user.getAddress(), 0);
    },
    async borrow(user, amount) {
      const u = await user.getAddress();
      return pool.connect(user).borrow(loanAddr, amount, u, 0, u);
    },
    async repay(user, amount: Amount) {
      return pool.connect(user).repay(loanAddr, amount === "all" ? MAX : amount, await user.getAddress(), 0);
    },
    async withdrawCollateral(user, amount: Amount) {
      const u = await user.getAddress();
      return pool.connect(user).withdrawCollateral(collAddr, amount === "all" ? MAX : amount, u, 0, u);
    },
    async liquidate(liq, borrower, debtToRepay) {
      return pool
        .connect(liq)
        .liquidate(await borrower.getAddress(), 0, collAddr, debtToRepay, 0, await liq.getAddress(), "0x");
    },
    async flashLoan(caller, amount) {
      const r = await ctx.flashReceiver.getAddress();
      const data = pool.interface.encodeFunctionData("flashLoan", [r, loanAddr, amount, "0x"]);
      return (ctx.flashReceiver.connect(caller) as Contract).genericFlash(await pool.getAddress(), data);
    },
    async debtOf(user) {
      return (await pool.accountOf(await user.getAddress(), 0)).debt;
    },
    async collateralOf(user) {
      return pool.collateralOf(await user.getAddress(), 0, collAddr);
    },
  };
}
