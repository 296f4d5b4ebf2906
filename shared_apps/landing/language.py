"""The language of a platform page: `?lang=es|en` (remembered in a cookie), else the cookie,
else the browser's Accept-Language, else Spanish. Platform pages only; restaurant hosts pick
their own."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_CODES = {code for code, _ in settings.LANGUAGES}


def with_request_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = request.GET.get("lang", "")
        language = chosen if chosen in _CODES else translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        if chosen in _CODES:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax")
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper
