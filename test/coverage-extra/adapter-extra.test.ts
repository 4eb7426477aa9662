// Coverage (issue 5): UniswapV3Adapter called directly — exact-in and exact-out swaps (single pool and two hops, the
// exact-out path reversed by the adapter, the unused input refunded), the route checks (BadRoute), and results
// equal to Uniswap's own QuoterV2.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import {
  deployUniswapV3,
  createPoolAtPrice,
  addLiquidityAroundPrice,
  encodePath,
  quoteExactInput,
  quoteExactOutput,
  FEE,
} from "../../lib/uniswap";
import type { UniswapV3Adapter } from "../../typechain-types";

async function adapterFixture() {
  const f = await deployPoolFixture();
  const [lp, user] = f.users;
  await f.usdc.token.mint(lp.address, units(f.usdc, 5_000_000));
  const uni = await deployUniswapV3(f.admin);
  await createPoolAtPrice(uni, f.weth.token, f.usdc.token, FEE.MEDIUM, 2000, 18, 6);
  await addLiquidityAroundPrice(
    uni,
    lp,
    f.weth.token,
    f.usdc.token,
    FEE.MEDIUM,
    units(f.weth, 500),
    units(f.usdc, 1_000_000),
    30,
  );
  await createPoolAtPrice(uni, f.wbtc.token, f.usdc.token, FEE.LOW, 60000, 8, 6);
  await addLiquidityAroundPrice(
    uni,
    lp,
    f.wbtc.token,
    f.usdc.token,
    FEE.LOW,
    units(f.wbtc, 20),
    units(f.usdc, 1_200_000),
    30,
  );
  const adapter = (await (
    await ethers.getContractFactory("UniswapV3Adapter")
  ).deploy(uni.addresses.router)) as unknown as UniswapV3Adapter;
  const adapterAddress = await adapter.getAddress();
  for (const a of [f.usdc, f.weth, f.wbtc]) await a.token.connect(user).approve(adapterAddress, ethers.MaxUint256);
  return { ...f, uni, adapter, adapterAddress, user };
}

describe("coverage: UniswapV3Adapter", () => {
  it("swapExactIn (one hop, two hops) pays the quoter's amount to the caller", async () => {
    const f = await loadFixture(adapterFixture);
    const a = f.adapter.connect(f.user);
    const one = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const quoted = await quoteExactInput(f.uni, one, units(f.weth, 1));
    await expect(a.swapExactIn(f.weth.address, f.usdc.address, units(f.weth, 1), quoted, one)).to.changeTokenBalances(
      f.usdc.token,
      [f.user],
      [quoted],
    );
    const two = encodePath([f.weth.address, f.usdc.address, f.wbtc.address], [FEE.MEDIUM, FEE.LOW]);
    const quoted2 = await quoteExactInput(f.uni, two, units(f.weth, 1));
    await expect(a.swapExactIn(f.weth.address, f.wbtc.address, units(f.weth, 1), quoted2, two)).to.changeTokenBalances(
      f.wbtc.token,
      [f.user],
      [quoted2],
    );
    expect(await f.weth.token.balanceOf(f.adapterAddress)).to.equal(0n);
  });

  it("swapExactOut reverses the route, spends the quoter's input and refunds the rest of maxIn", async () => {
    const f = await loadFixture(adapterFixture);
    const a = f.adapter.connect(f.user);
    // Route written input → output (WETH → USDC → WBTC); Uniswap's exact-output path runs the other way.
    const route = encodePath([f.weth.address, f.usdc.address, f.wbtc.address], [FEE.MEDIUM, FEE.LOW]);
    const reversed = encodePath([f.wbtc.address, f.usdc.address, f.weth.address], [FEE.LOW, FEE.MEDIUM]);
    const out = units(f.wbtc, 0.01);
    const need = await quoteExactOutput(f.uni, reversed, out);
    const maxIn = need + units(f.weth, 1);
    const tx = a.swapExactOut(f.weth.address, f.wbtc.address, out, maxIn, route);
    await expect(tx).to.changeTokenBalances(f.weth.token, [f.user, f.adapterAddress], [-need, 0n]);
    await expect(tx).to.changeTokenBalance(f.wbtc.token, f.user, out);
    // Exactly maxIn: nothing to refund.
    const one = encodePath([f.usdc.address, f.weth.address], [FEE.MEDIUM]);
    const need1 = await quoteExactOutput(
      f.uni,
      encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]),
      units(f.weth, 1),
    );
    await expect(a.swapExactOut(f.usdc.address, f.weth.address, units(f.weth, 1), need1, one)).to.changeTokenBalance(
      f.usdc.token,
      f.user,
      -need1,
    );
  });

  it("BadRoute: too short, ragged length, wrong first token, wrong last token — both swap kinds", async () => {
    const f = await loadFixture(adapterFixture);
    const a = f.adapter.connect(f.user);
    const good = encodePath([f.weth.address, f.usdc.address], [FEE.MEDIUM]);
    const bad = [
      "0x" + f.weth.address.slice(2), // 20 bytes: no hop
      good + "00", // 44 bytes: not 20 + 23k
      encodePath([f.wbtc.address, f.usdc.address], [FEE.LOW]), // starts with the wrong token
      encodePath([f.weth.address, f.wbtc.address], [FEE.LOW]), // ends with the wrong token
    ];
    for (const route of bad) {
      await expect(a.swapExactIn(f.weth.address, f.usdc.address, 1n, 0n, route)).to.be.revertedWithCustomError(
        a,
        "BadRoute",
      );
      await expect(a.swapExactOut(f.weth.address, f.usdc.address, 1n, 1n, route)).to.be.revertedWithCustomError(
        a,
        "BadRoute",
      );
    }
  });
});
