"""What every panel page shares: the navigation its role may see and the page render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.selectors import conversation_list, conversation_quota_reached
from tenant_apps.panel.access import panel_permissions, poll_token, poll_version
from tenant_apps.support_access.services import support_access_manager


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any
    path: str
    permission: str | None
    # A rule beyond the role's permissions (who the page is for), None when there is none.
    shown_to: Callable[[HttpRequest], bool] | None = None


NAV = (
    NavEntry("dashboard", _("Dashboard"), "/panel/", None),
    NavEntry("orders", _("Orders"), "/panel/orders/", "orders.view"),
    NavEntry("conversations", _("Conversations"), "/panel/conversations/", "conversations.view"),
    NavEntry("reservations", _("Reservations"), "/panel/reservations/", "reservations.view"),
    NavEntry("menu", _("Menu"), "/panel/menu/", "menu.view"),
    NavEntry("customers", _("Customers"), "/panel/customers/", "customers.view"),
    NavEntry("promotions", _("Promotions"), "/panel/promotions/", "promotions.view"),
    NavEntry("settings", _("Settings"), "/panel/settings/", "restaurant.view"),
    NavEntry("staff", _("Staff"), "/panel/staff/", "staff.view"),
    NavEntry("audit", _("Audit log"), "/panel/audit/", "audit.view"),
    NavEntry("billing", _("Billing"), "/panel/billing/", "billing.view"),
    NavEntry(
        "support_access",
        _("Support"),
        "/panel/support-access/",
        None,
        shown_to=support_access_manager,
    ),
)


def waiting_badge_context(request: HttpRequest) -> dict[str, Any]:
    """The navigation's count of conversations waiting for a person, polled on every page."""
    return {
        "waiting_count": conversation_list(status=Conversation.Status.WAITING).count(),
        "version": poll_version("conversations"),
        "poll_token": poll_token(request, "conversations"),
    }


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    active: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render a panel page with the navigation, permissions and support-access banner."""
    permissions = panel_permissions(request)
    full = {
        "restaurant": request.tenant,  # type: ignore[attr-defined]
        "panel_perms": permissions,
        "nav": [
            entry
            for entry in NAV
            if (entry.permission is None or entry.permission in permissions)
            and (entry.shown_to is None or entry.shown_to(request))
        ],
        "active": active,
        "language": get_language(),
        "support_access": getattr(request, "support_access", None),
        # A callable: counted only by pages whose layout shows the banner (not htmx partials).
        "conversation_quota_reached": conversation_quota_reached,
        # Likewise counted only where the layout's navigation shows the waiting badge.
        "waiting_badge": partial(waiting_badge_context, request),
        **(context or {}),
    }
    return render(request, template, full, status=status)


def fragment(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """An htmx partial: the same context as a page, without the layout."""
    return page(request, template, context, status=status)
