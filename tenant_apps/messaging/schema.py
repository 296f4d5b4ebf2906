"""OpenAPI security scheme for the web chat's visitor tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class VisitorTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "tenant_apps.messaging.api.VisitorTokenAuthentication"
    name = "chatVisitorToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token POST /api/v1/chat/sessions/ returned (one conversation).",
        }
