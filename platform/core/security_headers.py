"""Security headers on every answer, and a request-body size limit on every endpoint.

- Content-Security-Policy: scripts only from this host, plus inline scripts carrying the
  request's nonce (`{{ request.csp_nonce }}`); styles from this host and inline (htmx and
  pages set inline styles; styles cannot run code); images from this host and data: URIs;
  requests only to this host; no plugins; forms post to this host; `frame-ancestors 'none'`
  (nothing dysa serves is meant to be framed: the chat widget is a script the embedding site
  loads, not a frame). X-Frame-Options DENY (Django's middleware) says the same to old
  browsers.
- Referrer-Policy (SECURE_REFERRER_POLICY) and HSTS (production) come from Django's
  SecurityMiddleware; cookie flags from settings (docs/security.md).
- A request whose declared body is larger than DYSA_MAX_REQUEST_BYTES is a 413 before any
  view reads it; a body without a declared length is bounded by Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE (the same value) when read.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.api_errors import problem_response

CSP_HEADER = "Content-Security-Policy"


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.DYSA_MAX_REQUEST_BYTES:
            response: HttpResponse = problem_response(
                413, f"The request body is larger than {settings.DYSA_MAX_REQUEST_BYTES} bytes."
            )
        else:
            nonce = secrets.token_urlsafe(16)
            request.csp_nonce = nonce  # type: ignore[attr-defined]
            response = self.get_response(request)
            if CSP_HEADER not in response:
                html = response.get("Content-Type", "").startswith("text/html")
                # Pages get the nonce policy; anything else (JSON, scripts, files) runs nothing
                # of its own, and the same header on every such answer keeps them cacheable.
                response[CSP_HEADER] = content_security_policy(nonce) if html else NON_PAGE_POLICY
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
