// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Market, AccountHealth, AssetRisk} from "../../contracts/interfaces/IPoolTypes.sol";
import {IPoolEvents} from "../../contracts/interfaces/IPoolEvents.sol";
import {IPoolErrors} from "../../contracts/interfaces/IPoolErrors.sol";

import {IFulcraPool, IFulcraPoolExt} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockERC20, IMockPriceFeed} from "./IMocks.sol";
import {VM, Vm} from "./Vm.sol";
import {FlashBorrower} from "./FlashBorrower.sol";
import {IRiskEngineAdmin, IMarginRouter, ITimelock} from "./IPeriphery.sol";
import {UniswapKit} from "./UniswapKit.sol";
import {FlakyFeed, RepayCaller} from "./FlakyFeed.sol";

/// @title PoolHandler
/// @notice The actions of the stateful invariant campaign. Foundry calls these with random arguments, in random
/// order, many actors at a time. Every action snapshots every account before and after and checks the transition
/// invariants (authorization, health, share prices, LT ramp); the global invariants are checked by the test
/// contract after every call. A violation reverts with `Violation(reason)`, so the campaign fails and Foundry prints
/// the shrunk call sequence (replay with the printed seed: FUZZ_SEED).
/// @dev Expected business reverts of the pool (custom errors) are caught and counted; a Panic, an empty revert or a
/// token-level "insufficient balance" from the pool is a violation: the pool must never fail those ways.
contract PoolHandler {
    uint256 internal constant NA = 3; // assets
    uint256 internal constant NU = 4; // actors
    uint256 internal constant NS = 2; // sub-accounts per actor
    uint256 internal constant NR = NU * NS; // regular accounts (owner, subId < NS)
    uint256 internal constant NM = NU; // margin slots: one position account per actor (MarginRouter sub-account)
    uint256 internal constant NK = NR + NM; // accounts tracked
    uint256 internal constant WAD = 1e18;
    uint256 internal constant VIRTUAL_SHARES = 1e6;

    uint8 internal constant K_USER = 0; // an ordinary user action
    uint8 internal constant K_LIQ = 1; // liquidation of one account (the target may lose collateral)
    uint8 internal constant K_NONUSER = 2; // price, time, risk engine, governance: health may change
    // A user action through the MarginRouter on one position account: it adds collateral before it borrows (increase)
    // or repays before it withdraws (decrease), so the pool checks the account after the first leg; the position
    // must still end within its LTV, but it may have started unhealthy.
    uint8 internal constant K_COMPOSITE = 3;
    // `repayAndCall` on one account: inside the callback it may withdraw beyond its LTV if its health ends no lower
    // than before the repay.
    uint8 internal constant K_DELEVER = 4;
    /// @dev The funded keeper of invariant (a): liquidates, on a state snapshot, every account under health 1.
    address internal constant KEEPER = address(0x4EE9E5);
    uint8 internal constant PAUSE_FLAGS = 4 | 8 | 16 | 32; // supply, borrow, breaker, flash

    error Violation(string reason);

    /// @dev FulcraVault.SharesMismatch(): the vault's previews and the pool disagree.
    bytes4 internal constant SHARES_MISMATCH = bytes4(keccak256("SharesMismatch()"));

    IFulcraPool public immutable pool;
    IFulcraPool internal immutable ext; // the same pool: governance and views go through its fallback
    FlashBorrower public immutable flash;
    address public immutable treasury = address(0x7EA5);
    IRiskEngineAdmin public immutable engine; // the real RiskEngine (dynamic mode) over the real VolatilityOracle
    IMarginRouter public immutable margin; // the real MarginRouter + UniswapV3Adapter
    UniswapKit public immutable dex; // a real Uniswap V3 with its arbitrageur and manipulator
    ITimelock public immutable timelock; // FulcraTimelock, RISK_ADMIN of the pool (the handler proposes)

    /// @dev TimelockController.TimelockUnexpectedOperationState(bytes32,bytes32): not ready (or not scheduled).
    bytes4 internal constant TIMELOCK_STATE = bytes4(keccak256("TimelockUnexpectedOperationState(bytes32,bytes32)"));

    IMockERC20[NA] internal tokens;
    IMockPriceFeed[NA] internal feeds;
    FlakyFeed[NA] internal flaky; // what the pool reads: the mock's round, or a broken one
    RepayCaller[NU] public callers; // each actor's repayAndCall client (authorized by its actor only)
    address[NA] internal vaults;
    int256[NA] internal baseAnswers;
    int256[NA] internal answers;
    address[NU] internal actors;

    /// @notice The campaign's clock (Foundry does not carry `vm.warp` from one call to the next by itself).
    uint256 public time;

    // Ghosts: last share prices (as fractions) and LT observations per asset.
    uint256[NA] internal supplyNum;
    uint256[NA] internal supplyDen;
    uint256[NA] internal borrowNum;
    uint256[NA] internal borrowDen;
    uint256[NA] internal lastLt;
    uint256[NA] internal lastLtTime;
    uint256[NA] internal lastRamp; // the pool's ramp speed (bps/hour) in force since the last observation

    // Margin slots: the position each actor's slot tracks (0: none yet), its pair and side.
    uint256[NM] internal slotPosition;
    uint256[NM] internal slotBase; // index of the base asset (the quote is always asset 0, USDC)
    bool[NM] internal slotLong;

    // Timelock operations in flight (4 slots): call data, salt, ready time (0: none).
    bytes[4] internal opData;
    bytes32[4] internal opSalt;
    uint256[4] internal opReady;
    uint256 public nOps;
    uint256 public nTimelockExecutions;

    // Statistics, printed by the test and summed over the campaign by run.sh.
    uint256 public nActions;
    uint256 public nExpectedReverts;
    uint256 public nLiquidations;
    uint256 public nBadDebts;
    uint256 public nFlashLoans;
    uint256 public nExits;
    uint256 public nUnhealthySteps; // steps that ended with at least one unhealthy account
    uint256 public nLiquidationAttempts;
    uint256 public nMarginOpens; // opens and increases that went through
    uint256 public nMarginCloses; // full closes that went through
    uint256 public nMarginDecreases; // partial decreases and margin adds/removes that went through
    uint256 public nMarginLiquidations; // liquidations of margin positions
    uint256 public nEngineUpdates; // RiskEngine.update calls that changed the pool (LTV/LT target/breaker)
    uint256 public nEngineReverts; // RiskEngine.update calls the pool refused (expected custom errors)
    uint256 public nRampSteps; // steps that observed an LT below its anchor (a ramp running)
    uint256 public nFeedBreaks; // a pool feed broken (revert, garbage, bound, <= 0, incomplete, stale, future)
    uint256 public nStaleWarps; // time jumps past the heartbeat that left at least one feed unrefreshed
    uint256 public nLiqChecks; // invariant (a): unhealthy accounts liquidated on a snapshot
    uint256 public nStaleLiqs; // liquidations (real or invariant (a)) of an account holding untrusted collateral
    uint256 public nDebtFeedDown; // invariant (a) exception: indebted account whose debt feed is untrusted
    uint256 public nNoTrustedCollateral; // invariant (a) exception: unhealthy, but no collateral with a trusted price
    uint256 public nThirdParty; // attempts on another's account (supply/withdraw collateral, borrow, withdraw, ...)
    uint256 public nThirdPartyRefused; // ... refused
    uint256 public nPauseExits; // exits (repay, top-up, margin close, liquidation, full exit) under a pause/breaker
    uint256 public nSettles; // settleBadDebt that went through
    uint256 public nRepayAndCalls; // repayAndCall that went through
    uint256 public nDustActions; // 1-wei / dust amounts tried

    struct Snap {
        uint256[NK] shares;
        uint256[NK] debt;
        uint256[NA][NK] coll;
        bool[NK] healthy;
        uint256[NA][NU] supply;
        uint256[NK] debtIdx; // 1 + index of the debt asset, 0 without debt
        bool[NU] authorizedActor; // actors[u] is the acting address or authorized it (filled at each start)
        bool[NK] authorizedK; // the acting address is the owner of account k, a full or a scoped operator for it
        uint256[NK] hf; // liquidation health (untrusted collateral at zero); max without debt or if unknown
        uint256[NK] value; // collateral value, untrusted collateral at zero (18-decimal USD)
        uint256[NK] debtValue;
        bool[NK] trusted; // every price the account needs (collateral and debt) is trusted
        bool[NA] priceOk; // the pool trusts the asset's price now
    }

    /// @dev The state after the last action, which is the state before the next one (same block, same prices).
    Snap internal _last;
    bool internal _hasLast;

    struct Deps {
        IFulcraPool pool;
        IMockERC20[NA] tokens;
        IMockPriceFeed[NA] feeds;
        FlakyFeed[NA] flaky;
        address[NU] actors;
        IRiskEngineAdmin engine;
        IMarginRouter margin;
        UniswapKit dex;
        ITimelock timelock;
    }

    constructor(Deps memory d) {
        pool = d.pool;
        ext = d.pool;
        flash = new FlashBorrower(d.pool);
        engine = d.engine;
        margin = d.margin;
        dex = d.dex;
        timelock = d.timelock;
        tokens = d.tokens;
        feeds = d.feeds;
        flaky = d.flaky;
        actors = d.actors;
        for (uint256 u; u < NU; ++u) callers[u] = new RepayCaller(address(d.pool), d.actors[u]);
        time = block.timestamp;
        for (uint256 i; i < NA; ++i) {
            (, int256 answer, , , ) = d.feeds[i].latestRoundData();
            baseAnswers[i] = answer;
            answers[i] = answer;
            (, , , , , vaults[i]) = ext.assetLimits(address(d.tokens[i]));
            lastLt[i] = ext.effectiveLt(address(d.tokens[i]));
            lastLtTime[i] = block.timestamp;
            lastRamp[i] = ext.assetRisk(address(d.tokens[i])).rampBpsPerHour;
            supplyNum[i] = 1;
            supplyDen[i] = VIRTUAL_SHARES;
            borrowNum[i] = 1;
            borrowDen[i] = VIRTUAL_SHARES;
        }
    }

    // ================================================================ lenders

    function supply(uint256 actorSeed, uint256 assetSeed, uint256 amountSeed, bool byShares) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        uint256 amount = _amount(amountSeed, i);
        uint256 assets = amount;
        uint256 shares;
        if (byShares) {
            Market memory m = ext.expectedMarket(address(tokens[i]));
            shares = amount * 1e3; // about a thousandth of a wei-per-share price: exercises rounding up
            assets = _mulDivUp(shares, m.totalSupplyAssets + 1, m.totalSupplyShares + VIRTUAL_SHARES);
        }
        tokens[i].mint(actor, assets);
        VM.prank(actor);
        try pool.supply(address(tokens[i]), byShares ? 0 : amount, shares, actor) returns (uint256 a, uint256 sh) {
            if (a != assets) _fail("supply: assets pulled differ from preview");
            if (byShares && sh != shares) _fail("supply: shares minted differ from request");
        } catch (bytes memory err) {
            _expected(err);
        }
        _end(s, actor, K_USER, NK);
    }

    function withdraw(
        uint256 actorSeed,
        uint256 ownerSeed,
        uint256 assetSeed,
        uint256 amountSeed,
        uint8 mode
    ) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address owner = _owner(actor, ownerSeed);
        uint256 balance = pool.supplyShares(address(tokens[i]), owner);
        uint256 assets;
        uint256 shares;
        mode %= 3;
        if (mode == 0) assets = _amount(amountSeed, i);
        else if (mode == 1) shares = balance == 0 ? 1 : 1 + (amountSeed % balance);
        else shares = balance == 0 ? 1 : balance; // everything
        uint256 before = tokens[i].balanceOf(actor);
        VM.prank(actor);
        try pool.withdraw(address(tokens[i]), assets, shares, owner, actor) returns (uint256 a, uint256) {
            if (tokens[i].balanceOf(actor) - before != a) _fail("withdraw: paid differs from returned");
        } catch (bytes memory err) {
            if (owner != actor && !s.authorizedActor[_actorIdx(owner)]) {
                ++nThirdPartyRefused;
                if (bytes4(err) != IPoolErrors.Unauthorized.selector) _failWith("third party refused otherwise", err);
            }
            _expected(err);
        }
        if (owner != actor && !s.authorizedActor[_actorIdx(owner)]) ++nThirdParty;
        _end(s, actor, K_USER, NK);
    }

    // ================================================================ borrowers

    function supplyCollateral(uint256 actorSeed, uint256 ownerSeed, uint256 assetSeed, uint256 amountSeed) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address owner = _owner(actor, ownerSeed);
        // Half of the time a position worth $1k..$200k, so that borrowing above the minimum is possible.
        uint256 amount = amountSeed % 2 == 0 ? _amount(amountSeed >> 1, i) : _sizable(amountSeed >> 1, i);
        if (amountSeed % 7 == 3) amount = _dust(amountSeed, i); // 1 wei or a few cents: the griefing size
        uint96 sub = uint96(ownerSeed >> 128) % uint96(NS);
        tokens[i].mint(actor, amount);
        VM.prank(actor);
        try pool.supplyCollateral(address(tokens[i]), amount, owner, sub) {} catch (bytes memory err) {
            _thirdPartyRefused(s, owner, sub, err);
            _expected(err);
        }
        _thirdParty(s, owner, sub);
        _end(s, actor, K_USER, NK);
    }

    function withdrawCollateral(uint256 actorSeed, uint256 ownerSeed, uint256 assetSeed, uint256 amountSeed) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address owner = _owner(actor, ownerSeed);
        uint96 sub = uint96(ownerSeed >> 128) % uint96(NS);
        uint256 amount = amountSeed % 4 == 0 ? type(uint256).max : _amount(amountSeed, i);
        if (amountSeed % 7 == 3) amount = _dust(amountSeed, i);
        VM.prank(actor);
        try pool.withdrawCollateral(address(tokens[i]), amount, owner, sub, actor) {} catch (bytes memory err) {
            _thirdPartyRefused(s, owner, sub, err);
            _expected(err);
        }
        _thirdParty(s, owner, sub);
        _end(s, actor, K_USER, NK);
    }

    function borrow(uint256 actorSeed, uint256 ownerSeed, uint256 assetSeed, uint256 amountSeed) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address owner = _owner(actor, ownerSeed);
        uint96 sub = uint96(ownerSeed >> 128) % uint96(NS);
        uint256 amount = _borrowAmount(owner, sub, i, amountSeed);
        VM.prank(actor);
        try pool.borrow(address(tokens[i]), amount, owner, sub, actor) {} catch (bytes memory err) {
            _thirdPartyRefused(s, owner, sub, err);
            _expected(err);
        }
        _thirdParty(s, owner, sub);
        _end(s, actor, K_USER, NK);
    }

    function repay(uint256 actorSeed, uint256 ownerSeed, uint256 amountSeed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        address owner = _owner(actor, ownerSeed);
        uint96 sub = uint96(ownerSeed >> 128) % uint96(NS);
        (address debtAsset, , uint256 debt, , ) = ext.accountOf(owner, sub);
        if (debtAsset != address(0)) {
            bool all = amountSeed % 3 == 0 && amountSeed % 7 != 3;
            uint256 amount = all ? type(uint256).max : 1 + (amountSeed % debt);
            if (amountSeed % 7 == 3) {
                amount = 1; // 1 wei: refused (ZeroShares) or repays a wei, never more
                ++nDustActions;
            }
            if (owner != actor) ++nThirdParty; // repay is open to anyone
            IMockERC20(debtAsset).mint(actor, debt);
            VM.prank(actor);
            try pool.repay(debtAsset, amount, owner, sub) returns (uint256 paid, uint256) {
                if (all && paid != debt) _fail("repay all: paid differs from the debt shown");
            } catch (bytes memory err) {
                if (all) _fail("repay all reverted");
                _expected(err);
            }
        }
        _end(s, actor, K_USER, NK);
    }

    // ================================================================ liquidation

    function liquidate(uint256 actorSeed, uint256 targetSeed, uint256 collSeed, uint256 repaySeed) external {
        (address actor, uint256 ci, Snap memory s) = _begin(actorSeed, collSeed);
        uint256 k = targetSeed % NK;
        // Three times in four, aim at an unhealthy account and a collateral it holds (else a random pair, which
        // must be refused unless it happens to be liquidatable).
        if (targetSeed % 4 != 0) {
            uint256 pick = NK;
            for (uint256 j; j < NK; ++j) {
                uint256 c = (k + j) % NK;
                if (!s.healthy[c]) {
                    pick = c;
                    break;
                }
                if (pick == NK && s.shares[c] != 0) pick = c; // else at least an indebted one
            }
            if (pick != NK) k = pick;
        }
        if (collSeed % 4 != 0) {
            for (uint256 j; j < NA; ++j) {
                if (s.coll[k][(ci + j) % NA] != 0) {
                    ci = (ci + j) % NA;
                    break;
                }
            }
        }
        _liquidate(actor, k, address(tokens[ci]), repaySeed, s.healthy[k]);
        _end(s, actor, K_LIQ, k);
    }

    /// @dev Set by a liquidation or settleBadDebt that went through during the current action.
    bool internal _liqOk;

    struct Liq {
        address owner;
        uint96 sub;
        address debtAsset;
        uint256 debt;
        uint256 maxRepay;
        uint256 pc;
        uint256 pd;
        uint256 maxBonus;
    }

    function _liquidate(address actor, uint256 k, address coll, uint256 repaySeed, bool wasHealthy) internal {
        Liq memory l;
        (l.owner, l.sub) = _account(k);
        (l.debtAsset, , l.debt, , ) = ext.accountOf(l.owner, l.sub);
        if (l.debtAsset == address(0)) return;
        ++nLiquidationAttempts;
        l.maxRepay = repaySeed % 3 == 0 ? type(uint256).max : 1 + (repaySeed % l.debt);
        IMockERC20(l.debtAsset).mint(actor, l.debt + 1);
        l.pc = _priceOr0(coll);
        l.pd = _priceOr0(l.debtAsset);
        l.maxBonus = ext.liquidationConfig(coll).maxBonus;
        VM.prank(actor);
        try pool.liquidate(l.owner, l.sub, coll, l.maxRepay, 0, actor, "") returns (uint256 repaid, uint256 seized) {
            ++nLiquidations;
            _liqOk = true;
            if (_anyUntrustedCollateral(_last, k)) ++nStaleLiqs;
            if (l.pc == 0 || l.pd == 0) _fail("liquidate: went through with the seized or debt price untrusted");
            if (k >= NR) ++nMarginLiquidations;
            if (wasHealthy) _fail("liquidate: a healthy account was liquidated");
            if (repaid > l.maxRepay) _fail("liquidate: repaid above the liquidator's maximum");
            // The liquidator never gets more than the repaid value plus the maximum bonus (one unit of rounding).
            uint256 cap = _mulDivUp((repaid * l.pd) / WAD + 1, 10_000 + l.maxBonus, 10_000) + l.pc / WAD + 1;
            if ((seized * l.pc) / WAD > cap) _fail("liquidate: seized more than repay plus the maximum bonus");
        } catch (bytes memory err) {
            if (!wasHealthy && bytes4(err) == IPoolErrors.HealthyAccount.selector) {
                _fail("liquidate: an unhealthy account reported healthy");
            }
            _expected(err);
        }
    }

    // ================================================================ flash loans

    function flashLoan(uint256 actorSeed, uint256 assetSeed, uint256 amountSeed, uint8 mode) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address token = address(tokens[i]);
        uint256 max = pool.maxFlashLoan(token);
        mode %= 4;
        if (max != 0) {
            uint256 amount = 1 + (amountSeed % max);
            uint256 fee = pool.flashFee(token, amount);
            uint256 reservesBefore = ext.marketInfo(token).reserves;
            uint256 balBefore = tokens[i].balanceOf(address(pool));
            uint256 deposited = mode == 1 ? amount : 0;
            Market memory m = ext.expectedMarket(token);
            try flash.run(token, amount, mode, actor) {
                ++nFlashLoans;
                if (
                    flash.seenSupplyAssets() != m.totalSupplyAssets ||
                    flash.seenSupplyShares() != m.totalSupplyShares ||
                    flash.seenBorrowAssets() != m.totalBorrowAssets
                ) _fail("flash loan: views showed other books while the loan was out");
                if (mode == 2) _fail("flash loan: repaid one wei short and went through");
                if (flash.nestedSucceeded()) _fail("flash loan: a nested flash loan went through");
                if (tokens[i].balanceOf(address(pool)) != balBefore + fee + deposited) {
                    _fail("flash loan: pool balance did not grow by the fee");
                }
                if (ext.marketInfo(token).reserves + 2 < reservesBefore + fee) _fail("flash loan: fee not in reserves");
            } catch (bytes memory err) {
                // setPause and the circuit breaker do not stop flash loans (only setFlashPause, reflected in max).
                bytes4 sel = bytes4(err);
                // (Mode 1 supplies the loan during the callback: that supply may be paused.)
                if (
                    mode != 1 && (sel == IPoolErrors.BorrowPaused.selector || sel == IPoolErrors.SupplyPaused.selector)
                ) {
                    _failWith("flash loan refused by the supply/borrow pause", err);
                }
                if (sel == IPoolErrors.FlashPaused.selector) {
                    _failWith("maxFlashLoan non-zero under the flash pause", err);
                }
                if (mode != 2 || sel != 0xfb8f41b2) _expected(err); // ERC20InsufficientAllowance
            }
        } else if (_flags(i) & 32 != 0) {
            // Paused: refused with its own error.
            try flash.run(token, 1, 0, actor) {
                _fail("flash loan went through under the flash pause");
            } catch (bytes memory err) {
                if (bytes4(err) != IPoolErrors.FlashPaused.selector) _failWith("flash pause: other error", err);
            }
        }
        _end(s, actor, K_USER, NK);
    }

    // ================================================================ round trips and exits

    /// @notice Supply then withdraw in one block: never more back than was put in.
    function roundTripSupply(uint256 actorSeed, uint256 assetSeed, uint256 amountSeed, bool byAssets) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        address token = address(tokens[i]);
        uint256 amount = _amount(amountSeed, i);
        tokens[i].mint(actor, amount);
        uint256 before = tokens[i].balanceOf(actor);
        VM.startPrank(actor);
        try pool.supply(token, amount, 0, actor) returns (uint256, uint256 minted) {
            if (byAssets) {
                try pool.withdraw(token, amount, 0, actor, actor) returns (uint256, uint256 burnt) {
                    if (burnt < minted) _fail("round trip: withdrew the same assets for fewer shares");
                } catch (bytes memory err) {
                    _expected(err);
                }
            } else {
                try pool.withdraw(token, 0, minted, actor, actor) {} catch {
                    _fail("round trip: could not withdraw the shares just minted");
                }
            }
            if (tokens[i].balanceOf(actor) > before) _fail("round trip: supply+withdraw returned more than put in");
        } catch (bytes memory err) {
            _expected(err);
        }
        VM.stopPrank();
        _end(s, actor, K_USER, NK);
    }

    /// @notice Borrow then repay in one block: never less debt left than before.
    function roundTripBorrow(uint256 actorSeed, uint256 subSeed, uint256 assetSeed, uint256 amountSeed) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        uint96 sub = uint96(subSeed % NS);
        address token = address(tokens[i]);
        uint256 amount = _borrowAmount(actor, sub, i, amountSeed);
        (, uint256 sharesBefore, , , ) = ext.accountOf(actor, sub);
        VM.startPrank(actor);
        try pool.borrow(token, amount, actor, sub, actor) {
            if (sharesBefore == 0) {
                tokens[i].mint(actor, 2); // the full repay rounds up
                (uint256 paid, ) = pool.repay(token, type(uint256).max, actor, sub);
                if (paid < amount) _fail("round trip: borrow+repay all paid back less than borrowed");
            } else {
                pool.repay(token, amount, actor, sub);
                (, uint256 sharesAfter, , , ) = ext.accountOf(actor, sub);
                if (sharesAfter < sharesBefore) _fail("round trip: borrow+repay lowered the debt");
            }
        } catch (bytes memory err) {
            _expected(err);
        }
        VM.stopPrank();
        _end(s, actor, K_USER, NK);
    }

    /// @notice A user can always repay everything, then withdraw all collateral, then all supply (liquidity
    /// permitting) — whatever the pause flags and the circuit breaker say.
    function exitAll(uint256 actorSeed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        if (actorSeed % 3 == 0) {
            ++nExits;
            VM.startPrank(actor);
            uint256 pid = slotPosition[actorSeed % NU];
            for (uint256 j; j <= NS; ++j) {
                // The regular sub-accounts, then the margin position's (the trader owns it: no router needed).
                if (j == NS && pid == 0) break;
                uint96 sub = j < NS ? uint96(j) : margin.subIdOf(pid);
                (address debtAsset, , uint256 debt, address[] memory colls, ) = ext.accountOf(actor, sub);
                if (debtAsset != address(0)) {
                    IMockERC20(debtAsset).mint(actor, debt);
                    try pool.repay(debtAsset, type(uint256).max, actor, sub) {} catch (bytes memory err) {
                        _failWith("exit: repay all reverted", err);
                    }
                }
                for (uint256 c; c < colls.length; ++c) {
                    try pool.withdrawCollateral(colls[c], type(uint256).max, actor, sub, actor) {} catch (
                        bytes memory err
                    ) {
                        _failWith("exit: withdraw all collateral without debt reverted", err);
                    }
                }
            }
            for (uint256 i; i < NA; ++i) {
                address token = address(tokens[i]);
                uint256 shares = pool.supplyShares(token, actor);
                if (shares == 0) continue;
                Market memory m = ext.expectedMarket(token);
                uint256 assets = _mulDivDown(shares, m.totalSupplyAssets + 1, m.totalSupplyShares + VIRTUAL_SHARES);
                if (assets > m.totalSupplyAssets - m.totalBorrowAssets) continue; // not enough liquidity
                try pool.withdraw(token, 0, shares, actor, actor) {} catch (bytes memory err) {
                    _failWith("exit: withdraw all supply reverted with liquidity available", err);
                }
            }
            VM.stopPrank();
            if (_anyPause()) ++nPauseExits;
        }
        _end(s, actor, K_USER, NK);
    }

    function setAuthorization(uint256 actorSeed, uint256 operatorSeed, bool authorized) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        VM.prank(actor);
        pool.setAuthorization(actors[operatorSeed % NU], authorized);
        _end(s, actor, K_USER, NK);
    }

    // ================================================================ broken feeds (issue #15)

    /// @notice Breaks the feed the pool reads for one asset: reverts (with or without data), garbage (one word; a
    /// round id past uint80), the max or min bound, a negative answer, an incomplete round, stale, or dated in the
    /// future. Liquidation must value that collateral at zero and keep working against trusted ones.
    function breakFeed(uint256 assetSeed, uint8 mode) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        flaky[i].setMode(1 + (mode % 10));
        ++nFeedBreaks;
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Every broken feed recovers (the mock reports again, now).
    function recoverFeeds() external {
        (, Snap memory s) = _beginSystem(0);
        for (uint256 i; i < NA; ++i) {
            flaky[i].setMode(0);
            feeds[i].setAnswer(answers[i]);
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Time passes beyond the heartbeat and only some feeds report: the others go stale.
    function warpStale(uint256 dtSeed, uint256 keepSeed) external {
        (, Snap memory s) = _beginSystem(0);
        time += 1 days + 1 + (dtSeed % 2 days);
        VM.warp(time);
        bool left;
        for (uint256 i; i < NA; ++i) {
            if ((keepSeed >> i) & 1 == 1 && i != keepSeed % NA) feeds[i].setAnswer(answers[i]);
            else left = true;
        }
        if (left) ++nStaleWarps;
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Liquidation next to an untrusted collateral, in steps: the owner of an indebted account adds a second
    /// collateral if it has one only; that collateral's feed goes stale (its last round older than the heartbeat) or
    /// breaks; the market pushes the account under health 1; a liquidator seizes the trusted collateral. Each step is
    /// checked as an action of its own; the liquidation must go through (invariant (a) in any case).
    function staleLiquidation(uint256 actorSeed, uint256 targetSeed, uint256 seed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        uint256 k = NK;
        for (uint256 j; j < NR; ++j) {
            uint256 c = ((targetSeed % NR) + j) % NR;
            if (s.shares[c] != 0 && s.trusted[c]) {
                k = c;
                break;
            }
        }
        if (k == NK) {
            _end(s, actor, K_USER, NK);
            return;
        }
        (address owner, uint96 sub) = _account(k);
        uint256 d = s.debtIdx[k] - 1;
        // Main (kept trusted) and second (to break) collateral.
        uint256 main = NA;
        uint256 second = NA;
        for (uint256 i; i < NA; ++i) {
            if (i == d) continue;
            if (s.coll[k][i] != 0 && main == NA) main = i;
            else if (second == NA) second = i;
        }
        _end(s, actor, K_USER, NK);
        if (main == NA || second == NA) return;
        if (s.coll[k][second] == 0) {
            s = _start(owner);
            uint256 amount = seed % 3 == 0 ? _dust(seed, second) : _sizable(seed >> 2, second) / 10;
            tokens[second].mint(owner, amount);
            VM.prank(owner);
            try pool.supplyCollateral(address(tokens[second]), amount, owner, sub) {} catch (bytes memory err) {
                _expected(err);
            }
            _end(s, owner, K_USER, NK);
        }
        // The second feed goes stale (two times in three) or breaks otherwise.
        s = _beginSystemSnap();
        if (seed % 3 != 0) feeds[second].setAnswerAt(answers[second], time - 1 days - 1 - ((seed >> 4) % 1 days));
        else flaky[second].setMode(uint8(1 + ((seed >> 4) % 10)));
        ++nFeedBreaks;
        _end(s, address(this), K_NONUSER, NK);
        // The market: the main collateral falls until the account is under health 1 (0.5 .. 0.99).
        s = _beginSystemSnap();
        if (s.hf[k] != type(uint256).max && s.hf[k] != 0 && s.hf[k] >= 0.99e18) {
            uint256 target = 0.5e18 + ((seed >> 8) % 0.49e18);
            _setPrice(main, int256((uint256(answers[main]) * target) / s.hf[k]));
        }
        _end(s, address(this), K_NONUSER, NK);
        s = _start(actor);
        if (s.shares[k] != 0 && !s.healthy[k]) _liquidate(actor, k, address(tokens[main]), seed >> 16, false);
        _end(s, actor, K_LIQ, k);
    }

    // ================================================================ third parties, bad debt, repayAndCall

    /// @notice Anyone settles an account's bad debt: it must go through only for an insolvent account (all prices
    /// trusted, collateral worth less than the debt) and leave it solvent; three times in four aimed at one.
    function settleBadDebt(uint256 actorSeed, uint256 targetSeed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        uint256 k = targetSeed % NK;
        if (targetSeed % 4 != 0) {
            for (uint256 j; j < NK; ++j) {
                uint256 c = (k + j) % NK;
                if (s.shares[c] != 0 && s.trusted[c] && s.value[c] < s.debtValue[c]) {
                    k = c;
                    break;
                }
            }
        }
        if (targetSeed % 4 != 0 && !(s.trusted[k] && s.value[k] < s.debtValue[k]) && s.trusted[k] && s.shares[k] != 0) {
            // None insolvent: the market makes this one insolvent (its debt's price rises until the collateral
            // covers 50 %..99 % of it), a step of its own.
            _end(s, actor, K_LIQ, NK);
            s = _beginSystemSnap();
            uint256 r = 50 + ((targetSeed >> 8) % 50);
            uint256 d = s.debtIdx[k] - 1;
            _setPrice(d, int256((uint256(answers[d]) * s.value[k] * 100) / (r * s.debtValue[k] + 1)));
            _end(s, address(this), K_NONUSER, NK);
            s = _start(actor);
        }
        (address owner, uint96 sub) = _account(k);
        if (k < NR || slotPosition[k - NR] != 0) {
            VM.prank(actor);
            try pool.settleBadDebt(owner, sub) {
                ++nSettles;
                _liqOk = true;
                if (!(s.trusted[k] && s.value[k] < s.debtValue[k])) _fail("settleBadDebt on an account not insolvent");
            } catch (bytes memory err) {
                if (bytes4(err) == IPoolErrors.NotInsolvent.selector && s.trusted[k] && s.value[k] < s.debtValue[k]) {
                    _fail("settleBadDebt refused an insolvent account");
                }
                _expected(err);
            }
        }
        _end(s, actor, K_LIQ, k);
    }

    /// @notice repayAndCall by an actor's client on any account (one time in three someone else's): pays only, or in
    /// the callback withdraws collateral of the repaid account (deleveraging), borrows for it, or re-enters. For
    /// another's account the callback's actions must be refused (Unauthorized); for its own a withdrawal beyond the LTV
    /// must leave the account no less healthy than before the repay (checked in _end, K_DELEVER).
    function repayAndCall(uint256 actorSeed, uint256 ownerSeed, uint256 amountSeed, uint8 mode) external {
        uint256 u = actorSeed % NU;
        RepayCaller caller = callers[u];
        Snap memory s = _start(address(caller));
        address owner = _owner(actors[u], ownerSeed);
        uint96 sub = uint96(ownerSeed >> 128) % uint96(NS);
        uint256 k = _accountIdx(owner, sub);
        for (uint256 j; j < NR && s.shares[k] == 0; ++j) if (s.shares[(k + j) % NR] != 0) k = (k + j) % NR;
        if (s.shares[k] != 0) _repayAndCall(caller, s, k, amountSeed, mode % 4);
        _end(s, address(caller), K_DELEVER, k);
    }

    function _repayAndCall(RepayCaller caller, Snap memory s, uint256 k, uint256 amountSeed, uint8 mode) internal {
        (address owner, uint96 sub) = _account(k);
        uint256 amount = amountSeed % 3 == 0 ? type(uint256).max : 1 + (amountSeed % s.debt[k]);
        if (amountSeed % 7 == 3) amount = 1;
        uint256 ci = (amountSeed >> 8) % NA;
        uint256 inner = mode == 1
            ? 1 + ((amountSeed >> 16) % (s.coll[k][ci] / 2 + 1))
            : _amount(amountSeed >> 16, ci);
        if (!s.authorizedK[k]) ++nThirdParty;
        address debtAsset = address(tokens[s.debtIdx[k] - 1]);
        try caller.run(debtAsset, amount, owner, sub, mode, address(tokens[ci]), inner) {
            ++nRepayAndCalls;
            if (caller.innerOk() && mode == 3) _fail("repayAndCall: a nested repayAndCall went through");
            if (!caller.innerOk() && mode != 0) {
                bytes memory err = caller.innerErr();
                if (!s.authorizedK[k]) {
                    ++nThirdPartyRefused;
                    if (mode != 3 && bytes4(err) != IPoolErrors.Unauthorized.selector) {
                        _failWith("repayAndCall: third party's callback refused otherwise", err);
                    }
                }
                _expected(err);
            }
        } catch (bytes memory err) {
            _expected(err);
        }
    }

    /// @notice An actor scopes another as operator of one of its sub-accounts (or revokes, or sets an invalid scope).
    function setScope(uint256 actorSeed, uint256 operatorSeed, uint256 subSeed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        address operator = actors[operatorSeed % NU];
        uint256 kind = subSeed % 5;
        (uint96 prefix, uint96 mask) = kind == 0 ? (uint96(0), uint96(0)) : kind == 1
            ? (uint96(2), uint96(1))
            : (uint96((subSeed >> 8) % NS), type(uint96).max);
        VM.prank(actor);
        try pool.setAuthorizationScope(operator, prefix, mask) {
            if (kind == 1) _fail("an invalid scope was accepted");
        } catch (bytes memory err) {
            if (kind != 1 || bytes4(err) != IPoolErrors.InvalidScope.selector) _failWith("setAuthorizationScope", err);
        }
        _end(s, actor, K_USER, NK);
    }

    /// @notice The guardian (or the risk engine's breaker) pauses something, then an exit runs under it: a repay, a
    /// collateral top-up, a margin close or a liquidation. None may be refused by the pause.
    function guardianExit(uint256 assetSeed, uint256 kindSeed, uint256 exitSeed) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        address token = address(tokens[i]);
        uint256 kind = kindSeed % 4;
        bool on = (kindSeed >> 2) % 4 != 0;
        if (kind == 0) ext.setPause(token, on, on);
        else if (kind == 1) ext.setPause(token, false, on);
        else if (kind == 2) ext.setFlashPause(token, on);
        else ext.setCircuitBreaker(token, on);
        _end(s, address(this), K_NONUSER, NK);

        uint256 k = exitSeed % NK;
        for (uint256 j; j < NK; ++j) {
            if (_last.shares[(k + j) % NK] != 0) {
                k = (k + j) % NK;
                break;
            }
        }
        (address owner, uint96 sub) = _account(k);
        s = _start(owner);
        uint256 what = (exitSeed >> 8) % 4;
        bool ok;
        if (k >= NR && slotPosition[k - NR] == 0) {
            // an empty margin slot: nothing to exit
        } else if (what == 0 && s.shares[k] != 0) {
            address d = address(tokens[s.debtIdx[k] - 1]);
            uint256 amount = (exitSeed >> 16) % 2 == 0 ? type(uint256).max : 1 + ((exitSeed >> 16) % s.debt[k]);
            IMockERC20(d).mint(owner, s.debt[k] + 1);
            VM.prank(owner);
            try pool.repay(d, amount, owner, sub) {
                ok = true;
            } catch (bytes memory err) {
                _checkExit(err, "repay");
                if (amount == type(uint256).max) _failWith("exit: repay all refused", err);
                _expected(err);
            }
        } else if (what == 1) {
            for (uint256 c; c < NA; ++c) {
                if (s.coll[k][c] == 0) continue;
                uint256 amount = 1 + ((exitSeed >> 16) % (s.coll[k][c] + 1));
                tokens[c].mint(owner, amount);
                VM.prank(owner);
                try pool.supplyCollateral(address(tokens[c]), amount, owner, sub) {
                    ok = true;
                } catch (bytes memory err) {
                    _failWith("exit: collateral top-up refused", err);
                }
                break;
            }
        } else if (what == 2 && k >= NR && s.shares[k] != 0) {
            uint256 id = slotPosition[k - NR];
            (address base, address quote) = (address(tokens[slotBase[k - NR]]), address(tokens[0]));
            (address coll, address debt) = slotLong[k - NR] ? (base, quote) : (quote, base);
            _arb(base, quote);
            bytes memory path = dex.route(coll, debt);
            VM.prank(owner);
            try margin.decrease(id, WAD, type(uint256).max, path, block.timestamp) {
                ok = true;
                ++nMarginCloses;
            } catch (bytes memory err) {
                _checkExit(err, "margin close");
                _expected(err);
            }
        }
        if (ok && _anyPause()) ++nPauseExits;
        _end(s, owner, k >= NR ? K_COMPOSITE : K_USER, k);
    }

    // ================================================================ ERC-4626 vault

    /// @notice ERC-4626 deposit, mint, withdraw or redeem through the asset's vault: each must pay or pull exactly
    /// its preview, and the vault's shares must stay its pool shares.
    function vault(uint256 actorSeed, uint256 assetSeed, uint256 seed, uint8 op) external {
        (address actor, uint256 i, Snap memory s) = _begin(actorSeed, assetSeed);
        IERC4626 v = IERC4626(vaults[i]);
        if (op % 8 >= 6) {
            // A third party redeems or withdraws another lender's vault shares (no allowance): refused.
            address victim = actors[(seed >> 8) % NU];
            uint256 held = v.balanceOf(victim);
            if (victim != actor && held != 0) {
                ++nThirdParty;
                uint256 amount = 1 + (seed % held);
                VM.prank(actor);
                (bool ok2, ) = address(v).call(
                    op % 2 == 0
                        ? abi.encodeCall(v.redeem, (amount, actor, victim))
                        : abi.encodeCall(v.withdraw, (v.previewRedeem(amount) + 1, actor, victim))
                );
                if (ok2) _fail("vault: a third party took another lender's shares");
                ++nThirdPartyRefused;
            }
            _end(s, actor, K_USER, NK);
            return;
        }
        op %= 4;
        uint256 max = op == 2
            ? v.maxWithdraw(actor)
            : op == 3
                ? v.maxRedeem(actor)
                : type(uint256).max;
        if (max != 0) {
            uint256 amount = op == 0
                ? _amount(seed, i)
                : op == 1
                    ? _amount(seed, i) * 1e3
                    : 1 + (seed % max);
            uint256 preview = op == 0
                ? v.previewDeposit(amount)
                : op == 1
                    ? v.previewMint(amount)
                    : op == 2
                        ? v.previewWithdraw(amount)
                        : v.previewRedeem(amount);
            tokens[i].mint(actor, op == 1 ? preview : amount);
            VM.startPrank(actor);
            tokens[i].approve(address(v), type(uint256).max);
            bytes memory call = op == 0
                ? abi.encodeCall(v.deposit, (amount, actor))
                : op == 1
                    ? abi.encodeCall(v.mint, (amount, actor))
                    : op == 2
                        ? abi.encodeCall(v.withdraw, (amount, actor, actor))
                        : abi.encodeCall(v.redeem, (amount, actor, actor));
            (bool ok, bytes memory ret) = address(v).call(call);
            VM.stopPrank();
            if (ok) {
                if (abi.decode(ret, (uint256)) != preview) _fail("vault: result differs from its preview");
            } else {
                if (bytes4(ret) == SHARES_MISMATCH) _failWith("vault: pool shares mismatch", ret);
                // Inside the advertised maximum, withdraw and redeem must go through.
                if (op >= 2) _failWith("vault: withdraw/redeem within max reverted", ret);
                _expected(ret);
            }
        }
        _end(s, actor, K_USER, NK);
    }

    // ================================================================ market moves (not user actions)

    /// @notice Moves one price: three times in four by up to ±5 %, else by up to ±30 % (within 1/50x..50x of the
    /// start).
    function movePrice(uint256 assetSeed, uint256 moveSeed) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        uint256 range = moveSeed % 4 == 0 ? 3_000 : 500;
        int256 bps = int256((moveSeed >> 2) % (2 * range + 1)) - int256(range);
        _setPrice(i, (answers[i] * (10_000 + bps)) / 10_000);
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice A targeted market move: picks an indebted account (a healthy one if any) and moves the price of its
    /// debt (up) or of one of its collaterals (down) so that, other things equal, its health lands just under 1
    /// (two times in three) or deep under water (0.3..0.9: bad-debt territory). Makes liquidations frequent.
    function crash(uint256 targetSeed, uint256 depthSeed, bool viaDebt) external {
        (, Snap memory s) = _beginSystem(0);
        uint256 k = NK;
        for (uint256 j; j < NK; ++j) {
            uint256 c = ((targetSeed % NK) + j) % NK;
            if (s.shares[c] == 0) continue;
            if (k == NK) k = c;
            if (s.healthy[c]) {
                k = c;
                break;
            }
        }
        if (k != NK) {
            uint256 hf = s.hf[k];
            if (hf == type(uint256).max || hf == 0) {
                _end(s, address(this), K_NONUSER, NK);
                return;
            }
            uint256 target = depthSeed % 3 == 0
                ? 0.3e18 + ((depthSeed >> 2) % 0.6e18)
                : 0.9e18 + ((depthSeed >> 2) % 0.099e18);
            uint256 d = s.debtIdx[k] - 1;
            uint256 c = NA;
            if (!viaDebt) {
                for (uint256 j; j < NA; ++j) {
                    uint256 cand = ((depthSeed % NA) + j) % NA;
                    if (cand != d && s.coll[k][cand] != 0) {
                        c = cand;
                        break;
                    }
                }
            }
            if (c == NA)
                _setPrice(d, (answers[d] * int256(hf)) / int256(target)); // debt up by hf / target
            else _setPrice(c, (answers[c] * int256(target)) / int256(hf)); // collateral down by target / hf
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Liquidates the first unhealthy account found (from a random start) against a collateral it holds:
    /// together with `crash`, keeps the liquidation paths (partial, full, dust, bad debt) busy.
    function liquidateUnhealthy(uint256 actorSeed, uint256 startSeed, uint256 repaySeed) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        uint256 k = NK;
        for (uint256 j; j < NK; ++j) {
            uint256 c = ((startSeed % NK) + j) % NK;
            if (!s.healthy[c]) {
                k = c;
                break;
            }
        }
        if (k != NK) {
            uint256 ci = NA;
            for (uint256 j; j < NA; ++j) {
                uint256 c = ((startSeed % NA) + j) % NA;
                if (s.coll[k][c] != 0 && (ci == NA || s.priceOk[c])) ci = c;
                if (s.coll[k][c] != 0 && s.priceOk[c]) break;
            }
            if (ci == NA) ci = startSeed % NA;
            _liquidate(actor, k, address(tokens[ci]), repaySeed, false);
        }
        _end(s, actor, K_LIQ, k);
    }

    /// @notice Governance switches an asset's engine mode (one time in four to static: the engine then leaves the
    /// pool's parameters alone and lifts its breaker; back to dynamic it resumes from the oracle's estimate).
    function engineMode(uint256 assetSeed, uint256 modeSeed) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        try engine.setMode(address(tokens[i]), modeSeed % 4 != 0) {} catch (bytes memory err) {
            _expected(err);
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    function _setPrice(uint256 i, int256 answer) internal {
        if (answer < baseAnswers[i] / 50) answer = baseAnswers[i] / 50;
        if (answer > baseAnswers[i] * 50) answer = baseAnswers[i] * 50;
        if (answer <= 0) answer = 1;
        answers[i] = answer;
        feeds[i].setAnswer(answer);
    }

    /// @notice A keeper's volatility update through the real VolatilityOracle and RiskEngine (dynamic mode): the
    /// oracle folds the latest feed round into its EWMA estimate, the engine moves LTV and the LT target (ramped by
    /// the pool) and trips or lifts the circuit breaker. Anyone may call it; it must never panic.
    function volUpdate(uint256 assetSeed) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        try engine.update(address(tokens[i])) returns (bool changed) {
            if (changed) ++nEngineUpdates;
        } catch (bytes memory err) {
            ++nEngineReverts;
            _expected(err);
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Moves time forward (mostly minutes to hours, sometimes up to 30 days); the feeds keep reporting.
    function warp(uint256 dtSeed) external {
        (, Snap memory s) = _beginSystem(0);
        uint256 dt = dtSeed % 4 == 0 ? 1 + (dtSeed % 30 days) : 1 + (dtSeed % 6 hours);
        time += dt;
        VM.warp(time);
        for (uint256 i; i < NA; ++i) {
            feeds[i].setAnswer(answers[i]);
            if (dtSeed % 2 == 0) flaky[i].setMode(0);
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice The risk engine's move: any LTV/LT target and ramp the pool accepts (it must enforce the ramp).
    function riskUpdate(uint256 assetSeed, uint256 ltvSeed, uint256 ltSeed, uint256 rampSeed) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        address token = address(tokens[i]);
        uint256 maxLt = (uint256(10_000 * 10_000) - 1) / (10_000 + ext.liquidationConfig(token).maxBonus);
        if (maxLt > 9_700) maxLt = 9_700;
        uint256 lt = 1_000 + (ltSeed % (maxLt - 1_000 + 1));
        uint256 ltv = ltvSeed % (lt - 100 + 1);
        uint16 ramp = uint16(1 + (rampSeed % 200));
        try ext.applyRiskParams(token, uint16(ltv), uint16(lt), ramp) {} catch (bytes memory err) {
            _expected(err);
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Governance, guardian and treasury moves with random (possibly invalid) arguments.
    function govern(uint256 kindSeed, uint256 assetSeed, uint256 x, uint256 y) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        (bool ok, bytes memory err) = address(pool).call(_govCall(kindSeed % 9, i, x, y));
        if (!ok) _expected(err);
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice A parameter change through the FulcraTimelock (the pool's production RISK_ADMIN): schedules one of
    /// `govern`'s risk-admin calls with a delay of 1..3 days. One time in four an actor tries the same call on the pool
    /// directly, or tries to schedule it: both must be refused.
    function timelockSchedule(uint256 kindSeed, uint256 assetSeed, uint256 x, uint256 y) external {
        (uint256 i, Snap memory s) = _beginSystem(assetSeed);
        // Risk-admin kinds only: rate model, reserve factor, flash fee, liquidation and collateral parameters.
        uint256[5] memory kinds = [uint256(0), 1, 2, 7, 8];
        bytes memory data = _govCall(kinds[kindSeed % 5], i, x, y);
        if ((kindSeed >> 8) % 4 == 0) {
            address intruder = actors[(kindSeed >> 16) % NU];
            VM.prank(intruder);
            (bool ok, ) = address(pool).call(data);
            if (ok) _fail("an actor changed a risk parameter without the timelock");
            VM.prank(intruder);
            (ok, ) = address(timelock).call(
                abi.encodeCall(ITimelock.schedule, (address(pool), 0, data, bytes32(0), bytes32(nOps), 1 days))
            );
            if (ok) _fail("an actor scheduled on the timelock");
        }
        uint256 slot = nOps % 4;
        uint256 delay = 1 days + (y % 2 days);
        timelock.schedule(address(pool), 0, data, bytes32(0), bytes32(nOps), delay);
        (opData[slot], opSalt[slot], opReady[slot]) = (data, bytes32(nOps), block.timestamp + delay);
        ++nOps;
        _end(s, address(this), K_NONUSER, NK);
    }

    /// @notice Executes a scheduled timelock operation: before its time it must be refused (no bypass); after it, it
    /// runs (the pool may still refuse invalid parameters).
    function timelockExecute(uint256 slotSeed) external {
        (, Snap memory s) = _beginSystem(0);
        uint256 slot = slotSeed % 4;
        if (opReady[slot] != 0) {
            try timelock.execute(address(pool), 0, opData[slot], bytes32(0), opSalt[slot]) {
                if (block.timestamp < opReady[slot]) _fail("timelock executed an operation before its delay");
                ++nTimelockExecutions;
                opReady[slot] = 0;
            } catch (bytes memory err) {
                if (block.timestamp >= opReady[slot] && bytes4(err) != TIMELOCK_STATE) {
                    opReady[slot] = 0; // the pool refused the parameters: the operation stays unexecuted
                    _expected(err);
                } else if (block.timestamp < opReady[slot] && bytes4(err) != TIMELOCK_STATE) {
                    _failWith("timelock: early execution refused with an unexpected error", err);
                }
            }
        }
        _end(s, address(this), K_NONUSER, NK);
    }

    function _govCall(uint256 kind, uint256 i, uint256 x, uint256 y) internal view returns (bytes memory call) {
        address token = address(tokens[i]);
        if (kind == 0) {
            call = abi.encodeCall(
                IFulcraPoolExt.setRateModel,
                (
                    token,
                    uint16(x % 1_000),
                    uint16(y % 2_000),
                    uint16((x >> 32) % 30_000),
                    uint16(1_000 + ((y >> 32) % 8_900))
                )
            );
        } else if (kind == 1) {
            call = abi.encodeCall(IFulcraPoolExt.setReserveFactor, (token, uint16(x % 5_001)));
        } else if (kind == 2) {
            call = abi.encodeCall(IFulcraPoolExt.setFlashFee, (token, uint16(x % 101)));
        } else if (kind == 3) {
            call = abi.encodeCall(IFulcraPoolExt.setPause, (token, x % 4 == 0, y % 4 == 0));
        } else if (kind == 4) {
            call = x % 2 == 0
                ? abi.encodeCall(IFulcraPoolExt.setCircuitBreaker, (token, x % 3 == 0))
                : abi.encodeCall(IFulcraPoolExt.setFlashPause, (token, y % 3 == 0));
        } else if (kind == 5) {
            uint256 reserves = ext.marketInfo(token).reserves;
            call = abi.encodeCall(IFulcraPoolExt.withdrawReserves, (token, 1 + (x % (reserves + 1)), treasury));
        } else if (kind == 6) {
            uint256 fees = ext.marketInfo(token).liquidationFees;
            call = abi.encodeCall(IFulcraPoolExt.withdrawLiquidationFees, (token, 1 + (x % (fees + 1)), treasury));
        } else if (kind == 7) {
            uint16 maxBonus = uint16(x % 1_500);
            call = abi.encodeCall(
                IFulcraPoolExt.setLiquidationParams,
                (token, uint16(y % (uint256(maxBonus) + 1)), maxBonus, uint16((x >> 32) % 5_001))
            );
        } else {
            uint256 lt = 1_000 + (x % 8_701);
            call = abi.encodeCall(IFulcraPoolExt.setCollateralParams, (token, uint16(y % (lt - 99)), uint16(lt)));
        }
    }

    // ================================================================ margin trading (MarginRouter on Uniswap V3)

    /// @notice Opens a leveraged long or short (WETH/USDC or WBTC/USDC) through the MarginRouter, or adds to the
    /// actor's open one: margin $200..$50k, leverage 1.05x..the router's maximum (one time in eight anything up to
    /// 1.5x past it, which must be refused). Three times in four the Uniswap pool is first arbitraged to the oracle
    /// price; otherwise it trades wherever `dexMove` left it (the router must refuse a price off the oracle).
    function marginOpen(
        uint256 actorSeed,
        uint256 baseSeed,
        bool isLong,
        uint256 marginSeed,
        uint256 levSeed
    ) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        uint256 m = actorSeed % NU;
        bool existing = slotPosition[m] != 0 && _inUse(s, NR + m);
        (uint256 oldBase, bool oldLong) = (slotBase[m], slotLong[m]);
        if (!existing) (slotBase[m], slotLong[m]) = (1 + (baseSeed % 2), isLong); // restored if the open fails
        IMarginRouter.OpenParams memory p = _openParams(m, marginSeed, levSeed);
        address coll = p.isLong ? p.base : p.quote;
        IMockERC20(coll).mint(actor, p.margin);
        uint256 before = IMockERC20(coll).balanceOf(actor);
        VM.startPrank(actor);
        (bool ok, bytes memory ret) = address(margin).call(
            existing
                ? abi.encodeCall(IMarginRouter.increase, (slotPosition[m], p))
                : abi.encodeCall(IMarginRouter.openPosition, (p))
        );
        VM.stopPrank();
        if (ok) {
            ++nMarginOpens;
            if (!existing) slotPosition[m] = abi.decode(ret, (uint256));
        } else {
            (slotBase[m], slotLong[m]) = (oldBase, oldLong);
            _expected(ret);
        }
        uint256 spent = before - IMockERC20(coll).balanceOf(actor);
        if (ok ? spent != p.margin : spent != 0) _fail("margin open: the router took other than the margin");
        _end(s, actor, K_COMPOSITE, NR + m);
    }

    function _openParams(
        uint256 m,
        uint256 marginSeed,
        uint256 levSeed
    ) internal returns (IMarginRouter.OpenParams memory p) {
        (p.base, p.quote, p.isLong) = (address(tokens[slotBase[m]]), address(tokens[0]), slotLong[m]);
        (address coll, address debt) = p.isLong ? (p.base, p.quote) : (p.quote, p.base);
        if (levSeed % 4 != 0) _arb(p.base, p.quote);
        uint256 maxLev = margin.maxLeverage(coll);
        if (levSeed % 8 == 1) p.leverage = WAD + ((levSeed >> 3) % (maxLev + WAD / 2));
        else p.leverage = maxLev <= 1.05e18 ? maxLev : 1.05e18 + ((levSeed >> 3) % (maxLev - 1.05e18 + 1));
        p.margin = ((200e18 + (marginSeed % 50_000e18)) * WAD) / _px(_indexOf(coll));
        p.route = dex.route(debt, coll);
        p.deadline = block.timestamp;
    }

    /// @notice Closes (one time in three) or decreases a random fraction of a margin position, by its trader or —
    /// one time in five — by another actor (must be refused).
    function marginClose(uint256 slotSeed, uint256 callerSeed, uint256 fractionSeed) external {
        uint256 m = slotSeed % NU;
        address trader = actors[m];
        address caller = callerSeed % 5 == 0 ? actors[(callerSeed >> 8) % NU] : trader;
        Snap memory s = _start(caller);
        uint256 id = slotPosition[m];
        if (id != 0) {
            (address base, address quote) = (address(tokens[slotBase[m]]), address(tokens[0]));
            (address coll, address debt) = slotLong[m] ? (base, quote) : (quote, base);
            if (fractionSeed % 4 != 0) _arb(base, quote);
            uint256 fraction = fractionSeed % 3 == 0 ? WAD : 1 + ((fractionSeed >> 2) % WAD);
            bytes memory path = dex.route(coll, debt); // before the prank: it would apply to this call
            VM.prank(caller);
            try margin.decrease(id, fraction, type(uint256).max, path, block.timestamp) {
                if (caller != trader) _fail("margin: someone else decreased a position");
                if (fraction == WAD) {
                    ++nMarginCloses;
                    (address d, , , address[] memory colls, ) = ext.accountOf(trader, margin.subIdOf(id));
                    if (d != address(0) || colls.length != 0) _fail("margin close left debt or collateral behind");
                } else {
                    ++nMarginDecreases;
                }
            } catch (bytes memory err) {
                if (caller == trader) _checkExit(err, "margin close/decrease");
                _expected(err);
            }
        }
        _end(s, caller, K_COMPOSITE, NR + m);
    }

    /// @notice Adds margin to, or removes margin from, the actor's position (the pool refuses a removal past LTV).
    function marginAdjust(uint256 actorSeed, uint256 amountSeed, bool add) external {
        (address actor, , Snap memory s) = _begin(actorSeed, 0);
        uint256 m = actorSeed % NU;
        uint256 id = slotPosition[m];
        if (id != 0) {
            address coll = slotLong[m] ? address(tokens[slotBase[m]]) : address(tokens[0]);
            uint256 amount;
            if (add) {
                amount = ((100e18 + (amountSeed % 20_000e18)) * WAD) / _px(_indexOf(coll));
                IMockERC20(coll).mint(actor, amount);
            } else {
                uint256 held = s.coll[NR + m][_indexOf(coll)];
                amount = 1 + (amountSeed % (held / 4 + 1));
            }
            VM.prank(actor);
            (bool ok, bytes memory err) = address(margin).call(
                add
                    ? abi.encodeCall(IMarginRouter.addMargin, (id, amount))
                    : abi.encodeCall(IMarginRouter.removeMargin, (id, amount))
            );
            if (ok) ++nMarginDecreases;
            else _expected(err);
        }
        _end(s, actor, K_USER, NK);
    }

    /// @notice Manipulates a Uniswap pool: pushes its price up to ±10 % off (the oracle does not move).
    function dexMove(uint256 baseSeed, uint256 bpsSeed) external {
        (, Snap memory s) = _beginSystem(0);
        int256 bps = int256(bpsSeed % 2_001) - 1_000;
        try dex.push(address(tokens[1 + (baseSeed % 2)]), address(tokens[0]), bps) {} catch {}
        _end(s, address(this), K_NONUSER, NK);
    }

    function _inUse(Snap memory s, uint256 k) internal pure returns (bool) {
        if (s.shares[k] != 0) return true;
        for (uint256 i; i < NA; ++i) if (s.coll[k][i] != 0) return true;
        return false;
    }

    // ================================================================ transition checks

    function _begin(uint256 actorSeed, uint256 assetSeed) internal returns (address actor, uint256 i, Snap memory s) {
        actor = actors[actorSeed % NU];
        i = assetSeed % NA;
        s = _start(actor);
    }

    function _beginSystemSnap() internal returns (Snap memory) {
        return _start(address(this));
    }

    /// @dev For actions that are not a user's: the handler acts (as engine, governance or the market).
    function _beginSystem(uint256 assetSeed) internal returns (uint256 i, Snap memory s) {
        i = assetSeed % NA;
        s = _start(address(this));
    }

    function _start(address actor) internal returns (Snap memory s) {
        VM.warp(time);
        ++nActions;
        _liqOk = false;
        s = _hasLast ? _last : _snap();
        for (uint256 u; u < NU; ++u) s.authorizedActor[u] = actors[u] == actor || pool.isAuthorized(actors[u], actor);
        for (uint256 k; k < NK; ++k) {
            uint256 u = _ownerIdx(k);
            if (s.authorizedActor[u]) {
                s.authorizedK[k] = true;
                continue;
            }
            (, uint96 sub) = _account(k);
            (uint96 prefix, uint96 mask) = pool.authorizationScope(actors[u], actor);
            s.authorizedK[k] = mask != 0 && sub & mask == prefix;
        }
        VM.recordLogs();
    }

    function _snap() internal view returns (Snap memory s) {
        for (uint256 i; i < NA; ++i) s.priceOk[i] = _priceOr0(address(tokens[i])) != 0;
        for (uint256 k; k < NK; ++k) {
            (address owner, uint96 sub) = _account(k);
            (address debtAsset, uint256 shares, uint256 debt, address[] memory colls, uint256[] memory amounts) = ext
                .accountOf(owner, sub);
            s.shares[k] = shares;
            s.debt[k] = debt;
            bool trusted = true;
            if (debtAsset != address(0)) {
                s.debtIdx[k] = 1 + _indexOf(debtAsset);
                trusted = s.priceOk[s.debtIdx[k] - 1];
            }
            for (uint256 j; j < colls.length; ++j) {
                uint256 c = _indexOf(colls[j]);
                s.coll[k][c] = amounts[j];
                if (!s.priceOk[c]) trusted = false;
            }
            s.hf[k] = type(uint256).max;
            s.healthy[k] = true; // unknown (debt feed untrusted): nobody can liquidate or borrow it anyway
            try ext.accountHealth(owner, sub) returns (AccountHealth memory h) {
                s.value[k] = h.collateralValue;
                s.debtValue[k] = h.debtValue;
                if (debtAsset != address(0)) {
                    s.hf[k] = h.healthFactor;
                    s.healthy[k] = h.healthFactor >= WAD;
                }
            } catch {
                trusted = false;
            }
            s.trusted[k] = trusted;
        }
        for (uint256 u; u < NU; ++u) {
            for (uint256 i; i < NA; ++i) s.supply[u][i] = pool.supplyShares(address(tokens[i]), actors[u]);
        }
    }

    /// @dev Compares the state after an action with `b`, the state before it, then checks the books.
    function _end(Snap memory b, address, uint8 kind, uint256 target) internal {
        Snap memory a = _snap();
        (bool[NA] memory badDebt, bool[NK] memory badDebtK) = _badDebtAssets();
        _checkSolvency(b, a, kind, target, badDebtK);
        for (uint256 k; k < NK; ++k) {
            if (!a.healthy[k]) {
                ++nUnhealthySteps;
                break;
            }
        }
        for (uint256 k; k < NK; ++k) _checkAccount(b, a, kind, target, k);
        for (uint256 u; u < NU; ++u) {
            for (uint256 i; i < NA; ++i) {
                if (a.supply[u][i] < b.supply[u][i] && !b.authorizedActor[u]) {
                    _fail("a lender lost supply shares without authorization");
                }
            }
        }
        for (uint256 i; i < NA; ++i) {
            Market memory m = ext.market(address(tokens[i]));
            _checkPrices(i, m, badDebt[i]);
            _checkBooks(i, m, a);
        }
        _last = a;
        _hasLast = true;
        _checkLiquidatable(a);
    }

    /// @dev The transition checks of one account (authorization, collateral set, LTV, health).
    function _checkAccount(Snap memory b, Snap memory a, uint8 kind, uint256 target, uint256 k) internal view {
        bool lostCollateral;
        for (uint256 i; i < NA; ++i) if (a.coll[k][i] < b.coll[k][i]) lostCollateral = true;
        bool moreDebt = a.shares[k] > b.shares[k];
        bool liquidated = kind == K_LIQ && target == k;
        bool collChanged;
        for (uint256 i; i < NA; ++i) if (a.coll[k][i] != b.coll[k][i]) collChanged = true;
        if ((lostCollateral || moreDebt) && !liquidated) {
            if (!b.authorizedK[k]) _fail("an account lost collateral or gained debt without authorization");
        }
        // (d) Only the owner or its (scoped) operators change an account's collateral set, ids and amounts
        // alike (no 1-wei collateral attached by a stranger), liquidation and bad-debt settlement aside.
        if (collChanged && !liquidated && !b.authorizedK[k]) {
            _fail("d: a third party changed an account's collateral set");
        }
        // A repayAndCall on the account, or a margin decrease (which repays through one): a withdrawal may leave the
        // account above its LTV if it ends no less healthy.
        bool delever = (kind == K_DELEVER || kind == K_COMPOSITE) && target == k;
        if ((lostCollateral || moreDebt) && !liquidated && a.shares[k] != 0) {
            // Still in debt after taking collateral out or borrowing more: it had to be and stay within LTV
            // (inside a repayAndCall on it: or end no less healthy than before the repay).
            if (!b.healthy[k] && !delever) {
                _fail("an unhealthy account borrowed or withdrew collateral");
            }
            (address owner, uint96 sub) = _account(k);
            AccountHealth memory h = ext.accountHealth(owner, sub);
            if (h.borrowingPower < h.debtValue && !(delever && !moreDebt && b.trusted[k] && a.hf[k] >= b.hf[k]))
                _fail("a borrow or collateral withdrawal left the account above LTV");
        }
        if (kind != K_NONUSER && !liquidated && b.healthy[k] && !a.healthy[k]) {
            // Another account's borrow may round the shared debt index up by a wei: nothing else may.
            bool same = !lostCollateral && a.shares[k] == b.shares[k] && a.debt[k] <= b.debt[k] + 1;
            if (!same) _fail("a user action made a healthy account unhealthy");
        }
        if (liquidated && moreDebt) _fail("liquidation raised the target's debt");
    }

    /// @dev Invariants (b) and (c), from the accounts before (`b`) and after (`a`) the action and its BadDebt events.
    /// Solvent: every price the account needs trusted and collateral value >= debt value; insolvent: every price
    /// trusted and collateral value < debt value (values as accountHealth: collateral rounded down, debt up).
    function _checkSolvency(Snap memory b, Snap memory a, uint8 kind, uint256 target, bool[NK] memory badDebtK)
        internal
        pure
    {
        for (uint256 k; k < NK; ++k) {
            bool insolventBefore = b.trusted[k] && b.shares[k] != 0 && b.value[k] < b.debtValue[k];
            // (c) BadDebt only for an account insolvent at that moment.
            if (badDebtK[k] && !insolventBefore) _fail("c: BadDebt for an account that was not insolvent");
        }
        if (kind != K_LIQ || target >= NK) return;
        uint256 t = target;
        if (!b.trusted[t] || b.shares[t] == 0) return;
        if (b.value[t] >= b.debtValue[t]) {
            // (b) A liquidation never leaves a solvent account with bad debt or under water (2 wei of rounding).
            if (badDebtK[t]) _fail("b: a liquidation booked bad debt on a solvent account");
            if (a.value[t] + 2 < a.debtValue[t]) {
                _failNums("b: a liquidation left a solvent account under water", a.value[t], a.debtValue[t]);
            }
        } else if (a.trusted[t] || a.shares[t] == 0) {
            // (c) After a liquidation or settlement of an insolvent account its shortfall is on the books.
            if (a.shares[t] != b.shares[t] || badDebtK[t]) {
                if (a.value[t] < a.debtValue[t]) {
                    _failNums("c: still insolvent after liquidation or settleBadDebt", a.value[t], a.debtValue[t]);
                }
            }
        }
    }

    /// @dev Invariant (a): every account with debt and liquidation health below 1 can be liquidated by a funded
    /// keeper against some collateral with a trusted price, in every reachable state: tried on a state snapshot,
    /// then reverted. Exceptions (counted, not failures): the debt asset's own feed is untrusted (the pool must
    /// refuse: nothing can price the repay; accountHealth reverts then), or no collateral of the account has a
    /// trusted price (nothing can be seized at a known price until a feed recovers).
    function _checkLiquidatable(Snap memory a) internal {
        for (uint256 k; k < NK; ++k) {
            if (a.shares[k] == 0) continue;
            uint256 d = a.debtIdx[k] - 1;
            if (!a.priceOk[d]) {
                ++nDebtFeedDown;
                continue;
            }
            if (a.hf[k] >= WAD) continue;
            (address owner, uint96 sub) = _account(k);
            bool anyTrusted;
            bool done;
            bytes memory lastErr;
            for (uint256 j; j < NA && !done; ++j) {
                if (a.coll[k][j] == 0 || !a.priceOk[j]) continue;
                anyTrusted = true;
                uint256 id = VM.snapshotState();
                tokens[d].mint(KEEPER, 2 * a.debt[k] + 2);
                VM.startPrank(KEEPER);
                tokens[d].approve(address(pool), type(uint256).max);
                try pool.liquidate(owner, sub, address(tokens[j]), type(uint256).max, 0, KEEPER, "") {
                    done = true;
                } catch (bytes memory err) {
                    lastErr = err;
                }
                VM.stopPrank();
                VM.revertToStateAndDelete(id);
            }
            if (!anyTrusted) {
                ++nNoTrustedCollateral;
                continue;
            }
            if (!done) _failWith("a: an account under health 1 could not be liquidated", lastErr);
            ++nLiqChecks;
            if (_anyUntrustedCollateral(a, k)) ++nStaleLiqs;
        }
        VM.getRecordedLogs(); // drop the snapshot liquidations' events
    }

    /// @dev Supply shares and debt shares add up; debts add up to the total debt within rounding.
    function _checkBooks(uint256 i, Market memory m, Snap memory a) internal view {
        address token = address(tokens[i]);
        uint256 vaultShares = pool.supplyShares(token, vaults[i]);
        uint256 shares = m.reserveShares + vaultShares;
        for (uint256 u; u < NU; ++u) shares += a.supply[u][i];
        if (shares != m.totalSupplyShares) _fail("sum of supply shares + reserves != total supply shares");
        if (IERC4626(vaults[i]).totalSupply() != vaultShares) _fail("vault shares != the vault's pool shares");

        // Debt shares add up exactly. Debts (each rounded up) exceed the total by at most a wei per account, and
        // fall short of it by at most the virtual shares' claim plus a wei.
        uint256 debtShares;
        uint256 debts;
        uint256 accounts;
        uint256 borrowAssets = m.totalBorrowAssets;
        uint256 den = uint256(m.totalBorrowShares) + VIRTUAL_SHARES;
        for (uint256 k; k < NK; ++k) {
            if (a.debtIdx[k] != i + 1) continue;
            debtShares += a.shares[k];
            debts += _mulDivUp(a.shares[k], borrowAssets + 1, den);
            ++accounts;
        }
        if (debtShares != m.totalBorrowShares) _fail("sum of debt shares != total borrow shares");
        if (debts > borrowAssets + accounts) _fail("sum of debts above the total debt");
        if (debts + _mulDivUp(VIRTUAL_SHARES, borrowAssets + 1, den) + 1 < borrowAssets) {
            _fail("sum of debts below the total debt");
        }
    }

    /// @dev Supply share price and borrow index never fall (bad debt aside); the LT never outruns the ramp.
    function _checkPrices(uint256 i, Market memory m, bool badDebt) internal {
        address token = address(tokens[i]);
        uint256 sNum = uint256(m.totalSupplyAssets) + 1;
        uint256 sDen = uint256(m.totalSupplyShares) + VIRTUAL_SHARES;
        if (!badDebt && sNum * supplyDen[i] < supplyNum[i] * sDen) _fail("supply share price fell without bad debt");
        uint256 bNum = uint256(m.totalBorrowAssets) + 1;
        uint256 bDen = uint256(m.totalBorrowShares) + VIRTUAL_SHARES;
        // A full repay (and a bad-debt write-off) pulls the debt rounded up: the index may lose up to 2 wei overall.
        if ((bNum + 2) * borrowDen[i] < borrowNum[i] * bDen) _fail("borrow index fell");
        supplyNum[i] = sNum;
        supplyDen[i] = sDen;
        borrowNum[i] = bNum;
        borrowDen[i] = bDen;

        // The LT may fall only by the ramp in force since the last observation (the rate set by the risk engine or
        // governance; a new ramp starts from the LT of the moment, and a step that sets one lets no time pass).
        uint256 lt = ext.effectiveLt(token);
        if (lt < lastLt[i]) {
            uint256 allowed = ((block.timestamp - lastLtTime[i]) * lastRamp[i]) / 1 hours + 1;
            if (lastLt[i] - lt > allowed) _fail("the liquidation threshold fell faster than the ramp");
        }
        lastLt[i] = lt;
        lastLtTime[i] = block.timestamp;
        _observeRamp(i, token, lt);
    }

    function _observeRamp(uint256 i, address token, uint256 lt) internal {
        AssetRisk memory r = ext.assetRisk(token);
        if (r.ltTarget < ext.assetConfig(token).lt && lt > r.ltTarget) ++nRampSteps;
        lastRamp[i] = r.rampBpsPerHour;
    }

    function _badDebtAssets() internal returns (bool[NA] memory found, bool[NK] memory accounts) {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        // Foundry records the events of reverted calls too: only a liquidation or settlement that went through books
        // bad debt (they are the only emitters).
        if (!_liqOk) return (found, accounts);
        for (uint256 j; j < logs.length; ++j) {
            if (logs[j].emitter == address(pool) && logs[j].topics[0] == IPoolEvents.BadDebt.selector) {
                found[_indexOf(address(uint160(uint256(logs[j].topics[1]))))] = true;
                ++nBadDebts;
                address owner = address(uint160(uint256(logs[j].topics[2])));
                uint96 sub = uint96(uint256(logs[j].topics[3]));
                for (uint256 k; k < NK; ++k) {
                    (address o, uint96 sb) = _account(k);
                    if (o == owner && sb == sub && (k < NR || slotPosition[k - NR] != 0)) accounts[k] = true;
                }
            }
        }
    }

    /// @dev A pool revert must be one of its own custom errors (or a token/ERC-4626 input error we provoke on
    /// purpose); never a Panic, an empty revert or the token refusing to pay out because the pool is short.
    function _expected(bytes memory err) internal {
        ++nExpectedReverts;
        // A feed that reverts without data or returns garbage makes the pool's strict price read (borrow, withdraw
        // collateral, the seized collateral and the debt of a liquidation) revert without data: expected then.
        if (err.length < 4 && !_garbageFeed()) _fail("empty revert");
        bytes4 sel = bytes4(err);
        if (sel == 0x4e487b71) _failWith("panic", err);
        if (sel == 0xe450d38c) _failWith("token transfer failed: insufficient balance", err);
        if (sel == 0xfb8f41b2) _failWith("token transfer failed: insufficient allowance", err);
    }

    function _fail(string memory reason) internal pure {
        revert Violation(reason);
    }

    function _failNums(string memory reason, uint256 x, uint256 y) internal pure {
        revert Violation(string.concat(reason, " / ", VM.toString(x), " < ", VM.toString(y)));
    }

    function _failWith(string memory reason, bytes memory err) internal pure {
        revert Violation(string.concat(reason, " / 0x", _hex(err)));
    }

    // ================================================================ helpers

    function _account(uint256 k) internal view returns (address owner, uint96 sub) {
        if (k < NR) return (actors[k / NS], uint96(k % NS));
        return (actors[k - NR], margin.subIdOf(slotPosition[k - NR]));
    }

    function _ownerIdx(uint256 k) internal pure returns (uint256) {
        return k < NR ? k / NS : k - NR;
    }

    /// @dev Mostly the actor itself; one time in three someone else (must fail unless authorized).
    function _owner(address actor, uint256 seed) internal view returns (address) {
        return seed % 3 == 0 ? actors[(seed >> 8) % NU] : actor;
    }

    function _indexOf(address token) internal view returns (uint256) {
        for (uint256 i; i < NA; ++i) if (address(tokens[i]) == token) return i;
        revert Violation("unknown asset");
    }

    /// @dev A log-uniform amount from 1 wei to a million whole tokens.
    function _amount(uint256 seed, uint256 i) internal view returns (uint256) {
        uint256 digits = tokens[i].decimals() + 7;
        return 1 + ((seed >> 8) % (10 ** (seed % digits)));
    }

    /// @dev About $1k..$200k of asset `i` at its current price.
    function _sizable(uint256 seed, uint256 i) internal view returns (uint256) {
        return (1_000e18 * WAD * (1 + (seed % 200))) / _px(i);
    }

    /// @dev Three times in four an amount near the account's remaining borrowing power, otherwise a random one.
    function _borrowAmount(address owner, uint96 sub, uint256 i, uint256 seed) internal view returns (uint256) {
        if (seed % 4 == 0) return _amount(seed >> 2, i);
        AccountHealth memory h;
        try ext.accountHealth(owner, sub) returns (AccountHealth memory got) {
            h = got;
        } catch {
            return _amount(seed >> 1, i);
        }
        if (h.borrowingPower <= h.debtValue) return _amount(seed >> 1, i);
        uint256 room = ((h.borrowingPower - h.debtValue) * WAD) / _px(i);
        return 1 + (room * (50 + ((seed >> 8) % 51))) / 100; // 50 %..100 % of the room
    }

    function _hex(bytes memory data) internal pure returns (string memory) {
        bytes memory alphabet = "0123456789abcdef";
        uint256 n = data.length > 68 ? 68 : data.length;
        bytes memory out = new bytes(2 * n);
        for (uint256 j; j < n; ++j) {
            out[2 * j] = alphabet[uint8(data[j]) >> 4];
            out[2 * j + 1] = alphabet[uint8(data[j]) & 0x0f];
        }
        return string(out);
    }

    function _mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y) / d;
    }

    function _mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + d - 1) / d;
    }

    /// @dev The oracle price the handler set (the mock's answer), scaled as the pool's: 1e18-USD per raw unit * 1e18.
    /// For sizing amounts: unlike the pool's view it answers while the pool's feed is broken.
    function _px(uint256 i) internal view returns (uint256) {
        return uint256(answers[i]) * 10 ** (28 - tokens[i].decimals());
    }

    /// @dev The pool's price of `asset`, or 0 if the pool does not trust it now.
    function _priceOr0(address asset) internal view returns (uint256) {
        try ext.price(asset) returns (uint256 p) {
            return p;
        } catch {
            return 0;
        }
    }

    /// @dev Arbitrages a Uniswap pool back to the oracle (skipped while the oracle is broken).
    function _arb(address a, address b) internal {
        try dex.arb(a, b) {} catch {}
    }

    /// @dev 1 wei, or a dust amount worth about 1 cent .. 1 dollar.
    function _dust(uint256 seed, uint256 i) internal returns (uint256) {
        ++nDustActions;
        if ((seed >> 3) % 2 == 0) return 1;
        return 1 + ((0.01e18 + ((seed >> 4) % 1e18)) * WAD) / _px(i);
    }

    function _actorIdx(address who) internal view returns (uint256) {
        for (uint256 u; u < NU; ++u) if (actors[u] == who) return u;
        revert Violation("unknown actor");
    }

    function _accountIdx(address owner, uint96 sub) internal view returns (uint256) {
        for (uint256 k; k < NR; ++k) {
            (address o, uint96 sb) = _account(k);
            if (o == owner && sb == sub) return k;
        }
        return NK;
    }

    /// @dev Counts an attempt on an account the acting address may not act for.
    function _thirdParty(Snap memory s, address owner, uint96 sub) internal {
        uint256 k = _accountIdx(owner, sub);
        if (k != NK && !s.authorizedK[k]) ++nThirdParty;
    }

    /// @dev A refused attempt on another's account must be refused as Unauthorized (checked first).
    function _thirdPartyRefused(Snap memory s, address owner, uint96 sub, bytes memory err) internal {
        uint256 k = _accountIdx(owner, sub);
        if (k == NK || s.authorizedK[k]) return;
        ++nThirdPartyRefused;
        if (bytes4(err) != IPoolErrors.Unauthorized.selector) _failWith("third party refused otherwise", err);
    }

    function _anyUntrustedCollateral(Snap memory s, uint256 k) internal pure returns (bool) {
        for (uint256 i; i < NA; ++i) if (s.coll[k][i] != 0 && !s.priceOk[i]) return true;
        return false;
    }

    function _garbageFeed() internal view returns (bool) {
        for (uint256 i; i < NA; ++i) {
            uint8 m = flaky[i].mode();
            if (m == 2 || m == 3 || m == 4) return true;
        }
        return false;
    }

    function _flags(uint256 i) internal view returns (uint8) {
        return ext.assetConfig(address(tokens[i])).flags;
    }

    function _anyPause() internal view returns (bool) {
        for (uint256 i; i < NA; ++i) if (_flags(i) & PAUSE_FLAGS != 0) return true;
        return false;
    }

    /// @dev An exit (repay, top-up, margin close, liquidation) must never be refused by a pause or the breaker.
    function _checkExit(bytes memory err, string memory what) internal {
        bytes4 sel = bytes4(err);
        if (
            sel == IPoolErrors.SupplyPaused.selector ||
            sel == IPoolErrors.BorrowPaused.selector ||
            sel == IPoolErrors.CircuitBreakerActive.selector ||
            sel == IPoolErrors.FlashPaused.selector
        ) _failWith(string.concat(what, ": an exit refused by a pause or the circuit breaker"), err);
    }

    // ================================================================ views for the global invariants

    function actorAt(uint256 u) external view returns (address) {
        return actors[u];
    }

    function tokenAt(uint256 i) external view returns (IMockERC20) {
        return tokens[i];
    }

    function vaultAt(uint256 i) external view returns (address) {
        return vaults[i];
    }
}
