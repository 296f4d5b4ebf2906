"""Answers an unchanged live-update poll of the panel early (204), before sessions,
authentication and the view stack: see `access.poll_unchanged`. Any other request, and any
poll with news, an expired token or a token for something else, passes through untouched."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse

from tenant_apps.panel.access import poll_unchanged

# Poll path -> the cached resource whose version it watches.
POLL_PATHS: Final = (
    (re.compile(r"^/panel/orders/board/$"), "orders"),
    (re.compile(r"^/panel/conversations/list/$"), "conversations"),
    (re.compile(r"^/panel/conversations/\d+/thread/$"), "conversations"),
)


class PanelPollMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info[:7] == "/panel/" and request.method == "GET" and "t" in request.GET:
            tenant = getattr(request, "tenant", None)
            if tenant is not None and not tenant.is_public:
                for pattern, resource in POLL_PATHS:
                    if pattern.match(request.path_info) and poll_unchanged(request, resource):
                        response = HttpResponse(status=204)
                        response["Cache-Control"] = "no-store"
                        return response
        return self.get_response(request)
