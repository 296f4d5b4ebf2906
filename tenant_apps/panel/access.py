"""Who may see a panel page and what they may do there: the API's permission checks.

Every page view is wrapped by `panel_page(permission)`: an anonymous visitor is sent to the
login page, a logged-in user without the permission gets a 403, and the page renders in the
user's panel language. Actions inside a page call `require(request, permission)`, the same
`permissions_for` check the API's `HasPermission` makes, so a forged POST is refused exactly
where the button is absent.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.cache import never_cache

from core.db import current_schema_name
from core.hotpath.near import resource_stamp
from tenant_apps.panel.selectors import panel_language_get
from tenant_apps.staff.selectors import permissions_for

View = TypeVar("View", bound=Callable[..., HttpResponse])
LOGIN_PATH = "/panel/login/"


def panel_permissions(request: HttpRequest) -> frozenset[str]:
    cached = getattr(request, "panel_permissions", None)
    if cached is None:
        cached = permissions_for(request.user)
        request.panel_permissions = cached  # type: ignore[attr-defined]
    return cast(frozenset[str], cached)


def require(request: HttpRequest, permission: str) -> None:
    """Refuse (403) an action the user's role cannot do."""
    if permission not in panel_permissions(request):
        raise PermissionDenied("Your role does not allow this.")


def panel_language(request: HttpRequest) -> str:
    default = str(request.tenant.locale)  # type: ignore[attr-defined]
    if not request.user.is_authenticated:
        return default
    return panel_language_get(user=request.user, default=default)


def login_redirect(request: HttpRequest) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx:
        # An htmx poll after the session ended: reload the whole page onto the login form, and
        # come back to that page (not to the fragment's URL and its poll token).
        page = htmx.current_url_abs_path or "/panel/"
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{LOGIN_PATH}?{urlencode({'next': page})}"
        return response
    return HttpResponseRedirect(f"{LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}")


def panel_page(permission: str | None = None) -> Callable[[View], View]:
    """Decorate a panel view: login required, `permission` required, user's language active."""

    def decorate(view: View) -> View:
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return login_redirect(request)
            language = panel_language(request)
            with translation.override(language):
                if permission is not None:
                    require(request, permission)
                response = view(request, *args, **kwargs)
            response["Content-Language"] = language
            return response

        return cast(View, wrapped)

    return decorate


# --- cheap polls ------------------------------------------------------------------------------
# A live page polls every few seconds. The poll URL carries the version it last saw and a
# short-lived signed token naming the restaurant, the resource, the user and the login session
# (a keyed hash of the session cookie), issued with the page (after the login and permission
# checks). While the token is valid, the request carries that same session cookie and nothing
# changed, the answer is a 204 decided from the token's signature and one read of the version
# through the near side: no session, user, role or database work. Anything else (a change, an
# expired, tampered or foreign token, another or no session cookie) takes the full checked path:
# the session, the user and the page's permission, as on every page.
POLL_SALT = "panel.poll"
POLL_TOKEN_SECONDS = 300
# Tokens whose signature this process has checked, with their expiry: a board polls with the
# same token (and cookie) every 3 s for POLL_TOKEN_SECONDS.
_VERIFIED_MAX = 10_000
_verified: dict[tuple[str, str], int] = {}


@functools.cache
def _poll_key() -> bytes:
    # Derived once per process from the secret key (Django's signing derives it on every call).
    return hashlib.sha256(f"{POLL_SALT}:{settings.SECRET_KEY}".encode()).digest()


def _poll_signature(payload: str) -> str:
    return hmac.new(_poll_key(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def _session_tag(session_key: str) -> str:
    """Names the login session inside the token without revealing its key."""
    return hashlib.blake2b(session_key.encode(), key=_poll_key(), digest_size=8).hexdigest()


def poll_token(request: HttpRequest, resource: str) -> str:
    """`<schema>:<resource>:<user id>:<expiry>:<session tag>:<signature>`, valid
    POLL_TOKEN_SECONDS for the session the page was rendered in."""
    expires = int(time.time()) + POLL_TOKEN_SECONDS
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    if getattr(request, "support_access", None) is not None:
        # Support staff's every request is checked against the access and logged: their
        # tokens name no session, so their polls always take the full path.
        session_key = ""
    payload = (
        f"{current_schema_name()}:{resource}:{request.user.pk}:{expires}:"
        f"{_session_tag(session_key) if session_key else '-'}"
    )
    return f"{payload}:{_poll_signature(payload)}"


def _session_cookie(request: HttpRequest) -> str:
    """The session cookie's value, read from the header without parsing every cookie."""
    name = settings.SESSION_COOKIE_NAME
    header: str = request.META.get("HTTP_COOKIE", "")
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _poll_token_valid(token: str, resource: str, session_cookie: str) -> bool:
    if not session_cookie:
        return False
    now = time.time()
    known = _verified.get((token, session_cookie))
    if known is None:
        known = _verify(token, session_cookie)
        if known is None:
            return False
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[(token, session_cookie)] = known
    schema, claimed = token.split(":", 2)[:2]
    return known > now and claimed == resource and schema == current_schema_name()


def _verify(token: str, session_cookie: str) -> int | None:
    """The token's expiry if its signature is right and it names this session cookie."""
    if not token.isascii():
        return None
    payload, _, signature = token.rpartition(":")
    parts = payload.split(":")
    if len(parts) != 5 or not hmac.compare_digest(signature, _poll_signature(payload)):
        return None
    expires, session = parts[3], parts[4]
    if not expires.isdigit() or not hmac.compare_digest(session, _session_tag(session_cookie)):
        return None
    return int(expires)


def poll_version(resource: str) -> str:
    """A stamp of `resource`'s current version token, read through this process's near side
    (no Redis round trip while Redis has not said the token changed); "" when Redis cannot be
    reached, which makes every poll take the full path."""
    raw = resource_stamp(resource)
    return hashlib.blake2b(raw, digest_size=6).hexdigest() if raw else ""


def _poll_query(request: HttpRequest) -> tuple[str, str]:
    """(`v`, `t`) of the poll URL. Both are plain ASCII as the page wrote them; anything
    escaped goes through Django's full query parsing."""
    query = request.META.get("QUERY_STRING", "")
    if "%" in query or "+" in query:
        return request.GET.get("v", ""), request.GET.get("t", "")
    found = dict(part.partition("=")[::2] for part in query.split("&"))
    return found.get("v", ""), found.get("t", "")


def poll_unchanged(request: HttpRequest, resource: str) -> bool:
    """True when the poll's token is valid for this restaurant, `resource` and the request's
    session cookie, and its version `v` is still current, so a 204 answers it."""
    seen, token = _poll_query(request)
    if not seen or not token or not _poll_token_valid(token, resource, _session_cookie(request)):
        return False
    return seen == poll_version(resource)
