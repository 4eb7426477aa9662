// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IFulcraPool} from "../interfaces/IFulcraPool.sol";
import {IDexAdapter} from "../interfaces/IDexAdapter.sol";
import {IFulcraRepayCallback} from "../interfaces/IFulcraCallbacks.sol";
import {AccountHealth, AssetConfig} from "../interfaces/IPoolTypes.sol";

/// @title MarginRouter
/// @notice Leveraged long and short positions in one transaction. A position lives in its own sub-account of the
/// trader, `(trader, SUB_PREFIX | positionId)`, so its liquidation never touches the trader's other positions or
/// lending account. Opening flash-borrows the collateral asset from the pool (as much as the swap must at least buy at
/// the oracle price), posts margin + loan as collateral, borrows the debt asset against it, sells the debt for
/// collateral through the DEX adapter, repays the loan from the purchase and posts the surplus — all atomically.
/// (The loan is of the collateral, not the debt asset, because the pool's flash-loan balance check would count a
/// borrow of the lent asset inside the loan as a shortfall.) Closing and decreasing take no flash loan: they repay
/// through `pool.repayAndCall`, and in its callback withdraw collateral, buy the repaid debt with it and return what
/// is left to the trader, before the pool pulls the repayment — so no pause of borrows or flash loans stops an exit.
/// @dev The trader authorizes this router on the pool once: either for every account
/// (`pool.setAuthorization(router, true)`) or only for its position sub-accounts
/// (`pool.setAuthorizationScope(router, prefix, mask)` with `(prefix, mask) = authorizationScope()`).
/// Long: collateral = base, debt = quote. Short: collateral = quote, debt = base. Margin is paid in the collateral
/// asset. Every trade has a min-out, a deadline, and an oracle check: the execution price may not be worse than the
/// oracle price by more than `maxDeviationBps`, so a manipulated pool makes the trade revert instead of the trader
/// poorer. Leverage is capped by the collateral's LTV at the moment of the trade (the risk engine's dynamic LTV).
contract MarginRouter is IERC3156FlashBorrower, IFulcraRepayCallback, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Sets fees, guards and limits.
    bytes32 public constant MARGIN_ADMIN_ROLE = keccak256("MARGIN_ADMIN_ROLE");

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint96 internal constant SUB_FLAG = uint96(1) << 95;
    uint256 public constant MAX_FEE_BPS = 50;
    uint256 public constant MAX_DEVIATION_BPS = 500;
    /// @notice Upper bound of the minimum position value (18-decimal USD) governance may set.
    uint256 public constant MAX_MIN_POSITION_VALUE = 1_000_000e18;
    /// @notice `maxLeverage` stays this far below the exact limit of the opening flow, for the wei roundings of the
    /// fee, the borrow, the flash-loan floor and the pool's valuations (each well under 1 bps of a position above
    /// the minimum size).
    uint256 public constant LEVERAGE_ROUNDING_BPS = 2;
    bytes32 internal constant FLASH_OK = keccak256("ERC3156FlashBorrower.onFlashLoan");
    uint8 internal constant FLAG_BREAKER = 16;
    uint8 internal constant KIND_OPEN = 1;
    /// @dev Reduce a position within its LTV: the same share of collateral and debt leaves it.
    uint8 internal constant KIND_REDUCE = 2;
    /// @dev Reduce a position above its LTV: only the collateral the repay costs leaves it.
    uint8 internal constant KIND_DELEVER = 3;

    IFulcraPool public immutable POOL;
    IDexAdapter public immutable ADAPTER;
    /// @notice High bits of every position's sub-account: bit 95 set (the trader's ordinary accounts use small ids)
    /// and 31 bits of this router's address, so a second router never lands on the first one's sub-accounts.
    uint96 public immutable SUB_PREFIX;

    /// @dev Two slots: the pair is stored once in `pairs` and referenced by id, so opening a position writes two
    /// new slots instead of four.
    struct Position {
        address trader;
        bool isLong;
        bool open;
        uint32 pairId; // key of `pairs`
        uint128 size; // base units: the long's collateral or the short's debt at execution
        uint128 entryPrice; // quote per base, whole units, WAD
    }

    /// @notice A market pair: base and quote asset.
    struct Pair {
        address base;
        address quote;
    }

    struct OpenParams {
        address base;
        address quote;
        bool isLong;
        uint256 margin; // in the collateral asset (long: base, short: quote)
        uint256 leverage; // WAD, collateral / margin, e.g. 3e18
        uint256 minOut; // minimum collateral bought by the swap
        bytes route; // adapter route from the debt asset to the collateral asset
        uint256 deadline;
    }

    struct Action {
        uint8 kind; // KIND_OPEN, KIND_REDUCE or KIND_DELEVER
        uint256 positionId;
        address collateral;
        address debt;
        uint256 amount; // open: margin; reduce: fraction (WAD)
        uint256 minOut; // open: min collateral bought; reduce: max collateral sold
        uint256 borrow; // open: debt borrowed and sold; reduce: unused
        bytes route;
    }

    mapping(uint256 => Position) internal _positions;
    /// @notice Pairs by id (1-based), registered on their first position.
    mapping(uint256 => Pair) public pairs;
    /// @notice Id of the pair keccak256(base, quote); 0 if not registered yet.
    mapping(bytes32 => uint32) public pairIdOf;
    /// @notice Number of registered pairs.
    uint32 public pairCount;
    mapping(address => uint256[]) internal _traderPositions;
    uint256 public nextPositionId = 1;

    uint256 public feeBps;
    address public feeRecipient;
    uint256 public maxDeviationBps = 100;
    uint256 public minPositionValue = 100e18;
    uint256 public maxNewDebtPerBlock; // USD (WAD); 0 = no cap
    uint256 public newDebtBlock;
    uint256 public newDebtInBlock;

    // Results passed from the flash callback back to the entry point, in transient storage (EIP-1153): they live
    // for the transaction only and cost no persistent SSTORE.
    bytes32 internal constant T_BOUGHT = keccak256("fulcra.margin.bought");
    bytes32 internal constant T_SPENT = keccak256("fulcra.margin.spent");
    bytes32 internal constant T_RETURNED = keccak256("fulcra.margin.returned");
    /// @dev Collateral a reduce above the LTV took out of the position for good (sold + closing fee).
    bytes32 internal constant T_REMOVED = keccak256("fulcra.margin.removed");
    /// @dev Set while this router's own `repayAndCall` is under way: `onFulcraRepay` serves only that.
    bytes32 internal constant T_REPAY = keccak256("fulcra.margin.repay");

    error ZeroAmount();
    error Expired();
    error NotTrader();
    error PositionNotOpen();
    error LeverageTooHigh(uint256 leverage, uint256 maxLeverage);
    error PositionTooSmall();
    error CircuitBreakerActive();
    error PriceDeviation(uint256 valueIn, uint256 valueOut);
    error BlockDebtCapExceeded();
    error InvalidParams();
    error BadCallback();

    event PositionOpened(
        uint256 indexed positionId,
        address indexed trader,
        address base,
        address quote,
        bool isLong,
        uint256 margin,
        uint256 collateral,
        uint256 debt,
        uint256 entryPrice
    );
    event PositionIncreased(uint256 indexed positionId, uint256 margin, uint256 collateralAdded, uint256 debtAdded);
    event PositionDecreased(
        uint256 indexed positionId,
        uint256 fraction,
        uint256 debtRepaid,
        uint256 collateralSold,
        uint256 returned
    );
    event PositionClosed(uint256 indexed positionId, uint256 debtRepaid, uint256 collateralSold, uint256 returned);
    /// @notice An opening or closing fee of `amount` of `token` went to the fee recipient.
    event FeePaid(uint256 indexed positionId, address token, uint256 amount);
    event MarginAdded(uint256 indexed positionId, uint256 amount);
    event MarginRemoved(uint256 indexed positionId, uint256 amount);
    event FeeSet(uint256 feeBps, address recipient);
    /// @notice A market pair got its id on its first position.
    event PairRegistered(uint32 indexed pairId, address base, address quote);
    event GuardsSet(uint256 maxDeviationBps, uint256 minPositionValue, uint256 maxNewDebtPerBlock);

    constructor(IFulcraPool pool, IDexAdapter adapter, address admin) {
        if (address(pool) == address(0) || address(adapter) == address(0) || admin == address(0)) {
            revert InvalidParams();
        }
        POOL = pool;
        ADAPTER = adapter;
        SUB_PREFIX = SUB_FLAG | (uint96(uint160(address(this)) & 0x7fffffff) << 64);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARGIN_ADMIN_ROLE, admin);
    }

    // ================================================================ trader actions

    /// @notice Opens a position: pulls `margin` of the collateral asset, borrows `margin · (leverage − 1)` worth of the
    /// debt asset (at oracle prices) inside a flash loan of the collateral, swaps it into collateral and leaves the
    /// trader's new sub-account with ≈ `margin · leverage` of collateral (less swap costs and the optional fee).
    /// @return positionId The new position (its sub-account is `SUB_PREFIX | positionId`).
    function openPosition(OpenParams calldata p) external nonReentrant returns (uint256 positionId) {
        if (p.base == p.quote || p.base == address(0) || p.quote == address(0)) revert InvalidParams();
        positionId = nextPositionId++;
        _positions[positionId] = Position({
            trader: msg.sender,
            isLong: p.isLong,
            open: true,
            pairId: _pairId(p.base, p.quote),
            size: 0,
            entryPrice: 0
        });
        _traderPositions[msg.sender].push(positionId);
        (uint256 collateralAdded, uint256 debtAdded) = _increase(positionId, p);
        Position storage pos = _positions[positionId];
        emit PositionOpened(
            positionId,
            msg.sender,
            p.base,
            p.quote,
            p.isLong,
            p.margin,
            collateralAdded,
            debtAdded,
            pos.entryPrice
        );
    }

    /// @notice Adds to an open position: more margin at the given leverage (same side and pair).
    function increase(uint256 positionId, OpenParams calldata p) external nonReentrant {
        Position storage pos = _own(positionId);
        Pair memory pair = pairs[pos.pairId];
        if (p.base != pair.base || p.quote != pair.quote || p.isLong != pos.isLong) revert InvalidParams();
        (uint256 collateralAdded, uint256 debtAdded) = _increase(positionId, p);
        emit PositionIncreased(positionId, p.margin, collateralAdded, debtAdded);
    }

    /// @notice Closes `fraction` (WAD, 1e18 = all) of a position: repays that share of the debt through
    /// `pool.repayAndCall` and, in its callback, withdraws collateral, buys the repaid debt with it (at most
    /// `maxCollateralSold`, at a price within `maxDeviationBps` of the oracle) and lets the pool pull the repayment.
    /// No flash loan, so no borrow or flash-loan pause stops it.
    /// - Within its LTV (and always for a full close) the same share of the collateral leaves the position; what the
    ///   swap did not spend goes to the trader, less the closing fee.
    /// - Above its LTV (a price move took it there; not liquidatable) only the collateral the repay costs leaves the
    ///   position: at most what a swap within the oracle bound can spend is withdrawn, and what the swap did not
    ///   spend (less the closing fee, of the collateral sold) is supplied back to the position. The trader gets
    ///   nothing back, and the position ends healthier than before (the pool checks it: within the repay's window
    ///   it allows a withdrawal beyond the LTV only if the health does not fall).
    /// @return returned Collateral-asset units sent to the trader (after the closing fee).
    function decrease(
        uint256 positionId,
        uint256 fraction,
        uint256 maxCollateralSold,
        bytes calldata route,
        uint256 deadline
    ) public nonReentrant returns (uint256 returned) {
        if (fraction == 0 || fraction > WAD) revert InvalidParams();
        if (block.timestamp > deadline) revert Expired();
        Position storage pos = _own(positionId);
        uint96 sub = _sub(positionId);
        // Scoped locals: the instrumented build of the coverage run is otherwise one stack slot too deep here.
        Action memory a;
        {
            (address collateral, address debt) = _assetsOf(pos);
            a = Action(KIND_REDUCE, positionId, collateral, debt, fraction, maxCollateralSold, 0, route);
        }
        uint256 repay;
        {
            (, , uint256 debtAmount, , ) = POOL.accountOf(pos.trader, sub);
            repay = fraction == WAD ? debtAmount : (debtAmount * fraction) / WAD;
        }
        uint256 collateralBefore;
        if (repay == 0) {
            _reduceWithoutDebt(a, pos);
        } else {
            if (fraction != WAD) {
                AccountHealth memory h = POOL.accountHealth(pos.trader, sub);
                if (h.borrowingPower < h.debtValue) {
                    a.kind = KIND_DELEVER;
                    collateralBefore = POOL.collateralOf(pos.trader, sub, a.collateral);
                }
            }
            _tstore(T_REPAY, 1);
            // A full close repays by shares (max): the pool books exactly the debt, interest to this second included.
            (repay, ) = POOL.repayAndCall(
                a.debt,
                fraction == WAD ? type(uint256).max : repay,
                pos.trader,
                sub,
                abi.encode(a)
            );
        }
        returned = _tload(T_RETURNED);
        uint256 sold = _tload(T_SPENT);
        if (fraction == WAD) {
            pos.open = false;
            emit PositionClosed(positionId, repay, sold, returned);
        } else {
            // The closed share of the size; a long reduced above its LTV keeps more base than that share: its size
            // falls by the share of collateral that actually left.
            uint256 cut = a.kind == KIND_DELEVER && pos.isLong
                ? (uint256(pos.size) * _tload(T_REMOVED)) / collateralBefore
                : (uint256(pos.size) * fraction) / WAD;
            pos.size = uint128(pos.size - cut);
            emit PositionDecreased(positionId, fraction, repay, sold, returned);
        }
    }

    /// @notice Closes a position entirely (see `decrease`).
    function close(
        uint256 positionId,
        uint256 maxCollateralSold,
        bytes calldata route,
        uint256 deadline
    ) external returns (uint256) {
        return decrease(positionId, WAD, maxCollateralSold, route, deadline);
    }

    /// @notice Adds `amount` of the collateral asset to a position (lowers its leverage).
    function addMargin(uint256 positionId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Position storage pos = _own(positionId);
        (address collateral, ) = _assetsOf(pos);
        IERC20(collateral).safeTransferFrom(msg.sender, address(this), amount);
        _approveMax(collateral, address(POOL));
        POOL.supplyCollateral(collateral, amount, pos.trader, _sub(positionId));
        emit MarginAdded(positionId, amount);
    }

    /// @notice Takes `amount` of collateral out of a position to the trader; the pool refuses if it would exceed LTV.
    function removeMargin(uint256 positionId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Position storage pos = _own(positionId);
        (address collateral, ) = _assetsOf(pos);
        POOL.withdrawCollateral(collateral, amount, pos.trader, _sub(positionId), pos.trader);
        emit MarginRemoved(positionId, amount);
    }

    // ================================================================ flash callback

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32) {
        if (msg.sender != address(POOL) || initiator != address(this)) revert BadCallback();
        Action memory a = abi.decode(data, (Action));
        Position storage pos = _positions[a.positionId];
        uint96 sub = _sub(a.positionId);
        // Only opens and increases take a flash loan. The loan is of the collateral asset: `amount` is the least the
        // swap may buy at the oracle price and the deviation bound. Post margin + loan, borrow the debt asset against
        // it, sell the debt for collateral, repay the loan from what was bought and post the surplus too.
        uint256 total = a.amount + amount;
        _approveMax(token, address(POOL));
        POOL.supplyCollateral(token, total, pos.trader, sub);
        POOL.borrow(a.debt, a.borrow, pos.trader, sub, address(this));
        _approveMax(a.debt, address(ADAPTER));
        uint256 bought = ADAPTER.swapExactIn(a.debt, token, a.borrow, a.minOut, a.route);
        if (bought < amount + fee) {
            revert PriceDeviation((a.borrow * POOL.price(a.debt)) / WAD, (bought * POOL.price(token)) / WAD);
        }
        uint256 surplus = bought - amount - fee;
        if (surplus != 0) {
            POOL.supplyCollateral(token, surplus, pos.trader, sub);
        }
        _tstore(T_BOUGHT, bought - fee);
        // The pool pulls the loan back: the max approval of `token` to the pool was ensured above.
        return FLASH_OK;
    }

    // ================================================================ repay callback

    /// @inheritdoc IFulcraRepayCallback
    /// @dev Only inside a `repayAndCall` this router started (`decrease`): the pool has booked the repay of `assets`;
    /// withdraw collateral, buy `assets` of the debt asset with it, check the fill against the oracle, and pay out
    /// (within the LTV) or put back (above it) what the swap did not spend. The pool pulls `assets` on return.
    function onFulcraRepay(uint256 assets, bytes calldata data) external {
        if (msg.sender != address(POOL) || _tload(T_REPAY) == 0) revert BadCallback();
        _tstore(T_REPAY, 0);
        Action memory a = abi.decode(data, (Action));
        Position storage pos = _positions[a.positionId];
        uint96 sub = _sub(a.positionId);
        uint256 take = POOL.collateralOf(pos.trader, sub, a.collateral);
        if (a.kind == KIND_DELEVER) {
            // The most collateral a swap within the oracle bound may spend on `assets` (rounded up).
            uint256 cap = Math.mulDiv(
                assets,
                POOL.price(a.debt) * BPS,
                POOL.price(a.collateral) * (BPS - maxDeviationBps),
                Math.Rounding.Ceil
            );
            if (cap < take) take = cap;
        } else if (a.amount != WAD) {
            take = (take * a.amount) / WAD;
        }
        uint256 maxIn = a.minOut < take ? a.minOut : take;
        if (a.kind == KIND_DELEVER) take = maxIn;
        POOL.withdrawCollateral(a.collateral, take, pos.trader, sub, address(this));
        _approveMax(a.collateral, address(ADAPTER));
        uint256 spent = ADAPTER.swapExactOut(a.collateral, a.debt, assets, maxIn, a.route);
        _checkDeviation(a.collateral, spent, a.debt, assets);
        _approveMax(a.debt, address(POOL));
        _tstore(T_SPENT, spent);
        if (a.kind == KIND_DELEVER) {
            // Nothing to the trader: the unspent collateral, less the closing fee on what was sold, goes back.
            uint256 left = take - spent;
            uint256 fee = _chargeFee(a.positionId, a.collateral, spent, left);
            if (left > fee) {
                _approveMax(a.collateral, address(POOL));
                POOL.supplyCollateral(a.collateral, left - fee, pos.trader, sub);
            }
            _tstore(T_REMOVED, spent + fee);
            _tstore(T_RETURNED, 0);
        } else {
            _tstore(T_RETURNED, _payOut(a.positionId, a.collateral, take, take - spent, pos.trader));
        }
    }

    // ================================================================ views

    /// @notice A position as a trading UI shows it. Prices are quote per base in whole units (WAD); values are
    /// 18-decimal USD.
    struct PositionView {
        address trader;
        uint96 subId;
        address base;
        address quote;
        bool isLong;
        bool open;
        uint256 size; // base units
        uint256 collateral; // collateral-asset units
        uint256 debt; // debt-asset units, interest included
        uint256 entryPrice;
        uint256 markPrice;
        int256 unrealizedPnlValue;
        uint256 equityValue;
        uint256 leverage; // WAD: collateral value / equity
        uint256 healthFactor;
        uint256 liquidationPrice; // mark price at which health reaches 1
    }

    /// @notice Everything about position `positionId` at oracle prices now.
    function positionInfo(uint256 positionId) public view returns (PositionView memory v) {
        Position memory pos = _positions[positionId];
        v.trader = pos.trader;
        v.subId = _sub(positionId);
        Pair memory pair = pairs[pos.pairId];
        v.base = pair.base;
        v.quote = pair.quote;
        v.isLong = pos.isLong;
        v.open = pos.open;
        v.size = pos.size;
        v.entryPrice = pos.entryPrice;
        if (pos.trader == address(0)) return v;
        (address collateral, address debt) = _assetsOf(pos);
        v.collateral = POOL.collateralOf(pos.trader, v.subId, collateral);
        (, , v.debt, , ) = POOL.accountOf(pos.trader, v.subId);
        uint256 pBase = POOL.price(pair.base);
        uint256 pQuote = POOL.price(pair.quote);
        v.markPrice = _wholePrice(pair.base, pBase, pair.quote, pQuote);
        uint256 cValue = (v.collateral * POOL.price(collateral)) / WAD;
        uint256 dValue = (v.debt * POOL.price(debt) + WAD - 1) / WAD;
        v.equityValue = cValue > dValue ? cValue - dValue : 0;
        v.leverage = v.equityValue == 0 ? type(uint256).max : (cValue * WAD) / v.equityValue;
        // PnL in quote whole units at the mark, converted to USD with the quote's price.
        uint256 quoteUsd = pQuote * 10 ** IERC20Metadata(pair.quote).decimals(); // USD per whole quote, WAD
        uint256 sizeWhole = (uint256(pos.size) * WAD) / 10 ** IERC20Metadata(pair.base).decimals();
        int256 move = int256(v.markPrice) - int256(uint256(pos.entryPrice));
        if (!pos.isLong) move = -move;
        // quoteUsd is the USD value (18 decimals) of one whole quote, scaled by another 1e18: divide by WAD twice.
        v.unrealizedPnlValue =
            (((int256(sizeWhole) * move) / int256(WAD)) * int256(quoteUsd)) /
            int256(WAD) /
            int256(WAD);
        if (v.debt != 0) {
            AccountHealth memory h = POOL.accountHealth(pos.trader, v.subId);
            v.healthFactor = h.healthFactor;
            // Health scales linearly with the base price on the collateral side (long) or the debt side (short).
            v.liquidationPrice = pos.isLong
                ? (v.markPrice * WAD) / h.healthFactor
                : (v.markPrice * h.healthFactor) / WAD;
        } else {
            v.healthFactor = type(uint256).max;
        }
    }

    /// @notice The pool sub-account of position `positionId` (its owner is the position's trader).
    function subIdOf(uint256 positionId) external view returns (uint96) {
        return _sub(positionId);
    }

    /// @notice Position ids of `trader`, open and closed.
    function positionsOf(address trader) external view returns (uint256[] memory) {
        return _traderPositions[trader];
    }

    /// @notice Highest leverage (WAD) a position with `collateral` as collateral may open now; 0 while the circuit
    /// breaker is on. At the pool's `borrow`, inside the open, the position holds the margin less the opening fee
    /// plus the flash-loaned floor (the borrow at the oracle price less `maxDeviationBps`), and the debt must fit its
    /// LTV: with margin m, fee f and deviation bound dev (fractions),
    /// (L − 1)·m ≤ LTV·(m·(1 − L·f) + (L − 1)·m·(1 − dev)), i.e. L ≤ (1 + LTV·dev) / (1 − LTV·(1 − dev) + LTV·f).
    /// Returned: that bound less `LEVERAGE_ROUNDING_BPS`. E.g. LTV 80 %, dev 1 %, no fee: 1.008 / 0.208 = 4.8461…x,
    /// returned 4.8452…x. An open at this leverage succeeds whenever the DEX fills within `maxDeviationBps` of the
    /// oracle (less the collateral's flash fee, if any).
    function maxLeverage(address collateral) public view returns (uint256) {
        AssetConfig memory c = POOL.assetConfig(collateral);
        if (c.flags & FLAG_BREAKER != 0) return 0;
        uint256 ltv = c.ltv;
        if (ltv == 0) return WAD;
        uint256 dev = maxDeviationBps;
        uint256 exact = (WAD * (BPS * BPS + ltv * dev)) / (BPS * BPS - ltv * (BPS - dev) + ltv * feeBps);
        return (exact * (BPS - LEVERAGE_ROUNDING_BPS)) / BPS;
    }

    /// @notice The scope a trader may grant this router instead of full authorization:
    /// `pool.setAuthorizationScope(router, prefix, mask)` lets it act only on the trader's position sub-accounts,
    /// `SUB_PREFIX | positionId` (position ids fit the low 64 bits), never on other accounts or lender positions.
    function authorizationScope() external view returns (uint96 prefix, uint96 mask) {
        return (SUB_PREFIX, ~uint96(type(uint64).max));
    }

    // ================================================================ admin

    /// @notice Sets the open/close fee (bps of the notional, at most MAX_FEE_BPS) and where it goes.
    function setFee(uint256 feeBps_, address recipient) external onlyRole(MARGIN_ADMIN_ROLE) {
        if (feeBps_ > MAX_FEE_BPS || (feeBps_ != 0 && recipient == address(0))) revert InvalidParams();
        feeBps = feeBps_;
        feeRecipient = recipient;
        emit FeeSet(feeBps_, recipient);
    }

    /// @notice Sets the oracle-deviation bound, the minimum position value and the per-block new-debt cap.
    function setGuards(
        uint256 maxDeviationBps_,
        uint256 minPositionValue_,
        uint256 maxNewDebtPerBlock_
    ) external onlyRole(MARGIN_ADMIN_ROLE) {
        if (maxDeviationBps_ == 0 || maxDeviationBps_ > MAX_DEVIATION_BPS || minPositionValue_ > MAX_MIN_POSITION_VALUE)
            revert InvalidParams();
        maxDeviationBps = maxDeviationBps_;
        minPositionValue = minPositionValue_;
        maxNewDebtPerBlock = maxNewDebtPerBlock_;
        emit GuardsSet(maxDeviationBps_, minPositionValue_, maxNewDebtPerBlock_);
    }

    // ================================================================ internals

    function _increase(uint256 positionId, OpenParams calldata p) internal returns (uint256, uint256) {
        if (p.margin == 0) revert ZeroAmount();
        if (block.timestamp > p.deadline) revert Expired();
        Position storage pos = _positions[positionId];
        Pair memory pair = pairs[pos.pairId];
        (address collateral, address debt) = pos.isLong ? (pair.base, pair.quote) : (pair.quote, pair.base);
        if ((POOL.assetConfig(debt).flags & FLAG_BREAKER) != 0) revert CircuitBreakerActive();
        uint256 maxLev = maxLeverage(collateral);
        if (maxLev == 0) revert CircuitBreakerActive();
        if (p.leverage <= WAD) revert InvalidParams();
        if (p.leverage > maxLev) revert LeverageTooHigh(p.leverage, maxLev);

        uint256 pC = POOL.price(collateral);
        uint256 pD = POOL.price(debt);
        uint256 notional = (p.margin * p.leverage) / WAD;
        if ((notional * pC) / WAD < minPositionValue) revert PositionTooSmall();

        uint256 margin = p.margin;
        IERC20(collateral).safeTransferFrom(msg.sender, address(this), margin);
        uint256 fee = (notional * feeBps) / BPS;
        if (fee != 0) {
            // Rounded down: the fee is the protocol's gain, never more than the bound.
            IERC20(collateral).safeTransfer(feeRecipient, fee);
            margin -= fee;
            emit FeePaid(positionId, collateral, fee);
        }
        uint256 borrowAmount = (((notional - p.margin) * pC) / pD);
        _chargeBlockCap((borrowAmount * pD) / WAD);

        // The oracle-price floor of what the swap must buy (rounded down): the loan of collateral taken for the
        // open. A pool pushed away from the oracle by more than `maxDeviationBps` cannot deliver it.
        uint256 floor = (borrowAmount * pD * (BPS - maxDeviationBps)) / (BPS * pC);
        if (borrowAmount == 0 || floor == 0) revert PositionTooSmall();
        Action memory a = Action(KIND_OPEN, positionId, collateral, debt, margin, p.minOut, borrowAmount, p.route);
        POOL.flashLoan(this, collateral, floor, abi.encode(a));
        uint256 bought = _tload(T_BOUGHT);

        // Entry price: quote per base of what the position holds, valued as executed.
        uint256 baseAdded;
        uint256 quoteValue;
        if (pos.isLong) {
            // Margin counts at the mark; the bought base at what it cost.
            baseAdded = margin + bought;
            quoteValue = _toQuoteWhole(pair.quote, margin, pC, pD) + _scaleWhole(pair.quote, borrowAmount);
        } else {
            baseAdded = borrowAmount;
            quoteValue = _scaleWhole(pair.quote, bought);
        }
        uint256 newSize = uint256(pos.size) + baseAdded;
        uint256 oldValue = (uint256(pos.entryPrice) * _scaleWhole(pair.base, pos.size)) / WAD;
        pos.entryPrice = uint128(((oldValue + quoteValue) * WAD) / _scaleWhole(pair.base, newSize));
        pos.size = uint128(newSize);
        return (margin + bought, borrowAmount);
    }

    /// @dev Reduce a position that has no debt left (e.g. after a liquidation repaid it): just return collateral.
    function _reduceWithoutDebt(Action memory a, Position storage pos) internal {
        uint96 sub = _sub(a.positionId);
        uint256 collateral = POOL.collateralOf(pos.trader, sub, a.collateral);
        uint256 take = a.amount == WAD ? collateral : (collateral * a.amount) / WAD;
        _tstore(T_SPENT, 0);
        _tstore(T_RETURNED, 0);
        if (take != 0) {
            POOL.withdrawCollateral(a.collateral, take, pos.trader, sub, address(this));
            _tstore(T_RETURNED, _payOut(a.positionId, a.collateral, take, take, pos.trader));
        }
    }

    /// @dev Sends `amount` of `token` to the trader after the closing fee: `feeBps` of the collateral taken out of
    /// the position (the notional closed, as the opening fee), rounded down, capped at what is returned.
    function _payOut(
        uint256 positionId,
        address token,
        uint256 notional,
        uint256 amount,
        address trader
    ) internal returns (uint256) {
        uint256 fee = _chargeFee(positionId, token, notional, amount);
        if (amount > fee) IERC20(token).safeTransfer(trader, amount - fee);
        return amount - fee;
    }

    /// @dev Sends the closing fee, `feeBps` of `notional` rounded down and at most `cap`, to the fee recipient.
    function _chargeFee(uint256 positionId, address token, uint256 notional, uint256 cap) internal returns (uint256) {
        uint256 fee = (notional * feeBps) / BPS;
        if (fee > cap) fee = cap;
        if (fee != 0) {
            IERC20(token).safeTransfer(feeRecipient, fee);
            emit FeePaid(positionId, token, fee);
        }
        return fee;
    }

    /// @dev Approves `spender` (the immutable pool or adapter) for the maximum once; standard tokens then never
    /// decrement it, which saves an allowance write per transfer. Safe because the router holds no tokens between
    /// transactions, and the pool and the adapter only ever pull from their caller.
    function _approveMax(address token, address spender) internal {
        if (IERC20(token).allowance(address(this), spender) < type(uint128).max) {
            IERC20(token).forceApprove(spender, type(uint256).max);
        }
    }

    function _tstore(bytes32 slot, uint256 v) internal {
        assembly ("memory-safe") {
            tstore(slot, v)
        }
    }

    function _tload(bytes32 slot) internal view returns (uint256 v) {
        assembly ("memory-safe") {
            v := tload(slot)
        }
    }

    /// @dev The value received may not fall short of the value given by more than `maxDeviationBps`, at oracle
    /// prices: a pool pushed away from the oracle makes the trade revert.
    function _checkDeviation(address tokenIn, uint256 amountIn, address tokenOut, uint256 amountOut) internal view {
        uint256 valueIn = (amountIn * POOL.price(tokenIn)) / WAD;
        uint256 valueOut = (amountOut * POOL.price(tokenOut)) / WAD;
        if (valueOut * BPS < valueIn * (BPS - maxDeviationBps)) revert PriceDeviation(valueIn, valueOut);
    }

    function _chargeBlockCap(uint256 debtValue) internal {
        uint256 cap = maxNewDebtPerBlock;
        if (cap == 0) return;
        if (newDebtBlock != block.number) {
            newDebtBlock = block.number;
            newDebtInBlock = 0;
        }
        uint256 total = newDebtInBlock + debtValue;
        if (total > cap) revert BlockDebtCapExceeded();
        newDebtInBlock = total;
    }

    function _own(uint256 positionId) internal view returns (Position storage pos) {
        pos = _positions[positionId];
        if (pos.trader != msg.sender) revert NotTrader();
        if (!pos.open) revert PositionNotOpen();
    }

    function _assetsOf(Position memory pos) internal view returns (address collateral, address debt) {
        Pair storage pair = pairs[pos.pairId];
        return pos.isLong ? (pair.base, pair.quote) : (pair.quote, pair.base);
    }

    /// @dev Id of the pair (base, quote), registered on first use.
    function _pairId(address base, address quote) internal returns (uint32 id) {
        bytes32 key = keccak256(abi.encode(base, quote));
        id = pairIdOf[key];
        if (id == 0) {
            id = ++pairCount;
            pairIdOf[key] = id;
            pairs[id] = Pair(base, quote);
            emit PairRegistered(id, base, quote);
        }
    }

    function _sub(uint256 positionId) internal view returns (uint96) {
        return SUB_PREFIX | uint96(positionId);
    }

    /// @dev Raw token amount → whole units in WAD.
    function _scaleWhole(address token, uint256 amount) internal view returns (uint256) {
        return (amount * WAD) / 10 ** IERC20Metadata(token).decimals();
    }

    /// @dev Value of `amount` base units in whole quote units (WAD), at base price `pBase` (pool scale).
    /// `pQuote` is the quote's pool price (the debt asset of a long).
    function _toQuoteWhole(
        address quote,
        uint256 amount,
        uint256 pBase,
        uint256 pQuote
    ) internal view returns (uint256) {
        uint256 usd = (amount * pBase) / WAD; // 18-dec USD
        // value of one whole quote in 18-dec USD, scaled by 1e18 (pool prices are per unit, scaled by 1e18)
        uint256 quoteUsd = pQuote * 10 ** IERC20Metadata(quote).decimals();
        return Math.mulDiv(usd, WAD * WAD, quoteUsd);
    }

    /// @dev Price of one whole base in whole quote (WAD) from pool prices per unit.
    function _wholePrice(address base, uint256 pBase, address quote, uint256 pQuote) internal view returns (uint256) {
        uint256 baseWholeUsd = pBase * 10 ** IERC20Metadata(base).decimals();
        uint256 quoteWholeUsd = pQuote * 10 ** IERC20Metadata(quote).decimals();
        return (baseWholeUsd * WAD) / quoteWholeUsd;
    }
}
