// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockHookToken
/// @notice ERC-20 that, like an ERC-777 token's `tokensToSend`/`tokensReceived` hooks, hands control to an outside
/// contract in the middle of every transfer: when armed, each transfer calls `hookTarget` with `data` and bubbles up
/// any revert. Tests arm it with a call back into the pool to prove every token-moving entry point is reentrancy-safe.
/// Local networks and tests only: anyone may mint and arm it.
contract MockHookToken is ERC20 {
    /// @notice The contract called during transfers while armed (not `target`: TypeChain's ethers bindings reserve
    /// that name for the contract's own address).
    address public hookTarget;
    /// @notice The calldata sent to `hookTarget`.
    bytes public data;
    /// @notice Whether transfers call the hook.
    bool public armed;
    /// @notice How many times the hook ran and its call succeeded.
    uint256 public hookSuccesses;

    constructor() ERC20("Hook Token", "HOOK") {}

    /// @notice Mints `amount` to `to`. Anyone may mint: test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: every later transfer calls `target_` with `data_` (reverts bubble up).
    function arm(address target_, bytes calldata data_) external {
        (hookTarget, data, armed) = (target_, data_, true);
    }

    /// @notice Disarms the hook.
    function disarm() external {
        armed = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from != address(0) && to != address(0)) {
            armed = false; // one re-entry per arming: the hook itself may move tokens
            (bool ok, bytes memory ret) = hookTarget.call(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            ++hookSuccesses;
            armed = true;
        }
    }
}
