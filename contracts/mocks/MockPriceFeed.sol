// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockPriceFeed
/// @notice Chainlink-compatible price feed that scripts and tests can move (local networks only: anyone may push).
/// Rounds are numbered and kept, and `minAnswer`/`maxAnswer` clamp the reported value as an OCR aggregator does.
/// The latest round lives in one storage slot, so reading it costs what the peers' gas table assumes.
contract MockPriceFeed is AggregatorV3Interface {
    struct Round {
        uint80 roundId;
        int112 answer;
        uint32 updatedAt;
        uint32 startedAt;
    }

    uint8 public immutable override decimals;
    // `version` is the name AggregatorV3Interface requires.
    // solhint-disable-next-line const-name-snakecase
    uint256 public constant override version = 4;
    int192 public immutable minAnswer;
    int192 public immutable maxAnswer;
    string public override description;

    Round internal _latest;
    uint80 internal _answeredInRoundOverride;
    mapping(uint80 => Round) internal _rounds;

    error NoData();

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        // Bounds like a real USD aggregator: a positive floor and a ceiling far above any sane price.
        minAnswer = 1;
        maxAnswer = int192(type(int112).max);
        if (initialAnswer != 0) _push(initialAnswer, block.timestamp);
    }

    /// @notice Pushes a new answer dated now, clamped to the feed's bounds as a real aggregator does.
    function setAnswer(int256 answer) external {
        _push(answer, block.timestamp);
    }

    /// @notice Pushes a new answer with an explicit `updatedAt` (to simulate stale rounds).
    function setAnswerAt(int256 answer, uint256 updatedAt) external {
        _push(answer, updatedAt);
    }

    /// @notice Writes a raw round without clamping: lets tests produce zero, negative or incomplete rounds.
    function setRawRound(
        uint80 roundId,
        int256 answer,
        uint256 startedAt,
        uint256 updatedAt,
        uint80 answeredInRound
    ) external {
        Round memory r = Round(roundId, int112(answer), uint32(updatedAt), uint32(startedAt));
        _rounds[roundId] = r;
        _latest = r;
        _answeredInRoundOverride = answeredInRound;
    }

    function _push(int256 answer, uint256 updatedAt) internal {
        if (answer < minAnswer) answer = minAnswer;
        if (answer > maxAnswer) answer = maxAnswer;
        uint80 id = _latest.roundId + 1;
        Round memory r = Round(id, int112(answer), uint32(updatedAt), uint32(updatedAt));
        _rounds[id] = r;
        _latest = r;
        if (_answeredInRoundOverride != 0) _answeredInRoundOverride = 0;
        emit AnswerUpdated(answer, id, updatedAt);
    }

    /// @notice The latest round id.
    function latestRound() external view returns (uint256) {
        return _latest.roundId;
    }

    /// @notice The latest answer.
    function latestAnswer() external view returns (int256) {
        return _latest.answer;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        if (r.roundId == 0) revert NoData();
        return (roundId, r.answer, r.startedAt, r.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _latest;
        uint80 answeredIn = _answeredInRoundOverride == 0 ? r.roundId : _answeredInRoundOverride;
        return (r.roundId, r.answer, r.startedAt, r.updatedAt, answeredIn);
    }
}
