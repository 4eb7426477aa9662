// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFulcraPool, IFulcraPoolBase} from "../../contracts/interfaces/IFulcraPool.sol";
import {IMockPriceFeed} from "./IMocks.sol";

/// @notice Test-only Chainlink-style feed that the pool reads instead of the campaign's MockPriceFeed: in mode OK it
/// passes the mock's latest round through (so a feed the campaign stops updating goes stale by itself), otherwise it
/// breaks the way real feeds break. The VolatilityOracle keeps reading the mock itself, so a broken pool feed does not
/// disturb the volatility estimate.
contract FlakyFeed {
    uint8 public constant OK = 0;
    uint8 public constant REVERT = 1; // the aggregator reverts (custom error)
    uint8 public constant EMPTY_REVERT = 2; // the aggregator reverts without data
    uint8 public constant SHORT = 3; // returns one word: not a round at all
    uint8 public constant WIDE = 4; // five words, but the round id does not fit uint80 and the answer not int128
    uint8 public constant AT_MAX = 5; // answer at the pool's configured maxAnswer
    uint8 public constant AT_MIN = 6; // answer at the pool's configured minAnswer (0)
    uint8 public constant NEGATIVE = 7; // answer < 0
    uint8 public constant INCOMPLETE = 8; // answeredInRound < roundId
    uint8 public constant STALE = 9; // updatedAt older than the heartbeat
    uint8 public constant FUTURE = 10; // updatedAt after block.timestamp
    uint8 public constant NMODES = 11;

    IMockPriceFeed public immutable source;
    int256 public immutable maxAnswer;
    uint256 public immutable heartbeat;
    uint8 public mode;

    error FeedDown();

    constructor(IMockPriceFeed source_, int256 maxAnswer_, uint256 heartbeat_) {
        source = source_;
        maxAnswer = maxAnswer_;
        heartbeat = heartbeat_;
    }

    function setMode(uint8 mode_) external {
        mode = mode_ % NMODES;
    }

    function decimals() external pure returns (uint8) {
        return 8;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) = source.latestRoundData();
        uint8 m = mode;
        if (m == REVERT) revert FeedDown();
        if (m == EMPTY_REVERT) {
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        if (m == SHORT) {
            assembly ("memory-safe") {
                mstore(0, 0x1234)
                return(0, 32)
            }
        }
        if (m == WIDE) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                mstore(p, shl(100, 1)) // round id 2^100
                mstore(add(p, 32), shl(200, 1)) // answer 2^200
                mstore(add(p, 64), timestamp())
                mstore(add(p, 96), timestamp())
                mstore(add(p, 128), shl(100, 1))
                return(p, 160)
            }
        }
        if (m == AT_MAX) answer = maxAnswer;
        else if (m == AT_MIN) answer = 0;
        else if (m == NEGATIVE) answer = -answer;
        else if (m == INCOMPLETE) answeredIn = id - 1;
        else if (m == STALE) {
            // Too early in the chain to be stale: an incomplete round instead.
            if (block.timestamp > heartbeat + 1) updatedAt = block.timestamp - heartbeat - 1;
            else answeredIn = id - 1;
        }
        else if (m == FUTURE) updatedAt = block.timestamp + 1;
        return (id, answer, startedAt, updatedAt, answeredIn);
    }
}

/// @notice The `repayAndCall` client of one actor: repays any account and, in the callback, acts on the pool for the
/// repaid account (withdraws its collateral, borrows), then pays from tokens minted to it. The actor authorizes it
/// fully; for anyone else's account it is a third party and must be refused.
contract RepayCaller {
    address public immutable POOL;
    address public immutable actor;
    uint8 internal _mode;
    address internal _coll;
    uint256 internal _amount;
    address internal _owner;
    uint96 internal _sub;
    bool public innerOk;
    bytes public innerErr;

    constructor(address pool, address actor_) {
        POOL = pool;
        actor = actor_;
    }

    /// @param mode 0: pay only; 1: withdraw `amount` of `coll` from the repaid account; 2: borrow `amount` of `coll`
    /// for the repaid account; 3: nested repayAndCall (must be refused).
    function run(
        address asset,
        uint256 assets,
        address owner,
        uint96 sub,
        uint8 mode,
        address coll,
        uint256 amount
    ) external returns (uint256 paid) {
        (_mode, _coll, _amount, _owner, _sub) = (mode, coll, amount, owner, sub);
        innerOk = false;
        delete innerErr;
        IERC20Min(asset).approve(POOL, type(uint256).max);
        (paid, ) = IFulcraPool(POOL).repayAndCall(asset, assets, owner, sub, abi.encode(asset));
    }

    function onFulcraRepay(uint256 assets, bytes calldata data) external {
        require(msg.sender == POOL, "not the pool");
        address asset = abi.decode(data, (address));
        bool ok;
        bytes memory err;
        if (_mode == 1) {
            (ok, err) = POOL.call(
                abi.encodeCall(IFulcraPoolBase.withdrawCollateral, (_coll, _amount, _owner, _sub, actor))
            );
        } else if (_mode == 2) {
            (ok, err) = POOL.call(abi.encodeCall(IFulcraPoolBase.borrow, (_coll, _amount, _owner, _sub, actor)));
        } else if (_mode == 3) {
            (ok, err) = POOL.call(abi.encodeCall(IFulcraPoolBase.repayAndCall, (asset, 1, _owner, _sub, data)));
        }
        innerOk = ok;
        innerErr = err;
        IERC20Min(asset).mint(address(this), assets);
    }
}

interface IERC20Min {
    function approve(address spender, uint256 amount) external returns (bool);
    function mint(address to, uint256 amount) external;
}

