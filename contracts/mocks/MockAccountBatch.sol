// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";

/// @title MockAccountBatch
/// @notice Test helper: opens many sub-accounts of itself in one transaction (collateral, then an optional borrow
/// that grows by `borrowStep` per account), so lens and keeper tests can build hundreds of positions quickly.
contract MockAccountBatch {
    IFulcraPool public immutable POOL;

    constructor(IFulcraPool pool) {
        POOL = pool;
    }

    /// @notice For sub-accounts `firstSub .. firstSub + count - 1`: posts `collateralAmount` of `collateral`, then
    /// borrows `borrowBase + i * borrowStep` of `debtAsset` (nothing when both are zero).
    function open(
        address collateral,
        uint256 collateralAmount,
        address debtAsset,
        uint256 borrowBase,
        uint256 borrowStep,
        uint96 firstSub,
        uint256 count
    ) external {
        IERC20(collateral).approve(address(POOL), type(uint256).max);
        for (uint256 i; i < count; ++i) {
            uint96 sub = firstSub + uint96(i);
            POOL.supplyCollateral(collateral, collateralAmount, address(this), sub);
            uint256 amount = borrowBase + i * borrowStep;
            if (amount != 0) POOL.borrow(debtAsset, amount, address(this), sub, address(this));
        }
    }
}
