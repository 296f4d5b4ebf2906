"""Reads of reservations and the availability computation (which never overbooks).

Capacity is either a number of covers (seats) or individual tables. A slot is free for a
party when, over the whole stay (starts_at .. starts_at + default duration), the covers in
use never exceed the total, or (tables mode) some active table big enough has no booking
overlapping the stay. Bookings in pending, confirmed or seated status hold capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from core.filters import apply_filters
from tenant_apps.customers.models import Customer
from tenant_apps.reservations.models import Reservation, ReservationSettings, Table
from tenant_apps.restaurant.selectors import (
    RestaurantProfileData,
    open_intervals,
    restaurant_profile_get,
)

ACTIVE_STATUSES: Final = (
    Reservation.Status.PENDING,
    Reservation.Status.CONFIRMED,
    Reservation.Status.SEATED,
)
NEAREST_SEARCH_DAYS: Final = 7


def reservation_settings_get() -> ReservationSettings:
    """The settings row, or the defaults (unsaved) for a schema that has none yet."""
    return ReservationSettings.objects.first() or ReservationSettings()


def table_list(*, active_only: bool = False) -> QuerySet[Table]:
    queryset = Table.objects.order_by("position", "name")
    return queryset.filter(is_active=True) if active_only else queryset


def table_get(*, table_id: int) -> Table | None:
    return Table.objects.filter(pk=table_id).first()


class ReservationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Reservation.Status.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    table = django_filters.NumberFilter(field_name="table_id")

    class Meta:
        model = Reservation
        fields: list[str] = []


def reservation_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Reservation]:
    queryset = Reservation.objects.select_related("customer", "table")
    return apply_filters(ReservationFilter, filters, queryset)


def reservation_get(*, reservation_id: int) -> Reservation | None:
    return Reservation.objects.select_related("customer", "table").filter(pk=reservation_id).first()


def reservation_upcoming_for_customer(
    *, customer: Customer, now: datetime | None = None
) -> Reservation | None:
    """The customer's next booking still to come (pending or confirmed), if any."""
    return (
        Reservation.objects.select_related("table")
        .filter(
            customer=customer,
            status__in=(Reservation.Status.PENDING, Reservation.Status.CONFIRMED),
            ends_at__gt=now or timezone.now(),
        )
        .order_by("starts_at", "id")
        .first()
    )


@dataclass(frozen=True)
class Booking:
    """What the capacity check needs of an existing reservation."""

    starts_at: datetime
    ends_at: datetime
    party_size: int
    table_id: int | None


def active_bookings(
    *, start: datetime, end: datetime, exclude_id: int | None = None
) -> list[Booking]:
    queryset = Reservation.objects.filter(
        status__in=ACTIVE_STATUSES, starts_at__lt=end, ends_at__gt=start
    )
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return [
        Booking(row["starts_at"], row["ends_at"], row["party_size"], row["table_id"])
        for row in queryset.values("starts_at", "ends_at", "party_size", "table_id")
    ]


def _peak_covers(bookings: Iterable[Booking], start: datetime, end: datetime) -> int:
    """Most covers in use at any instant of [start, end): occupancy only rises when a booking
    starts, so the peak is at `start` or at a booking start inside the stay."""
    overlapping = [b for b in bookings if b.starts_at < end and b.ends_at > start]
    instants = [start, *[b.starts_at for b in overlapping if b.starts_at > start]]
    return max(
        (sum(b.party_size for b in overlapping if b.starts_at <= t < b.ends_at) for t in instants),
        default=0,
    )


def free_table_for(
    *,
    tables: Sequence[Table],
    bookings: Iterable[Booking],
    party_size: int,
    start: datetime,
    end: datetime,
) -> Table | None:
    """The smallest active table that seats the party and is free for the whole stay."""
    busy = {b.table_id for b in bookings if b.starts_at < end and b.ends_at > start}
    fitting = [t for t in tables if t.is_active and t.capacity >= party_size and t.pk not in busy]
    return min(fitting, key=lambda t: (t.capacity, t.position, t.name), default=None)


def has_capacity(
    *,
    settings: ReservationSettings,
    tables: Sequence[Table],
    bookings: Sequence[Booking],
    party_size: int,
    start: datetime,
    end: datetime,
) -> bool:
    if settings.capacity_mode == ReservationSettings.CapacityMode.TABLES:
        return (
            free_table_for(
                tables=tables, bookings=bookings, party_size=party_size, start=start, end=end
            )
            is not None
        )
    return _peak_covers(bookings, start, end) + party_size <= settings.total_covers


def validate_party_size(party_size: int, settings: ReservationSettings) -> None:
    if not settings.min_party_size <= party_size <= settings.max_party_size:
        raise ValidationError(
            {
                "party_size": [
                    f"We take bookings for {settings.min_party_size} to {settings.max_party_size} "
                    f"people; for larger groups please call us."
                ]
            }
        )


def bookable_window(settings: ReservationSettings) -> tuple[datetime, datetime]:
    now = timezone.now()
    return (
        now + timedelta(minutes=settings.min_notice_minutes),
        now + timedelta(days=settings.booking_window_days),
    )


def candidate_slots(
    *, day: date, settings: ReservationSettings, profile: RestaurantProfileData
) -> list[tuple[datetime, datetime]]:
    """Every (start, end) stay on `day`'s shifts on the slot grid, within the booking window."""
    duration = timedelta(minutes=settings.default_duration_minutes)
    step = timedelta(minutes=settings.slot_interval_minutes)
    earliest, latest = bookable_window(settings)
    slots = []
    for opens, closes in open_intervals(day=day, profile=profile):
        start = opens
        while start + duration <= closes:
            if earliest <= start <= latest:
                slots.append((start, start + duration))
            start += step
    return slots


def availability_slots(*, day: date, party_size: int) -> list[datetime]:
    """Start times on `day` (restaurant local date) where `party_size` can be seated now."""
    settings = reservation_settings_get()
    validate_party_size(party_size, settings)
    profile = restaurant_profile_get()
    slots = candidate_slots(day=day, settings=settings, profile=profile)
    if not slots:
        return []
    bookings = active_bookings(start=slots[0][0], end=max(end for _, end in slots))
    tables = list(table_list(active_only=True))
    return [
        start.astimezone(profile.tz)
        for start, end in slots
        if has_capacity(
            settings=settings,
            tables=tables,
            bookings=bookings,
            party_size=party_size,
            start=start,
            end=end,
        )
    ]


def nearest_free_slots(*, when: datetime, party_size: int, limit: int = 3) -> list[datetime]:
    """The free start times closest to `when` (same day first, then up to a week later)."""
    profile = restaurant_profile_get()
    local_day = when.astimezone(profile.tz).date()
    found: list[datetime] = []
    for offset in range(NEAREST_SEARCH_DAYS + 1):
        found.extend(
            availability_slots(day=local_day + timedelta(days=offset), party_size=party_size)
        )
        # Slots on later days are all further away than today's ones; stop once enough.
        if len(found) >= limit and offset >= 1:
            break
    found.sort(key=lambda slot: (abs((slot - when).total_seconds()), slot))
    return found[:limit]
