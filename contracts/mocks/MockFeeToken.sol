// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockFeeToken
/// @notice ERC-20 that burns `feeBps` of every transfer (a fee-on-transfer token): the recipient receives less than
/// the amount sent. Local networks and tests only: anyone may mint and set the fee.
contract MockFeeToken is ERC20 {
    /// @notice Fee taken from every transfer, in bps.
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Fee Token", "FEE") {
        feeBps = feeBps_;
    }

    /// @notice Mints `amount` to `to`. Anyone may mint: test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the transfer fee.
    function setFee(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || feeBps == 0) return super._update(from, to, value);
        uint256 fee = (value * feeBps) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
