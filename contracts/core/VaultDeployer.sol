// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {FulcraVault} from "./FulcraVault.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";

/// @title VaultDeployer
/// @notice Deploys the ERC-4626 vault of each asset the pool lists. Created by the pool in its constructor, so the
/// vault's bytecode is not part of the pool's runtime code; only that pool may call it.
contract VaultDeployer {
    /// @notice The pool this deployer serves.
    address public immutable POOL;

    error OnlyPool();

    constructor() {
        POOL = msg.sender;
    }

    /// @notice Deploys the vault of `asset` (only the pool, at listing).
    function deploy(address asset) external returns (address) {
        if (msg.sender != POOL) revert OnlyPool();
        return address(new FulcraVault(IFulcraPool(POOL), IERC20(asset)));
    }
}
