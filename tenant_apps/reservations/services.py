"""Writes to reservations, tables and booking settings.

Every write that takes capacity (create, reschedule) first locks the settings row, so
concurrent bookings for the same restaurant are checked one after the other and can never
together exceed capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.api_errors import Conflict
from core.services import model_update
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.customers.models import Customer
from tenant_apps.reservations.models import Reservation, ReservationSettings, Table
from tenant_apps.reservations.selectors import (
    active_bookings,
    bookable_window,
    free_table_for,
    has_capacity,
    nearest_free_slots,
    table_list,
    validate_party_size,
)
from tenant_apps.restaurant.selectors import open_intervals, restaurant_profile_get
from tenants.models import Restaurant

R = Reservation.Status
ALLOWED_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    R.PENDING: (R.CONFIRMED, R.CANCELLED),
    R.CONFIRMED: (R.SEATED, R.CANCELLED, R.NO_SHOW),
    R.SEATED: (R.COMPLETED,),
    R.COMPLETED: (),
    R.CANCELLED: (),
    R.NO_SHOW: (),
}
SETTINGS_FIELDS = (
    "capacity_mode",
    "total_covers",
    "slot_interval_minutes",
    "default_duration_minutes",
    "min_party_size",
    "max_party_size",
    "booking_window_days",
    "min_notice_minutes",
    "auto_confirm",
)
TABLE_FIELDS = ("name", "capacity", "area", "is_active", "position")


class SlotUnavailable(Conflict):
    default_detail = "There is no room for this party at that time."

    def __init__(self, *, alternatives: list[datetime]) -> None:
        super().__init__()
        self.alternatives = alternatives
        self.problem_extra = {"alternatives": [slot.isoformat() for slot in alternatives]}


class IllegalReservationTransition(Conflict):
    def __init__(self, *, current: str, requested: str) -> None:
        allowed = list(ALLOWED_TRANSITIONS.get(current, ()))
        super().__init__(f"A reservation that is {current} cannot become {requested}.")
        self.problem_extra = {
            "current_status": current,
            "requested_status": requested,
            "allowed_statuses": allowed,
        }


def _locked_settings() -> ReservationSettings:
    settings, _ = ReservationSettings.objects.get_or_create(singleton=True)
    return ReservationSettings.objects.select_for_update().get(pk=settings.pk)


def _validate_start(starts_at: datetime, settings: ReservationSettings) -> datetime:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": ["Give a time zone (e.g. 2025-01-31T20:00:00+01:00)."]})
    earliest, latest = bookable_window(settings)
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": ["This time is in the past."]})
    if starts_at < earliest:
        raise ValidationError(
            {"starts_at": [f"Bookings need {settings.min_notice_minutes} minutes' notice."]}
        )
    if starts_at > latest:
        raise ValidationError(
            {"starts_at": [f"Bookings open {settings.booking_window_days} days ahead."]}
        )
    ends_at = starts_at + timedelta(minutes=settings.default_duration_minutes)
    profile = restaurant_profile_get()
    local_day = starts_at.astimezone(profile.tz).date()
    for day in (local_day - timedelta(days=1), local_day):
        for opens, closes in open_intervals(day=day, profile=profile):
            if opens <= starts_at and ends_at <= closes:
                return ends_at
    raise ValidationError(
        {"starts_at": ["The restaurant is closed then (or closes before the stay would end)."]}
    )


def _seat(
    *,
    settings: ReservationSettings,
    starts_at: datetime,
    ends_at: datetime,
    party_size: int,
    exclude_id: int | None = None,
) -> Table | None:
    """Check capacity (settings row locked by the caller); the table to use in tables mode."""
    bookings = active_bookings(start=starts_at, end=ends_at, exclude_id=exclude_id)
    tables = list(table_list(active_only=True))
    if not has_capacity(
        settings=settings,
        tables=tables,
        bookings=bookings,
        party_size=party_size,
        start=starts_at,
        end=ends_at,
    ):
        raise SlotUnavailable(
            alternatives=nearest_free_slots(when=starts_at, party_size=party_size)
        )
    if settings.capacity_mode == ReservationSettings.CapacityMode.TABLES:
        return free_table_for(
            tables=tables, bookings=bookings, party_size=party_size, start=starts_at, end=ends_at
        )
    return None


@transaction.atomic
def reservation_create(
    *,
    customer: Customer,
    starts_at: datetime,
    party_size: int,
    channel: str,
    notes: str = "",
    actor: Actor,
) -> Reservation:
    """Book a table. No room: SlotUnavailable (409) listing the nearest free times."""
    if channel not in Reservation.Channel.values:
        raise ValidationError({"channel": [f"Use one of {Reservation.Channel.values}."]})
    settings = _locked_settings()
    validate_party_size(party_size, settings)
    ends_at = _validate_start(starts_at, settings)
    table = _seat(settings=settings, starts_at=starts_at, ends_at=ends_at, party_size=party_size)
    reservation = Reservation.objects.create(
        customer=customer,
        starts_at=starts_at,
        ends_at=ends_at,
        party_size=party_size,
        status=R.CONFIRMED if settings.auto_confirm else R.PENDING,
        channel=channel,
        table=table,
        notes=notes.strip(),
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="reservations.reservation.create",
        target=reservation,
        after=snapshot(reservation),
    )
    return reservation


@transaction.atomic
def reservation_reschedule(
    *, actor: Actor, reservation: Reservation, starts_at: datetime, party_size: int | None = None
) -> Reservation:
    settings = _locked_settings()
    locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if locked.status not in (R.PENDING, R.CONFIRMED):
        raise IllegalReservationTransition(current=locked.status, requested="rescheduled")
    party_size = locked.party_size if party_size is None else party_size
    validate_party_size(party_size, settings)
    ends_at = _validate_start(starts_at, settings)
    table = _seat(
        settings=settings,
        starts_at=starts_at,
        ends_at=ends_at,
        party_size=party_size,
        exclude_id=locked.pk,
    )
    before = snapshot(locked)
    locked.starts_at, locked.ends_at, locked.party_size, locked.table = (
        starts_at,
        ends_at,
        party_size,
        table,
    )
    locked.save(update_fields=["starts_at", "ends_at", "party_size", "table", "updated"])
    old, new = snapshot_diff(before, snapshot(locked))
    audit_record(
        actor=actor,
        action="reservations.reservation.reschedule",
        target=locked,
        before=old,
        after=new,
    )
    return locked


@transaction.atomic
def reservation_transition(
    *, actor: Actor, reservation: Reservation, to_status: str, reason: str = ""
) -> Reservation:
    if to_status not in Reservation.Status.values:
        raise ValidationError({"status": [f"Use one of {Reservation.Status.values}."]})
    locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if to_status not in ALLOWED_TRANSITIONS[locked.status]:
        raise IllegalReservationTransition(current=locked.status, requested=to_status)
    before = locked.status
    locked.status = to_status
    if to_status == R.CANCELLED:
        locked.cancel_reason = reason.strip()[:255]
    locked.save(update_fields=["status", "cancel_reason", "updated"])
    audit_record(
        actor=actor,
        action="reservations.reservation.status",
        target=locked,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked


def reservation_cancel(*, actor: Actor, reservation: Reservation, reason: str = "") -> Reservation:
    return reservation_transition(
        actor=actor, reservation=reservation, to_status=R.CANCELLED, reason=reason
    )


@transaction.atomic
def reservation_settings_update(*, actor: Actor, changes: Mapping[str, Any]) -> ReservationSettings:
    settings = _locked_settings()
    before = snapshot(settings)
    model_update(instance=settings, fields=SETTINGS_FIELDS, data=changes)
    if settings.max_party_size < settings.min_party_size:
        raise ValidationError({"max_party_size": ["Must be at least min_party_size."]})
    old, new = snapshot_diff(before, snapshot(settings))
    audit_record(
        actor=actor,
        action="reservations.settings.update",
        target=settings,
        summary="Booking rules",
        before=old,
        after=new,
    )
    return settings


@transaction.atomic
def table_create(
    *,
    actor: Actor,
    name: str,
    capacity: int,
    area: str = "",
    is_active: bool = True,
    position: int = 0,
) -> Table:
    if Table.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": ["A table with this name already exists."]})
    table = Table(
        name=name.strip(),
        capacity=capacity,
        area=area.strip(),
        is_active=is_active,
        position=position,
    )
    table.full_clean()
    table.save()
    audit_record(
        actor=actor, action="reservations.table.create", target=table, after=snapshot(table)
    )
    return table


@transaction.atomic
def table_update(*, actor: Actor, table: Table, changes: Mapping[str, Any]) -> Table:
    before = snapshot(table)
    if (
        "name" in changes
        and Table.objects.filter(name__iexact=str(changes["name"]).strip())
        .exclude(pk=table.pk)
        .exists()
    ):
        raise ValidationError({"name": ["A table with this name already exists."]})
    model_update(instance=table, fields=TABLE_FIELDS, data=changes)
    old, new = snapshot_diff(before, snapshot(table))
    audit_record(
        actor=actor, action="reservations.table.update", target=table, before=old, after=new
    )
    return table


@transaction.atomic
def table_delete(*, actor: Actor, table: Table) -> None:
    audit_record(
        actor=actor,
        action="reservations.table.delete",
        target=table,
        summary=table.name,
        before=snapshot(table),
    )
    table.delete()


def reservation_settings_initialize(*, restaurant: Restaurant) -> None:
    """Tenant initializer: bookings open at once with 40 covers and the default rules."""
    ReservationSettings.objects.get_or_create(singleton=True)
