"""Support dashboard (`/console/support/`): search every restaurant, read a record, open an
access to a restaurant's panel; operators also read the support access log."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shared_apps.console.access import ANY_PLATFORM_ROLE, console_page
from shared_apps.console.selectors import support_record
from shared_apps.platform_audit.services import platform_audit_record
from shared_apps.support.selectors import support_access_list, support_search
from shared_apps.support.services import support_access_entry_url, support_access_open
from tenants.selectors import restaurant_get

KINDS = ("customer", "order", "reservation", "conversation")


class AccessForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need access? (the owner sees this)"),
        min_length=10, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=1,
        max_value=settings.DYSA_SUPPORT_ACCESS_MAX_MINUTES,
        initial=settings.DYSA_SUPPORT_ACCESS_MINUTES,
    )  # fmt: skip


@console_page(ANY_PLATFORM_ROLE)
def support_home_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    results = support_search(q=q) if q else []
    context = {"q": q, "results": results, "searched": bool(q)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "console/_support_results.html", context)
    return render(request, "console/support.html", context)


@console_page(ANY_PLATFORM_ROLE)
def support_record_view(request: HttpRequest, slug: str, kind: str, record_id: int) -> HttpResponse:
    restaurant = restaurant_get(slug=slug)
    if restaurant is None or kind not in KINDS:
        raise Http404("No such record.")
    record = support_record(restaurant=restaurant, kind=kind, record_id=record_id)
    if record is None:
        raise Http404("No such record in this restaurant.")
    platform_audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action="support.view_record", restaurant_slug=restaurant.slug,
        detail={"kind": kind, "id": record_id},
    )  # fmt: skip
    return render(
        request, "console/support_record.html",
        {"restaurant": restaurant, "kind": kind, "record": record, "form": AccessForm()},
    )  # fmt: skip


@require_POST
@console_page(ANY_PLATFORM_ROLE)
def support_access_view(request: HttpRequest, slug: str) -> HttpResponse:
    restaurant = restaurant_get(slug=slug)
    if restaurant is None:
        raise Http404("No such restaurant.")
    form = AccessForm(request.POST)
    if form.is_valid():
        try:
            access = support_access_open(
                support_user=request.user,  # type: ignore[arg-type]
                restaurant=restaurant,
                reason=form.cleaned_data["reason"],
                minutes=form.cleaned_data["minutes"],
            )
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            # A link, not a redirect: the CSP's form-action 'self' stops a form's redirect to
            # the restaurant's host (another origin).
            return render(
                request, "console/support_access_ready.html",
                {"restaurant": restaurant, "access": access,
                 "entry_url": support_access_entry_url(access=access)},
            )  # fmt: skip
    return render(
        request, "console/support_access.html", {"restaurant": restaurant, "form": form},
        status=400,
    )  # fmt: skip


@console_page(ANY_PLATFORM_ROLE)
def support_access_form_view(request: HttpRequest, slug: str) -> HttpResponse:
    restaurant = restaurant_get(slug=slug)
    if restaurant is None:
        raise Http404("No such restaurant.")
    return render(
        request, "console/support_access.html", {"restaurant": restaurant, "form": AccessForm()}
    )


@console_page()
def support_access_log_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/support_access_log.html", {"accesses": support_access_list()[:100]}
    )
