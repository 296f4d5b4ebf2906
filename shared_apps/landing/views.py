"""The platform's public pages: the landing page and self-service signup (`/signup/`), and the
welcome link that logs a new owner in on their restaurant's host."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.db import tenant_connection
from shared_apps.billing.selectors import plan_list
from shared_apps.landing.language import with_request_language
from shared_apps.landing.limits import client_ip, limit_hit, limit_key
from shared_apps.landing.services import (
    SignupInput,
    signup_create,
    signup_verify,
    signup_welcome,
    signup_welcome_url,
    slug_problem,
)
from tenants.selectors import restaurant_primary_url

COUNTRIES = [
    ("ES", "España"), ("MX", "México"), ("AR", "Argentina"), ("CO", "Colombia"),
    ("CL", "Chile"), ("PE", "Perú"), ("US", "United States"), ("GB", "United Kingdom"),
]  # fmt: skip
CURRENCIES = [("EUR", "EUR €"), ("MXN", "MXN $"), ("ARS", "ARS $"), ("COP", "COP $"),
              ("CLP", "CLP $"), ("PEN", "PEN S/"), ("USD", "USD $"), ("GBP", "GBP £")]  # fmt: skip
SLUG_CHECKS_PER_MINUTE = 120


def _plans(language: str) -> list[dict[str, object]]:
    """The public plans and their prices, from billing."""
    return [
        {
            "name": plan.name(language),
            "price": plan.monthly_price,
            "currency": plan.currency,
            "trial_days": plan.trial_days,
            "conversations": plan.conversations_per_month,
            "staff_seats": plan.staff_seats,
            "whatsapp": plan.whatsapp_allowed,
            "llm": plan.llm_allowed,
        }
        for plan in plan_list().filter(is_public=True)
    ]


@with_request_language
def landing(request: HttpRequest) -> HttpResponse:
    plans = _plans(request.LANGUAGE_CODE)
    return render(request, "landing/landing.html", {"plans": plans})


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Restaurant name"), max_length=120)
    slug = forms.CharField(
        label=gettext_lazy("Address"), max_length=40,
        help_text=gettext_lazy("Your page will be at <address>.%(domain)s")
        % {"domain": settings.DYSA_BASE_DOMAIN},
    )  # fmt: skip
    owner_email = forms.EmailField(label=gettext_lazy("Your email"))
    owner_password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, strip=False, max_length=256
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=COUNTRIES)
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
        initial="Europe/Madrid",
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=CURRENCIES)


def _too_many(request: HttpRequest) -> bool:
    hits = limit_hit(limit_key("signup_ip", client_ip(request)), 3600)
    return hits > int(settings.DYSA_SIGNUP_PER_IP_PER_HOUR)


@never_cache
@with_request_language
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request):
            form.add_error(None, _("Too many signups from your network. Try again later."))
            return render(request, "landing/signup.html", {"form": form}, status=429)
        data = form.cleaned_data
        try:
            created = signup_create(
                data=SignupInput(
                    name=data["name"], slug=data["slug"], owner_email=data["owner_email"],
                    owner_password=data["owner_password"], country=data["country"],
                    timezone=data["timezone"], currency=data["currency"],
                    language=request.LANGUAGE_CODE,
                ),
                client_ip=client_ip(request) or None,
            )  # fmt: skip
        except ValidationError as invalid:
            for field, errors in invalid.message_dict.items():
                form.add_error(field if field in form.fields else None, [_(e) for e in errors])
        else:
            return render(request, "landing/signup_sent.html", {"email": created.owner_email})
    status = 400 if form.errors else 200
    return render(request, "landing/signup.html", {"form": form}, status=status)


@with_request_language
@require_GET
def slug_check(request: HttpRequest) -> HttpResponse:
    """htmx: is this address free? A short sentence for the live check under the field."""
    if limit_hit(limit_key("slug_check_ip", client_ip(request)), 60) > SLUG_CHECKS_PER_MINUTE:
        return HttpResponse(_("Too many checks; wait a minute."), status=429)
    slug = request.GET.get("slug", "")
    if not slug.strip():
        return HttpResponse("")
    problem = slug_problem(slug)
    return render(request, "landing/_slug_check.html", {"problem": problem and _(problem)})


@never_cache
@with_request_language
@require_GET
def signup_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    done = signup_verify(token=token)
    if done is None:
        return render(request, "landing/signup_invalid.html", status=404)
    if done.awaiting_approval or done.restaurant.status != "active":
        return render(request, "landing/signup_pending.html", {"signup": done})
    if done.welcomed_at is not None:
        return HttpResponseRedirect(restaurant_primary_url(done.restaurant).rstrip("/") + "/panel/")
    return HttpResponseRedirect(signup_welcome_url(signup=done))


@never_cache
@require_GET
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """On the restaurant's host: log the new owner in once and open the panel."""
    owner = signup_welcome(token=token, restaurant_id=tenant_connection().tenant.pk)
    if owner is None:
        raise Http404("No such link.")
    login(request, owner, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
    return HttpResponseRedirect("/panel/")
