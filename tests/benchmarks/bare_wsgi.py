"""The baseline for API benchmarks: a bare Django view, no middleware, no database.

Served by the same gunicorn configuration as dysa (`infra/gunicorn.conf.py`), so the ratio
between the two isolates what dysa adds (tenant routing, DRF, auth, throttles, cache).
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-endpoint",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bare/", bare)]

application = get_wsgi_application()
