"""Platform roles on the platform API: operators run the platform, support staff help.

Only meaningful on the platform host (public schema); a restaurant user, even one whose role
string matched, is never a platform user because it does not live in the public schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.db import current_schema_name
from shared_apps.accounts.services import PLATFORM_ROLES

OPERATOR = "operator"


def _platform_role(request: Request) -> str | None:
    user = request.user
    if not getattr(user, "is_authenticated", False) or current_schema_name() != "public":
        return None
    role = getattr(user, "role", "")
    return str(role) if role in PLATFORM_ROLES else None


class IsPlatformStaff(BasePermission):
    """Any platform account: operators and support."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _platform_role(request) is not None


class IsOperatorOrReadOnly(BasePermission):
    """Support staff read; only operators change things."""

    def has_permission(self, request: Request, view: Any) -> bool:
        role = _platform_role(request)
        return role == OPERATOR or (role is not None and request.method in SAFE_METHODS)


class IsOperator(BasePermission):
    """Operators only, reads included (e.g. the support access log)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _platform_role(request) == OPERATOR
