"""Operator pages: restaurants, one restaurant (lifecycle, backups), onboarding, health,
platform accounts, the platform audit log."""

from __future__ import annotations

import zoneinfo

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shared_apps.accounts.models import User
from shared_apps.accounts.services import PLATFORM_ROLES
from shared_apps.backups.errors import BackupError
from shared_apps.backups.selectors import backup_get
from shared_apps.console import actions
from shared_apps.console.access import console_page
from shared_apps.console.selectors import (
    platform_health,
    restaurant_overview,
    restaurant_rows,
)
from shared_apps.platform_audit.selectors import platform_audit_list
from tenants.models import Restaurant
from tenants.selectors import restaurant_get
from tenants.services import LifecycleRefusedError, RegistryConflictError


def _restaurant_or_404(slug: str) -> Restaurant:
    restaurant = restaurant_get(slug=slug)
    if restaurant is None:
        raise Http404("No such restaurant.")
    return restaurant


@console_page()
def restaurants_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in Restaurant.Status.values:
        status = ""
    page_number = request.GET.get("page", "1")
    page = restaurant_rows(
        search=search, status=status, page=int(page_number) if page_number.isdigit() else 1
    )
    context = {
        "page": page, "q": search, "status": status, "statuses": Restaurant.Status.choices,
    }  # fmt: skip
    partial = request.headers.get("HX-Request") == "true"
    template = "console/_restaurant_rows.html" if partial else "console/restaurants.html"
    return render(request, template, context)


@console_page()
def restaurant_view(request: HttpRequest, slug: str) -> HttpResponse:
    restaurant = _restaurant_or_404(slug)
    return render(
        request, "console/restaurant.html",
        {
            "o": restaurant_overview(restaurant=restaurant),
            "audit": platform_audit_list(restaurant_slug=restaurant.slug)[:20],
        },
    )  # fmt: skip


@require_POST
@console_page()
def restaurant_action_view(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    restaurant = _restaurant_or_404(slug)
    actor: User = request.user  # type: ignore[assignment]
    try:
        if action == "suspend":
            actions.console_suspend(
                actor=actor, restaurant=restaurant, reason=request.POST.get("reason", "")[:200]
            )
            messages.success(request, _("Suspended."))
        elif action == "reactivate":
            actions.console_reactivate(actor=actor, restaurant=restaurant)
            messages.success(request, _("Reactivated."))
        elif action == "delete":
            actions.console_delete(
                actor=actor, restaurant=restaurant, confirmation=request.POST.get("confirm", "")
            )
            messages.success(request, _("Deleted (restorable during the grace period)."))
        elif action == "backup":
            record = actions.console_backup(actor=actor, restaurant=restaurant)
            messages.success(request, _("Backup %(id)s stored.") % {"id": record.pk})
        elif action in ("verify", "restore"):
            backup_id = request.POST.get("backup", "")
            chosen = backup_get(backup_id=int(backup_id)) if backup_id.isdigit() else None
            if chosen is None or chosen.schema_name != restaurant.schema_name:
                raise Http404("No such backup of this restaurant.")
            if action == "verify":
                verified = actions.console_backup_verify(actor=actor, record=chosen)
                messages.success(request, _("Verification: %(s)s") % {"s": verified.verify_status})
            else:
                result = actions.console_backup_restore(actor=actor, record=chosen)
                messages.success(
                    request, _("Restored into schema %(s)s.") % {"s": result.restored_into}
                )
        else:
            raise Http404("No such action.")
    except (LifecycleRefusedError, BackupError) as refused:
        messages.error(request, str(refused))
    return HttpResponseRedirect(f"/console/restaurants/{restaurant.slug}/")


class OnboardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Restaurant name"), max_length=120)
    slug = forms.SlugField(label=gettext_lazy("Address (slug)"), max_length=63)
    owner_email = forms.EmailField(label=gettext_lazy("Owner email"))
    owner_password = forms.CharField(
        label=gettext_lazy("Owner password (empty: a one-time set-password link)"),
        required=False, widget=forms.PasswordInput, strip=False, max_length=256,
    )  # fmt: skip
    locale = forms.ChoiceField(label=gettext_lazy("Language"), choices=Restaurant.Locale.choices)
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
        initial="Europe/Madrid",
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency"), initial="EUR", min_length=3, max_length=3
    )
    plan = forms.CharField(label=gettext_lazy("Plan"), required=False, max_length=32)


@console_page()
def onboard_view(request: HttpRequest) -> HttpResponse:
    form = OnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["owner_password"] = fields["owner_password"] or None
        fields["currency"] = fields["currency"].upper()
        try:
            result = actions.console_onboard(actor=request.user, fields=fields)  # type: ignore[arg-type]
        except RegistryConflictError as conflict:
            for name, errors in conflict.errors.items():
                form.add_error(name if name in form.fields else None, "; ".join(errors))
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            return render(
                request, "console/onboarded.html",
                {"result": result, "url": restaurant_overview(restaurant=result.restaurant).url},
            )  # fmt: skip
    return render(
        request, "console/onboard.html", {"form": form}, status=400 if form.errors else 200
    )


@console_page()
def health_view(request: HttpRequest) -> HttpResponse:
    return render(request, "console/health.html", {"h": platform_health()})


class AccountForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[(r, r) for r in PLATFORM_ROLES])
    password = forms.CharField(
        label=gettext_lazy("Password (empty: a one-time set-password link)"),
        required=False, widget=forms.PasswordInput, strip=False, max_length=256,
    )  # fmt: skip


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, title="TOTP QR code"))


@console_page()
def accounts_view(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    shown = None
    if request.method == "POST" and form.is_valid():
        try:
            user, enrollment, link = actions.console_account_create(
                actor=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                password=form.cleaned_data["password"] or None,
            )
        except ValidationError as invalid:
            for name, errors in invalid.message_dict.items():
                form.add_error(name if name in form.fields else None, "; ".join(errors))
        else:
            shown = {"user": user, "enrollment": enrollment, "link": link,
                     "qr": _qr_svg(enrollment.totp_uri)}  # fmt: skip
            form = AccountForm()
    accounts = User.objects.filter(role__in=PLATFORM_ROLES).order_by("email")
    return render(
        request, "console/accounts.html", {"form": form, "accounts": accounts, "shown": shown},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
@console_page()
def account_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = User.objects.filter(pk=user_id, role__in=PLATFORM_ROLES).first()
    if user is None:
        raise Http404("No such account.")
    enrollment = actions.console_account_reset_2fa(actor=request.user, user=user)  # type: ignore[arg-type]
    shown = {
        "user": user,
        "enrollment": enrollment,
        "link": None,
        "qr": _qr_svg(enrollment.totp_uri),
    }
    accounts = User.objects.filter(role__in=PLATFORM_ROLES).order_by("email")
    return render(
        request,
        "console/accounts.html",
        {"form": AccountForm(), "accounts": accounts, "shown": shown},
    )


@console_page()
def audit_view(request: HttpRequest) -> HttpResponse:
    entries = platform_audit_list(restaurant_slug=request.GET.get("restaurant", "").strip())
    return render(request, "console/audit.html", {"entries": entries[:200]})
