// Coverage (issue 5): FlashLiquidator's callback guard. The pool is the only caller it accepts, and even the pool is
// refused outside a liquidation the contract itself started (NotActive): nobody can make it swap its balance by
// liquidating with a callback in its name.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture } from "../helpers/fixtures";

async function fixture() {
  const f = await deployPoolFixture();
  const liquidator = await (
    await ethers.getContractFactory("FlashLiquidator")
  ).deploy(f.poolAddress, f.users[9].address, f.admin.address);
  return { ...f, liquidator };
}

describe("coverage: FlashLiquidator callback guard", () => {
  it("the pool calling onFulcraLiquidate outside the contract's own liquidation reverts NotActive; anyone else NotPool", async () => {
    const f = await loadFixture(fixture);
    const data = ethers.AbiCoder.defaultAbiCoder().encode(
      ["address", "address", "bytes"],
      [f.weth.address, f.usdc.address, "0x"],
    );
    await expect(f.liquidator.connect(f.users[1]).onFulcraLiquidate(1, 1, data)).to.be.revertedWithCustomError(
      f.liquidator,
      "NotPool",
    );
    await impersonateAccount(f.poolAddress);
    await setBalance(f.poolAddress, 10n ** 18n);
    const asPool = await ethers.getSigner(f.poolAddress);
    await expect(f.liquidator.connect(asPool).onFulcraLiquidate(1, 1, data)).to.be.revertedWithCustomError(
      f.liquidator,
      "NotActive",
    );
  });

  it("sweep sends the owner's stray tokens where it says (owner only)", async () => {
    const f = await loadFixture(fixture);
    const addr = await f.liquidator.getAddress();
    await f.usdc.token.mint(addr, 123n);
    await expect(f.liquidator.sweep(f.usdc.address, 123n, f.users[2].address)).to.changeTokenBalances(
      f.usdc.token,
      [addr, f.users[2].address],
      [-123n, 123n],
    );
  });
});
