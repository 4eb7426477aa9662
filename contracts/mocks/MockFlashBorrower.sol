// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

/// @title MockFlashBorrower
/// @notice ERC-3156 borrower for tests: repays principal plus fee, or misbehaves on demand.
contract MockFlashBorrower is IERC3156FlashBorrower {
    enum Mode {
        Repay,
        WrongReturn,
        NoRepay,
        Reenter,
        Custom
    }

    IERC3156FlashLender public immutable LENDER;
    Mode public mode;
    address public customTarget;
    bytes public customCall;
    uint256 public lastFee;
    uint256 public lastAmount;
    address public lastInitiator;

    constructor(IERC3156FlashLender lender) {
        LENDER = lender;
    }

    /// @notice Pre-approves the lender for `token`, as a production borrower would once.
    function approveLender(address token) external {
        IERC20(token).approve(address(LENDER), type(uint256).max);
    }

    function setMode(Mode m) external {
        mode = m;
    }

    /// @notice In `Custom` mode the callback calls `target` with `data` (to try reentrancy or use the pool).
    function setCustom(address target, bytes calldata data) external {
        customTarget = target;
        customCall = data;
        mode = Mode.Custom;
    }

    /// @notice Starts a flash loan.
    function borrow(address token, uint256 amount) external {
        LENDER.flashLoan(this, token, amount, "");
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata
    ) external returns (bytes32) {
        lastInitiator = initiator;
        lastAmount = amount;
        lastFee = fee;
        if (mode == Mode.WrongReturn) return bytes32(0);
        if (mode == Mode.NoRepay) IERC20(token).approve(address(LENDER), 0);
        if (mode == Mode.Reenter) LENDER.flashLoan(this, token, amount, "");
        if (mode == Mode.Custom) {
            (bool ok, bytes memory ret) = customTarget.call(customCall);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
