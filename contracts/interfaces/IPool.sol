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

    /// @notice As `repay`, but calls `IFulcraRepayCallback(msg.sender).onFulcraRepay(assets, data)` after the debt is
    /// booked and before the pool pulls `assets` from the caller, with the pool unlocked. Inside the callback the
    /// repaid account may withdraw collateral beyond its LTV if its health ends no lower than before the repay.
    /// Never paused (margin close and decrease go through it without a flash loan).
    /// @return The assets repaid and the debt shares burnt.
    function repayAndCall(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        bytes calldata data
    ) external returns (uint256, uint256);

    /// @notice Books the known loss of an insolvent account `(owner, subId)` (permissionless).
    /// @return writtenOff Debt assets written off.
    function settleBadDebt(address owner, uint96 subId) external returns (uint256 writtenOff);

    function setAuthorization(address operator, bool authorized) external;

    /// @notice Lets `operator` supply and withdraw collateral and borrow only for the caller's sub-accounts with
    /// `subId & subIdMask == subIdPrefix` (never lender positions); a zero mask and prefix revoke.
    function setAuthorizationScope(address operator, uint96 subIdPrefix, uint96 subIdMask) external;

    /// @notice The (prefix, mask) of the sub-accounts of `owner` that `operator` may act for (mask 0: none).
    function authorizationScope(address owner, address operator) external view returns (uint96 prefix, uint96 mask);

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

    /// @notice Pauses or resumes flash loans of `asset` (GUARDIAN); independent of `setPause`.
    function setFlashPause(address asset, bool paused) external;
}
