"""Reads of the panel's own state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncHour

from shared_apps.accounts.models import User
from tenant_apps.orders.models import Order
from tenant_apps.panel.models import PanelPreference
from tenant_apps.reservations.models import ReservationSettings
from tenant_apps.reservations.selectors import (
    active_bookings,
    reservation_settings_get,
    table_list,
)
from tenant_apps.restaurant.selectors import open_intervals


def panel_language_get(*, user: User, default: str) -> str:
    """The language the user chose for the panel, else `default` (the restaurant's locale)."""
    preference = PanelPreference.objects.filter(user=user).only("language").first()
    return preference.language if preference is not None else default


@dataclass(frozen=True)
class SlotLoad:
    starts_at: datetime
    covers: int
    capacity: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.covers / self.capacity)) if self.capacity else 100


def reservation_capacity() -> int:
    """Covers the restaurant seats at once: the covers setting, or its active tables."""
    settings = reservation_settings_get()
    if settings.capacity_mode == ReservationSettings.CapacityMode.TABLES:
        return sum(table.capacity for table in table_list(active_only=True))
    return int(settings.total_covers)


def reservation_day_load(*, day: date) -> list[SlotLoad]:
    """Covers booked at each slot of `day`'s opening hours against the capacity."""
    settings = reservation_settings_get()
    step = timedelta(minutes=settings.slot_interval_minutes)
    intervals = open_intervals(day=day)
    if not intervals:
        return []
    bookings = active_bookings(start=intervals[0][0], end=max(end for _, end in intervals))
    capacity = reservation_capacity()
    slots: list[SlotLoad] = []
    for opens, closes in intervals:
        start = opens
        while start < closes:
            covers = sum(b.party_size for b in bookings if b.starts_at <= start < b.ends_at)
            slots.append(SlotLoad(starts_at=start, covers=covers, capacity=capacity))
            start += step
    return slots


@dataclass(frozen=True)
class SalesToday:
    by_status: dict[str, int]
    total: Decimal
    by_hour: list[tuple[int, Decimal]]


def orders_today(*, day_start: datetime) -> SalesToday:
    """Today's orders by status and sales (every order not cancelled) per local hour."""
    rows = Order.objects.filter(created__gte=day_start, created__lt=day_start + timedelta(days=1))
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    sold = rows.exclude(status=Order.Status.CANCELLED)
    hours = {
        int(row["hour"].astimezone(day_start.tzinfo).hour): row["amount"]
        for row in sold.annotate(hour=TruncHour("created"))
        .values("hour")
        .annotate(amount=Sum("total"))
        .order_by("hour")
    }
    return SalesToday(
        by_status=by_status,
        total=sum(hours.values(), Decimal("0")),
        by_hour=[(hour, hours.get(hour, Decimal("0"))) for hour in range(24)],
    )
