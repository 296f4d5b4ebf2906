"""Answers an unchanged live-update poll of the panel early (204), before sessions,
authentication and the view stack: see `access.poll_unchanged`. Any other request, and any
poll with news, an expired token or a token for something else, passes through untouched."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse

from core.security_headers import NON_PAGE_POLICY
from tenant_apps.panel.access import poll_unchanged

# Poll path -> the cached resource whose version it watches.
POLL_PATHS: Final = {
    "/panel/orders/board/": "orders",
    "/panel/conversations/list/": "conversations",
    # The navigation's waiting badge, polled by every panel page.
    "/panel/conversations/waiting/": "conversations",
}
# The answer has no body, so the security middleware below it has nothing to protect; it
# still carries what every non-page answer does (nothing to run, nothing to frame).
UNCHANGED_POLL_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": NON_PAGE_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
THREAD_POLL: Final = re.compile(r"^/panel/conversations/\d+/thread/$")


def _watched_resource(path: str) -> str | None:
    resource = POLL_PATHS.get(path)
    if resource is None and THREAD_POLL.match(path):
        return "conversations"
    return resource


class PanelPollMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path[:7] == "/panel/" and request.method == "GET":
            resource = _watched_resource(path)
            tenant = getattr(request, "tenant", None)
            if (
                resource is not None
                and tenant is not None
                and not tenant.is_public
                and poll_unchanged(request, resource)
            ):
                return HttpResponse(status=204, headers=UNCHANGED_POLL_HEADERS)
        return self.get_response(request)
