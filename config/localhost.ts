// `npx hardhat node` + `--network localhost`: the same local stack as the in-process network, except that the
// FlashLiquidator is owned by Hardhat account #19, the keeper's default local key (keeper/main.ts): account #0 deploys
// and signs the tasks, and two processes sharing a key take each other's nonces (docs/keeper.md, "The keeper's key").
import { localConfig } from "./hardhat";
import type { NetworkConfig } from "./types";

/** Hardhat account #19 (mnemonic "test … junk"), the keeper's default key on a local chain. */
export const LOCAL_KEEPER_ADDRESS = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199";

const base = localConfig("localhost");
const config: NetworkConfig = { ...base, roles: { ...base.roles, liquidatorOwner: LOCAL_KEEPER_ADDRESS } };
export default config;
