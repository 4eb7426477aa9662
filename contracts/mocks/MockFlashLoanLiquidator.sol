// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @notice The pool entry points the flash-loan-funded liquidation uses.
interface IPoolFlashLiquidation {
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external returns (bool);

    function liquidate(
        address owner,
        uint96 subId,
        address collateralAsset,
        uint256 maxRepay,
        uint256 minSeized,
        address receiver,
        bytes calldata data
    ) external returns (uint256 repaid, uint256 seized);

    function supplyCollateral(address asset, uint256 assets, address owner, uint96 subId) external;

    function borrow(
        address asset,
        uint256 assets,
        address owner,
        uint96 subId,
        address receiver
    ) external returns (uint256 shares);
}

/// @title MockFlashLoanLiquidator
/// @notice Test helper: a liquidation funded by the pool's own ERC-3156 flash loan, in one transaction, with no
/// debt-asset capital and no DEX. It flash-borrows the debt asset, liquidates, posts the seized collateral to its own
/// account 0 (which may already hold some collateral: the seizure alone is not enough borrowing power at the LTV)
/// and borrows the debt asset against it to repay the flash loan (principal + fee).
contract MockFlashLoanLiquidator is IERC3156FlashBorrower {
    IPoolFlashLiquidation public immutable POOL;

    struct Job {
        address owner;
        uint96 subId;
        address collateralAsset;
        uint256 maxRepay;
    }

    uint256 public lastRepaid;
    uint256 public lastSeized;

    error NotPool();

    constructor(IPoolFlashLiquidation pool) {
        POOL = pool;
    }

    /// @notice Flash-borrows `amount` of `debtAsset` and liquidates `job` with it.
    function run(address debtAsset, uint256 amount, Job calldata job) external {
        POOL.flashLoan(this, debtAsset, amount, abi.encode(job));
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32) {
        if (msg.sender != address(POOL) || initiator != address(this)) revert NotPool();
        Job memory job = abi.decode(data, (Job));
        IERC20(token).approve(address(POOL), type(uint256).max);
        IERC20(job.collateralAsset).approve(address(POOL), type(uint256).max);
        (uint256 repaid, uint256 seized) = POOL.liquidate(
            job.owner,
            job.subId,
            job.collateralAsset,
            job.maxRepay,
            0,
            address(this),
            ""
        );
        (lastRepaid, lastSeized) = (repaid, seized);
        POOL.supplyCollateral(job.collateralAsset, seized, address(this), 0);
        // Borrow back what was spent from the flash loan, plus its fee, to repay it.
        uint256 owed = amount + fee;
        uint256 balance = IERC20(token).balanceOf(address(this));
        if (balance < owed) POOL.borrow(token, owed - balance, address(this), 0, address(this));
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
