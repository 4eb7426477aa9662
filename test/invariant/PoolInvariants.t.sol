// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Pool} from "../../contracts/core/Pool.sol";
import {PoolExt} from "../../contracts/core/PoolExt.sol";
import {FulcraVault} from "../../contracts/core/FulcraVault.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockPriceFeed} from "../../contracts/mocks/MockPriceFeed.sol";
import {Market, ListingParams} from "../../contracts/interfaces/IPoolTypes.sol";

import {VM} from "./Vm.sol";
import {PoolHandler} from "./PoolHandler.sol";

/// @title PoolInvariants
/// @notice Stateful invariant campaign of the pool (docs/security.md). Foundry calls random sequences of the
/// handler's actions — supply/withdraw (assets, shares, all), collateral in/out, borrow, repay (part/all),
/// liquidation, flash loans (honest, re-entrant, short), ERC-4626 deposits/redeems, round trips, full exits,
/// authorizations, price moves, time jumps, risk-engine updates and governance/guardian/treasury calls — by four
/// actors with two accounts each over three assets (6, 18 and 8 decimals). The handler checks the transition
/// invariants on every step; `invariant_books` checks the global ones after every step.
contract PoolInvariants {
    uint256 internal constant NA = 3;
    uint256 internal constant NU = 4;
    uint256 internal constant NS = 2;
    uint256 internal constant VIRTUAL_SHARES = 1e6;

    Pool internal pool;
    PoolExt internal ext;
    PoolHandler internal handler;
    MockERC20[NA] internal tokens;

    error Broken(string invariant, uint256 asset, uint256 left, uint256 right);

    function setUp() public {
        pool = new Pool(address(this), address(new PoolExt()));
        ext = PoolExt(payable(address(pool)));
        ext.grantRole(pool.RISK_ADMIN_ROLE(), address(this));

        MockPriceFeed[NA] memory feeds;
        (tokens[0], feeds[0]) = _list("USDC", 6, 1e8, 8_000, 8_500, 1_000, 9_000, 100e6);
        (tokens[1], feeds[1]) = _list("WETH", 18, 2_000e8, 8_000, 8_250, 1_500, 8_000, 0.05e18);
        (tokens[2], feeds[2]) = _list("WBTC", 8, 60_000e8, 7_300, 7_800, 2_000, 4_500, 1e5);

        address[NU] memory actors = [address(0xA11CE), address(0xB0B), address(0xCA501), address(0xDA7E)];
        handler = new PoolHandler(pool, tokens, feeds, actors);
        ext.grantRole(pool.RISK_ADMIN_ROLE(), address(handler));
        ext.grantRole(pool.GUARDIAN_ROLE(), address(handler));
        ext.grantRole(pool.TREASURY_ROLE(), address(handler));
        ext.grantRole(pool.RISK_ENGINE_ROLE(), address(handler));

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

    /// @notice The global invariants, per asset, after every call.
    function invariant_books() public view {
        for (uint256 i; i < NA; ++i) {
            address token = address(tokens[i]);
            Market memory m = ext.market(token);
            uint256 supplyAssets = m.totalSupplyAssets;
            uint256 borrowAssets = m.totalBorrowAssets;
            (, , , , uint256 totalCollateral, address vault) = ext.assetLimits(token);
            uint256 fees = ext.marketInfo(token).liquidationFees;

            // 1. Tokens held cover the cash the books say is there, the collateral and the protocol's fees.
            if (borrowAssets > supplyAssets) _broken("borrowed above supplied", i, borrowAssets, supplyAssets);
            uint256 owed = supplyAssets - borrowAssets + totalCollateral + fees;
            uint256 held = tokens[i].balanceOf(address(pool));
            if (held < owed) _broken("token balance below cash + collateral + fees", i, held, owed);

            // 2. Supply shares: every holder (actors, the vault) plus the reserves make up the total, exactly.
            uint256 shares = m.reserveShares + pool.supplyShares(token, vault);
            for (uint256 u; u < NU; ++u) shares += pool.supplyShares(token, handler.actorAt(u));
            if (shares != m.totalSupplyShares) _broken("sum of supply shares", i, shares, m.totalSupplyShares);
            if (FulcraVault(vault).totalSupply() != pool.supplyShares(token, vault)) {
                _broken("vault shares != its pool shares", i, FulcraVault(vault).totalSupply(), 0);
            }

            // 3. Debt shares add up exactly; debts (rounded up) add up to the total within rounding: at most one
            // wei per account above it, and below it at most the virtual shares' claim plus one wei.
            uint256 debtShares;
            uint256 debts;
            uint256 accounts;
            for (uint256 k; k < NU * NS; ++k) {
                (address debtAsset, uint256 s, , , ) = ext.accountOf(handler.actorAt(k / NS), uint96(k % NS));
                if (debtAsset != token) continue;
                debtShares += s;
                debts += _mulDivUp(s, borrowAssets + 1, uint256(m.totalBorrowShares) + VIRTUAL_SHARES);
                ++accounts;
            }
            if (debtShares != m.totalBorrowShares) _broken("sum of debt shares", i, debtShares, m.totalBorrowShares);
            if (debts > borrowAssets + accounts) _broken("sum of debts above total debt", i, debts, borrowAssets);
            uint256 virtualClaim = _mulDivUp(VIRTUAL_SHARES, borrowAssets + 1, uint256(m.totalBorrowShares) + VIRTUAL_SHARES);
            if (debts + virtualClaim + 1 < borrowAssets) _broken("sum of debts below total debt", i, debts, borrowAssets);
        }
    }

    function _list(
        string memory symbol,
        uint8 decimals,
        int256 answer,
        uint16 ltv,
        uint16 lt,
        uint16 reserveFactor,
        uint16 kink,
        uint128 minBorrow
    ) internal returns (MockERC20 token, MockPriceFeed feed) {
        token = new MockERC20(symbol, symbol, decimals);
        feed = new MockPriceFeed(8, symbol, answer);
        ext.listAsset(
            address(token),
            ListingParams({
                feed: address(feed),
                heartbeat: 1 days,
                minAnswer: 0,
                maxAnswer: 1e20,
                ltv: ltv,
                lt: lt,
                borrowable: true,
                reserveFactor: reserveFactor,
                baseRate: 200,
                slope1: 400,
                slope2: 6_000,
                kink: kink,
                supplyCap: type(uint128).max,
                borrowCap: type(uint128).max,
                collateralCap: type(uint128).max,
                minBorrow: minBorrow
            })
        );
        VM.label(address(token), symbol);
    }

    function _broken(string memory invariant, uint256 asset, uint256 left, uint256 right) internal pure {
        revert Broken(invariant, asset, left, right);
    }

    function _mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + d - 1) / d;
    }
}
