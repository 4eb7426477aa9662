// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title AttackCaller
/// @notice Test attacker: runs a list of calls as itself (`run`); when one of them starts an ERC-3156 flash loan
/// naming this contract, the callback runs a second list. Every call's return data is recorded in execution order
/// (`results`), so a test can compare what a view returned before, during and after a flash loan.
contract AttackCaller is IERC3156FlashBorrower {
    struct Call {
        address target;
        bytes data;
    }

    Call[] internal _inner;
    bytes[] public results;
    bool internal _record;

    /// @notice Runs `outer` in order; a flash loan among them runs `inner` in its callback. Any failure reverts all.
    /// With `record`, every call's return data is appended to `results` (cleared first).
    function run(Call[] calldata outer, Call[] calldata inner, bool record) external {
        delete _inner;
        delete results;
        _record = record;
        for (uint256 i; i < inner.length; ++i) _inner.push(inner[i]);
        for (uint256 i; i < outer.length; ++i) _exec(outer[i].target, outer[i].data);
    }

    /// @notice Number of recorded results of the last `run`.
    function resultCount() external view returns (uint256) {
        return results.length;
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address, uint256, uint256, bytes calldata) external returns (bytes32) {
        uint256 n = _inner.length;
        for (uint256 i; i < n; ++i) _exec(_inner[i].target, _inner[i].data);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }

    function _exec(address target, bytes memory data) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        if (_record) results.push(ret);
    }
}
