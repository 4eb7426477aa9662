// The pool's three-contract layout and its packed storage (issue #16): Pool → PoolExt → PoolViews by delegatecall
// over one storage layout; the roles slot written by Pool's constructor is OpenZeppelin AccessControl's; the account
// head slot (collateral amounts bounded by uint112); each asset's liquidation slot (fees and a copy of the globals).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { expectRevertNoChange, listFunded, plainSpec } from "../helpers/core";
import { ROLES } from "../../lib/protocol";

const abi = ethers.AbiCoder.defaultAbiCoder();
const MAX_UINT112 = (1n << 112n) - 1n;

describe("core: contract layout and packed storage", () => {
  it("Pool's constructor writes OpenZeppelin AccessControl's roles slot: the admin holds DEFAULT_ADMIN, at the slot OZ reads", async () => {
    const [deployer, admin] = await ethers.getSigners();
    const ext = await (await ethers.getContractFactory("PoolExt")).deploy();
    const Pool = await ethers.getContractFactory("Pool");
    const core = await Pool.deploy(admin.address, await ext.getAddress());
    const receipt = await core.deploymentTransaction()!.wait();
    const pool = await ethers.getContractAt("PoolExt", await core.getAddress());
    expect(await pool.hasRole(ROLES.DEFAULT_ADMIN, admin.address)).to.equal(true);
    expect(await pool.hasRole(ROLES.DEFAULT_ADMIN, deployer.address)).to.equal(false);
    // RoleGranted(DEFAULT_ADMIN_ROLE, admin, deployer) from the pool's address, as AccessControl._grantRole emits it.
    const coreAddress = await core.getAddress();
    const granted = receipt!.logs.filter(
      (l) => l.address === coreAddress && l.topics[0] === ethers.id("RoleGranted(bytes32,address,address)"),
    );
    expect(granted.length).to.equal(1);
    expect(granted[0].topics[2]).to.equal(ethers.zeroPadValue(admin.address, 32));
    expect(granted[0].topics[3]).to.equal(ethers.zeroPadValue(deployer.address, 32));
    // _roles is slot 0: _roles[0].hasRole[admin] at keccak(admin . keccak(0 . 0)).
    const roleSlot = ethers.keccak256(abi.encode(["bytes32", "uint256"], [ROLES.DEFAULT_ADMIN, 0]));
    const memberSlot = ethers.keccak256(abi.encode(["address", "bytes32"], [admin.address, roleSlot]));
    expect(BigInt(await ethers.provider.getStorage(await core.getAddress(), memberSlot))).to.equal(1n);
    // The admin's grants go through PoolExt's AccessControl on the same slot.
    await pool.connect(admin).grantRole(ROLES.GUARDIAN, deployer.address);
    expect(await pool.hasRole(ROLES.GUARDIAN, deployer.address)).to.equal(true);
  });

  it("PoolExt deploys its PoolViews; views answer through Pool → PoolExt → PoolViews; an unknown selector reverts", async () => {
    const f = await loadFixture(deployPoolFixture);
    const ext = await ethers.getContractAt("PoolExt", await f.pool.EXTENSION());
    const views = await ext.VIEWS();
    expect(await ethers.provider.getCode(views)).to.not.equal("0x");
    expect(await f.pool.assetCount()).to.equal(3n);
    expect(await f.pool.assetById(2)).to.equal(f.weth.address);
    // Called directly, PoolViews sees an empty pool.
    const direct = await ethers.getContractAt("PoolViews", views);
    expect(await direct.assetCount()).to.equal(0n);
    await expect(f.admin.sendTransaction({ to: f.poolAddress, data: "0xdeadbeef" })).to.be.reverted;
  });

  it("supplyCollateral: an account holds at most type(uint112).max of a collateral (AmountTooLarge), wherever it sits in the list", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [b] = f.users;
    const big = await listFunded(f, plainSpec("BIG", { price: 1 }), [b], 1n << 120n);
    await f.pool.setCaps(big.address, 0, 0, (1n << 128n) - 1n, 0);
    await f.pool.connect(b).supplyCollateral(big.address, MAX_UINT112 - 5n, b.address, 0); // position 0, the head slot
    await expectRevertNoChange(
      f,
      () => f.pool.connect(b).supplyCollateral(big.address, 6n, b.address, 0),
      f.pool,
      "AmountTooLarge",
      [big],
    );
    await f.pool.connect(b).supplyCollateral(big.address, 5n, b.address, 0);
    expect(await f.pool.collateralOf(b.address, 0, big.address)).to.equal(MAX_UINT112);
    // Second in another account's list: the same bound.
    await f.pool.connect(b).supplyCollateral(f.weth.address, units(f.weth, 1), b.address, 1);
    await f.pool.connect(b).supplyCollateral(big.address, MAX_UINT112 - 1n, b.address, 1);
    await expect(f.pool.connect(b).supplyCollateral(big.address, 2n, b.address, 1)).to.be.revertedWithCustomError(
      f.pool,
      "AmountTooLarge",
    );
    expect(await f.pool.collateralOf(b.address, 1, big.address)).to.equal(MAX_UINT112 - 1n);
    // Removing the head moves the second entry (at the bound) into it intact.
    await f.pool.connect(b).withdrawCollateral(f.weth.address, ethers.MaxUint256, b.address, 1, b.address);
    const [, , , assets, amounts] = await f.pool.accountOf(b.address, 1);
    expect(assets).to.deep.equal([big.address]);
    expect(amounts).to.deep.equal([MAX_UINT112 - 1n]);
  });

  it("close-out mark and collateral count share the head's meta byte: neither disturbs the other", async () => {
    const f = await loadFixture(deployPoolFixture);
    const [, b] = f.users;
    for (const a of [f.weth, f.wbtc]) await f.pool.connect(b).supplyCollateral(a.address, units(a, 1), b.address, 7);
    expect(await f.pool.isCloseOut(b.address, 7)).to.equal(false);
    const [, , , assets] = await f.pool.accountOf(b.address, 7);
    expect(assets).to.deep.equal([f.weth.address, f.wbtc.address]);
  });

  it("setLiquidationGlobals: values must be whole bps of health and 1e12 units of USD (InvalidLiquidationParams); each asset's copy follows", async () => {
    const f = await loadFixture(deployPoolFixture);
    const e14 = 10n ** 14n;
    for (const [t, h, d] of [
      [10_500n * e14 + 1n, 9_500n * e14, 10n ** 19n],
      [10_500n * e14, 9_500n * e14 + 1n, 10n ** 19n],
      [10_500n * e14, 9_500n * e14, 10n ** 19n + 1n],
    ]) {
      await expect(f.pool.setLiquidationGlobals(t, h, d)).to.be.revertedWithCustomError(
        f.pool,
        "InvalidLiquidationParams",
      );
    }
    await expect(f.pool.setLiquidationGlobals(11_000n * e14, 9_000n * e14, 25n * 10n ** 18n))
      .to.emit(f.pool, "LiquidationGlobalsSet")
      .withArgs(11_000n * e14, 9_000n * e14, 25n * 10n ** 18n);
    expect(await f.pool.liquidationGlobals()).to.deep.equal([11_000n * e14, 9_000n * e14, 25n * 10n ** 18n]);
    // A listing after the change copies the new settings: observable through previewLiquidation's target below.
    const later = await listFunded(f, plainSpec("LATE", { price: 100 }), f.users.slice(0, 3), 10n ** 24n);
    const [lender, borrower] = f.users;
    await f.pool.connect(lender).supply(f.usdc.address, units(f.usdc, 100_000), 0, lender.address);
    await f.pool.connect(borrower).supplyCollateral(later.address, 10n ** 20n, borrower.address, 0); // $10,000
    const maxBorrow = (10_000n * BigInt(later.spec.ltvBps)) / 10_000n;
    await f.pool
      .connect(borrower)
      .borrow(f.usdc.address, units(f.usdc, Number(maxBorrow)), borrower.address, 0, borrower.address);
    // Health about 0.96 (above the new full-liquidation health 0.90): the repay restores health 1.10, the new target.
    await later.feed.setAnswer(((await later.feed.latestAnswer()) * 90n) / 100n);
    const p = await f.pool.previewLiquidation(borrower.address, 0, later.address);
    expect(p.liquidatable).to.equal(true);
    const h = await f.pool.accountHealth(borrower.address, 0);
    // After repaying maxRepay and seizing `seized`, health is the target (to rounding).
    const price = await f.pool.price(later.address);
    const usdcPrice = await f.pool.price(f.usdc.address);
    const lt = await f.pool.effectiveLt(later.address);
    const ltAfter = h.liquidationValue - (((p.seized * price) / 10n ** 18n) * lt) / 10_000n;
    const debtAfter = h.debtValue - (p.maxRepay * usdcPrice) / 10n ** 18n;
    const healthAfter = (ltAfter * 10n ** 18n) / debtAfter;
    expect(healthAfter).to.be.closeTo(11_000n * e14, 10n ** 13n);
  });
});
