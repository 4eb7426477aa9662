// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Market} from "../../contracts/interfaces/IPoolTypes.sol";
import {IPoolErrors} from "../../contracts/interfaces/IPoolErrors.sol";

import {VM} from "./Vm.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20, IMockPriceFeed} from "./IMocks.sol";
import {FulcraSetup} from "./FulcraSetup.sol";

/// @notice A flash borrower that runs arbitrary calls during the loan: read-only calls are hashed (read-only
/// reentrancy probe), state-changing ones are executed (flash-funded attacks).
contract ScriptedBorrower is IERC3156FlashBorrower {
    struct Call {
        address target;
        bytes data;
        bool isView;
    }

    IFulcraPool public immutable POOL;
    Call[] internal _calls;
    bytes32 public viewsHash;

    constructor(IFulcraPool pool) {
        POOL = pool;
    }

    function setCalls(Call[] memory calls) external {
        delete _calls;
        for (uint256 j; j < calls.length; ++j) _calls.push(calls[j]);
    }

    function borrow(address token, uint256 amount) external {
        POOL.flashLoan(this, token, amount, "");
    }

    function onFlashLoan(
        address,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata
    ) external returns (bytes32) {
        bytes32 h;
        for (uint256 j; j < _calls.length; ++j) {
            Call memory c = _calls[j];
            (bool ok, bytes memory ret) = c.isView ? c.target.staticcall(c.data) : c.target.call(c.data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            if (c.isView) h = keccak256(abi.encode(h, ret));
        }
        viewsHash = h;
        IMockERC20(token).approve(address(POOL), amount + fee);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}

/// @notice Named attacks that the stateful campaign covers only statistically: 1-wei rounding abuse repeated many
/// times, read-only reentrancy through the views and the Lens during a flash loan, and flash-loan-funded borrowing
/// and liquidation in one transaction. Each shows the attack fails or does not pay.
contract AttacksTest is FulcraSetup {
    IMockERC20 internal usdc;
    IMockERC20 internal weth;
    IMockPriceFeed internal wethFeed;
    address internal constant LENDER = address(0x1E4D);
    address internal constant BORROWER = address(0xB044);
    address internal constant ATTACKER = address(0xBAD);

    error Failed(string what, uint256 left, uint256 right);

    function setUp() public {
        _deployPool();
        IMockPriceFeed usdcFeed;
        (usdc, usdcFeed) = _list("USDC", 6, 1e8, 8_000, 8_500, 1_000, 9_000, 100e6);
        (weth, wethFeed) = _list("WETH", 18, 2_000e8, 8_000, 8_250, 1_500, 8_000, 0.05e18);
        address[3] memory who = [LENDER, BORROWER, ATTACKER];
        for (uint256 j; j < 3; ++j) {
            VM.startPrank(who[j]);
            usdc.approve(address(pool), type(uint256).max);
            weth.approve(address(pool), type(uint256).max);
            VM.stopPrank();
        }
        usdc.mint(LENDER, 1_000_000e6);
        VM.prank(LENDER);
        pool.supply(address(usdc), 1_000_000e6, 0, LENDER);
        weth.mint(BORROWER, 100e18);
        VM.startPrank(BORROWER);
        pool.supplyCollateral(address(weth), 100e18, BORROWER, 0);
        pool.borrow(address(usdc), 150_000e6, BORROWER, 0, BORROWER);
        VM.stopPrank();
        // A year of interest: share prices are no longer round numbers.
        VM.warp(block.timestamp + 365 days);
        wethFeed.setAnswer(2_000e8);
        usdcFeed.setAnswer(1e8);
    }

    /// @notice Supplying 1 wei and withdrawing it, a thousand times, never yields a wei of profit.
    function test_rounding_oneWeiSupplyWithdrawRepeated() public {
        usdc.mint(ATTACKER, 1_000);
        VM.startPrank(ATTACKER);
        for (uint256 j; j < 1_000; ++j) {
            (, uint256 shares) = pool.supply(address(usdc), 1, 0, ATTACKER);
            pool.withdraw(address(usdc), 0, shares, ATTACKER, ATTACKER);
        }
        VM.stopPrank();
        _check(
            "attacker ends with more than it started",
            usdc.balanceOf(ATTACKER) <= 1_000,
            usdc.balanceOf(ATTACKER),
            1_000
        );
    }

    /// @notice Withdrawing 1 wei at a time burns at least a wei's worth of shares each time: a lender cannot take out
    /// more than its balance by splitting a withdrawal.
    function test_rounding_oneWeiWithdrawalsRepeated() public {
        Market memory m = ext.expectedMarket(address(usdc));
        uint256 before = _assetsOf(pool.supplyShares(address(usdc), LENDER), m);
        VM.startPrank(LENDER);
        for (uint256 j; j < 1_000; ++j) pool.withdraw(address(usdc), 1, 0, LENDER, LENDER);
        VM.stopPrank();
        m = ext.expectedMarket(address(usdc));
        uint256 left = _assetsOf(pool.supplyShares(address(usdc), LENDER), m);
        _check("1-wei withdrawals took more than they paid", left + 1_000 <= before, left + 1_000, before);
        _check("lender received other than 1,000 wei", usdc.balanceOf(LENDER) == 1_000, usdc.balanceOf(LENDER), 1_000);
    }

    /// @notice Repaying 1 wei at a time, a thousand times, never clears more than 1,000 wei of debt.
    function test_rounding_oneWeiRepaysRepeated() public {
        (, , uint256 debtBefore, , ) = pool.accountOf(BORROWER, 0);
        VM.startPrank(BORROWER);
        uint256 repaid;
        for (uint256 j; j < 1_000; ++j) {
            try pool.repay(address(usdc), 1, BORROWER, 0) {
                ++repaid;
            } catch (bytes memory err) {
                // 1 wei may buy zero debt shares: then it must revert, not be taken for nothing.
                _check("unexpected repay revert", bytes4(err) == IPoolErrors.ZeroShares.selector, 0, 0);
            }
        }
        VM.stopPrank();
        (, , uint256 debtAfter, , ) = pool.accountOf(BORROWER, 0);
        _check(
            "1-wei repays cleared more debt than paid",
            debtAfter + repaid >= debtBefore,
            debtAfter + repaid,
            debtBefore
        );
    }

    /// @notice Borrowing in many small steps never costs less debt than borrowing at once.
    function test_rounding_smallBorrowsRepeated() public {
        weth.mint(ATTACKER, 10e18);
        VM.startPrank(ATTACKER);
        pool.supplyCollateral(address(weth), 10e18, ATTACKER, 0);
        pool.borrow(address(usdc), 100e6, ATTACKER, 0, ATTACKER); // reach the minimum borrow once
        for (uint256 j; j < 500; ++j) pool.borrow(address(usdc), 1, ATTACKER, 0, ATTACKER);
        VM.stopPrank();
        (, , uint256 debt, , ) = pool.accountOf(ATTACKER, 0);
        _check("500 1-wei borrows cost less than 500 wei of debt", debt >= 100e6 + 500, debt, 100e6 + 500);
    }

    /// @notice Read-only reentrancy: during a flash loan (the pool's balance is down by the loan), every view an
    /// integrator prices with — market, account health, vault share price, the Lens snapshot — reads as before.
    function test_readOnlyReentrancy_viewsAndLensUnchangedDuringFlashLoan() public {
        address lens = _deploy("periphery/FulcraLens.sol/FulcraLens.json", abi.encode(address(pool)));
        (, , , , , address vault) = ext.assetLimits(address(usdc));
        address[] memory owners = new address[](1);
        uint96[] memory subs = new uint96[](1);
        owners[0] = BORROWER;
        ScriptedBorrower.Call[] memory calls = new ScriptedBorrower.Call[](5);
        calls[0] = ScriptedBorrower.Call(address(pool), abi.encodeCall(ext.marketInfo, (address(usdc))), true);
        calls[1] = ScriptedBorrower.Call(address(pool), abi.encodeCall(ext.accountHealth, (BORROWER, 0)), true);
        calls[2] = ScriptedBorrower.Call(vault, abi.encodeCall(IERC4626.totalAssets, ()), true);
        calls[3] = ScriptedBorrower.Call(vault, abi.encodeCall(IERC4626.convertToAssets, (1e18)), true);
        calls[4] = ScriptedBorrower.Call(
            lens,
            abi.encodeWithSignature("snapshot(address[],uint96[])", owners, subs),
            true
        );
        bytes32 expected;
        for (uint256 j; j < calls.length; ++j) {
            (bool ok, bytes memory ret) = calls[j].target.staticcall(calls[j].data);
            _check("view reverted", ok, j, 0);
            expected = keccak256(abi.encode(expected, ret));
        }
        ScriptedBorrower b = new ScriptedBorrower(pool);
        b.setCalls(calls);
        b.borrow(address(usdc), usdc.balanceOf(address(pool)));
        _check("views differ while the flash loan is out", b.viewsHash() == expected, 0, 0);
    }

    /// @notice Flash-funded borrowing: collateral bought with a flash loan cannot leave with the borrow — the pool's
    /// balance check (or the LTV check) makes the whole transaction revert, so the attacker keeps nothing.
    function test_flashFundedBorrow_revertsAndLeavesNothing() public {
        ScriptedBorrower b = new ScriptedBorrower(pool);
        ScriptedBorrower.Call[] memory calls = new ScriptedBorrower.Call[](4);
        calls[0] = ScriptedBorrower.Call(
            address(weth),
            abi.encodeCall(IMockERC20.approve, (address(pool), 50e18)),
            false
        );
        calls[1] = ScriptedBorrower.Call(
            address(pool),
            abi.encodeCall(pool.supplyCollateral, (address(weth), 50e18, address(b), 0)),
            false
        );
        calls[2] = ScriptedBorrower.Call(
            address(pool),
            abi.encodeCall(pool.borrow, (address(usdc), 50_000e6, address(b), 0, ATTACKER)),
            false
        );
        calls[3] = ScriptedBorrower.Call(
            address(pool),
            abi.encodeCall(pool.withdrawCollateral, (address(weth), 50e18, address(b), 0, address(b))),
            false
        );
        b.setCalls(calls);
        try b.borrow(address(weth), 50e18) {
            _check("flash-funded borrow went through", false, 0, 0);
        } catch (bytes memory err) {
            _check("wrong revert", bytes4(err) == IPoolErrors.InsufficientCollateral.selector, 0, 0);
        }
        _check("attacker kept borrowed funds", usdc.balanceOf(ATTACKER) == 0, usdc.balanceOf(ATTACKER), 0);
    }

    /// @notice Flash-funded liquidation: flash money cannot liquidate a healthy account; once the account is under
    /// water, a flash-funded liquidation works and leaves the books whole.
    function test_flashFundedLiquidation_onlyWhenUnhealthy() public {
        ScriptedBorrower b = new ScriptedBorrower(pool);
        ScriptedBorrower.Call[] memory calls = new ScriptedBorrower.Call[](2);
        calls[0] = ScriptedBorrower.Call(
            address(usdc),
            abi.encodeCall(IMockERC20.approve, (address(pool), type(uint256).max)),
            false
        );
        calls[1] = ScriptedBorrower.Call(
            address(pool),
            abi.encodeCall(pool.liquidate, (BORROWER, 0, address(weth), type(uint256).max, 0, address(b), "")),
            false
        );
        b.setCalls(calls);
        try b.borrow(address(usdc), 200_000e6) {
            _check("healthy account liquidated with flash money", false, 0, 0);
        } catch (bytes memory err) {
            _check("wrong revert", bytes4(err) == IPoolErrors.HealthyAccount.selector, 0, 0);
        }
        wethFeed.setAnswer(1_500e8); // health ≈ 100·1500·0.825 / 165k < 1
        usdc.mint(address(b), 200_000e6); // the liquidator's own money repays the loan
        b.borrow(address(usdc), 200_000e6);
        _check("liquidator got no collateral", weth.balanceOf(address(b)) > 0, weth.balanceOf(address(b)), 0);
        Market memory m = ext.market(address(usdc));
        (, , , , uint256 coll, ) = ext.assetLimits(address(weth));
        _check(
            "USDC books not covered",
            usdc.balanceOf(address(pool)) >= m.totalSupplyAssets - m.totalBorrowAssets,
            usdc.balanceOf(address(pool)),
            m.totalSupplyAssets - m.totalBorrowAssets
        );
        _check(
            "WETH collateral not covered",
            weth.balanceOf(address(pool)) >= coll,
            weth.balanceOf(address(pool)),
            coll
        );
    }

    function _assetsOf(uint256 shares, Market memory m) internal pure returns (uint256) {
        return (shares * (uint256(m.totalSupplyAssets) + 1)) / (uint256(m.totalSupplyShares) + 1e6);
    }

    function _check(string memory what, bool ok, uint256 left, uint256 right) internal pure {
        if (!ok) revert Failed(what, left, right);
    }
}
