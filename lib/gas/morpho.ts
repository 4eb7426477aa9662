// Morpho Blue 1.0.0 with its production AdaptiveCurveIrm in the neutral gas scenario: the shared harness's adapter
// (../shared/gas-harness/scripts/adapters/morpho.ts, "adaptive"): one isolated LUSD/CETH market, fee 0, LLTV 86 %,
// OracleMock (one SLOAD), built with Morpho's own settings by contracts.ts.
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";
import { describeSettings, MORPHO_JOB } from "./contracts";
import type { Amount, Ctx, LendingAdapter } from "./scenario";

const WAD = 10n ** 18n;
const LLTV = (86n * WAD) / 100n;

interface MarketParams {
  loanToken: string;
  collateralToken: string;
  oracle: string;
  irm: string;
  lltv: bigint;
}

export function morphoAdapter(): LendingAdapter {
  let ctx: Ctx;
  let morpho: Contract, oracle: Contract;
  let mp: MarketParams;
  let id: string;
  const as = (s: Signer) => morpho.connect(s) as Contract;
  // price of one collateral unit in loan units, scaled by 1e36 (equal decimals)
  const morphoPrice = (collUsd8: bigint) => (collUsd8 * 10n ** 36n) / ctx.prices.loan;

  return {
    name: "Morpho Blue (AdaptiveCurveIrm)",
    compiler: describeSettings(MORPHO_JOB) + " (Morpho Blue 1.0.0 and AdaptiveCurveIrm v1.0.0)",
    notes: [
      "Morpho Blue 1.0.0 (npm @morpho-org/morpho-blue); market fee 0; LLTV 86 %",
      "IRM: AdaptiveCurveIrm, morpho-org/morpho-blue-irm tag v1.0.0 (a7d9cce3), vendored in bench/neutral-gas/morpho-blue-irm",
      "oracle: OracleMock (one SLOAD)",
      "liquidate(repaidShares = 3,750 in shares, at most half the position); repay all by shares; withdraw all = position.collateral",
    ],
    async deploy(c) {
      ctx = c;
      const d = c.users.deployer;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- this adapter runs only with Morpho's job compiled
      const m = c.contracts.morpho!;
      const deployed = async (art: { abi: unknown[]; bytecode: string }, ...args: unknown[]) => {
        const x = await new ethers.ContractFactory(art.abi as never, art.bytecode, d).deploy(...args);
        await x.waitForDeployment();
        return x as unknown as Contract;
      };
      morpho = await deployed(m.morpho, await d.getAddress());
      oracle = await deployed(m.oracleMock);
      await (await oracle.setPrice(morphoPrice(c.prices.coll))).wait();
      const irm = await deployed(m.adaptiveCurveIrm, await morpho.getAddress());
      await (await morpho.enableIrm(await irm.getAddress())).wait();
      await (await morpho.enableLltv(LLTV)).wait();
      mp = {
        loanToken: await c.loan.getAddress(),
        collateralToken: await c.coll.getAddress(),
        oracle: await oracle.getAddress(),
        irm: await irm.getAddress(),
        lltv: LLTV,
      };
      await (await morpho.createMarket(mp)).wait();
      id = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["address", "address", "address", "address", "uint256"],
          [mp.loanToken, mp.collateralToken, mp.oracle, mp.irm, mp.lltv],
        ),
      );
      await (await c.flashReceiver.approveMax(mp.loanToken, await morpho.getAddress())).wait();
    },
    async approve(user) {
      const a = await morpho.getAddress();
      await (await (ctx.loan.connect(user) as Contract).approve(a, ethers.MaxUint256)).wait();
      await (await (ctx.coll.connect(user) as Contract).approve(a, ethers.MaxUint256)).wait();
    },
    async setCollateralPrice(p) {
      await (await oracle.setPrice(morphoPrice(p))).wait();
    },
    async supply(user, amount) {
      return as(user).supply(mp, amount, 0, await user.getAddress(), "0x");
    },
    async supplyCollateral(user, amount) {
      return as(user).supplyCollateral(mp, amount, await user.getAddress(), "0x");
    },
    async borrow(user, amount) {
      const u = await user.getAddress();
      return as(user).borrow(mp, amount, 0, u, u);
    },
    async repay(user, amount: Amount) {
      const u = await user.getAddress();
      if (amount === "all") return as(user).repay(mp, 0, (await morpho.position(id, u)).borrowShares, u, "0x");
      return as(user).repay(mp, amount, 0, u, "0x");
    },
    async withdrawCollateral(user, amount: Amount) {
      const u = await user.getAddress();
      const amt = amount === "all" ? (await morpho.position(id, u)).collateral : amount;
      return as(user).withdrawCollateral(mp, amt, u, u);
    },
    async liquidate(liq, borrower, debtToRepay) {
      const b = await borrower.getAddress();
      const pos = await morpho.position(id, b);
      const mkt = await morpho.market(id);
      // the requested debt in shares (rounded down), at most half the position
      let shares = (debtToRepay * BigInt(mkt.totalBorrowShares)) / BigInt(mkt.totalBorrowAssets);
      if (shares > pos.borrowShares / 2n) shares = pos.borrowShares / 2n;
      return as(liq).liquidate(mp, b, 0, shares, "0x");
    },
    async flashLoan(caller, amount) {
      return (ctx.flashReceiver.connect(caller) as Contract).morphoFlash(
        await morpho.getAddress(),
        mp.loanToken,
        amount,
      );
    },
    async debtOf(user) {
      const pos = await morpho.position(id, await user.getAddress());
      const mkt = await morpho.market(id);
      return mkt.totalBorrowShares == 0n
        ? 0n
        : (BigInt(pos.borrowShares) * BigInt(mkt.totalBorrowAssets)) / BigInt(mkt.totalBorrowShares);
    },
    async collateralOf(user) {
      return (await morpho.position(id, await user.getAddress())).collateral;
    },
  };
}
