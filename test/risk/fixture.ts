// Risk-engine test fixture: the shared pool fixture plus the oracle and the engine wired by deployRiskStack, a lender
// providing USDC and WETH liquidity, and helpers to move prices and time.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPoolFixture, units } from "../helpers/fixtures";
import { deployRiskStack, DEFAULT_ORACLE_PARAMS } from "../../lib/risk";
import { DEFAULT_PROFILES } from "../../config/profiles";
import { toFeedAnswer } from "../../lib/protocol";

export const HOUR = 3600;
export const E18 = 10n ** 18n;

/**
 * The engine's mechanics (LTV at once, LT ramp, breaker, manipulation) are tested on the plain form of each default
 * profile: one volatility estimate (short half-life = long) and no LT hold, so that every expectation follows from
 * a single volatility. RiskEngineFast.test.ts tests the short estimate and the holds of the default profiles.
 */
/** The mechanics tests' LT slope and ramp (150 bps per 10 %, 1 %/h): gentler than the defaults (400, 2 %/h) so that
 * a ramp stays visible for hours before it reaches the floor. */
export const PLAIN = { ltSlope: 150, rampBpsPerHour: 100 } as const;

export async function deployRiskFixture() {
  const base = await deployPoolFixture();
  const stack = await deployRiskStack(
    base.pool,
    base.admin,
    [base.usdc, base.weth, base.wbtc].map((a) => ({
      symbol: a.symbol,
      address: a.address,
      profile: { ...DEFAULT_PROFILES[a.symbol], ...PLAIN, ltHold: 0 },
      oracle: { fastHalfLife: DEFAULT_ORACLE_PARAMS[a.symbol].halfLife, minInterval: 3_600 },
    })),
  );
  const [lender, borrower, borrower2, liquidator, attacker, user5] = base.users;
  await base.pool.connect(lender).supply(base.usdc.address, units(base.usdc, 500_000), 0, lender.address);
  await base.pool.connect(lender).supply(base.weth.address, units(base.weth, 100), 0, lender.address);
  return { ...base, ...stack, lender, borrower, borrower2, liquidator, attacker, user5 };
}

export type RiskFixture = Awaited<ReturnType<typeof deployRiskFixture>>;

/** Posts fresh rounds on every feed (USDC 1, WBTC 60,000, WETH `weth`). */
export async function setPrices(f: RiskFixture, weth: number) {
  await f.usdc.feed.setAnswer(toFeedAnswer(1));
  await f.wbtc.feed.setAnswer(toFeedAnswer(60_000));
  await f.weth.feed.setAnswer(toFeedAnswer(weth.toFixed(8)));
}

/** Lets `seconds` pass, posts prices, and has `who` (default: the attacker) call the engine. */
export async function step(f: RiskFixture, seconds: number, weth: number, who = f.attacker) {
  await time.increase(seconds);
  await setPrices(f, weth);
  return f.engine.connect(who).update(f.weth.address);
}

export const wethVol = async (f: RiskFixture) => Number(await f.oracle.volatility(f.weth.address)) / 1e18;
export const ltNow = async (f: RiskFixture) => Number(await f.pool.effectiveLt(f.weth.address));
export const ltvNow = async (f: RiskFixture) => Number((await f.pool.assetConfig(f.weth.address)).ltv);
export const parseEther = ethers.parseEther;
