// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Market, ListingParams} from "../../contracts/interfaces/IPoolTypes.sol";

import {VM} from "./Vm.sol";
import {IFulcraPool, IMockERC20, IMockPriceFeed} from "./IFulcraPool.sol";
import {PoolHandler} from "./PoolHandler.sol";
import {FulcraSetup} from "./FulcraSetup.sol";

/// @title PoolInvariants
/// @notice Stateful invariant campaign of the pool (docs/security.md). Foundry calls random sequences of the
/// handler's actions — supply/withdraw (assets, shares, all), collateral in/out, borrow, repay (part/all),
/// liquidation, flash loans (honest, re-entrant, short), ERC-4626 deposits/redeems, round trips, full exits,
/// authorizations, price moves, time jumps, risk-engine updates and governance/guardian/treasury calls — by four
/// actors with two accounts each over three assets (6, 18 and 8 decimals). The handler checks the transition
/// invariants on every step; `invariant_books` checks the global ones after every step.
contract PoolInvariants is FulcraSetup {
    uint256 internal constant NA = 3;
    uint256 internal constant NU = 4;
    uint256 internal constant NS = 2;
    uint256 internal constant VIRTUAL_SHARES = 1e6;

    PoolHandler internal handler;
    IMockERC20[NA] internal tokens;

    error Broken(string invariant, uint256 asset, uint256 left, uint256 right);

    function setUp() public {
        _deployPool();

        IMockPriceFeed[NA] memory feeds;
        (tokens[0], feeds[0]) = _list("USDC", 6, 1e8, 8_000, 8_500, 1_000, 9_000, 100e6);
        (tokens[1], feeds[1]) = _list("WETH", 18, 2_000e8, 8_000, 8_250, 1_500, 8_000, 0.05e18);
        (tokens[2], feeds[2]) = _list("WBTC", 8, 60_000e8, 7_300, 7_800, 2_000, 4_500, 1e5);

        address[NU] memory actors = [address(0xA11CE), address(0xB0B), address(0xCA501), address(0xDA7E)];
        handler = new PoolHandler(pool, tokens, feeds, actors);
        ext.grantRole(RISK_ADMIN_ROLE, address(handler));
        ext.grantRole(GUARDIAN_ROLE, address(handler));
        ext.grantRole(TREASURY_ROLE, address(handler));
        ext.grantRole(RISK_ENGINE_ROLE, address(handler));

        // A live starting book: two lenders in every asset, two borrowers against WETH and WBTC.
        for (uint256 u; u < NU; ++u) {
            VM.startPrank(actors[u]);
            for (uint256 i; i < NA; ++i) tokens[i].approve(address(pool), type(uint256).max);
            VM.stopPrank();
        }
        uint256[NA] memory lend = [uint256(1_000_000e6), 500e18, 20e8];
        for (uint256 u; u < 2; ++u) {
            for (uint256 i; i < NA; ++i) {
                tokens[i].mint(actors[u], lend[i]);
                VM.prank(actors[u]);
                pool.supply(address(tokens[i]), lend[i], 0, actors[u]);
            }
        }
        tokens[1].mint(actors[2], 100e18);
        VM.prank(actors[2]);
        pool.supplyCollateral(address(tokens[1]), 100e18, actors[2], 0);
        VM.prank(actors[2]);
        pool.borrow(address(tokens[0]), 150_000e6, actors[2], 0, actors[2]);
        tokens[2].mint(actors[3], 5e8);
        VM.prank(actors[3]);
        pool.supplyCollateral(address(tokens[2]), 5e8, actors[3], 1);
        VM.prank(actors[3]);
        pool.borrow(address(tokens[1]), 60e18, actors[3], 1, actors[3]);
    }

    /// @notice Foundry fuzzes only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The global solvency invariants, per asset, after every call (the handler checks the share sums, the
    /// debt sums, the prices and every transition on each step).
    function invariant_books() public view {
        for (uint256 i; i < NA; ++i) {
            address token = address(tokens[i]);
            Market memory m = ext.market(token);
            uint256 supplyAssets = m.totalSupplyAssets;
            uint256 borrowAssets = m.totalBorrowAssets;
            (, , , , uint256 totalCollateral, ) = ext.assetLimits(token);
            uint256 fees = ext.marketInfo(token).liquidationFees;

            // Total borrowed never exceeds total supplied (bad debt is written off both sides).
            if (borrowAssets > supplyAssets) _broken("borrowed above supplied", i, borrowAssets, supplyAssets);
            // Tokens held cover the cash the books say is there, the collateral and the protocol's fees.
            uint256 owed = supplyAssets - borrowAssets + totalCollateral + fees;
            uint256 held = tokens[i].balanceOf(address(pool));
            if (held < owed) _broken("token balance below cash + collateral + fees", i, held, owed);
        }
    }

    /// @notice At the end of each run: something happened, and (with -vv) how much of each kind.
    function afterInvariant() public {
        if (handler.nActions() == 0) _broken("no action ran", 0, 0, 0);
        _log("actions", handler.nActions());
        _log("expected reverts", handler.nExpectedReverts());
        _log("steps ending with an unhealthy account", handler.nUnhealthySteps());
        _log("liquidation attempts on indebted accounts", handler.nLiquidationAttempts());
        _log("liquidations", handler.nLiquidations());
        _log("bad-debt write-offs", handler.nBadDebts());
        _log("flash loans", handler.nFlashLoans());
        _log("full exits", handler.nExits());
    }

    /// @dev Foundry's console.log(string, uint256).
    function _log(string memory what, uint256 n) internal view {
        address console = 0x000000000000000000636F6e736F6c652e6c6f67;
        (bool ok, ) = console.staticcall(abi.encodeWithSignature("log(string,uint256)", what, n));
        ok;
    }

    function _broken(string memory invariant, uint256 asset, uint256 left, uint256 right) internal pure {
        revert Broken(invariant, asset, left, right);
    }

    function _mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + d - 1) / d;
    }
}
