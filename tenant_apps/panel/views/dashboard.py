"""Dashboard: today's orders by status and sales, upcoming bookings, who waits for a person."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_GET

from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.selectors import conversation_list
from tenant_apps.panel.access import panel_page, panel_permissions
from tenant_apps.panel.selectors import orders_today
from tenant_apps.panel.views.common import page
from tenant_apps.panel.views.orders import STATUS_LABELS as ORDER_STATUS_LABELS
from tenant_apps.reservations.models import Reservation
from tenant_apps.reservations.selectors import reservation_list
from tenant_apps.restaurant.selectors import restaurant_local_now

UPCOMING = 8


def _orders(day_start: datetime) -> dict[str, Any]:
    sales = orders_today(day_start=day_start)
    return {
        "order_counts": [
            (ORDER_STATUS_LABELS[status], sales.by_status.get(status, 0))
            for status in ORDER_STATUS_LABELS
        ],
        "sales_total": sales.total,
        "sales_chart": {
            "labels": [f"{hour:02d}" for hour, _ in sales.by_hour],
            "values": [float(amount) for _, amount in sales.by_hour],
        },
    }


def _upcoming(day_start: datetime) -> list[Reservation]:
    now = timezone.now()
    query = QueryDict(mutable=True)
    query["starts_after"] = now.isoformat()
    query["starts_before"] = (day_start + timedelta(days=2)).isoformat()
    query.setlist("status", [Reservation.Status.PENDING, Reservation.Status.CONFIRMED])
    return list(reservation_list(filters=query).order_by("starts_at")[:UPCOMING])


def _waiting() -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "conversation": conversation,
            "minutes": int((now - (conversation.last_customer_message_at or now)).total_seconds())
            // 60,
        }
        for conversation in conversation_list(status=Conversation.Status.WAITING)[:10]
    ]


@require_GET
@panel_page()
def dashboard(request: HttpRequest) -> HttpResponse:
    permissions = panel_permissions(request)
    local_now = restaurant_local_now()
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    context: dict[str, Any] = {"today": local_now.date()}
    if "orders.view" in permissions:
        context.update(_orders(day_start))
    if "reservations.view" in permissions:
        context["upcoming"] = _upcoming(day_start)
    if "conversations.view" in permissions:
        context["waiting"] = _waiting()
    return page(request, "panel/dashboard.html", context, active="dashboard")
