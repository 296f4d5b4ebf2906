"""Reads of staff accounts, roles and what a principal may do."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.cache import cached
from shared_apps.accounts.models import User
from tenant_apps.staff.models import Role
from tenant_apps.staff.permissions import (
    API_KEY_PERMISSIONS,
    DEFAULT_ROLE_PERMISSIONS,
    OWNER,
    OWNER_ONLY_PERMISSIONS,
    PERMISSIONS,
    ROLE_NAMES,
    ROLES,
)


def _role_permissions_from_database() -> dict[str, frozenset[str]]:
    stored = {role.code: frozenset(role.permissions) for role in Role.objects.all()}
    # A schema without role rows (created before roles existed) gets the defaults.
    # Owner-only powers stored on another role (rows written before they were refused) are
    # dropped here, so no row can delegate them.
    resolved = {
        code: stored.get(code, DEFAULT_ROLE_PERMISSIONS[code]) - OWNER_ONLY_PERMISSIONS
        for code in ROLES
    }
    resolved[OWNER] = frozenset(PERMISSIONS)
    return resolved


def role_permissions() -> dict[str, frozenset[str]]:
    """Each role's permissions (cached with the restaurant settings, one hour)."""
    return cached("settings", "role-permissions", _role_permissions_from_database)


def permissions_for(principal: Any) -> frozenset[str]:
    """What an authenticated principal (staff user or API key) may do here."""
    if getattr(principal, "is_api_key", False):
        return API_KEY_PERMISSIONS
    if not getattr(principal, "is_active", False):
        return frozenset()
    return role_permissions().get(str(getattr(principal, "role", "")), frozenset())


def role_list() -> list[dict[str, Any]]:
    permissions = role_permissions()
    return [
        {
            "code": code,
            "name": ROLE_NAMES[code],
            "permissions": sorted(permissions[code]),
            "editable": code != OWNER,
        }
        for code in ROLES
    ]


def staff_list(*, role: str | None = None, active: bool | None = None) -> QuerySet[User]:
    queryset = User.objects.order_by("email")
    if role:
        queryset = queryset.filter(role=role)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset


def staff_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()
