// The deploy library and script on the in-process network: a full local deployment, a no-op re-run, a refused
// invalid configuration, a refused configuration mismatch, and the test-network path (roles handed to the timelock).
import fs from "fs";
import path from "path";
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { localConfig } from "../../config/hardhat";
import { ConfigError, validateConfig, type NetworkConfig } from "../../config/types";
import {
  DeploymentMismatchError,
  ROLE_IDS,
  assertNetworkReady,
  deployLocalStack,
  deployStack,
  type Deployment,
} from "../../lib/deploy";
import { UNISWAP_ARTIFACTS } from "../../lib/deploy-uniswap";
import { IFulcraPool__factory } from "../../typechain-types";
import { chainMark, expectFailure, tmpDir } from "./helpers";

const silent = () => {};
const { ethers } = hre;

async function deployedFixture() {
  const dir = tmpDir("deploy");
  const config = localConfig("hardhat");
  const startBlock = await ethers.provider.getBlockNumber();
  const first = await deployStack(hre, config, { deploymentsDir: dir, log: silent });
  return { dir, config, first, startBlock };
}

/** Price of `base` in `quote` whole units implied by a Uniswap pool's slot0. */
async function dexPrice(d: Deployment, base: string, quote: string): Promise<number> {
  const b = d.assets.find((a) => a.symbol === base)!;
  const q = d.assets.find((a) => a.symbol === quote)!;
  const p = d.uniswapPools.find((x) => x.pair.includes(base) && x.pair.includes(quote))!;
  const pool = new ethers.Contract(p.address, UNISWAP_ARTIFACTS.pool.abi, ethers.provider);
  const [sqrt] = await pool.slot0();
  const raw = (Number(sqrt) / 2 ** 96) ** 2; // raw token1 per raw token0
  const baseIs0 = p.token0.toLowerCase() === b.address.toLowerCase();
  const perRaw = baseIs0 ? raw : 1 / raw;
  return perRaw * 10 ** (b.decimals - q.decimals);
}

describe("deploy: deployStack on the in-process network", function () {
  it("deploys the whole local stack and records it (keys the keeper and the simulation read)", async function () {
    const { dir, config, first, startBlock } = await loadFixture(deployedFixture);
    const d = first.deployment;
    expect(first.txCount).to.be.greaterThan(40);
    const file = path.join(dir, "hardhat.json");
    const onDisk = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(onDisk).to.deep.equal(JSON.parse(JSON.stringify(d)));
    for (const k of ["pool", "lens", "flashLiquidator", "riskEngine", "quoter", "assets", "deployBlock"])
      expect(onDisk).to.have.property(k);
    expect(d.complete).to.equal(true);
    expect(d.deployBlock).to.equal(d.contracts.pool.block);
    expect(d.deployBlock).to.equal(startBlock + 3); // timelock, extension, pool (the suite may have mined before)
    expect(d.assets.map((a) => a.symbol)).to.deep.equal(["USDC", "WETH", "WBTC"]);
    for (const k of [
      "pool",
      "poolExt",
      "timelock",
      "lens",
      "flashLiquidator",
      "riskEngine",
      "volatilityOracle",
      "uniswapFactory",
      "swapRouter",
      "quoter",
      "positionManager",
      "dexAdapter",
      "marginRouter",
    ] as const)
      expect(await ethers.provider.getCode(d[k]), k).to.not.equal("0x");
    for (const [name, rec] of Object.entries(d.contracts)) {
      const receipt = await ethers.provider.getTransactionReceipt(rec.tx);
      expect(receipt!.contractAddress, name).to.equal(rec.address);
      expect(receipt!.blockNumber, name).to.equal(rec.block);
    }

    const [deployer, demo1] = await ethers.getSigners();
    const pool = IFulcraPool__factory.connect(d.pool, deployer);
    expect(await pool.assetCount()).to.equal(3n);
    for (const [i, a] of d.assets.entries()) {
      const spec = config.assets[i];
      const cfg = await pool.assetConfig(a.address);
      expect(cfg.feed).to.equal(a.feed);
      expect(cfg.ltv).to.equal(BigInt(spec.ltvBps));
      expect(cfg.lt).to.equal(BigInt(spec.ltBps));
      const [supplyCap, borrowCap, , minBorrow, , vault] = await pool.assetLimits(a.address);
      expect(supplyCap).to.equal(ethers.parseUnits(spec.caps.supply, a.decimals));
      expect(borrowCap).to.equal(ethers.parseUnits(spec.caps.borrow, a.decimals));
      expect(minBorrow).to.equal(ethers.parseUnits(spec.caps.minBorrow, a.decimals));
      expect(vault).to.equal(a.vault);
      // Feed answer at the configured price, and the pool prices it (USD per whole token, WAD).
      expect((await pool.price(a.address)) * 10n ** BigInt(a.decimals)).to.equal(
        ethers.parseUnits(String(spec.initialPrice), 18) * 10n ** 18n,
      );
      // Demo account funded with the configured amount.
      const token = await ethers.getContractAt("MockERC20", a.address);
      expect(await token.balanceOf(demo1.address)).to.equal(
        ethers.parseUnits(String(config.demo!.amounts[a.symbol]), a.decimals),
      );
    }
    expect(d.demoAccounts).to.have.length(4);

    // Uniswap pools seeded at the feed prices.
    expect(await dexPrice(d, "WETH", "USDC")).to.be.closeTo(2000, 2000 * 1e-9);
    expect(await dexPrice(d, "WBTC", "USDC")).to.be.closeTo(60000, 60000 * 1e-9);
    expect(await dexPrice(d, "WBTC", "WETH")).to.be.closeTo(30, 30 * 1e-9);

    // Roles on a local network: the deployer keeps admin (no hand-over), guards, and is the treasury.
    expect(await pool.hasRole(ROLE_IDS.DEFAULT_ADMIN, deployer.address)).to.equal(true);
    expect(await pool.hasRole(ROLE_IDS.GUARDIAN, deployer.address)).to.equal(true);
    expect(await pool.hasRole(ROLE_IDS.TREASURY, deployer.address)).to.equal(true);
    const timelock = await ethers.getContractAt("FulcraTimelock", d.timelock);
    expect(await timelock.getMinDelay()).to.equal(BigInt(config.timelock.minDelay));
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer.address)).to.equal(true);
    const liq = await ethers.getContractAt("FlashLiquidator", d.flashLiquidator);
    expect(await liq.owner()).to.equal(deployer.address);

    // Risk engine wired: it holds RISK_ENGINE on the pool, reads the oracle, every asset has its profile and its
    // oracle listing with the seeded volatility, and the initial update recorded a price baseline.
    const engine = await ethers.getContractAt("RiskEngine", d.riskEngine);
    const oracle = await ethers.getContractAt("VolatilityOracle", d.volatilityOracle);
    expect(await pool.hasRole(ROLE_IDS.RISK_ENGINE, d.riskEngine)).to.equal(true);
    expect(await engine.ORACLE()).to.equal(d.volatilityOracle);
    expect(await engine.POOL()).to.equal(d.pool);
    for (const [i, a] of d.assets.entries()) {
      const spec = config.assets[i];
      const prof = await engine.profile(a.address);
      expect([prof.ltvMax, prof.ltMax, prof.ltvMin, prof.ltMin, prof.dynamic]).to.deep.equal([
        BigInt(spec.risk!.ltvMax),
        BigInt(spec.risk!.ltMax),
        BigInt(spec.risk!.ltvMin),
        BigInt(spec.risk!.ltMin),
        true,
      ]);
      expect(prof.refVol).to.equal(BigInt(Math.round(spec.risk!.refVol * 1e6)) * 10n ** 12n);
      expect((await oracle.config(a.address)).feed).to.equal(a.feed);
      expect(await oracle.volatility(a.address)).to.equal(
        BigInt(Math.round(spec.oracle!.initialVol * 1e6)) * 10n ** 12n,
      );
      expect((await oracle.observation(a.address)).feedTime).to.not.equal(0n);
    }
    const router = await ethers.getContractAt("MarginRouter", d.marginRouter);
    expect(await router.maxDeviationBps()).to.equal(BigInt(config.margin.maxDeviationBps));
    expect(await router.minPositionValue()).to.equal(ethers.parseUnits(String(config.margin.minPositionValueUsd), 18));
  });

  it("a second run with the same configuration is a no-op: no transaction, same record", async function () {
    const { dir, config, first } = await loadFixture(deployedFixture);
    const [deployer] = await ethers.getSigners();
    const before = await chainMark(deployer.address);
    const lines: string[] = [];
    const second = await deployStack(hre, config, { deploymentsDir: dir, log: (l) => lines.push(l) });
    expect(second.txCount).to.equal(0);
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    expect(lines.at(-1)).to.equal("Nothing to do: the deployment matches the configuration.");
    const { updatedAt: _a, ...rest1 } = first.deployment;
    const { updatedAt: _b, ...rest2 } = second.deployment;
    expect(rest2).to.deep.equal(rest1);
  });

  it("refuses an invalid configuration, listing every problem, before sending anything", async function () {
    const [deployer] = await ethers.getSigners();
    const dir = tmpDir("invalid");
    const bad: NetworkConfig = localConfig("hardhat");
    bad.assets[1].ltvBps = 8300; // above its LT 8250
    bad.assets[2].heartbeat = 10; // below the pool's minimum
    bad.assets[0].rate.kinkBps = 99_000;
    bad.uniswap.pairs.push(["WETH", "DOGE"]);
    bad.timelock.minDelay = -1;
    const problems = validateConfig(bad);
    expect(problems).to.deep.equal([
      "assets[0] (USDC): rate.kinkBps must be 1000..9900, got 99000",
      "assets[1] (WETH): ltvBps (8300) must be at least 100 bps below ltBps (8250)",
      "assets[1] (WETH) risk: calm profile (ltvMax 8000, ltMax 8250) must equal the listing (ltvBps 8300, ltBps 8250)",
      "assets[2] (WBTC): heartbeat must be 60..604800 s, got 10",
      "timelock.minDelay: must be 0..2592000 s, got -1",
      "uniswap.pairs[3]: unknown asset DOGE",
    ]);
    const before = await chainMark(deployer.address);
    let error: unknown;
    try {
      await deployStack(hre, bad, { deploymentsDir: dir, log: silent });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const msg = (error as Error).message;
    expect(msg).to.match(/^Invalid deployment configuration for "hardhat" \(6 problems\):/);
    for (const p of problems) expect(msg).to.include(p);
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    expect(fs.existsSync(path.join(dir, "hardhat.json"))).to.equal(false);
  });

  it("refuses to continue on a configuration that differs from the recorded deployment, naming what changed", async function () {
    const { dir } = await loadFixture(deployedFixture);
    const [deployer] = await ethers.getSigners();
    const changed = localConfig("hardhat");
    changed.assets[1].caps.supply = "200000";
    changed.timelock.minDelay = 120;
    const recorded = fs.readFileSync(path.join(dir, "hardhat.json"), "utf8");
    const before = await chainMark(deployer.address);
    const msg = await expectFailure(
      deployStack(hre, changed, { deploymentsDir: dir, log: silent }),
      /^Configuration mismatch: /,
      /changed: assets\.WETH, timelock\)/,
      /Refusing to continue/,
    );
    expect(msg).to.include("--fresh");
    expect(await chainMark(deployer.address)).to.deep.equal(before);
    expect(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8")).to.equal(recorded);
    // Same refusal type for programmatic callers.
    await deployStack(hre, changed, { deploymentsDir: dir, log: silent }).catch((e) =>
      expect(e).to.be.instanceOf(DeploymentMismatchError),
    );
  });

  it("refuses a configuration for another chain", async function () {
    const cfg = localConfig("hardhat");
    cfg.chainId = 11155111;
    await expectFailure(
      deployStack(hre, cfg, { deploymentsDir: tmpDir("chain"), log: silent }),
      /is for chain 11155111 but network "hardhat" is chain 31337/,
    );
  });

  it("test-network path: hands the admin roles to the timelock and the deployer renounces them", async function () {
    await loadFixture(deployedFixture); // start from a known chain state
    const [deployer, guardian, treasury, keeper] = await ethers.getSigners();
    const cfg = localConfig("hardhat");
    cfg.demo = undefined;
    cfg.timelock = { minDelay: 3600, handOver: true };
    cfg.roles = {
      proposers: [deployer.address],
      executors: [ethers.ZeroAddress],
      guardians: [guardian.address],
      treasury: treasury.address,
      liquidatorOwner: keeper.address,
    };
    const dir = tmpDir("handover");
    const r = await deployStack(hre, cfg, { deploymentsDir: dir, log: silent, fresh: true });
    const d = r.deployment;
    const pool = IFulcraPool__factory.connect(d.pool, deployer);
    const router = await ethers.getContractAt("MarginRouter", d.marginRouter);
    for (const role of [ROLE_IDS.DEFAULT_ADMIN, ROLE_IDS.RISK_ADMIN]) {
      expect(await pool.hasRole(role, d.timelock)).to.equal(true);
      expect(await pool.hasRole(role, deployer.address)).to.equal(false);
    }
    expect(await pool.hasRole(ROLE_IDS.GUARDIAN, guardian.address)).to.equal(true);
    expect(await pool.hasRole(ROLE_IDS.GUARDIAN, deployer.address)).to.equal(false);
    expect(await pool.hasRole(ROLE_IDS.TREASURY, treasury.address)).to.equal(true);
    for (const role of [ROLE_IDS.DEFAULT_ADMIN, ROLE_IDS.MARGIN_ADMIN]) {
      expect(await router.hasRole(role, d.timelock)).to.equal(true);
      expect(await router.hasRole(role, deployer.address)).to.equal(false);
    }
    expect(await (await ethers.getContractAt("FlashLiquidator", d.flashLiquidator)).owner()).to.equal(keeper.address);
    const engine = await ethers.getContractAt("RiskEngine", d.riskEngine);
    const oracle = await ethers.getContractAt("VolatilityOracle", d.volatilityOracle);
    for (const [c, adminRole] of [
      [engine, ROLE_IDS.RISK_ADMIN],
      [oracle, ROLE_IDS.ORACLE_ADMIN],
    ] as const)
      for (const role of [ROLE_IDS.DEFAULT_ADMIN, adminRole]) {
        expect(await c.hasRole(role, d.timelock)).to.equal(true);
        expect(await c.hasRole(role, deployer.address)).to.equal(false);
      }
    // The deployer can no longer govern: listing now has to go through the timelock.
    await expect(
      pool.listAsset(d.assets[0].address, {
        feed: d.assets[0].feed,
        heartbeat: 3600,
        minAnswer: 0,
        maxAnswer: 1,
        ltv: 0,
        lt: 0,
        borrowable: false,
        reserveFactor: 0,
        baseRate: 0,
        slope1: 0,
        slope2: 0,
        kink: 5000,
        supplyCap: 0,
        borrowCap: 0,
        collateralCap: 0,
        minBorrow: 0,
      }),
    )
      .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, ROLE_IDS.RISK_ADMIN);
    // And a re-run after the hand-over is still a no-op (every step checks the chain, roles included).
    const before = await chainMark(deployer.address);
    expect((await deployStack(hre, cfg, { deploymentsDir: dir, log: silent })).txCount).to.equal(0);
    expect(await chainMark(deployer.address)).to.deep.equal(before);
  });

  it("a local deployment file whose chain is gone (node restarted) is replaced by a new stack", async function () {
    const dir = tmpDir("stale");
    const cfg = localConfig("hardhat");
    const { configHash, configSections } = (await loadFixture(deployedFixture)).first.deployment;
    const stale = {
      chainId: 31337,
      pool: "0x000000000000000000000000000000000000dEaD",
      configHash,
      configSections,
      contracts: {},
    };
    fs.writeFileSync(path.join(dir, "hardhat.json"), JSON.stringify(stale));
    const lines: string[] = [];
    const r = await deployStack(hre, cfg, { deploymentsDir: dir, log: (l) => lines.push(l) });
    expect(lines[0]).to.match(/describes a chain that is gone/);
    expect(r.txCount).to.be.greaterThan(40);
    expect(await ethers.provider.getCode(r.deployment.pool)).to.not.equal("0x");
  });

  it("deployLocalStack (keeper tests, simulation): in-process, config tweak applied, no file written", async function () {
    const before = fs.readdirSync(process.cwd());
    const r = await deployLocalStack(hre, (c) => {
      c.demo = undefined;
      c.assets[1].caps.supply = "90000";
    });
    expect(r.file).to.equal(undefined);
    expect(fs.readdirSync(process.cwd())).to.deep.equal(before);
    const pool = IFulcraPool__factory.connect(r.deployment.pool, (await ethers.getSigners())[0]);
    const [supplyCap] = await pool.assetLimits(r.deployment.assets[1].address);
    expect(supplyCap).to.equal(90_000n * 10n ** 18n);
    expect(r.deployment.demoAccounts).to.deep.equal([]);
    // A tweak that breaks the configuration is refused like any other.
    await expectFailure(
      deployLocalStack(hre, (c) => (c.assets[0].ltBps = 9800)),
      /assets\[0\] \(USDC\): ltBps must be 0..9700, got 9800/,
    );
  });

  it("sepolia is configured from vars/env only, and an unset RPC URL is explained before any request", async function () {
    const net = hre.config.networks.sepolia as { url: string; chainId?: number; accounts: unknown };
    expect(net.chainId).to.equal(11155111);
    if (!process.env.SEPOLIA_RPC_URL && !hre.userConfig.networks?.sepolia) {
      expect(net.url).to.equal("http://sepolia-rpc-url-not-set.invalid");
      const fake = { network: { name: "sepolia", config: net } } as unknown as typeof hre;
      expect(() => assertNetworkReady(fake)).to.throw(
        'No RPC URL for network "sepolia": run `npx hardhat vars set SEPOLIA_RPC_URL`',
      );
    }
    expect(() => assertNetworkReady(hre)).to.not.throw();
  });
});
