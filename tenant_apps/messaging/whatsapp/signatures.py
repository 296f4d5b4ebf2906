"""Webhook signatures: Twilio's X-Twilio-Signature and Meta's X-Hub-Signature-256.

Twilio signs the full URL it called (scheme, host, port, path and query) followed by every
POST parameter, sorted by name, as name+value; HMAC-SHA1 with the account's auth token,
base64. Behind a reverse proxy Django sees another scheme or port than Twilio used, so the
URL is rebuilt as the public one: from X-Forwarded-Proto/-Host/-Port when
DYSA_TRUSTED_PROXIES says a proxy is in front (headers from the client are not trusted
otherwise), else from DYSA_PUBLIC_SCHEME and DYSA_PUBLIC_PORT. Like Twilio's own validator,
the URL is tried with and without the scheme's default port.

Meta signs the raw request body: `sha256=` + hex HMAC-SHA256 with the app secret.
Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

DEFAULT_PORTS = {"http": 80, "https": 443}


def _forwarded(request: HttpRequest, header: str) -> str:
    """The value the proxy nearest to us set (the last of a comma-separated list)."""
    value = request.META.get(header, "")
    return value.split(",")[-1].strip() if value else ""


def _behind_proxy() -> bool:
    return int(settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0) > 0


def public_url(request: HttpRequest) -> str:
    """The URL the provider called, as it saw it."""
    host = request.get_host().split(":")[0]
    scheme = settings.DYSA_PUBLIC_SCHEME
    port = str(settings.DYSA_PUBLIC_PORT)
    if _behind_proxy():
        scheme = _forwarded(request, "HTTP_X_FORWARDED_PROTO") or scheme
        forwarded_host = _forwarded(request, "HTTP_X_FORWARDED_HOST")
        if forwarded_host:
            host, _, host_port = forwarded_host.partition(":")
            port = host_port or _forwarded(request, "HTTP_X_FORWARDED_PORT") or ""
        else:
            port = _forwarded(request, "HTTP_X_FORWARDED_PORT") or ""
    default_port = DEFAULT_PORTS.get(scheme)
    is_default = not port or (port.isdigit() and int(port) == default_port)
    netloc = host if is_default else f"{host}:{port}"
    return f"{scheme}://{netloc}{request.get_full_path()}"


def _url_variants(url: str) -> set[str]:
    """The URL with and without the scheme's default port (Twilio signs either)."""
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    host, _, port = netloc.partition(":")
    default = DEFAULT_PORTS.get(scheme)
    variants = {url}
    if not port and default:
        variants.add(f"{scheme}://{host}:{default}{slash}{path}")
    if port and default and port == str(default):
        variants.add(f"{scheme}://{host}{slash}{path}")
    return variants


def twilio_signature(*, auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    # Parameters sorted by name; a repeated name contributes each value, in order.
    data = url + "".join(f"{k}{v}" for k, v in sorted(params, key=lambda kv: kv[0]))
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    *, auth_token: str, url: str, params: list[tuple[str, str]], signature: str
) -> bool:
    if not auth_token or not signature:
        return False
    return any(
        hmac.compare_digest(
            twilio_signature(auth_token=auth_token, url=candidate, params=params).encode(),
            signature.encode(),
        )
        for candidate in _url_variants(url)
    )


def meta_signature(*, app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signature_valid(*, app_secret: str, body: bytes, header: str) -> bool:
    if not app_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(meta_signature(app_secret=app_secret, body=body), header.strip())
