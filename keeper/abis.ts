// Minimal human-readable ABIs the keeper needs, so it runs from a deployments file alone (no artifacts required).
import { Interface } from "ethers";

export const POOL_EVENTS_ABI = [
  "event SupplyCollateral(address indexed asset, address caller, address indexed owner, uint96 indexed subId, uint256 assets)",
  "event WithdrawCollateral(address indexed asset, address caller, address indexed owner, uint96 indexed subId, address receiver, uint256 assets)",
  "event Borrow(address indexed asset, address caller, address indexed owner, uint96 indexed subId, address receiver, uint256 assets, uint256 shares)",
  "event Repay(address indexed asset, address caller, address indexed owner, uint96 indexed subId, uint256 assets, uint256 shares)",
  "event Liquidate(address indexed owner, uint96 indexed subId, address indexed caller, address debtAsset, address collateralAsset, uint256 repaid, uint256 repaidShares, uint256 seized, uint256 protocolFee, uint256 bonusBps, uint256 healthFactor)",
  "event BadDebt(address indexed asset, address indexed owner, uint96 indexed subId, uint256 debt, uint256 coveredByReserves, uint256 socialized)",
];

export const POOL_ABI = [
  ...POOL_EVENTS_ABI,
  "function liquidate(address owner, uint96 subId, address collateralAsset, uint256 maxRepay, uint256 minSeized, address receiver, bytes data) returns (uint256 repaid, uint256 seized)",
  "function price(address asset) view returns (uint256)",
  "function accountHealth(address owner, uint96 subId) view returns (tuple(uint256 collateralValue, uint256 borrowingPower, uint256 liquidationValue, uint256 debtValue, uint256 healthFactor))",
  "function accountOf(address owner, uint96 subId) view returns (address, uint256, uint256, address[], uint256[])",
  "function healthFactors(address[] owners, uint96[] subIds) view returns (uint256[] healths)",
  "function liquidationGlobals() view returns (uint64 targetHealth, uint64 fullLiquidationHealth, uint128 dustValue)",
  "function collateralOf(address owner, uint96 subId, address asset) view returns (uint256)",
  "error NoDebt()",
  "error HealthyAccount()",
  "error NotAccountCollateral()",
  "error SlippageExceeded()",
  "error ZeroAmount()",
  "error Reentrancy()",
];

const SNAPSHOT_TUPLE =
  "tuple(address owner, uint96 subId, bool ok, uint256 healthFactor, address debtAsset, uint256 debt, uint256 debtValue, uint256 collateralValue, uint256 liquidationValue, bool liquidatable, address bestCollateral, uint256 maxRepay, uint256 seized, uint256 bonusBps, uint256 bonusValue)";

export const LENS_ABI = [
  `function snapshot(address[] owners, uint96[] subIds) view returns (uint256 blockNumber, uint256 timestamp, ${SNAPSHOT_TUPLE}[] out)`,
  `function liquidatable(address[] owners, uint96[] subIds) view returns (uint256 blockNumber, ${SNAPSHOT_TUPLE}[] out)`,
  "function healthFactors(address[] owners, uint96[] subIds) view returns (uint256 blockNumber, uint256[] healths)",
  "error LengthMismatch()",
];

export const FLASH_LIQUIDATOR_ABI = [
  "function liquidate(tuple(address owner, uint96 subId, address collateralAsset, address debtAsset, uint256 maxRepay, uint256 minSeized, bytes path, uint256 minProfit) o) returns (uint256 profit)",
  "function owner() view returns (address)",
  "event Liquidated(address indexed account, uint96 subId, address collateralAsset, address debtAsset, uint256 repaid, uint256 seized, uint256 profit)",
  "error InsufficientProfit(uint256 profit, uint256 minProfit)",
  "error BadPath()",
  "error NotPool()",
  "error NotActive()",
  "error OwnableUnauthorizedAccount(address account)",
];

export const QUOTER_V2_ABI = [
  "function quoteExactInput(bytes path, uint256 amountIn) returns (uint256 amountOut, uint160[] sqrtPriceX96AfterList, uint32[] initializedTicksCrossedList, uint256 gasEstimate)",
];

export const RISK_ENGINE_ABI = [
  "function update(address asset) returns (bool changed)",
  "function updateMany(address[] assets) returns (uint256 changedCount)",
  "event RiskUpdated(address indexed asset, uint256 volatility, uint256 oldLtv, uint256 newLtv, uint256 oldLtTarget, uint256 newLtTarget, bool breaker, uint8 regime)",
];

export const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function decimals() view returns (uint8)",
];

export const poolIface = new Interface(POOL_ABI);
export const lensIface = new Interface(LENS_ABI);
export const flashIface = new Interface(FLASH_LIQUIDATOR_ABI);
export const quoterIface = new Interface(QUOTER_V2_ABI);
export const riskIface = new Interface(RISK_ENGINE_ABI);
export const erc20Iface = new Interface(ERC20_ABI);

/** Errors that mean "this account cannot be liquidated (any more)": someone else got there first or it recovered. */
export const GONE_ERRORS = new Set(["NoDebt", "HealthyAccount", "NotAccountCollateral"]);
