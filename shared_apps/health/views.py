from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shared_apps.health.access import may_see_readiness
from shared_apps.health.selectors import readiness


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Dependencies' state for the health token or an internal address; liveness otherwise."""
    if not may_see_readiness(request):
        return JsonResponse({"status": "ok", "checks": "restricted"})
    results = readiness()
    healthy = all(result.ok for result in results)
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {
                r.name: {"ok": r.ok, "detail": r.detail, "ms": r.duration_ms} for r in results
            },
        },
        status=200 if healthy else 503,
    )
