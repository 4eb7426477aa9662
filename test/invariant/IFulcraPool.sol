// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IPool} from "../../contracts/interfaces/IPool.sol";
import {IPoolLiquidate} from "../../contracts/interfaces/IPoolLiquidate.sol";
import {Market, ListingParams, MarketInfo, LiquidationConfig} from "../../contracts/interfaces/IPoolTypes.sol";

/// @notice The merged ABI of Pool and PoolExt that the campaign drives. The campaign deploys the bytecode Hardhat
/// built (artifacts/), so it tests exactly what the Hardhat suite and the deploy scripts use, and Foundry only
/// compiles these small test files.
interface IFulcraPool is IPool, IPoolLiquidate {
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external returns (bool);
    function maxFlashLoan(address token) external view returns (uint256);
    function flashFee(address token, uint256 amount) external view returns (uint256);
    function isAuthorized(address owner, address operator) external view returns (bool);

    function grantRole(bytes32 role, address account) external;
    function listAsset(address asset, ListingParams calldata p) external returns (address vault);
    function setOracle(address asset, address feed, uint24 heartbeat, int96 minAnswer, int96 maxAnswer) external;
    function setCollateralParams(address asset, uint16 ltv, uint16 lt) external;
    function setLiquidationParams(address asset, uint16 baseBonus, uint16 maxBonus, uint16 protocolShare) external;
    function setRateModel(address asset, uint16 baseRate, uint16 slope1, uint16 slope2, uint16 kink) external;
    function setReserveFactor(address asset, uint16 reserveFactor) external;
    function setFlashFee(address asset, uint16 feeBps) external;
    function setPause(address asset, bool supplyPaused, bool borrowPaused) external;
    function withdrawReserves(address asset, uint256 assets, address receiver) external;
    function withdrawLiquidationFees(address asset, uint256 assets, address receiver) external;

    function market(address asset) external view returns (Market memory);
    function marketInfo(address asset) external view returns (MarketInfo memory);
    function liquidationConfig(address asset) external view returns (LiquidationConfig memory);
    function accountOf(
        address owner,
        uint96 subId
    )
        external
        view
        returns (
            address debtAsset,
            uint256 borrowShares,
            uint256 debt,
            address[] memory collateralAssets,
            uint256[] memory collateralAmounts
        );
}

/// @notice The test token (contracts/mocks/MockERC20.sol).
interface IMockERC20 {
    function mint(address to, uint256 amount) external;
    function approve(address spender, uint256 amount) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function decimals() external view returns (uint8);
}

/// @notice The movable Chainlink-style feed (contracts/mocks/MockPriceFeed.sol).
interface IMockPriceFeed {
    function setAnswer(int256 answer) external;
    function setAnswerAt(int256 answer, uint256 updatedAt) external;
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}
