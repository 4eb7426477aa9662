// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFulcraPool} from "../interfaces/IFulcraPool.sol";
import {AccountHealth, LiquidationPreview} from "../interfaces/IPoolTypes.sol";

/// @title FulcraLens
/// @notice One view call that tells a keeper or a UI, for a list of accounts, everything about their health and
/// the best liquidation available — all read in the same block. Accounts whose feeds are unusable are reported with
/// `ok = false` instead of failing the batch.
contract FulcraLens {
    /// @notice A health and liquidation snapshot of one account. Values in 18-decimal USD.
    struct AccountSnapshot {
        address owner;
        uint96 subId;
        bool ok; // false if a feed needed by this account is unusable now
        uint256 healthFactor; // WAD, max uint without debt
        address debtAsset;
        uint256 debt;
        uint256 debtValue;
        uint256 collateralValue;
        uint256 liquidationValue;
        bool liquidatable;
        address bestCollateral; // collateral whose liquidation pays the liquidator most
        uint256 maxRepay; // debt assets to repay for it
        uint256 seized; // collateral the liquidator receives (protocol fee deducted)
        uint256 bonusBps;
        uint256 bonusValue; // seized value − repaid value, at oracle prices
    }

    /// @notice The pool this lens reads.
    IFulcraPool public immutable POOL;

    error LengthMismatch();

    constructor(IFulcraPool pool) {
        POOL = pool;
    }

    /// @notice Snapshots `owners[i]`'s sub-account `subIds[i]` for every i, with the block they were read at.
    function snapshot(
        address[] calldata owners,
        uint96[] calldata subIds
    ) external view returns (uint256 blockNumber, uint256 timestamp, AccountSnapshot[] memory out) {
        if (owners.length != subIds.length) revert LengthMismatch();
        out = new AccountSnapshot[](owners.length);
        for (uint256 i; i < owners.length; ++i) {
            out[i] = _snapshot(owners[i], subIds[i]);
        }
        return (block.number, block.timestamp, out);
    }

    /// @notice Only the liquidatable accounts among the given ones (same fields), for cheap keeper scans.
    function liquidatable(
        address[] calldata owners,
        uint96[] calldata subIds
    ) external view returns (uint256 blockNumber, AccountSnapshot[] memory out) {
        if (owners.length != subIds.length) revert LengthMismatch();
        AccountSnapshot[] memory all = new AccountSnapshot[](owners.length);
        uint256 n;
        for (uint256 i; i < owners.length; ++i) {
            AccountSnapshot memory s = _snapshot(owners[i], subIds[i]);
            if (s.liquidatable) all[n++] = s;
        }
        out = new AccountSnapshot[](n);
        for (uint256 i; i < n; ++i) out[i] = all[i];
        return (block.number, out);
    }

    /// @notice Just the health factor of each account (WAD; max uint without debt; 0 if a feed it needs is
    /// unusable), for keeper scans: one pool call for the whole batch (the pool reads each asset's price, LT and
    /// accrued totals once), and 32 bytes of output per account instead of 480. A keeper snapshots only the
    /// accounts below 1e18 (or at 0) afterwards.
    function healthFactors(
        address[] calldata owners,
        uint96[] calldata subIds
    ) external view returns (uint256 blockNumber, uint256[] memory healths) {
        if (owners.length != subIds.length) revert LengthMismatch();
        return (block.number, POOL.healthFactors(owners, subIds));
    }

    function _snapshot(address owner, uint96 subId) internal view returns (AccountSnapshot memory s) {
        s.owner = owner;
        s.subId = subId;
        try POOL.accountHealth(owner, subId) returns (AccountHealth memory h) {
            s.ok = true;
            s.healthFactor = h.healthFactor;
            s.debtValue = h.debtValue;
            s.collateralValue = h.collateralValue;
            s.liquidationValue = h.liquidationValue;
        } catch {
            return s;
        }
        if (s.healthFactor >= 1e18) {
            if (s.debtValue != 0) (s.debtAsset, , s.debt, , ) = POOL.accountOf(owner, subId);
            return s;
        }
        address[] memory collaterals;
        (s.debtAsset, , s.debt, collaterals, ) = POOL.accountOf(owner, subId);
        uint256 debtPrice = POOL.price(s.debtAsset);
        for (uint256 j; j < collaterals.length; ++j) {
            // A collateral without a trusted price cannot be seized (the pool counts it as zero): skip it.
            LiquidationPreview memory p;
            try POOL.previewLiquidation(owner, subId, collaterals[j]) returns (LiquidationPreview memory q) {
                p = q;
            } catch {
                continue;
            }
            if (!p.liquidatable) continue;
            uint256 received = p.seized - p.protocolFee;
            uint256 gotValue = (received * POOL.price(collaterals[j])) / 1e18;
            uint256 paidValue = (p.maxRepay * debtPrice + 1e18 - 1) / 1e18;
            uint256 bonusValue = gotValue > paidValue ? gotValue - paidValue : 0;
            if (!s.liquidatable || bonusValue > s.bonusValue) {
                s.liquidatable = true;
                s.bestCollateral = collaterals[j];
                s.maxRepay = p.maxRepay;
                s.seized = received;
                s.bonusBps = p.bonusBps;
                s.bonusValue = bonusValue;
            }
        }
    }
}
