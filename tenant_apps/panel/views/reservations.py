"""Reservations: a day (covers per slot against capacity) or a week, booking, and the status
actions, through the reservations services and the API's permissions."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actors import Actor
from core.api_errors import Conflict
from tenant_apps.customers.services import customer_resolve
from tenant_apps.panel.access import panel_page, panel_permissions, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.selectors import reservation_capacity, reservation_day_load
from tenant_apps.panel.views.common import page
from tenant_apps.reservations.models import Reservation
from tenant_apps.reservations.selectors import reservation_get, reservation_list
from tenant_apps.reservations.services import (
    ALLOWED_TRANSITIONS,
    SlotUnavailable,
    reservation_create,
    reservation_transition,
)
from tenant_apps.restaurant.selectors import restaurant_local_now, restaurant_profile_get

R = Reservation.Status
STATUS_LABELS: dict[str, Any] = {
    R.PENDING: _("Pending"),
    R.CONFIRMED: _("Confirmed"),
    R.SEATED: _("Seated"),
    R.COMPLETED: _("Completed"),
    R.CANCELLED: _("Cancelled"),
    R.NO_SHOW: _("No-show"),
}
ACTION_LABELS: dict[str, Any] = {
    R.CONFIRMED: _("Confirm"),
    R.SEATED: _("Seat"),
    R.COMPLETED: _("Complete"),
    R.NO_SHOW: _("No-show"),
}


class BookingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    party_size = forms.IntegerField(label=_("People"), min_value=1, max_value=500, initial=2)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return restaurant_local_now().date()


def _day_bounds(day: date, days: int = 1) -> dict[str, str]:
    tz = restaurant_profile_get().tz
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    return {
        "starts_after": start.isoformat(),
        "starts_before": (start + timedelta(days=days)).isoformat(),
    }


def _rows(reservations: list[Reservation], permissions: frozenset[str]) -> list[dict[str, Any]]:
    rows = []
    for reservation in reservations:
        allowed = ALLOWED_TRANSITIONS[reservation.status]
        rows.append(
            {
                "reservation": reservation,
                "status_label": STATUS_LABELS.get(reservation.status, reservation.status),
                "actions": [
                    (status, ACTION_LABELS[status])
                    for status in allowed
                    if status in ACTION_LABELS and "reservations.update" in permissions
                ],
                "can_cancel": R.CANCELLED in allowed and "reservations.cancel" in permissions,
            }
        )
    return rows


def _week(day: date) -> list[dict[str, Any]]:
    start = day - timedelta(days=day.weekday())
    bookings = list(reservation_list(filters=_day_bounds(start, 7)))
    tz = restaurant_profile_get().tz
    capacity = reservation_capacity()
    days = []
    for offset in range(7):
        current = start + timedelta(days=offset)
        todays = [
            b
            for b in bookings
            if b.starts_at.astimezone(tz).date() == current and b.status not in (R.CANCELLED,)
        ]
        days.append(
            {
                "day": current,
                "bookings": len(todays),
                "covers": sum(b.party_size for b in todays),
                "peak": max((slot.covers for slot in reservation_day_load(day=current)), default=0),
                "capacity": capacity,
            }
        )
    return days


def _context(request: HttpRequest, form: BookingForm | None = None, **extra: Any) -> dict[str, Any]:
    day = _day(request)
    view = "week" if request.GET.get("view") == "week" else "day"
    reservations = list(reservation_list(filters=_day_bounds(day)).order_by("starts_at", "id"))
    return {
        "day": day,
        "view": view,
        "previous": day - timedelta(days=7 if view == "week" else 1),
        "next": day + timedelta(days=7 if view == "week" else 1),
        "slots": reservation_day_load(day=day) if view == "day" else [],
        "week": _week(day) if view == "week" else [],
        "rows": _rows(reservations, panel_permissions(request)),
        "form": form or BookingForm(initial={"starts_at": f"{day.isoformat()}T20:00"}),
        **extra,
    }


@require_GET
@panel_page("reservations.view")
def reservations(request: HttpRequest) -> HttpResponse:
    return page(request, "panel/reservations/day.html", _context(request), active="reservations")


@require_http_methods(["POST"])
@panel_page("reservations.view")
def create(request: HttpRequest) -> HttpResponse:
    require(request, "reservations.create")
    form = BookingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        starts_at = data["starts_at"].replace(tzinfo=restaurant_profile_get().tz)
        try:
            with transaction.atomic():
                customer = customer_resolve(phone=data["phone"], name=data["name"])
                if customer is None:
                    raise ValidationError({"phone": [_("Give a phone number.")]})
                reservation = reservation_create(
                    actor=Actor.of(request.user),
                    customer=customer,
                    starts_at=starts_at,
                    party_size=data["party_size"],
                    channel=Reservation.Channel.STAFF,
                    notes=data["notes"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except SlotUnavailable as error:
            times = ", ".join(slot.strftime("%H:%M") for slot in error.alternatives)
            message = _("There is no room for this party at that time.")
            form.add_error("starts_at", f"{message} {times}".strip())
        else:
            local_day = reservation.starts_at.astimezone(restaurant_profile_get().tz).date()
            return HttpResponseRedirect(f"/panel/reservations/?day={local_day.isoformat()}")
    return page(
        request,
        "panel/reservations/day.html",
        _context(request, form=form, form_open=True),
        active="reservations",
        status=400,
    )


@require_POST
@panel_page("reservations.view")
def transition(request: HttpRequest, reservation_id: int) -> HttpResponse:
    to_status = request.POST.get("to_status", "")
    require(request, "reservations.cancel" if to_status == R.CANCELLED else "reservations.update")
    reservation = reservation_get(reservation_id=reservation_id)
    if reservation is None:
        raise Http404("No such reservation in this restaurant.")
    # Already moved by someone else: the page shows its status now.
    with contextlib.suppress(Conflict, ValidationError):
        reservation_transition(
            actor=Actor.of(request.user),
            reservation=reservation,
            to_status=to_status,
            reason=request.POST.get("reason", ""),
        )
    local_day = reservation.starts_at.astimezone(restaurant_profile_get().tz).date()
    return HttpResponseRedirect(f"/panel/reservations/?day={local_day.isoformat()}")
