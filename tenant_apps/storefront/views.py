"""The restaurant's public page: who and where it is, today's hours, the menu with search and
allergen/dietary filters, booking a table on the reservations availability service, and the
chat widget. Spanish or English (`?lang=`), the restaurant's locale by default."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import ScopedRateThrottle

from core.actors import STOREFRONT
from core.api_errors import Conflict
from core.i18n import SUPPORTED_LANGUAGES
from tenant_apps.customers.services import customer_resolve
from tenant_apps.menu.selectors import menu_tree
from tenant_apps.reservations.models import Reservation
from tenant_apps.reservations.selectors import availability_slots
from tenant_apps.reservations.services import SlotUnavailable, reservation_create
from tenant_apps.restaurant.selectors import (
    restaurant_is_open,
    restaurant_local_now,
    restaurant_profile_get,
)

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
ALLERGENS = ("gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts",
             "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs")  # fmt: skip
DIETARY = ("vegetarian", "vegan", "gluten_free", "lactose_free", "spicy", "halal")


class BookingForm(forms.Form):
    slot = forms.DateTimeField(widget=forms.HiddenInput)
    party = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=500)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=120)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32)


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    return wanted if wanted in SUPPORTED_LANGUAGES else str(request.tenant.locale)  # type: ignore[attr-defined]


def _week(profile: Any) -> list[dict[str, Any]]:
    return [
        {
            "day": WEEKDAYS[weekday],
            "shifts": [f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in profile.shifts_on(weekday)],
        }
        for weekday in range(7)
    ]


def _booking(request: HttpRequest) -> dict[str, Any]:
    """Free times for the date and party asked for (GET), through availability_slots."""
    today = restaurant_local_now().date()
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = today
    try:
        party = max(1, min(50, int(request.GET.get("party", "2"))))
    except ValueError:
        party = 2
    context: dict[str, Any] = {"day": day, "party": party, "today": today, "slots": None}
    if "date" in request.GET:
        try:
            context["slots"] = availability_slots(day=day, party_size=party)
        except ValidationError as error:
            context["booking_error"] = " ".join(error.messages)
    return context


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    tenant = request.tenant  # type: ignore[attr-defined]
    profile = restaurant_profile_get()
    now = restaurant_local_now(profile=profile)
    language = translation.get_language() or "es"
    address = profile.address
    return {
        "restaurant": tenant,
        "profile": profile,
        "language": language,
        "other_language": "en" if language == "es" else "es",
        "menu": menu_tree(language=language),
        "open_now": restaurant_is_open(at=timezone.now(), profile=profile),
        "closed_today": now.date() in profile.closed_dates,
        "today_shifts": [
            f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in profile.shifts_on(now.weekday())
        ],
        "week": _week(profile),
        "map_url": f"https://www.openstreetmap.org/search?query={quote_plus(address)}"
        if address
        else "",
        "allergens": ALLERGENS,
        "dietary": DIETARY,
        "page_url": request.build_absolute_uri("/"),
        **_booking(request),
        **extra,
    }


def _booking_allowed(request: HttpRequest) -> bool:
    """Bookings from the public page share the web chat's per-IP session limit."""
    return ScopedRateThrottle().allow_request(
        request,  # type: ignore[arg-type]
        SimpleNamespace(throttle_scope="chat_session"),  # type: ignore[arg-type]
    )


def _book(request: HttpRequest, form: BookingForm) -> Reservation | None:
    data = form.cleaned_data
    tz = restaurant_profile_get().tz
    starts_at: datetime = data["slot"].astimezone(tz)
    try:
        with transaction.atomic():
            customer = customer_resolve(
                phone=data["phone"], name=data["name"], language=translation.get_language() or ""
            )
            if customer is None:
                form.add_error("phone", _("Give a phone number."))
                return None
            return reservation_create(
                actor=STOREFRONT,
                customer=customer,
                starts_at=starts_at,
                party_size=data["party"],
                channel=Reservation.Channel.WEB,
            )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    except SlotUnavailable:
        form.add_error(None, _("That time was just taken. Please choose another."))
    except Conflict as error:
        form.add_error(None, str(error.detail))
    return None


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The restaurant's public page."""
    with translation.override(_language(request)):
        if request.method == "POST":
            form = BookingForm(request.POST)
            if not _booking_allowed(request):
                form.add_error(None, _("Too many bookings from here. Try again in a minute."))
            elif form.is_valid():
                reservation = _book(request, form)
                if reservation is not None:
                    local = reservation.starts_at.astimezone(restaurant_profile_get().tz)
                    return HttpResponseRedirect(
                        f"/?lang={translation.get_language()}&booked={local:%Y-%m-%dT%H:%M}&party={reservation.party_size}#book"
                    )
            return render(
                request, "storefront/home.html", _context(request, booking_form=form), status=400
            )
        booked = request.GET.get("booked", "")
        response = render(request, "storefront/home.html", _context(request, booked=booked[:16]))
        response["Content-Language"] = translation.get_language() or "es"
        return response
