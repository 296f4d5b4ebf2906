"""Cross-cutting API behaviour: throttling, Redis outage, OpenAPI schema, audit log."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from config.settings.base import redis_caches
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle
from tests.throttle_counters import throttle_counters

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_anonymous_requests_are_throttled_at_100_a_minute_with_retry_after(
    tenant_a: TenantHandle, client_a: APIClient
) -> None:
    codes = {client_a.get("/api/v1/menu/").status_code for _ in range(100)}
    limited = client_a.get("/api/v1/menu/")

    assert codes == {200}
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["title"] == "Too many requests"


def test_throttle_counters_are_per_tenant(tenant_a: TenantHandle, tenant_b: TenantHandle) -> None:
    APIClient(HTTP_HOST=tenant_a.host).get("/api/v1/menu/")
    APIClient(HTTP_HOST=tenant_b.host).get("/api/v1/menu/")

    keys = list(throttle_counters("*throttle_anon*"))
    assert any(key.startswith(f"{tenant_a.schema_name}:") for key in keys)
    assert any(key.startswith(f"{tenant_b.schema_name}:") for key in keys)


def test_login_is_throttled_at_five_per_minute(tenant_a: TenantHandle) -> None:
    client = APIClient(HTTP_HOST=tenant_a.host)
    body = {"email": "nobody@alpha.example", "password": "wrong"}

    codes = [
        client.post("/api/v1/auth/session/", body, format="json").status_code for _ in range(6)
    ]

    assert codes == [401] * 5 + [429]


def test_api_answers_from_the_database_when_redis_is_down(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        make_item(make_category(), "Tacos al pastor", "Al pastor tacos")
    manager = client_as(tenant_a, "manager")
    dead = redis_caches(f"redis://127.0.0.1:{_closed_port()}/0")

    with override_settings(CACHES=dead):  # Django rebuilds `caches` on this setting change
        assert str(dead["default"]["LOCATION"]) in str(caches["default"]._server)  # type: ignore[attr-defined]
        assert caches["default"].get("anything") is None  # errors are swallowed, not raised
        menu = APIClient(HTTP_HOST=tenant_a.host).get("/api/v1/menu/")
        items = manager.get("/api/v1/menu/items/")
        created = manager.post("/api/v1/customers/", {"phone": "+34612345678"}, format="json")

    assert menu.status_code == 200
    assert menu.json()["categories"][0]["items"][0]["name"] == "Tacos al pastor"
    assert items.status_code == 200
    assert created.status_code == 201


def test_openapi_schema_and_swagger_ui_are_served(client_a: APIClient) -> None:
    schema = client_a.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client_a.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].endswith("json") else {}
    text = schema.content.decode()
    for path in (
        "/api/v1/menu/items/",
        "/api/v1/orders/{order_id}/status/",
        "/api/v1/reservations/availability/",
        "/api/v1/staff/roles/",
    ):
        assert path in text or path in paths
    assert docs.status_code == 200


def test_audit_log_lists_writes_for_managers_only(tenant_a: TenantHandle) -> None:
    manager = client_as(tenant_a, "manager")
    manager.post("/api/v1/menu/categories/", {"name": {"es": "Postres"}}, format="json")

    entries = manager.get("/api/v1/audit/?action_prefix=menu.").json()
    staff = client_as(tenant_a, "staff").get("/api/v1/audit/")

    assert entries["count"] == 1
    entry = entries["results"][0]
    assert entry["action"] == "menu.category.create"
    assert entry["actor_label"] == manager.user.email  # type: ignore[attr-defined]
    assert entry["after"]["name"] == {"es": "Postres"}
    assert staff.status_code == 403


def openapi_schema(urlconf: str) -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator(urlconf=urlconf)  # type: ignore[no-untyped-call]
    return dict(generator.get_schema(request=None, public=True))  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("urlconf", ["config.urls_tenants", "config.urls_public"])
def test_the_openapi_schema_is_valid_and_generates_without_warnings(urlconf: str) -> None:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = openapi_schema(urlconf)
    validate_schema(schema)  # type: ignore[no-untyped-call]

    assert [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] == []


def test_swagger_ui_loads_nothing_from_other_sites(client_a: APIClient) -> None:
    import re

    page = client_a.get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert [url for url in assets if url.startswith(("http:", "https:", "//"))] == []


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_read_answers_in_the_shape_its_schema_describes(tenant_a: TenantHandle) -> None:
    from tests.tenant_apps.endpoints import api_endpoints

    schema = openapi_schema("config.urls_tenants")
    queries = {
        "api/v1/menu/search/": "?q=taco",
        "api/v1/reservations/availability/": "?date=2099-01-05&party_size=2",
    }
    owner = client_as(tenant_a, "owner")
    wrong: list[tuple[str, object, object]] = []
    for endpoint in api_endpoints():
        operation = schema["paths"].get("/" + endpoint.route, {}).get("get")
        if endpoint.method != "GET" or endpoint.params or operation is None:
            continue
        response = owner.get("/" + endpoint.route + queries.get(endpoint.route, ""))
        if response.status_code != 200:
            continue
        content = operation["responses"]["200"].get("content", {})
        described = _resolved(schema, next(iter(content.values()))["schema"]) if content else {}
        body = response.json()
        if isinstance(body, dict):
            missing = sorted(set(body) - set(described.get("properties", {})))
            if described.get("type") != "object" or missing:
                wrong.append((endpoint.route, described.get("type"), missing))
        elif described.get("type") != "array":
            wrong.append((endpoint.route, described.get("type"), "array answered"))

    assert wrong == [], "\n".join(map(str, wrong))
