// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";

/// @title MockAccountFactory
/// @notice Test and benchmark helper: opens many borrowing sub-accounts owned by itself in one transaction, so a
/// keeper benchmark can build 10,000 accounts in a hundred transactions instead of twenty thousand.
contract MockAccountFactory {
    /// @notice The pool the accounts live in.
    IFulcraPool public immutable POOL;

    /// @notice `count` accounts `(this, firstSubId + i)` were opened.
    event AccountsOpened(uint96 firstSubId, uint256 count);

    constructor(IFulcraPool pool) {
        POOL = pool;
    }

    /// @notice Opens accounts `(this, firstSubId + i)`: posts `collateralAmount` of `collateral` and borrows
    /// `borrows[i]` of `debt`, which stays in this contract. The caller must have sent the collateral here first.
    function open(
        address collateral,
        uint256 collateralAmount,
        address debt,
        uint96 firstSubId,
        uint256[] calldata borrows
    ) external {
        IERC20(collateral).approve(address(POOL), collateralAmount * borrows.length);
        for (uint256 i; i < borrows.length; ++i) {
            uint96 subId = firstSubId + uint96(i);
            POOL.supplyCollateral(collateral, collateralAmount, address(this), subId);
            if (borrows[i] != 0) POOL.borrow(debt, borrows[i], address(this), subId, address(this));
        }
        emit AccountsOpened(firstSubId, borrows.length);
    }
}
