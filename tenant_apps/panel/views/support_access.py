"""The owner's support access log: who from support entered the panel, when, for how long,
why, what they viewed or did, and the owner's write grant (for one case, or for every access
support opens). The rules and the writes are the API's (tenant_apps.support_access.services)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from core.db import tenant_connection
from shared_apps.support.models import SupportAccess
from shared_apps.support.selectors import support_access_list
from shared_apps.support.services import support_write_enabled
from tenant_apps.panel.access import panel_page
from tenant_apps.panel.views.common import page
from tenant_apps.support_access.services import (
    support_access_manager,
    support_access_write_grant,
    support_write_access_switch,
)

PAGE_PATH = "/panel/support-access/"
PAGE_SIZE = 20


@dataclass(frozen=True)
class AccessRow:
    access: SupportAccess
    minutes: int
    running: bool


def _require_manager(request: HttpRequest) -> None:
    if not support_access_manager(request):
        raise PermissionDenied("Only the restaurant's owner manages support access.")


def _rows(page: Any) -> list[AccessRow]:
    now = timezone.now()
    return [
        AccessRow(
            access=access,
            minutes=max(1, round((access.expires_at - access.created).total_seconds() / 60)),
            running=access.ended_at is None and access.expires_at > now,
        )
        for access in page.object_list
    ]


def _render(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    accesses = support_access_list(restaurant_id=tenant_connection().tenant.pk)
    rows = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "rows": rows,  # the page, for the pager
        "entries": _rows(rows),
        "write_access": support_write_enabled(restaurant_id=tenant_connection().tenant.pk),
        "error": error,
    }
    return page(
        request, "panel/support_access.html", context, active="support_access", status=status
    )


class _BadChoiceError(Exception):
    pass


def _wanted(request: HttpRequest) -> bool:
    value = request.POST.get("write_access", "")
    if value not in ("true", "false"):
        raise _BadChoiceError
    return value == "true"


@require_GET
@panel_page()
def support_access_log(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _render(request)


@require_POST
@panel_page()
def support_access_switch(request: HttpRequest) -> HttpResponse:
    """The restaurant-wide switch (write access for the accesses support opens from now on)."""
    _require_manager(request)
    try:
        support_write_access_switch(actor=Actor.of(request.user), enabled=_wanted(request))
    except _BadChoiceError:
        return _render(request, error=_("Choose read only or read and write."), status=400)
    return HttpResponseRedirect(PAGE_PATH)


@require_POST
@panel_page()
def support_access_grant(request: HttpRequest, access_id: int) -> HttpResponse:
    """Grant or take back write access for one running case."""
    _require_manager(request)
    try:
        access = support_access_write_grant(
            actor=Actor.of(request.user), access_id=access_id, enabled=_wanted(request)
        )
    except _BadChoiceError:
        return _render(request, error=_("Choose read only or read and write."), status=400)
    except ValidationError:
        error = _("That access is over: its write access can no longer change.")
        return _render(request, error=error, status=400)
    if access is None:
        raise Http404("No such support access to this restaurant.")
    return HttpResponseRedirect(PAGE_PATH)
