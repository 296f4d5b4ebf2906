"""Who may read and handle conversations (restaurant staff roles)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

READ_ROLES = frozenset({"owner", "manager", "staff", "viewer"})
HANDLE_ROLES = frozenset({"owner", "manager", "staff"})


def _role(request: Request) -> str | None:
    user = request.user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(getattr(user, "role", ""))


class CanReadConversations(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) in READ_ROLES


class CanHandleConversations(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) in HANDLE_ROLES
