// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";

/// @title MockFlashLoanLiquidator
/// @notice Test helper: a liquidation funded by the pool's own ERC-3156 flash loan, in one transaction and with no
/// capital (the other route to a capital-free liquidation, besides the liquidation callback). It flash-borrows the
/// debt asset, liquidates with it, sells the seized collateral on Uniswap V3 and repays the flash loan with its fee;
/// what is left stays here as profit.
contract MockFlashLoanLiquidator is IERC3156FlashBorrower {
    IFulcraPool public immutable POOL;
    ISwapRouter public immutable ROUTER;

    struct Job {
        address owner;
        uint96 subId;
        address collateralAsset;
        uint256 maxRepay;
        bytes path; // collateral → debt asset
    }

    uint256 public lastRepaid;
    uint256 public lastSeized;
    uint256 public lastSwapOut;

    error NotPool();

    constructor(IFulcraPool pool, ISwapRouter router) {
        POOL = pool;
        ROUTER = router;
    }

    /// @notice Flash-borrows `amount` of `debtAsset` and liquidates `job` with it.
    function run(address debtAsset, uint256 amount, Job calldata job) external {
        POOL.flashLoan(this, debtAsset, amount, abi.encode(job));
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address initiator,
        address token,
        uint256,
        uint256,
        bytes calldata data
    ) external returns (bytes32) {
        if (msg.sender != address(POOL) || initiator != address(this)) revert NotPool();
        Job memory job = abi.decode(data, (Job));
        IERC20(token).approve(address(POOL), type(uint256).max);
        (uint256 repaid, uint256 seized) = POOL.liquidate(
            job.owner,
            job.subId,
            job.collateralAsset,
            job.maxRepay,
            0,
            address(this),
            ""
        );
        IERC20(job.collateralAsset).approve(address(ROUTER), seized);
        uint256 out = ROUTER.exactInput(
            ISwapRouter.ExactInputParams({
                path: job.path,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: seized,
                amountOutMinimum: 0
            })
        );
        (lastRepaid, lastSeized, lastSwapOut) = (repaid, seized, out);
        // The pool pulls amount + fee when this returns (approved above).
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
