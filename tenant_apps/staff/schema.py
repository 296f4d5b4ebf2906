"""OpenAPI schema pieces of the restaurant API: the API keys' security scheme (JWT's is in
config.jwt_auth) and the schema class of TenantApiView."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class TenantApiSchema(AutoSchema):
    """Paginated lists are described as an object (config.api.page_of), so drf-spectacular
    would name their GET `..._retrieve` like the detail's; name them `..._list`."""

    def get_operation_id(self) -> str:
        operation_id = str(super().get_operation_id())
        if self.method == "GET" and getattr(self.view, "ordering_fields", None):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "tenant_apps.staff.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An integration key created by the owner (staff/api-keys/).",
        }
