"""Cached public reads answered before URL resolution and DRF.

The public menu is the API's hottest read: every chat widget and storefront asks for it, and
its answer is the same for every anonymous client of a restaurant. Once its rendered body is
in the resource cache (`core.cache`), the full path (URL resolving, session/CSRF/auth/messages
middleware, DRF dispatch, content negotiation) costs more than the answer itself, so this
middleware, placed right after tenant routing, serves such a hit directly: it counts the
request in the anonymous rate limit and reads the cache entry without waiting for Redis
(`core.hotpath.near`; or in one round trip with DYSA_NEAR_CACHE off or Redis unreachable) and
returns the cached body with the headers DRF would add.
Anything else (a miss, a query it does not understand, an Accept header that could be refused,
a request over its rate, Redis down) goes on to the view as before, carrying the count and the
entries already read, so nothing is counted or fetched twice.

A view opts in by being a public (no authentication), JSON-only read of a plain URL and
declaring which cache entry answers a request:

    class PublicMenuApi(APIView):
        public_cache_resource = "menu"

        @staticmethod
        def public_cache_key(request: HttpRequest) -> str | None: ...

and caching its rendered body with `cached(public_cache_resource, key, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.renderers import JSONRenderer

from core.cache import MISS, CachedPublicRead, cache_read_keys, cached_value
from core.hotpath.near import NEAR_SIDE_ERRORS, NearSide, near_side, near_side_failed
from core.hotpath.throttle import RedisWindowThrottle, client_ident, request_count

# Accept values for which DRF's negotiation certainly picks the JSON renderer (no 406).
_JSON_MEDIA_RANGES = frozenset({"*/*", "application/*", "application/json"})


@dataclass(frozen=True)
class _Route:
    view: type[CachedPublicRead]
    allow: str


def _accepts_json(request: HttpRequest) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept:
        return True
    ranges = [part.strip() for part in accept.split(",")]
    # Parameters (q=0 ...) are left to DRF's negotiation.
    return all(";" not in r for r in ranges) and any(r in _JSON_MEDIA_RANGES for r in ranges)


def _plain_routes(
    patterns: list[URLPattern | URLResolver], prefix: str
) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(path, view callback) for every URL of `patterns` without converters or regexes."""
    for entry in patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern) or pattern.converters:
            continue
        if isinstance(entry, URLResolver):
            yield from _plain_routes(entry.url_patterns, prefix + str(pattern))
        else:
            yield prefix + str(pattern), entry.callback


def _checked(path: str, view: type[Any]) -> _Route:
    if (
        list(view.authentication_classes)
        or list(view.renderer_classes) != [JSONRenderer]
        or list(view.throttle_classes) != [RedisWindowThrottle]
    ):
        raise ImproperlyConfigured(
            f"{view.__name__} at {path} declares a cached public read but is not a public, "
            "JSON-only view throttled by RedisWindowThrottle"
        )
    instance = view()
    instance.setup(HttpRequest())  # as as_view() does: it adds HEAD where there is GET
    return _Route(view=view, allow=", ".join(instance.allowed_methods))


def discover_cached_reads(urlconf: str) -> dict[str, _Route]:
    """Path -> route for every view of `urlconf` that declares a cached public read."""
    routes: dict[str, _Route] = {}
    for path, callback in _plain_routes(get_resolver(urlconf).url_patterns, "/"):
        view = getattr(callback, "view_class", None)
        if view is not None and hasattr(view, "public_cache_resource"):
            routes[path] = _checked(path, view)
    return routes


class CachedPublicReadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Built on first use: importing every app's URLs here would make startup order matter.
        self._routes: dict[str, _Route] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            route = self._route_for(request)
            if route is not None:
                response = self._answer_from_cache(request, route)
                if response is not None:
                    return response
        return self.get_response(request)

    def _route_for(self, request: HttpRequest) -> _Route | None:
        if self._routes is None:
            self._routes = discover_cached_reads(settings.ROOT_URLCONF)
        route = self._routes.get(request.path_info)
        tenant = getattr(request, "tenant", None)
        if route is None or tenant is None or tenant.is_public or not _accepts_json(request):
            return None
        return route

    def _answer_from_cache(self, request: HttpRequest, route: _Route) -> HttpResponse | None:
        key = route.view.public_cache_key(request)
        if key is None:
            return None
        resource = route.view.public_cache_resource
        near = near_side()
        try:
            body = self._counted_read(request, resource, key, near)
        except NEAR_SIDE_ERRORS:
            near_side_failed("falling back to one round trip")
            return None
        if body is MISS or not isinstance(body, bytes):
            return None
        response = HttpResponse(body, content_type="application/json")
        # What DRF and CommonMiddleware would add to the view's answer.
        response["Allow"] = route.allow
        response["Content-Length"] = str(len(body))
        return response

    @staticmethod
    def _counted_read(
        request: HttpRequest, resource: str, key: str, near: NearSide | None
    ) -> object:
        """Count the request in the anonymous rate and read the entry: from the near side
        without waiting for Redis, else in one round trip. MISS when the view must answer."""
        counted = request_count(
            request,
            scope="anon",
            ident=client_ident(request),
            fetch=cache_read_keys(resource, key) if near is None else (),
            near=near,
        )
        if counted is None or not counted.allowed:
            return MISS  # Redis down or over the rate: the view's path decides
        if near is None:
            return cached_value(resource, key, counted.fetched)
        return near.value(resource, key)
