// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The parts of VolatilityOracle, RiskEngine and MarginRouter the invariant campaign drives (deployed from
/// Hardhat's artifacts, like the pool).
interface IVolOracleAdmin {
    function grantRole(bytes32 role, address account) external;
    function listAsset(
        address asset,
        address feed,
        uint256 halfLife,
        uint256 minInterval,
        uint256 maxAge,
        uint256 shockWindow,
        uint256 initialVol
    ) external;
    function volatility(address asset) external view returns (uint256);
    function setFastHalfLife(address asset, uint256 fastHalfLife) external;
}

interface IRiskEngineAdmin {
    struct Profile {
        uint16 ltvMax;
        uint16 ltMax;
        uint16 ltvMin;
        uint16 ltMin;
        uint16 ltvSlope;
        uint16 ltSlope;
        uint16 rampBpsPerHour;
        uint32 cooldown;
        uint64 refVol;
        uint64 breakerVol;
        uint64 breakerMove;
        bool dynamic;
        uint8 ltHold; // HOLD_ON_BREAKER 1 | HOLD_WHEN_EASING 2 | LT_FOLLOWS_FAST 4 | RELEASE_ON_BREAKER 8
    }

    function grantRole(bytes32 role, address account) external;
    function setProfile(address asset, Profile calldata p) external;
    function setMode(address asset, bool dynamic) external;
    function update(address asset) external returns (bool changed);
}

interface IMarginRouter {
    struct OpenParams {
        address base;
        address quote;
        bool isLong;
        uint256 margin;
        uint256 leverage;
        uint256 minOut;
        bytes route;
        uint256 deadline;
    }

    function openPosition(OpenParams calldata p) external returns (uint256 positionId);
    function increase(uint256 positionId, OpenParams calldata p) external;
    function decrease(
        uint256 positionId,
        uint256 fraction,
        uint256 maxCollateralSold,
        bytes calldata route,
        uint256 deadline
    ) external returns (uint256 returned);
    function addMargin(uint256 positionId, uint256 amount) external;
    function removeMargin(uint256 positionId, uint256 amount) external;
    function subIdOf(uint256 positionId) external view returns (uint96);
    function maxLeverage(address collateral) external view returns (uint256);
    function maxDeviationBps() external view returns (uint256);
    function setGuards(uint256 maxDeviationBps_, uint256 minPositionValue_, uint256 maxNewDebtPerBlock_) external;
    function setFee(uint256 feeBps_, address recipient) external;
    function grantRole(bytes32 role, address account) external;
}

/// @notice OpenZeppelin's TimelockController as contracts/governance/FulcraTimelock.sol deploys it.
interface ITimelock {
    function schedule(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 predecessor,
        bytes32 salt,
        uint256 delay
    ) external;
    function execute(
        address target,
        uint256 value,
        bytes calldata payload,
        bytes32 predecessor,
        bytes32 salt
    ) external payable;
    function grantRole(bytes32 role, address account) external;
}
