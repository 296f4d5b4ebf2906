"""Writes to the restaurant's profile, opening hours and closed dates."""

from __future__ import annotations

import itertools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import Actor
from core.cache import invalidate
from core.i18n import SUPPORTED_LANGUAGES, clean_translations
from core.services import model_update
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.restaurant.models import ClosedDate, OpeningHours, RestaurantProfile
from tenant_apps.restaurant.selectors import (
    DEFAULT_CLOSES,
    DEFAULT_OPENS,
    Shift,
    default_greeting,
    restaurant_local_now,
)
from tenants.models import Restaurant

PROFILE_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "timezone",
    "currency",
    "languages",
    "default_language",
    "assistant_name",
    "assistant_greeting",
    "assistant_persona",
)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MINUTES_PER_DAY = 24 * 60


def _profile_for_update() -> RestaurantProfile:
    profile = RestaurantProfile.objects.select_for_update().first()
    if profile is None:
        raise ValidationError("The restaurant profile has not been initialised.")
    return profile


def _validate_profile(changes: Mapping[str, Any], current: RestaurantProfile) -> dict[str, Any]:
    cleaned = dict(changes)
    errors: dict[str, list[str]] = {}
    if "timezone" in cleaned and cleaned["timezone"] not in zoneinfo.available_timezones():
        errors["timezone"] = [f"Unknown time zone {cleaned['timezone']!r}."]
    if "currency" in cleaned:
        cleaned["currency"] = str(cleaned["currency"]).upper()
        if not _CURRENCY.match(cleaned["currency"]):
            errors["currency"] = ["Use a three-letter ISO 4217 code such as EUR."]
    languages = list(cleaned.get("languages", current.languages))
    if not languages or any(code not in SUPPORTED_LANGUAGES for code in languages):
        errors["languages"] = [f"Choose one or more of {list(SUPPORTED_LANGUAGES)}."]
    elif len(set(languages)) != len(languages):
        errors["languages"] = ["Each language only once."]
    default_language = cleaned.get("default_language", current.default_language)
    if default_language not in languages:
        errors["default_language"] = ["Must be one of the restaurant's languages."]
    if "assistant_greeting" in cleaned:
        try:
            cleaned["assistant_greeting"] = clean_translations(
                cleaned["assistant_greeting"],
                field="assistant_greeting",
                max_length=500,
                required=False,
            )
        except ValueError as exc:
            errors["assistant_greeting"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def restaurant_profile_update(*, actor: Actor, changes: Mapping[str, Any]) -> RestaurantProfile:
    profile = _profile_for_update()
    before = snapshot(profile)
    model_update(instance=profile, fields=PROFILE_FIELDS, data=_validate_profile(changes, profile))
    invalidate("settings")
    old, new = snapshot_diff(before, snapshot(profile))
    audit_record(
        actor=actor, action="restaurant.profile.update", target=profile, before=old, after=new
    )
    return profile


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _validate_shifts(shifts: Sequence[Shift]) -> None:
    by_day: dict[int, list[tuple[int, int]]] = {}
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise ValidationError({"hours": [f"weekday {shift.weekday} is not 0 (Monday)..6."]})
        if shift.opens == shift.closes:
            raise ValidationError(
                {"hours": [f"A shift on day {shift.weekday} opens and closes at the same time."]}
            )
        start = _minutes(shift.opens)
        end = _minutes(shift.closes) + (_MINUTES_PER_DAY if shift.overnight else 0)
        by_day.setdefault(shift.weekday, []).append((start, end))
    for weekday, spans in by_day.items():
        spans.sort()
        for (_, previous_end), (next_start, _) in itertools.pairwise(spans):
            if next_start < previous_end:
                raise ValidationError({"hours": [f"Shifts on day {weekday} overlap."]})


@transaction.atomic
def _hours_snapshot(rows: Sequence[OpeningHours]) -> list[dict[str, Any]]:
    return [
        {
            "weekday": row.weekday,
            "opens": row.opens.strftime("%H:%M"),
            "closes": row.closes.strftime("%H:%M"),
        }
        for row in sorted(rows, key=lambda row: (row.weekday, row.opens))
    ]


@transaction.atomic
def opening_hours_replace(*, actor: Actor, shifts: Sequence[Shift]) -> list[OpeningHours]:
    """Replace the whole week's hours; a weekday with no shift is closed."""
    _validate_shifts(shifts)
    before = _hours_snapshot(list(OpeningHours.objects.all()))
    OpeningHours.objects.all().delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(weekday=s.weekday, opens=s.opens, closes=s.closes) for s in shifts
    )
    invalidate("settings")
    audit_record(
        actor=actor,
        action="restaurant.hours.replace",
        target_type="restaurant.openinghours",
        summary="Opening hours",
        before=before,
        after=_hours_snapshot(rows),
    )
    return rows


@transaction.atomic
def closed_date_add(*, actor: Actor, day: date, reason: str = "") -> ClosedDate:
    if day < restaurant_local_now().date():
        raise ValidationError({"date": ["This date is in the past."]})
    if ClosedDate.objects.filter(date=day).exists():
        raise ValidationError({"date": ["This date is already closed."]})
    closed = ClosedDate.objects.create(date=day, reason=reason.strip())
    invalidate("settings")
    audit_record(
        actor=actor, action="restaurant.closed_date.create", target=closed, after=snapshot(closed)
    )
    return closed


@transaction.atomic
def closed_date_delete(*, actor: Actor, closed_date: ClosedDate) -> None:
    audit_record(
        actor=actor,
        action="restaurant.closed_date.delete",
        target=closed_date,
        before=snapshot(closed_date),
    )
    closed_date.delete()
    invalidate("settings")


def restaurant_initialize(*, restaurant: Restaurant) -> None:
    """Tenant initializer: profile from the registry row, open every day 12:00-23:00."""
    locale = str(restaurant.locale or "es")
    RestaurantProfile.objects.get_or_create(
        singleton=True,
        defaults={
            "name": restaurant.name,
            "timezone": restaurant.timezone,
            "currency": restaurant.currency,
            "languages": [locale, *[code for code in SUPPORTED_LANGUAGES if code != locale]],
            "default_language": locale,
            "assistant_greeting": default_greeting(name=restaurant.name, assistant_name="Dysa"),
        },
    )
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=day, opens=DEFAULT_OPENS, closes=DEFAULT_CLOSES)
            for day in range(7)
        )
    invalidate("settings")
