"""Log in, log out, the language switch and password reset by email.

Login checks credentials with the API's `user_authenticate` and counts each attempt in the
API's `login` throttle (the same Redis bucket per client), so a password-guesser gains
nothing by switching from the API to the form.
"""

from __future__ import annotations

import contextlib
import logging
from types import SimpleNamespace

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from rest_framework import exceptions
from rest_framework.throttling import ScopedRateThrottle

from shared_apps.accounts.models import User
from shared_apps.accounts.services import password_setup_path, user_authenticate
from shared_apps.mail.services import email_send
from tenant_apps.panel.access import panel_language, panel_page
from tenant_apps.panel.forms import LoginForm, PasswordResetForm
from tenant_apps.panel.selectors import panel_language_get
from tenant_apps.panel.services import panel_language_set

security = logging.getLogger("security")
PANEL_HOME = "/panel/"


def _login_allowed(request: HttpRequest) -> bool:
    """Count this attempt in the API's login throttle; False once the client is over it."""
    return ScopedRateThrottle().allow_request(
        request,  # type: ignore[arg-type]
        SimpleNamespace(throttle_scope="login"),  # type: ignore[arg-type]
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    if value.startswith("/panel/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}
    ):
        return value
    return PANEL_HOME


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    language = str(request.tenant.locale)  # type: ignore[attr-defined]
    next_path = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.user.is_authenticated and request.method != "POST":
        return HttpResponseRedirect(next_path)
    with translation.override(language):
        form = LoginForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            if not _login_allowed(request):
                form.add_error(None, _("Too many attempts. Wait a minute and try again."))
                status = 429
            else:
                try:
                    user = user_authenticate(
                        request=request,
                        email=form.cleaned_data["email"],
                        password=form.cleaned_data["password"],
                        event="panel login",
                    )
                except exceptions.Throttled:  # the account's slower path, or no counters
                    form.add_error(None, _("Too many attempts. Wait a minute and try again."))
                    status = 429
                except exceptions.AuthenticationFailed:
                    form.add_error(None, _("Invalid email or password."))
                    status = 401
                else:
                    login(request, user)
                    security.info("panel login succeeded", extra={"user_id": user.pk})
                    return HttpResponseRedirect(next_path)
        elif request.method == "POST":
            status = 400
        context = {
            "form": form,
            "next": next_path,
            "restaurant": request.tenant,  # type: ignore[attr-defined]
            "language": language,
        }
        return render(request, "panel/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/panel/login/")


@require_POST
@panel_page()
def language_view(request: HttpRequest) -> HttpResponse:
    # An unknown language keeps the current one.
    with contextlib.suppress(ValidationError):
        panel_language_set(user=request.user, language=request.POST.get("language", ""))  # type: ignore[arg-type]
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next", "")))


def _send_reset_link(request: HttpRequest, email: str) -> None:
    user = User.objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        security.info("password reset asked for an unknown email")
        return
    link = f"{request.scheme}://{request.get_host()}{password_setup_path(user=user)}"
    email_send(
        to=user.email,
        template="panel_password_reset",
        context={"restaurant": str(request.tenant.name), "link": link},  # type: ignore[attr-defined]
        language=panel_language_for(request, user),
    )
    security.info("password reset link sent", extra={"user_id": user.pk})


def panel_language_for(request: HttpRequest, user: User) -> str:
    return panel_language_get(user=user, default=str(request.tenant.locale))  # type: ignore[attr-defined]


@never_cache
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Email a set-password link; the answer never tells whether the account exists."""
    language = panel_language(request)
    with translation.override(language):
        form = PasswordResetForm(request.POST or None)
        sent, status = False, 200
        if request.method == "POST" and form.is_valid():
            if not _login_allowed(request):
                form.add_error(None, _("Too many attempts. Wait a minute and try again."))
                status = 429
            else:
                _send_reset_link(request, form.cleaned_data["email"])
                sent = True
        elif request.method == "POST":
            status = 400
        context = {"form": form, "sent": sent, "restaurant": request.tenant, "language": language}  # type: ignore[attr-defined]
        return render(request, "panel/password_reset.html", context, status=status)
