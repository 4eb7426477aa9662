// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IFulcraLiquidateCallback} from "../interfaces/IFulcraCallbacks.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";
import {MockERC20} from "./MockERC20.sol";

/// @title MockLiquidator
/// @notice Flash liquidator for tests: it holds no debt tokens; in `onFulcraLiquidate` it checks that the seized
/// collateral reached the receiver, records what the pool told it, obtains the debt tokens (test token: it mints
/// them) and approves the pool. On demand it re-enters the pool from the callback, or does not pay.
contract MockLiquidator is IFulcraLiquidateCallback {
    enum Mode {
        Pay,
        Reenter,
        NoPay
    }

    address public immutable POOL;
    Mode public mode;
    address public reenterTarget;
    bytes public reenterCall;

    // What the current liquidation is about (set by `liquidate`, read in the callback).
    address internal _collateralAsset;
    address internal _receiver;
    uint256 internal _receiverBalanceBefore;

    // What the callback saw.
    uint256 public callbackCount;
    uint256 public lastRepaid;
    uint256 public lastSeized;
    bytes public lastData;
    address public lastDebtAsset;
    uint256 public lastCollateralReceived;

    error NotPool();
    error CollateralNotReceived(uint256 received, uint256 seized);

    constructor(address pool) {
        POOL = pool;
    }

    function setMode(Mode m) external {
        mode = m;
    }

    /// @notice In `Reenter` mode the callback calls `target` with `data` and bubbles up any revert.
    function setReenter(address target, bytes calldata data) external {
        reenterTarget = target;
        reenterCall = data;
        mode = Mode.Reenter;
    }

    /// @notice Liquidates through the pool with a callback; `data` must be non-empty and start with the debt asset
    /// (abi-encoded), which the callback mints and approves.
    function liquidate(
        address owner,
        uint96 subId,
        address collateralAsset,
        uint256 maxRepay,
        uint256 minSeized,
        address receiver,
        bytes calldata data
    ) external returns (uint256 repaid, uint256 seized) {
        _collateralAsset = collateralAsset;
        _receiver = receiver;
        _receiverBalanceBefore = IERC20(collateralAsset).balanceOf(receiver);
        return IFulcraPool(POOL).liquidate(owner, subId, collateralAsset, maxRepay, minSeized, receiver, data);
    }

    /// @inheritdoc IFulcraLiquidateCallback
    function onFulcraLiquidate(uint256 repaidAssets, uint256 seizedAssets, bytes calldata data) external {
        if (msg.sender != POOL) revert NotPool();
        uint256 received = IERC20(_collateralAsset).balanceOf(_receiver) - _receiverBalanceBefore;
        if (received != seizedAssets) revert CollateralNotReceived(received, seizedAssets);
        ++callbackCount;
        lastRepaid = repaidAssets;
        lastSeized = seizedAssets;
        lastData = data;
        lastCollateralReceived = received;
        address debtAsset = abi.decode(data, (address));
        lastDebtAsset = debtAsset;

        if (mode == Mode.Reenter) {
            (bool ok, bytes memory ret) = reenterTarget.call(reenterCall);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        if (mode == Mode.NoPay) return;
        // A real liquidator would sell the collateral here; the test token is minted instead.
        MockERC20(debtAsset).mint(address(this), repaidAssets);
        IERC20(debtAsset).approve(POOL, repaidAssets);
    }
}
