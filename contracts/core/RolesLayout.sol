// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title RolesLayout
/// @notice The one storage slot of OpenZeppelin 5 `AccessControl` (`mapping(bytes32 => RoleData) _roles`), declared
/// identically, for the pool contracts that do not carry AccessControl's code: `Pool` (whose hot paths need the code
/// room) and `PoolViews`. `PoolExt` inherits AccessControl itself, so role data written here is what it reads.
/// `test/core/roles-layout.test.ts` checks the two agree.
abstract contract RolesLayout {
    /// @dev OpenZeppelin AccessControl.RoleData, field for field.
    struct RoleData {
        mapping(address account => bool) hasRole;
        bytes32 adminRole;
    }

    mapping(bytes32 role => RoleData) private _roles;

    /// @dev AccessControl's `_grantRole(DEFAULT_ADMIN_ROLE, admin)`, for the pool's constructor.
    function _grantAdmin(address admin) internal {
        _roles[bytes32(0)].hasRole[admin] = true;
        emit IAccessControl.RoleGranted(bytes32(0), admin, msg.sender);
    }
}
