// The Uniswap V3 helpers the deployment and the tasks use, all defined in ./uniswap.ts. This module stays as the
// name tasks/ imports from (tasks/act.ts, tasks/local.ts); new code imports ./uniswap.ts directly.
export {
  UNISWAP_ARTIFACTS,
  TICK_SPACING,
  fullRange,
  sqrtPriceX96,
  sortTokens,
  encodePath,
  syncPoolPrice,
  uniswapContract,
  type PoolToken,
} from "./uniswap";
