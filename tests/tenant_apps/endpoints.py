"""The restaurant API's endpoints, read from the URLconf, for tests that must cover them all.

Tests that promise "every endpoint" (tenant isolation, permissions per role, query checks)
take their list from here rather than from a hand-written one, so a new endpoint is covered
(or makes the test fail, asking for what it needs) without anyone remembering to add it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from core.views import PUBLIC, TenantApiView

API_PREFIX = "api/v1/"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Endpoint:
    route: str  # "api/v1/menu/items/<int:item_id>/"
    view: type[Any]
    method: str

    @property
    def params(self) -> list[str]:
        return [match["name"] for match in _PARAM.finditer(self.route)]

    @property
    def is_staff_api(self) -> bool:
        """A TenantApiView method that needs a permission (not a public one)."""
        return issubclass(self.view, TenantApiView) and self.permission not in (None, PUBLIC)

    @property
    def permission(self) -> str | None:
        if not issubclass(self.view, TenantApiView):
            return None
        return self.view.required_permissions.get(self.method)

    @property
    def is_list(self) -> bool:
        """A paginated list: the views that declare what they may be ordered by."""
        return (
            self.method == "GET"
            and issubclass(self.view, TenantApiView)
            and bool(self.view.ordering_fields)
        )

    def path(self, values: dict[str, object]) -> str:
        """The URL with each `<converter:name>` replaced by `values[name]`."""
        return "/" + _PARAM.sub(lambda match: str(values[match["name"]]), self.route)

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def api_endpoints() -> list[Endpoint]:
    """Every (method, route) the restaurant API serves under /api/v1/."""
    found: list[Endpoint] = []
    for route, pattern in _walk(get_resolver("config.urls_tenants").url_patterns, ""):
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not route.startswith(API_PREFIX):
            continue
        found.extend(
            Endpoint(route=route, view=view, method=method)
            for method in HTTP_METHODS
            if hasattr(view, method.lower())
        )
    return found
