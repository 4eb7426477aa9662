// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

/// @title TrivialFlashBorrower
/// @notice The cheapest correct ERC-3156 borrower (pre-approved, no storage writes): what the gas benchmark measures.
contract TrivialFlashBorrower is IERC3156FlashBorrower {
    IERC3156FlashLender public immutable LENDER;

    constructor(IERC3156FlashLender lender) {
        LENDER = lender;
    }

    /// @notice Approves the lender once for `token`.
    function approveLender(address token) external {
        IERC20(token).approve(address(LENDER), type(uint256).max);
    }

    /// @notice Borrows `amount` of `token` and gives it straight back.
    function borrow(address token, uint256 amount) external {
        LENDER.flashLoan(this, token, amount, "");
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address, uint256, uint256, bytes calldata) external pure returns (bytes32) {
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
