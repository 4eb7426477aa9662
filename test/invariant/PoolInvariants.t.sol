// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Market, ListingParams} from "../../contracts/interfaces/IPoolTypes.sol";

import {VM} from "./Vm.sol";
import {IFulcraPool} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20, IMockPriceFeed} from "./IMocks.sol";
import {PoolHandler} from "./PoolHandler.sol";
import {FulcraSetup} from "./FulcraSetup.sol";
import {UniswapKit} from "./UniswapKit.sol";
import {FlakyFeed} from "./FlakyFeed.sol";
import {IRiskEngineAdmin, IMarginRouter, IVolOracleAdmin, ITimelock} from "./IPeriphery.sol";

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

    PoolHandler public handler;
    IMockERC20[NA] internal tokens;

    error Broken(string invariant, uint256 asset, uint256 left, uint256 right);

    function setUp() public {
        VM.warp(1_700_000_000); // a realistic clock: feeds can be dated a heartbeat in the past
        _deployPool();

        IMockPriceFeed[NA] memory feeds;
        (tokens[0], feeds[0]) = _list("USDC", 6, 1e8, 8_000, 8_500, 1_000, 9_000, 100e6);
        (tokens[1], feeds[1]) = _list("WETH", 18, 2_000e8, 8_000, 8_250, 1_500, 8_000, 0.05e18);
        (tokens[2], feeds[2]) = _list("WBTC", 8, 60_000e8, 7_300, 7_800, 2_000, 4_500, 1e5);

        // The pool reads each price through a FlakyFeed over the mock (the handler breaks and heals it); the
        // volatility oracle and the Uniswap kit keep the mock.
        FlakyFeed[NA] memory flaky;
        for (uint256 i; i < NA; ++i) {
            flaky[i] = new FlakyFeed(feeds[i], 1e20, 1 days);
            ext.setOracle(address(tokens[i]), address(flaky[i]), 1 days, 0, 1e20);
        }

        address[NU] memory actors = [address(0xA11CE), address(0xB0B), address(0xCA501), address(0xDA7E)];
        (IRiskEngineAdmin engine, IMarginRouter router, UniswapKit dex) = _deployPeriphery(feeds);
        // The timelock (1-day minimum delay, anyone executes) is a RISK_ADMIN of the pool; the handler proposes.
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1);
        ITimelock timelock = ITimelock(
            _deploy(
                "governance/FulcraTimelock.sol/FulcraTimelock.json",
                abi.encode(uint256(1 days), none, anyone, address(this))
            )
        );
        ext.grantRole(RISK_ADMIN_ROLE, address(timelock));
        handler = new PoolHandler(
            PoolHandler.Deps({
                pool: pool,
                tokens: tokens,
                feeds: feeds,
                flaky: flaky,
                actors: actors,
                engine: engine,
                margin: router,
                dex: dex,
                timelock: timelock
            })
        );
        timelock.grantRole(keccak256("PROPOSER_ROLE"), address(handler));
        ext.grantRole(RISK_ADMIN_ROLE, address(handler));
        ext.grantRole(GUARDIAN_ROLE, address(handler));
        ext.grantRole(TREASURY_ROLE, address(handler));
        ext.grantRole(RISK_ENGINE_ROLE, address(handler));
        engine.grantRole(RISK_ADMIN_ROLE, address(handler)); // switches assets between static and dynamic mode
        for (uint256 u; u < NU; ++u) {
            VM.startPrank(actors[u]);
            pool.setAuthorization(address(router), true);
            pool.setAuthorization(address(handler.callers(u)), true); // its own repayAndCall client
            for (uint256 i; i < NA; ++i) tokens[i].approve(address(router), type(uint256).max);
            VM.stopPrank();
        }

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

    /// @dev The real VolatilityOracle + RiskEngine (dynamic mode, the default profiles of lib/profiles.ts) and a
    /// real Uniswap V3 with two deep 0.3 % pools (WETH/USDC, WBTC/USDC) under the UniswapV3Adapter and MarginRouter.
    function _deployPeriphery(
        IMockPriceFeed[NA] memory feeds
    ) internal returns (IRiskEngineAdmin engine, IMarginRouter router, UniswapKit dex) {
        IVolOracleAdmin oracle = IVolOracleAdmin(
            _deploy("oracles/VolatilityOracle.sol/VolatilityOracle.json", abi.encode(address(this)))
        );
        engine = IRiskEngineAdmin(
            _deploy("risk/RiskEngine.sol/RiskEngine.json", abi.encode(address(pool), address(oracle), address(this)))
        );
        oracle.grantRole(keccak256("ORACLE_ADMIN_ROLE"), address(this));
        engine.grantRole(RISK_ADMIN_ROLE, address(this));
        ext.grantRole(RISK_ENGINE_ROLE, address(engine));
        // USDC, WETH, WBTC: initial volatility and profile as deployed by default (lib/profiles.ts: ltvMax,
        // ltMax, ltvMin, ltMin, slopes, ramp (2 %/h for WETH and WBTC, 1 %/h for USDC), cooldown 1 h, refVol,
        // breakerVol, breakerMove), except the LT-hold flags: USDC and WETH keep the default (all four: hold on
        // breaker, hold while easing, LT follows the fast estimate, released to the calm LT while the breaker is on
        // and for 12 h after), WBTC has none, so the plain ramp mechanics run too.
        uint64[NA] memory initialVol = [uint64(0.02e18), 0.6e18, 0.5e18];
        IRiskEngineAdmin.Profile[NA] memory profiles = [
            IRiskEngineAdmin.Profile(8000, 8500, 5000, 7000, 600, 300, 100, 3600, 0.05e18, 0.6e18, 0.05e18, true, 15),
            IRiskEngineAdmin.Profile(8000, 8250, 5000, 6500, 600, 400, 200, 3600, 0.6e18, 2e18, 0.15e18, true, 15),
            IRiskEngineAdmin.Profile(7300, 7800, 4500, 6000, 600, 400, 200, 3600, 0.5e18, 1.8e18, 0.12e18, true, 0)
        ];
        for (uint256 i; i < NA; ++i) {
            // Default estimator: one-day long and two-hour short half-lives, at most one update per 10 minutes.
            oracle.listAsset(address(tokens[i]), address(feeds[i]), 1 days, 10 minutes, 2 days, 1 hours, initialVol[i]);
            oracle.setFastHalfLife(address(tokens[i]), 2 hours);
            engine.setProfile(address(tokens[i]), profiles[i]);
            engine.update(address(tokens[i]));
        }

        dex = new UniswapKit(pool);
        dex.createPool(address(tokens[1]), address(tokens[0]), 200_000_000e18);
        dex.createPool(address(tokens[2]), address(tokens[0]), 200_000_000e18);
        address adapter = _deploy("margin/UniswapV3Adapter.sol/UniswapV3Adapter.json", abi.encode(dex.router()));
        router = IMarginRouter(
            _deploy("margin/MarginRouter.sol/MarginRouter.json", abi.encode(address(pool), adapter, address(this)))
        );
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
        _log("margin opens/increases", handler.nMarginOpens());
        _log("margin closes", handler.nMarginCloses());
        _log("margin decreases/adjustments", handler.nMarginDecreases());
        _log("margin positions liquidated", handler.nMarginLiquidations());
        _log("risk-engine updates that moved the pool", handler.nEngineUpdates());
        _log("risk-engine updates refused", handler.nEngineReverts());
        _log("steps with an LT ramp running", handler.nRampSteps());
        _log("timelock operations scheduled", handler.nOps());
        _log("timelock operations executed", handler.nTimelockExecutions());
        _log("feeds broken", handler.nFeedBreaks());
        _log("time jumps leaving a feed stale", handler.nStaleWarps());
        _log("(a) unhealthy accounts liquidated on a snapshot", handler.nLiqChecks());
        _log("liquidations with untrusted collateral", handler.nStaleLiqs());
        _log("(a) exception: debt feed untrusted (steps x accounts)", handler.nDebtFeedDown());
        _log("(a) exception: no trusted collateral", handler.nNoTrustedCollateral());
        _log("third-party attempts", handler.nThirdParty());
        _log("third-party attempts refused", handler.nThirdPartyRefused());
        _log("exits under a pause or breaker", handler.nPauseExits());
        _log("settleBadDebt", handler.nSettles());
        _log("repayAndCall", handler.nRepayAndCalls());
        _log("1-wei / dust amounts", handler.nDustActions());
        // One line per run, summed over the campaign by test/invariant/run.sh (which checks the minimum reach).
        string memory file = VM.envOr("FUZZ_STATS", string(""));
        if (bytes(file).length != 0) {
            VM.writeLine(
                file,
                string.concat(
                    string.concat(
                        VM.toString(handler.nActions()),
                        " ",
                        VM.toString(handler.nLiquidations()),
                        " ",
                        VM.toString(handler.nBadDebts()),
                        " ",
                        VM.toString(handler.nMarginOpens()),
                        " ",
                        VM.toString(handler.nMarginCloses())
                    ),
                    string.concat(
                        " ",
                        VM.toString(handler.nMarginLiquidations()),
                        " ",
                        VM.toString(handler.nEngineUpdates()),
                        " ",
                        VM.toString(handler.nRampSteps()),
                        " ",
                        VM.toString(handler.nFlashLoans()),
                        " ",
                        VM.toString(handler.nMarginDecreases()),
                        " ",
                        VM.toString(handler.nTimelockExecutions())
                    ),
                    _stats2()
                )
            );
        }
    }

    /// @dev The counters of issue #15 (feeds, third parties, pauses, bad-debt settlement), appended to the stats line.
    function _stats2() internal view returns (string memory) {
        return
            string.concat(
                string.concat(
                    " ",
                    VM.toString(handler.nFeedBreaks()),
                    " ",
                    VM.toString(handler.nStaleWarps()),
                    " ",
                    VM.toString(handler.nLiqChecks()),
                    " ",
                    VM.toString(handler.nStaleLiqs()),
                    " ",
                    VM.toString(handler.nThirdParty())
                ),
                string.concat(
                    " ",
                    VM.toString(handler.nThirdPartyRefused()),
                    " ",
                    VM.toString(handler.nPauseExits()),
                    " ",
                    VM.toString(handler.nSettles()),
                    " ",
                    VM.toString(handler.nRepayAndCalls()),
                    " ",
                    VM.toString(handler.nDustActions())
                )
            );
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
