"""Who may open a console page: a logged-in platform account (two-factor done, since the
session is only logged in after the code), with the role the page needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from core.db import current_schema_name
from shared_apps.accounts.services import PLATFORM_ROLES
from shared_apps.landing.language import with_request_language

OPERATOR_ONLY = ("operator",)
ANY_PLATFORM_ROLE = PLATFORM_ROLES


def console_page(
    roles: tuple[str, ...] = OPERATOR_ONLY,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @with_request_language
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if current_schema_name() != "public" or not user.is_authenticated:
                return HttpResponseRedirect(
                    "/console/login/?" + urlencode({"next": request.get_full_path()})
                )
            if getattr(user, "role", "") not in roles:
                return render(request, "console/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
