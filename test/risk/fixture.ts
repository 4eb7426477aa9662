// Risk-engine test fixture: the shared pool fixture plus the oracle and the engine wired by deployRiskStack.
import { deployPoolFixture } from "../helpers/fixtures";
import { deployRiskStack } from "../../scripts/lib/risk";

export async function deployRiskFixture() {
  const base = await deployPoolFixture();
  const stack = await deployRiskStack(base.pool, base.admin, [base.usdc, base.weth, base.wbtc]);
  return { ...base, ...stack };
}
