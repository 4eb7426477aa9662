// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ListingParams} from "../../contracts/interfaces/IPoolTypes.sol";

import {VM} from "./Vm.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20, IMockPriceFeed} from "./IMocks.sol";

/// @notice Deploys the pool and test assets from Hardhat's artifacts (`npx hardhat compile`), so the Foundry tests run
/// exactly the bytecode the Hardhat suite and the deploy scripts use.
abstract contract FulcraSetup {
    bytes32 internal constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    bytes32 internal constant RISK_ENGINE_ROLE = keccak256("RISK_ENGINE_ROLE");
    bytes32 internal constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 internal constant TREASURY_ROLE = keccak256("TREASURY_ROLE");

    IFulcraPool internal pool;
    IFulcraPool internal ext; // the same address: governance and views go through the pool's fallback

    error DeployFailed(string artifact);

    /// @dev Pool + extension with this contract as admin and risk admin.
    function _deployPool() internal {
        address extension = _deploy("core/PoolExt.sol/PoolExt.json", "");
        pool = IFulcraPool(_deploy("core/Pool.sol/Pool.json", abi.encode(address(this), extension)));
        ext = pool;
        ext.grantRole(RISK_ADMIN_ROLE, address(this));
    }

    function _list(
        string memory symbol,
        uint8 decimals,
        int256 answer,
        uint16 ltv,
        uint16 lt,
        uint16 reserveFactor,
        uint16 kink,
        uint128 minBorrow
    ) internal returns (IMockERC20 token, IMockPriceFeed feed) {
        token = IMockERC20(_deploy("mocks/MockERC20.sol/MockERC20.json", abi.encode(symbol, symbol, decimals)));
        feed = IMockPriceFeed(
            _deploy("mocks/MockPriceFeed.sol/MockPriceFeed.json", abi.encode(uint8(8), symbol, answer))
        );
        ext.listAsset(
            address(token),
            ListingParams({
                feed: address(feed),
                heartbeat: 1 days,
                minAnswer: 0,
                maxAnswer: 1e20,
                ltv: ltv,
                lt: lt,
                borrowable: true,
                reserveFactor: reserveFactor,
                baseRate: 200,
                slope1: 400,
                slope2: 6_000,
                kink: kink,
                supplyCap: type(uint128).max,
                borrowCap: type(uint128).max,
                collateralCap: type(uint128).max,
                minBorrow: minBorrow
            })
        );
        VM.label(address(token), symbol);
    }

    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        bytes memory code = abi.encodePacked(VM.getCode(string.concat("artifacts/contracts/", artifact)), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 32), mload(code))
        }
        if (deployed == address(0)) revert DeployFailed(artifact);
    }
}
