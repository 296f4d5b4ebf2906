"""Host routing: the platform host, two restaurants, unknown hosts and suspended restaurants."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Restaurant
from tests.conftest import PUBLIC_HOST
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_public_host_serves_the_platform_landing(public_client: Client) -> None:
    response = public_client.get("/")

    assert response.status_code == 200
    assert b"dysa" in response.content


def test_each_restaurant_host_serves_its_own_restaurant(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    info_a = Client(HTTP_HOST=tenant_a.host).get("/api/v1/restaurant/").json()
    info_b = Client(HTTP_HOST=tenant_b.host).get("/api/v1/restaurant/").json()

    assert info_a["slug"] == "alpha"
    assert info_b["slug"] == "bravo"


def test_host_with_port_is_routed_like_the_bare_host(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST=f"{tenant_a.host}:8000").get("/api/v1/restaurant/")

    assert response.json()["slug"] == "alpha"


def test_restaurant_api_is_not_served_on_the_platform_host(public_client: Client) -> None:
    assert public_client.get("/api/v1/restaurant/").status_code == 404


def test_unknown_host_gets_a_json_404_for_api_clients(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST="nobody.dysa.test").get("/api/v1/restaurant/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Restaurant not found"


def test_unknown_host_gets_an_html_404_page_for_browsers(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST="nobody.dysa.test").get("/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert b"Restaurant not found" in response.content
    assert b"Restaurants</h2>" not in response.content  # not the platform landing


def test_host_outside_allowed_hosts_is_a_404_not_a_500() -> None:
    response = Client(HTTP_HOST="evil.example.com").get("/api/v1/restaurant/")

    assert response.status_code == 404


def test_suspended_restaurant_answers_503_but_keeps_health(tenant_a: TenantHandle) -> None:
    Restaurant.objects.filter(pk=tenant_a.restaurant.pk).update(status="suspended")
    client = Client(HTTP_HOST=tenant_a.host)

    api = client.get("/api/v1/restaurant/")
    page = client.get("/", HTTP_ACCEPT="text/html")
    live = client.get("/health/live/")

    assert api.status_code == 503
    assert api.json()["title"] == "Restaurant unavailable"
    assert page.status_code == 503
    assert live.status_code == 200


def test_every_response_carries_a_request_id(public_client: Client) -> None:
    response = public_client.get("/health/live/", HTTP_X_REQUEST_ID="abc12345-trace")

    assert response["X-Request-ID"] == "abc12345-trace"


def test_public_host_constant_matches_settings(settings: object) -> None:
    assert PUBLIC_HOST in settings.DYSA_PUBLIC_HOSTS  # type: ignore[attr-defined]


def test_swagger_ui_and_its_static_assets_are_served_offline(tenant_a: TenantHandle) -> None:
    client = Client(HTTP_HOST=tenant_a.host)

    page = client.get("/api/docs/")
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert asset.status_code == 200
