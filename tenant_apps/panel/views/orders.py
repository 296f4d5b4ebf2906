"""Orders board: columns by status, live by polling a change stamp, one-click advance, cancel
with a reason, detail and a kitchen ticket. Every write is `order_transition`, as in the API."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from core.api_errors import Conflict
from core.i18n import localized
from tenant_apps.orders.models import Order, OrderLine
from tenant_apps.orders.selectors import order_get, order_list
from tenant_apps.orders.services import ALLOWED_TRANSITIONS, order_transition
from tenant_apps.panel.access import (
    panel_page,
    panel_permissions,
    poll_token,
    poll_unchanged,
    poll_version,
    require,
)
from tenant_apps.panel.templatetags.panel_format import money
from tenant_apps.panel.views.common import fragment, page

S = Order.Status
BOARD_COLUMNS = (S.PENDING, S.CONFIRMED, S.PREPARING, S.READY)
# What a card shows; the rest of an order (notes, addresses, history) waits for its detail page.
BOARD_FIELDS = (
    "id", "number", "status", "order_type", "table", "created", "total", "currency",
    "customer__name", "customer__phone",
)  # fmt: skip
STATUS_LABELS: dict[str, Any] = {
    S.PENDING: _("New"),
    S.CONFIRMED: _("Confirmed"),
    S.PREPARING: _("Preparing"),
    S.READY: _("Ready"),
    S.COMPLETED: _("Completed"),
    S.CANCELLED: _("Cancelled"),
}
ADVANCE_LABELS: dict[str, Any] = {
    S.CONFIRMED: _("Confirm"),
    S.PREPARING: _("Start preparing"),
    S.READY: _("Mark ready"),
    S.COMPLETED: _("Complete"),
}
TYPE_LABELS: dict[str, Any] = {
    Order.Type.PICKUP: _("Pickup"),
    Order.Type.DELIVERY: _("Delivery"),
    Order.Type.DINE_IN: _("Dine-in"),
}


def next_status(order: Order) -> str | None:
    """The forward step from the order's status (cancelling is its own action)."""
    return _next_from(order.status)


def _next_from(status: str) -> str | None:
    forward = [step for step in ALLOWED_TRANSITIONS[status] if step != S.CANCELLED]
    return forward[0] if forward else None


def _open_orders() -> list[dict[str, Any]]:
    """The open orders as plain rows, each with its `lines` (name, quantity, options), oldest
    first: two queries and no model instances. Django's prefetch would build a queryset per
    order (cloning the query 200 times), which cost more than everything else on the board."""
    query = QueryDict(mutable=True)
    query.setlist("status", list(BOARD_COLUMNS))
    rows = list(
        order_list(filters=query)
        .prefetch_related(None)
        .order_by("created", "id")
        .values(*BOARD_FIELDS)
    )
    lines: dict[int, list[tuple[Any, int, Any]]] = {row["id"]: [] for row in rows}
    if lines:
        found = (
            OrderLine.objects.filter(order_id__in=list(lines))
            .order_by("order_id", "id")
            .values_list("order_id", "name", "quantity", "options")
        )
        for order_id, name, quantity, options in found:
            lines[order_id].append((name, quantity, options))
    for row in rows:
        row["lines"] = lines[row["id"]]
    return rows


def _line_text(name: Any, quantity: int, options: Any, *, language: str) -> str:
    extras = " · ".join(localized(option.get("name"), language) for option in options or ())
    text = f"{quantity}\u00d7 {localized(name, language)}"
    return f"{text} · {extras}" if extras else text


def _card(order: dict[str, Any], language: str, labels: dict[str, str]) -> dict[str, Any]:
    """One board card as plain strings (numbers and dates too: the template engine localizes
    every number it prints, which on 200 cards cost more than building them)."""
    status = order["status"]
    following = _next_from(status)
    created = timezone.localtime(order["created"])
    return {
        "pk": str(order["id"]),
        "number": str(order["number"]),
        "type_label": labels.get(f"type:{order['order_type']}", order["order_type"]),
        "table": order["table"],
        "created": created.isoformat(),
        "time": created.strftime("%H:%M"),
        "lines": [_line_text(*line, language=language) for line in order["lines"]],
        "customer": order["customer__name"] or order["customer__phone"] or "",
        "total": money(order["total"], order["currency"]),
        "next": following,
        "next_label": labels.get(f"next:{following}", ""),
        "can_cancel": S.CANCELLED in ALLOWED_TRANSITIONS[status],
    }


def _board_context(request: HttpRequest) -> dict[str, object]:
    orders = _open_orders()
    language = get_language() or "es"
    # Lazy translations resolved once per request, not once per card.
    labels = {f"type:{key}": str(value) for key, value in TYPE_LABELS.items()}
    labels.update({f"next:{key}": str(value) for key, value in ADVANCE_LABELS.items()})
    columns = [
        {
            "status": status,
            "label": str(STATUS_LABELS[status]),
            "cards": [
                _card(order, language, labels) for order in orders if order["status"] == status
            ],
        }
        for status in BOARD_COLUMNS
    ]
    permissions = panel_permissions(request)
    return {
        "columns": columns,
        "can_advance": "orders.update_status" in permissions,
        "can_cancel_orders": "orders.cancel" in permissions,
        "version": poll_version("orders"),
        "poll_token": poll_token(request, "orders"),
        "pending_count": sum(1 for order in orders if order["status"] == S.PENDING),
    }


@require_GET
@panel_page("orders.view")
def board(request: HttpRequest) -> HttpResponse:
    return page(request, "panel/orders/board.html", _board_context(request), active="orders")


@require_GET
def board_poll(request: HttpRequest) -> HttpResponse:
    """The board's columns, or 204 (htmx keeps the page) when no order changed since `v`."""
    if poll_unchanged(request, "orders"):
        return HttpResponse(status=204)
    return _board_columns(request)


@panel_page("orders.view")
def _board_columns(request: HttpRequest) -> HttpResponse:
    return fragment(request, "panel/orders/_columns.html", _board_context(request))


def _order_or_404(order_id: int) -> Order:
    order = order_get(order_id=order_id)
    if order is None:
        raise Http404("No such order in this restaurant.")
    return order


def _detail_context(order: Order, **extra: object) -> dict[str, object]:
    return {
        "order": order,
        "status_label": STATUS_LABELS.get(order.status, order.status),
        "type_label": TYPE_LABELS.get(order.order_type, order.order_type),
        "next": next_status(order),
        "next_label": ADVANCE_LABELS.get(next_status(order) or "", ""),
        "can_cancel": S.CANCELLED in ALLOWED_TRANSITIONS[order.status],
        "status_labels": STATUS_LABELS,
        **extra,
    }


@require_GET
@panel_page("orders.view")
def detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(order_id)
    return page(request, "panel/orders/detail.html", _detail_context(order), active="orders")


@require_GET
@panel_page("orders.view")
def ticket(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(order_id)
    return page(request, "panel/orders/ticket.html", _detail_context(order), active="orders")


def _transition(request: HttpRequest, order: Order, to_status: str, reason: str = "") -> Order:
    return order_transition(
        actor=Actor.of(request.user), order=order, to_status=to_status, reason=reason
    )


def _back_to_board(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        return fragment(request, "panel/orders/_columns.html", _board_context(request))
    return HttpResponseRedirect("/panel/orders/")


@require_POST
@panel_page("orders.view")
def advance(request: HttpRequest, order_id: int) -> HttpResponse:
    require(request, "orders.update_status")
    order = _order_or_404(order_id)
    to_status = request.POST.get("to_status", "")
    # Someone else moved it first: show the board as it now is.
    with contextlib.suppress(Conflict, ValidationError):
        _transition(request, order, to_status)
    return _back_to_board(request)


@require_POST
@panel_page("orders.view")
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    require(request, "orders.cancel")
    order = _order_or_404(order_id)
    reason = request.POST.get("reason", "")
    try:
        _transition(request, order, S.CANCELLED, reason)
    except ValidationError as error:
        errors = error.message_dict.get("reason") or error.messages
        context = _detail_context(order, cancel_error=" ".join(errors), reason=reason)
        return page(request, "panel/orders/detail.html", context, active="orders", status=400)
    except Conflict as error:
        context = _detail_context(
            order_get(order_id=order.pk) or order, cancel_error=str(error.detail)
        )
        return page(request, "panel/orders/detail.html", context, active="orders", status=409)
    return HttpResponseRedirect("/panel/orders/")
