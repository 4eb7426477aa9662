// `npx hardhat node` + `--network localhost`: the same local stack as the in-process network.
import { localConfig } from "./hardhat";
import type { NetworkConfig } from "./types";

const config: NetworkConfig = localConfig("localhost");
export default config;
