// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PoolInvariants} from "./PoolInvariants.t.sol";
import {PoolHandler} from "./PoolHandler.sol";

/// @notice Shrunk campaign sequences replayed as plain tests (regressions of what the campaign found or of false
/// alarms it raised). Each deploys the campaign's setup (not inherited: this suite runs no invariant campaign).
contract ReplayTest {
    function _handler() internal returns (PoolHandler) {
        PoolInvariants inv = new PoolInvariants();
        inv.setUp();
        return inv.handler();
    }

    /// @notice A liquidation of an insolvent margin short that reverts (SlippageExceeded: the repay is a few wei) after
    /// the write-off: Foundry still records the reverted BadDebt event, which must not count as booked.
    function test_replay_revertedLiquidationOfInsolventAccount() public {
        PoolHandler handler = _handler();
        handler.marginOpen(1, 113882, false, 2520199539996767439282206076924442752, 0);
        handler.crash(
            491230049686006592846429360649934188289399070604524,
            46035148195189320382767630188616489485719718181585,
            false
        );
        handler.liquidateUnhealthy(41508, 55207597687737650929, 41224);
    }
}
