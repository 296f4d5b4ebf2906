"""Host-based routing: the platform host, a restaurant's host, or a clear 404.

Replaces django-tenants' TenantMainMiddleware so that the platform host needs no Domain row
(it comes from DYSA_BASE_DOMAIN), unknown hosts get a proper 404 page or problem JSON instead
of the public site or a 500, and suspended restaurants answer 503.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import set_urlconf

from core.api_errors import problem_response, wants_json
from core.db import use_public_schema, use_tenant
from tenants.host_cache import cached_tenant_for_host
from tenants.models import Restaurant
from tenants.selectors import public_tenant, tenant_for_host

ALWAYS_AVAILABLE_PREFIXES = ("/health/",)
# Provider webhooks reach a suspended restaurant's views, which answer what each provider's
# retry rules need (tenant_apps/messaging/whatsapp/webhooks.py) instead of a 503.
SUSPENDED_ANSWERS_ITSELF_PATHS = ("/webhooks/whatsapp/twilio/", "/webhooks/whatsapp/meta/")


def _error(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    if wants_json(request):
        return problem_response(status, detail, title=title)
    return render(
        request, "error.html", {"status": status, "title": title, "detail": detail}, status=status
    )


class TenantRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_public_schema()
        try:
            hostname = request.get_host().split(":")[0].lower().rstrip(".")
        except DisallowedHost:
            return self._custom_domain(request)
        return self._route(request, hostname)

    def _custom_domain(self, request: HttpRequest) -> HttpResponse:
        """A host outside ALLOWED_HOSTS is served only if it is a registered custom domain.

        Restaurants add domains at run time, so the registry is their allow-list; the request
        then reports that validated host to the rest of Django.
        """
        raw_host = request._get_raw_host()  # type: ignore[attr-defined]
        hostname, port = split_domain_port(raw_host)
        hostname = hostname.rstrip(".")
        if not hostname or cached_tenant_for_host(hostname, tenant_for_host) is None:
            return _error(request, 404, "Unknown host", "This host is not served here.")
        validated = f"{hostname}:{port}" if port else hostname
        request.get_host = lambda: validated  # type: ignore[method-assign]
        return self._route(request, hostname)

    def _route(self, request: HttpRequest, hostname: str) -> HttpResponse:
        if hostname in settings.DYSA_PUBLIC_HOSTS:
            tenant: Restaurant | None = public_tenant()
        else:
            tenant = cached_tenant_for_host(hostname, tenant_for_host)
        if tenant is None:
            return _error(
                request,
                404,
                "Restaurant not found",
                f"No restaurant answers at {hostname}.",
            )
        if (
            tenant.is_suspended
            and not request.path.startswith(ALWAYS_AVAILABLE_PREFIXES)
            and request.path not in SUSPENDED_ANSWERS_ITSELF_PATHS
        ):
            return _error(
                request,
                503,
                "Restaurant unavailable",
                "This restaurant is temporarily unavailable. Its data is safe.",
            )

        tenant.domain_url = hostname
        request.tenant = tenant  # type: ignore[attr-defined]
        use_tenant(tenant)
        if tenant.is_public:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            set_urlconf(None)
