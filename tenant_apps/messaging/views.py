"""`/widget.js`: the chat widget script each restaurant host serves for any site to embed."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from tenant_apps.messaging.selectors import webchat_settings_get

WIDGET_MAX_AGE = 300


def _js_literal(value: object) -> str:
    # JSON is valid JavaScript; escaping <, > and & keeps it inert if ever inlined in HTML.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    settings = webchat_settings_get()
    config = {
        "name": tenant.name,
        "language": tenant.locale,
        "color": settings.accent_color,
        "enabled": settings.enabled,
        "maxLength": 2000,
        "apiBase": f"{request.scheme}://{request.get_host()}",
    }
    body = render_to_string("messaging/widget.js", {"config": _js_literal(config)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={WIDGET_MAX_AGE}"
    # Any site may load the script; what it may then call is decided by the chat API's CORS.
    response["Access-Control-Allow-Origin"] = "*"
    return response
