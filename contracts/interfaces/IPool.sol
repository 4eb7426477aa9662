// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AssetConfig, AssetRisk, Market, AccountHealth} from "./IPoolTypes.sol";

/// @title IPool
/// @notice The user-facing part of the Fulcra pool used by periphery contracts (vaults, lens, routers).
interface IPool {
    function supply(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf
    ) external returns (uint256, uint256);

    function withdraw(
        address asset,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256);

    function supplyCollateral(address asset, uint256 assets, address owner, uint96 subId) external;

    function withdrawCollateral(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external returns (uint256);

    function borrow(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external returns (uint256);

    function repay(address asset, uint256 assets, address owner, uint96 subId) external returns (uint256, uint256);

    function setAuthorization(address operator, bool authorized) external;

    function supplyShares(address asset, address user) external view returns (uint256);

    function assetConfig(address asset) external view returns (AssetConfig memory);

    function assetLimits(
        address asset
    )
        external
        view
        returns (
            uint256 supplyCap,
            uint256 borrowCap,
            uint256 collateralCap,
            uint256 minBorrow,
            uint256 totalCollateral,
            address vault
        );

    function expectedMarket(address asset) external view returns (Market memory);

    function borrowRate(address asset) external view returns (uint256);

    function price(address asset) external view returns (uint256);

    function effectiveLt(address asset) external view returns (uint256);

    function accountHealth(address owner, uint96 subId) external view returns (AccountHealth memory);

    function assetCount() external view returns (uint256);

    function assetById(uint256 id) external view returns (address);

    function assetRisk(address asset) external view returns (AssetRisk memory);

    function applyRiskParams(address asset, uint16 ltv, uint16 ltTarget, uint16 rampBpsPerHour) external;

    function setCircuitBreaker(address asset, bool active) external;
}
