"""Typed access to django-tenants' schema switching on the default connection.

django-tenants adds `schema_name`, `set_tenant`, `set_schema` and `set_schema_to_public` to the
database wrapper; the stubs don't know, so every caller goes through this one typed view.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.db import connection

PUBLIC_SCHEMA = "public"


class TenantConnection(Protocol):
    schema_name: str
    tenant: Any

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...

    def set_schema(self, schema_name: str, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def tenant_connection() -> TenantConnection:
    return cast(TenantConnection, connection)


def current_schema_name() -> str:
    return tenant_connection().schema_name


def use_public_schema() -> None:
    tenant_connection().set_schema_to_public()


def use_tenant(tenant: Any) -> None:
    tenant_connection().set_tenant(tenant)
