"""Console login (`/console/login/`: email + password, then `/console/login/code/`), logout."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.console.login import (
    PENDING_KEY,
    LoginRefusedError,
    LoginThrottledError,
    PendingLogin,
    console_code_step,
    console_password_step,
)
from shared_apps.landing.language import with_request_language
from shared_apps.platform_audit.services import platform_audit_record


class PasswordForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, max_length=256, strip=False
    )


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=gettext_lazy("Code from your authenticator app (or a recovery code)"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/console/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/console/"


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    error: str,
    *,
    step: str,
    throttled: LoginThrottledError | None,
) -> HttpResponse:
    """The login page at `step`; a refused POST is a 400, a throttled one a 429 that says
    when to try again."""
    status = 200 if request.method != "POST" else 429 if throttled else 400
    response = render(
        request, "console/login.html",
        {"form": form, "error": error, "next": _next(request), "step": step}, status=status,
    )  # fmt: skip
    if throttled is not None:
        response["Retry-After"] = str(int(throttled.wait) + 1)
    return response


@never_cache
@with_request_language
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    error = ""
    throttled: LoginThrottledError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            pending = console_password_step(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except LoginRefusedError as refused:
            error = _(str(refused))
            throttled = refused if isinstance(refused, LoginThrottledError) else None
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {"user": pending.user_id, "started": pending.started}
            return HttpResponseRedirect(f"/console/login/code/?next={_next(request)}")
    return _form_page(request, form, error, step="password", throttled=throttled)


@never_cache
@with_request_language
@require_http_methods(["GET", "POST"])
def code_view(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(PENDING_KEY)
    if not stored:
        return HttpResponseRedirect("/console/login/")
    form = CodeForm(request.POST or None)
    error = ""
    throttled: LoginThrottledError | None = None
    if request.method == "POST" and form.is_valid():
        pending = PendingLogin(user_id=int(stored["user"]), started=float(stored["started"]))
        try:
            user = console_code_step(
                request=request, pending=pending, code=form.cleaned_data["otp"]
            )
        except LoginRefusedError as refused:
            error = _(str(refused))
            throttled = refused if isinstance(refused, LoginThrottledError) else None
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            platform_audit_record(actor=user, action="console.login")
            target = _next(request)
            if target == "/console/" and user.role == "support":
                target = "/console/support/"  # support's home; the restaurants list is operators'
            return HttpResponseRedirect(target)
    return _form_page(request, form, error, step="code", throttled=throttled)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/console/login/")
