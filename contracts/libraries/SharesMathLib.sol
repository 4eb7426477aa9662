// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MathLib} from "./MathLib.sol";

/// @title SharesMathLib
/// @notice Converts between assets and shares with a virtual offset, so that the first depositor cannot inflate the
/// share price: an empty market behaves as if it held 1 wei of assets against 1e6 shares, and a donation of D wei
/// moves the price by at most D/1e6 per share — an attack that costs the attacker 1e6 times what it steals.
library SharesMathLib {
    using MathLib for uint256;

    /// @dev Virtual shares: also sets share precision to 1e6 shares per wei of assets at launch.
    uint256 internal constant VIRTUAL_SHARES = 1e6;
    /// @dev Virtual assets: keeps the price defined when the market is empty.
    uint256 internal constant VIRTUAL_ASSETS = 1;

    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivDown(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    function toAssetsDown(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivDown(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }

    function toSharesUp(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivUp(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    function toAssetsUp(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivUp(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }
}
