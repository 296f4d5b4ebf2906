"""Who may see readiness details: a caller presenting the health token, or one from an internal
network (DYSA_HEALTH_TOKEN, DYSA_HEALTH_INTERNAL_NETWORKS). Anyone else gets liveness only, so
a public caller can neither make the process do the readiness work nor read what it finds."""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from core.hotpath.throttle import client_ident

HEALTH_TOKEN_HEADER = "X-Health-Token"  # noqa: S105 - a header name


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _from_internal_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_ident(request))
    except ValueError:
        return False
    return any(
        address in network for network in _networks(tuple(settings.DYSA_HEALTH_INTERNAL_NETWORKS))
    )


def _has_token(request: HttpRequest) -> bool:
    expected = settings.DYSA_HEALTH_TOKEN
    presented = request.headers.get(HEALTH_TOKEN_HEADER, "")
    return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def may_see_readiness(request: HttpRequest) -> bool:
    return _has_token(request) or _from_internal_network(request)
