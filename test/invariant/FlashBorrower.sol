// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

import {Market} from "../../contracts/interfaces/IPoolTypes.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20} from "./IMocks.sol";

/// @notice Flash borrower driven by the invariant handler. Modes: 0 repays; 1 supplies the loan to the pool for a
/// beneficiary inside the callback (books move while the loan is out), then repays from fresh funds; 2 approves one
/// wei short (the loan must revert); 3 tries a nested flash loan (must revert with Reentrancy) and then repays.
contract FlashBorrower is IERC3156FlashBorrower {
    IFulcraPool public immutable POOL;
    uint8 internal _mode;
    address internal _beneficiary;
    /// @notice Set when a nested flash loan went through (an invariant violation).
    bool public nestedSucceeded;
    /// @notice The market as the pool's views showed it inside the callback, while the loan was out (read-only
    /// reentrancy: views must show the same books as before the loan).
    uint256 public seenSupplyAssets;
    uint256 public seenSupplyShares;
    uint256 public seenBorrowAssets;

    error BadCallback();

    constructor(IFulcraPool pool) {
        POOL = pool;
    }

    function run(address token, uint256 amount, uint8 mode, address beneficiary) external {
        _mode = mode;
        _beneficiary = beneficiary;
        POOL.flashLoan(this, token, amount, "");
    }

    function onFlashLoan(
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata
    ) external returns (bytes32) {
        if (msg.sender != address(POOL) || initiator != address(this)) revert BadCallback();
        Market memory m = POOL.expectedMarket(token);
        (seenSupplyAssets, seenSupplyShares, seenBorrowAssets) = (
            m.totalSupplyAssets,
            m.totalSupplyShares,
            m.totalBorrowAssets
        );
        IMockERC20(token).mint(address(this), fee);
        uint8 mode = _mode;
        if (mode == 1) {
            IMockERC20(token).approve(address(POOL), amount);
            POOL.supply(token, amount, 0, _beneficiary);
            IMockERC20(token).mint(address(this), amount);
        } else if (mode == 3) {
            _mode = 0; // if the lock failed, the nested loan would repay and succeed
            try POOL.flashLoan(this, token, 1, "") {
                nestedSucceeded = true;
            } catch {}
            _mode = 3;
        }
        IMockERC20(token).approve(address(POOL), mode == 2 ? amount + fee - 1 : amount + fee);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
