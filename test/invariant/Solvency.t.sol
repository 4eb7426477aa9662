// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccountHealth} from "../../contracts/interfaces/IPoolTypes.sol";
import {IPoolErrors} from "../../contracts/interfaces/IPoolErrors.sol";
import {IPoolEvents} from "../../contracts/interfaces/IPoolEvents.sol";

import {VM, Vm} from "./Vm.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20, IMockPriceFeed} from "./IMocks.sol";
import {FulcraSetup} from "./FulcraSetup.sol";
import {FlakyFeed} from "./FlakyFeed.sol";

/// @notice Issue #15: one named test per solvency finding, replaying the original attack against the hardened pool.
/// Finding 1: a stranger attached 1 wei of collateral to a victim, then the feed of that asset broke, and every
/// liquidation of the victim reverted. Finding 2: a stale feed of a second collateral froze liquidation. Finding 3: a
/// liquidation at health 0.85 of a solvent account paid a bonus beyond its equity and created bad debt. Finding 4:
/// an insolvent account's liquidation left dust collateral and a shortfall nobody would ever book.
/// Also the MarginRouter finding of the campaign: a margin close is refused under the flash pause.
contract SolvencyTest is FulcraSetup {
    IMockERC20 internal usdc;
    IMockERC20 internal weth;
    IMockERC20 internal wbtc;
    IMockPriceFeed internal usdcFeed;
    IMockPriceFeed internal wethFeed;
    IMockPriceFeed internal wbtcFeed;
    FlakyFeed internal wbtcFlaky;
    address internal constant LENDER = address(0x1E4D);
    address internal constant VICTIM = address(0xB044);
    address internal constant ATTACKER = address(0xBAD);
    address internal constant KEEPER = address(0x4EE9);
    uint256 internal constant WAD = 1e18;

    error Failed(string what, uint256 left, uint256 right);

    function setUp() public {
        _deployPool();
        (usdc, usdcFeed) = _list("USDC", 6, 1e8, 8_000, 8_500, 1_000, 9_000, 100e6);
        (weth, wethFeed) = _list("WETH", 18, 2_000e8, 8_000, 8_250, 1_500, 8_000, 0.05e18);
        (wbtc, wbtcFeed) = _list("WBTC", 8, 60_000e8, 7_300, 7_800, 2_000, 4_500, 1e5);
        wbtcFlaky = new FlakyFeed(wbtcFeed, 1e20, 1 days);
        ext.setOracle(address(wbtc), address(wbtcFlaky), 1 days, 0, 1e20);
        address[4] memory who = [LENDER, VICTIM, ATTACKER, KEEPER];
        for (uint256 j; j < 4; ++j) {
            VM.startPrank(who[j]);
            usdc.approve(address(pool), type(uint256).max);
            weth.approve(address(pool), type(uint256).max);
            wbtc.approve(address(pool), type(uint256).max);
            VM.stopPrank();
        }
        usdc.mint(LENDER, 1_000_000e6);
        VM.prank(LENDER);
        pool.supply(address(usdc), 1_000_000e6, 0, LENDER);
        usdc.mint(KEEPER, 1_000_000e6);
    }

    /// @notice Finding 1. The attack: attach 1 wei of WBTC to the victim's account, then break WBTC's feed, so that
    /// pricing the victim reverts and nobody can liquidate it. Fixed twice over: the stranger is refused
    /// (Unauthorized, also as an operator scoped to another sub-account), and even when the victim itself holds 1 wei
    /// of WBTC whose feed then reverts, the victim is liquidated against its WETH (WBTC counted at zero).
    function test_finding1_oneWeiCollateralAttachedThenFeedBroken() public {
        _borrowAgainstWeth(10e18, 14_000e6);
        wbtc.mint(ATTACKER, 1);
        VM.prank(ATTACKER);
        VM.expectRevert(IPoolErrors.Unauthorized.selector);
        pool.supplyCollateral(address(wbtc), 1, VICTIM, 0);
        // An operator the victim scoped to sub-account 1 only is a stranger for sub-account 0.
        VM.prank(VICTIM);
        pool.setAuthorizationScope(ATTACKER, 1, type(uint96).max);
        VM.prank(ATTACKER);
        VM.expectRevert(IPoolErrors.Unauthorized.selector);
        pool.supplyCollateral(address(wbtc), 1, VICTIM, 0);
        (, , , address[] memory colls, ) = pool.accountOf(VICTIM, 0);
        _check("the stranger changed the victim's collateral set", colls.length == 1, colls.length, 1);

        // The victim's own 1 wei of WBTC, then the feed reverts and WETH falls: liquidation still works.
        wbtc.mint(VICTIM, 1);
        VM.prank(VICTIM);
        pool.supplyCollateral(address(wbtc), 1, VICTIM, 0);
        wbtcFlaky.setMode(wbtcFlaky.REVERT());
        wethFeed.setAnswer(1_650e8);
        _check("victim not under health 1", _health(VICTIM, 0) < WAD, _health(VICTIM, 0), WAD);
        VM.prank(KEEPER);
        (uint256 repaid, ) = pool.liquidate(VICTIM, 0, address(weth), type(uint256).max, 0, KEEPER, "");
        _check("nothing repaid", repaid != 0, repaid, 0);
        // Borrowing still needs every price: refused while the WBTC feed is down.
        VM.prank(VICTIM);
        VM.expectRevert(FlakyFeed.FeedDown.selector);
        pool.borrow(address(usdc), 1e6, VICTIM, 0, VICTIM);
    }

    /// @notice Finding 2. A second collateral whose feed went stale (time passed its heartbeat, its feed did not
    /// report) froze the liquidation of the account. Now the stale WBTC counts as zero and the WETH is seized.
    function test_finding2_liquidationWithStaleSecondCollateral() public {
        _borrowAgainstWeth(10e18, 12_000e6);
        wbtc.mint(VICTIM, 0.01e8); // $600
        VM.prank(VICTIM);
        pool.supplyCollateral(address(wbtc), 0.01e8, VICTIM, 0);
        VM.warp(block.timestamp + 1 days + 1);
        usdcFeed.setAnswer(1e8);
        wethFeed.setAnswer(1_400e8); // WBTC's feed does not report: stale
        VM.expectRevert(IPoolErrors.StalePrice.selector);
        ext.price(address(wbtc));
        _check("victim not under health 1", _health(VICTIM, 0) < WAD, _health(VICTIM, 0), WAD);
        // The stale collateral itself cannot be seized (its price is needed)...
        VM.prank(KEEPER);
        VM.expectRevert(IPoolErrors.StalePrice.selector);
        pool.liquidate(VICTIM, 0, address(wbtc), type(uint256).max, 0, KEEPER, "");
        // ... but the WETH can.
        VM.prank(KEEPER);
        (uint256 repaid, uint256 seized) = pool.liquidate(
            VICTIM,
            0,
            address(weth),
            type(uint256).max,
            0,
            KEEPER,
            ""
        );
        _check("nothing liquidated", repaid != 0 && seized != 0, repaid, seized);
        // Nor can the stale collateral be withdrawn.
        VM.prank(VICTIM);
        VM.expectRevert(IPoolErrors.StalePrice.selector);
        pool.withdrawCollateral(address(wbtc), 1, VICTIM, 0, VICTIM);
    }

    /// @notice Finding 3. A solvent account (collateral worth more than its debt) at health 0.85: the bonus at that
    /// depth (the maximum) used to exceed its equity, so the liquidation took all collateral and left bad debt. Now
    /// the bonus is capped by the equity: no BadDebt, collateral value >= debt value after (2 wei of rounding).
    function test_finding3_liquidationAtHealth085OfSolventAccountMakesNoBadDebt() public {
        _borrowAgainstWeth(10e18, 15_000e6);
        // Health 0.85 with WETH's LT 82.5 %: collateral / debt = 0.85 / 0.825 ~ 1.03 (solvent, 3 % equity).
        uint256 hf = _health(VICTIM, 0);
        wethFeed.setAnswer(int256((2_000e8 * 0.85e18) / hf));
        AccountHealth memory h = ext.accountHealth(VICTIM, 0);
        _check("health not ~0.85", h.healthFactor > 0.849e18 && h.healthFactor < 0.851e18, h.healthFactor, 0.85e18);
        _check("not solvent", h.collateralValue >= h.debtValue, h.collateralValue, h.debtValue);
        VM.recordLogs();
        VM.prank(KEEPER);
        pool.liquidate(VICTIM, 0, address(weth), type(uint256).max, 0, KEEPER, "");
        _noBadDebt();
        AccountHealth memory a = ext.accountHealth(VICTIM, 0);
        _check("left under water", a.collateralValue + 2 >= a.debtValue, a.collateralValue, a.debtValue);
        _check(
            "equity grew below zero or lenders paid the bonus",
            a.collateralValue + 2 >= a.debtValue,
            a.collateralValue,
            a.debtValue
        );
    }

    /// @notice Finding 4. An insolvent account with a main collateral and dust of another: the liquidation used to
    /// take the main collateral and leave the dust with a shortfall that nobody would liquidate, so the loss never
    /// reached the books. Now the first liquidation writes the shortfall off (BadDebt) and leaves the account solvent;
    /// with only dust left, settleBadDebt sweeps it to the protocol (DustSwept) and writes off the whole debt.
    function test_finding4_dustLeftAfterLiquidationOfInsolventAccount() public {
        _borrowAgainstWeth(10e18, 15_000e6);
        wbtc.mint(VICTIM, 0.0001e8); // $6 of WBTC: dust
        VM.prank(VICTIM);
        pool.supplyCollateral(address(wbtc), 0.0001e8, VICTIM, 0);
        wethFeed.setAnswer(1_300e8); // $13,000 of WETH for $15,000 of debt: insolvent
        AccountHealth memory h = ext.accountHealth(VICTIM, 0);
        _check("not insolvent", h.collateralValue < h.debtValue, h.collateralValue, h.debtValue);
        uint256 supplyBefore = ext.market(address(usdc)).totalSupplyAssets;
        VM.recordLogs();
        VM.prank(KEEPER);
        pool.liquidate(VICTIM, 0, address(weth), type(uint256).max, 0, KEEPER, "");
        _check("no BadDebt for the insolvent account", _countBadDebt() >= 1, 0, 1);
        _check(
            "the shortfall is not on the books",
            ext.market(address(usdc)).totalSupplyAssets < supplyBefore,
            ext.market(address(usdc)).totalSupplyAssets,
            supplyBefore
        );
        (, , uint256 debt, address[] memory colls, uint256[] memory amounts) = pool.accountOf(VICTIM, 0);
        AccountHealth memory a = ext.accountHealth(VICTIM, 0);
        _check("still insolvent after the liquidation", a.collateralValue >= a.debtValue, a.collateralValue, a.debtValue);

        // Whatever dust is left: if debt remains with it, it is worth no more than the dust, and settleBadDebt
        // refuses (solvent) — or, when the dust no longer covers it (its price falls), books it all.
        if (debt != 0) {
            _check("dust left is not WBTC", colls.length == 1 && colls[0] == address(wbtc), colls.length, 1);
            wbtcFeed.setAnswer(1_000e8); // the dust is now worth cents: insolvent, only dust left
            uint256 feesBefore = ext.marketInfo(address(wbtc)).liquidationFees;
            VM.recordLogs();
            pool.settleBadDebt(VICTIM, 0);
            (, , uint256 debtAfter, address[] memory collsAfter, ) = pool.accountOf(VICTIM, 0);
            _check("debt left after settling dust", debtAfter == 0, debtAfter, 0);
            _check("collateral left after settling dust", collsAfter.length == 0, collsAfter.length, 0);
            _check(
                "dust not swept to fees",
                ext.marketInfo(address(wbtc)).liquidationFees == feesBefore + amounts[0],
                ext.marketInfo(address(wbtc)).liquidationFees,
                feesBefore + amounts[0]
            );
        }
    }

    /// @notice settleBadDebt refuses a solvent account and an account whose solvency is unknown (a feed untrusted).
    function test_settleBadDebt_onlyInsolventWithTrustedPrices() public {
        _borrowAgainstWeth(10e18, 15_000e6);
        VM.expectRevert(IPoolErrors.NotInsolvent.selector);
        pool.settleBadDebt(VICTIM, 0);
        wbtc.mint(VICTIM, 1e8);
        VM.prank(VICTIM);
        pool.supplyCollateral(address(wbtc), 1e8, VICTIM, 0);
        wethFeed.setAnswer(100e8);
        wbtcFlaky.setMode(wbtcFlaky.AT_MAX());
        VM.expectRevert(IPoolErrors.PriceAtBound.selector);
        pool.settleBadDebt(VICTIM, 0);
    }

    function _borrowAgainstWeth(uint256 coll, uint256 debt) internal {
        weth.mint(VICTIM, coll);
        VM.startPrank(VICTIM);
        pool.supplyCollateral(address(weth), coll, VICTIM, 0);
        pool.borrow(address(usdc), debt, VICTIM, 0, VICTIM);
        VM.stopPrank();
    }

    function _health(address owner, uint96 sub) internal view returns (uint256) {
        return ext.accountHealth(owner, sub).healthFactor;
    }

    function _countBadDebt() internal returns (uint256 n) {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        for (uint256 j; j < logs.length; ++j) if (logs[j].topics[0] == IPoolEvents.BadDebt.selector) ++n;
    }

    function _noBadDebt() internal {
        uint256 n = _countBadDebt();
        _check("BadDebt emitted for a solvent account", n == 0, n, 0);
    }

    function _check(string memory what, bool ok, uint256 left, uint256 right) internal pure {
        if (!ok) revert Failed(what, left, right);
    }
}
