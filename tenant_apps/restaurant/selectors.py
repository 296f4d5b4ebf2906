"""Reads of the restaurant's profile and opening hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.cache import cached
from core.db import tenant_connection
from core.i18n import localized
from tenant_apps.restaurant.models import ClosedDate, OpeningHours, RestaurantProfile

DEFAULT_OPENS = time(12, 0)
DEFAULT_CLOSES = time(23, 0)


@dataclass(frozen=True)
class Shift:
    weekday: int
    opens: time
    closes: time

    @property
    def overnight(self) -> bool:
        """Closes on the next day (20:00-02:00); 00:00 closing means midnight."""
        return self.closes <= self.opens


@dataclass(frozen=True)
class RestaurantProfileData:
    name: str
    address: str
    phone: str
    email: str
    website: str
    timezone: str
    currency: str
    languages: tuple[str, ...]
    default_language: str
    assistant_name: str
    assistant_greeting: dict[str, str]
    assistant_persona: str
    opening_hours: tuple[Shift, ...]
    closed_dates: tuple[date, ...] = field(default=())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def greeting(self, language: str) -> str:
        return localized(self.assistant_greeting, language, (self.default_language,))

    def shifts_on(self, weekday: int) -> list[Shift]:
        return [shift for shift in self.opening_hours if shift.weekday == weekday]


def default_greeting(*, name: str, assistant_name: str) -> dict[str, str]:
    return {
        "es": f"¡Hola! Soy {assistant_name}, el asistente de {name}. "
        "Puedo enseñarte la carta, tomar tu pedido o reservarte mesa. ¿En qué te ayudo?",
        "en": f"Hi! I'm {assistant_name}, {name}'s assistant. "
        "I can show you the menu, take your order or book you a table. How can I help?",
    }


def default_shifts() -> tuple[Shift, ...]:
    return tuple(Shift(weekday=day, opens=DEFAULT_OPENS, closes=DEFAULT_CLOSES) for day in range(7))


def _profile_from_database() -> RestaurantProfileData:
    profile = RestaurantProfile.objects.first()
    closed = tuple(
        ClosedDate.objects.filter(date__gte=date.today() - timedelta(days=1)).values_list(
            "date", flat=True
        )
    )
    if profile is None:
        # A schema created before this app's initializer existed: answer with the defaults a
        # new restaurant gets, built from the registry row, rather than failing.
        tenant = tenant_connection().tenant
        name = str(getattr(tenant, "name", "") or "")
        locale = str(getattr(tenant, "locale", "es") or "es")
        return RestaurantProfileData(
            name=name,
            address="",
            phone="",
            email="",
            website="",
            timezone=str(getattr(tenant, "timezone", "Europe/Madrid")),
            currency=str(getattr(tenant, "currency", "EUR")),
            languages=(locale, *[code for code in ("es", "en") if code != locale]),
            default_language=locale,
            assistant_name="Dysa",
            assistant_greeting=default_greeting(name=name, assistant_name="Dysa"),
            assistant_persona="",
            opening_hours=default_shifts(),
            closed_dates=closed,
        )
    shifts = tuple(
        Shift(weekday=row.weekday, opens=row.opens, closes=row.closes)
        for row in OpeningHours.objects.order_by("weekday", "opens")
    )
    return RestaurantProfileData(
        name=profile.name,
        address=profile.address,
        phone=profile.phone,
        email=profile.email,
        website=profile.website,
        timezone=profile.timezone,
        currency=profile.currency,
        languages=tuple(profile.languages),
        default_language=profile.default_language,
        assistant_name=profile.assistant_name,
        assistant_greeting=dict(profile.assistant_greeting),
        assistant_persona=profile.assistant_persona,
        opening_hours=shifts,
        closed_dates=closed,
    )


def restaurant_profile_get() -> RestaurantProfileData:
    """Profile, languages, opening hours and assistant persona (cached for an hour)."""
    return cached("settings", "restaurant-profile", _profile_from_database)


def opening_hours_list() -> list[OpeningHours]:
    return list(OpeningHours.objects.order_by("weekday", "opens"))


def closed_date_list(*, upcoming_only: bool = True) -> list[ClosedDate]:
    queryset = ClosedDate.objects.all()
    if upcoming_only:
        queryset = queryset.filter(date__gte=date.today())
    return list(queryset.order_by("date"))


def closed_date_get(*, closed_date_id: int) -> ClosedDate | None:
    return ClosedDate.objects.filter(pk=closed_date_id).first()


def open_intervals(
    *, day: date, profile: RestaurantProfileData | None = None
) -> list[tuple[datetime, datetime]]:
    """The shifts that start on `day` (restaurant local date), as aware datetimes.

    An overnight shift's interval ends on the next day.
    """
    profile = profile or restaurant_profile_get()
    if day in profile.closed_dates:
        return []
    tz = profile.tz
    intervals = []
    for shift in profile.shifts_on(day.weekday()):
        start = datetime.combine(day, shift.opens, tzinfo=tz)
        end_day = day + timedelta(days=1) if shift.overnight else day
        intervals.append((start, datetime.combine(end_day, shift.closes, tzinfo=tz)))
    return intervals


def restaurant_is_open(*, at: datetime, profile: RestaurantProfileData | None = None) -> bool:
    profile = profile or restaurant_profile_get()
    local_day = at.astimezone(profile.tz).date()
    for day in (local_day - timedelta(days=1), local_day):
        for start, end in open_intervals(day=day, profile=profile):
            if start <= at < end:
                return True
    return False


def restaurant_local_now(*, profile: RestaurantProfileData | None = None) -> datetime:
    from django.utils import timezone

    profile = profile or restaurant_profile_get()
    return timezone.now().astimezone(profile.tz)
