"""Who may see a panel page and what they may do there: the API's permission checks.

Every page view is wrapped by `panel_page(permission)`: an anonymous visitor is sent to the
login page, a logged-in user without the permission gets a 403, and the page renders in the
user's panel language. Actions inside a page call `require(request, permission)`, the same
`permissions_for` check the API's `HasPermission` makes, so a forged POST is refused exactly
where the button is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.cache import never_cache

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
    target = f"{LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        # An htmx poll after the session ended: reload the whole page onto the login form.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


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
