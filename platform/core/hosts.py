"""Browser-facing URLs of hosts, as the settings say (no database read)."""

from __future__ import annotations

from django.conf import settings


def public_url(host: str) -> str:
    """The browser-facing base URL of a host, as DYSA_PUBLIC_SCHEME/PORT say."""
    port = settings.DYSA_PUBLIC_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    return f"{settings.DYSA_PUBLIC_SCHEME}://{host}{suffix}/"


def platform_url() -> str:
    """The platform host's base URL (landing, signup, console)."""
    return public_url(settings.DYSA_BASE_DOMAIN)
