"""`/api/platform/v1/tenants/`: the registry over HTTP, for operators (write) and support (read)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tenants import services
from tenants.auth import token_pair_issue
from tenants.models import Domain, Restaurant
from tests.conftest import PUBLIC_HOST
from tests.tenants.factories import TenantHandle, onboard_restaurant

pytestmark = pytest.mark.django_db

TENANTS = "/api/platform/v1/tenants/"


def platform_client(role: str) -> APIClient:
    user = get_user_model().objects.create_user(f"{role}@dysa.test", "x-pass-1234", role=role)
    client = APIClient(HTTP_HOST=PUBLIC_HOST)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access}")
    return client


@pytest.fixture
def operator() -> APIClient:
    return platform_client("operator")


@pytest.fixture
def support() -> APIClient:
    return platform_client("support")


def test_operator_onboards_a_restaurant_that_is_live_at_once(operator: APIClient) -> None:
    response = operator.post(
        TENANTS,
        {"slug": "api-made", "name": "API Made", "owner_email": "o@api-made.es", "plan": "pro"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["schema_name"] == "t_api_made"
    assert body["domains"] == ["api-made.dysa.test"]
    assert body["owner_setup_link"].startswith("http://api-made.dysa.test:8000/account/")
    live = APIClient(HTTP_HOST="api-made.dysa.test").get("/api/v1/restaurant/")
    assert live.status_code == 200
    assert "owner_setup_link" not in operator.get(f"{TENANTS}api-made/").json()


def test_onboarding_errors_are_problems_with_field_errors(
    operator: APIClient, tenant_a: TenantHandle
) -> None:
    invalid = operator.post(TENANTS, {"slug": "www", "name": "", "owner_email": "x"}, format="json")
    taken = operator.post(
        TENANTS, {"slug": "Alpha", "name": "Again", "owner_email": "o@a.es"}, format="json"
    )

    assert invalid.status_code == 400
    assert invalid["Content-Type"] == "application/problem+json"
    assert {"name", "owner_email"} <= set(invalid.json()["errors"])
    assert taken.status_code == 409
    assert taken.json()["errors"] == {"slug": ["'alpha' is already taken"]}


def test_list_filters_by_status_and_searches(support: APIClient) -> None:
    onboard_restaurant("lista-uno", name="Casa Azul")
    suspended = onboard_restaurant("lista-dos", name="Casa Roja").restaurant
    suspended.status = Restaurant.Status.SUSPENDED
    suspended.save()

    everything = support.get(TENANTS, {"search": "casa"}).json()
    only_suspended = support.get(TENANTS, {"status": "suspended"}).json()

    assert [r["slug"] for r in everything["results"]] == ["lista-dos", "lista-uno"]
    assert [r["slug"] for r in only_suspended["results"]] == ["lista-dos"]
    assert support.get(TENANTS, {"status": "bogus"}).status_code == 400


def test_lifecycle_over_the_api(operator: APIClient) -> None:
    onboard_restaurant("ciclo-api")
    url = f"{TENANTS}ciclo-api/"

    assert (
        operator.post(f"{url}suspend/", {"reason": "unpaid"}, format="json").json()["status"]
        == "suspended"
    )
    assert APIClient(HTTP_HOST="ciclo-api.dysa.test").get("/api/v1/restaurant/").status_code == 503
    assert operator.post(f"{url}reactivate/").json()["status"] == "active"
    refused = operator.delete(url)
    assert refused.status_code == 409
    assert "--force" in refused.json()["detail"]
    deleted = operator.delete(f"{url}?force=true&grace_days=7")
    assert deleted.json()["status"] == "deleted"
    assert deleted.json()["purge_after"] is not None


def test_rename_and_domains_over_the_api(operator: APIClient) -> None:
    onboard_restaurant("dom-api")

    renamed = operator.post(f"{TENANTS}dom-api/rename/", {"slug": "dom-nuevo"}, format="json")
    added = operator.post(
        f"{TENANTS}dom-nuevo/domains/",
        {"domain": "pide.dom.es", "is_primary": True},
        format="json",
    )
    duplicate = operator.post(
        f"{TENANTS}dom-nuevo/domains/", {"domain": "pide.dom.es"}, format="json"
    )
    listed = operator.get(f"{TENANTS}dom-nuevo/domains/").json()
    removed = operator.delete(f"{TENANTS}dom-nuevo/domains/pide.dom.es/")
    subdomain = operator.delete(f"{TENANTS}dom-nuevo/domains/dom-nuevo.dysa.test/")

    assert renamed.json()["url"] == "http://dom-nuevo.dysa.test:8000/"
    assert added.status_code == 201
    assert duplicate.status_code == 409
    assert {"domain": "pide.dom.es", "is_primary": True} in listed
    assert removed.status_code == 204
    assert subdomain.status_code == 409


def registry_state() -> list[tuple[Any, ...]]:
    """Every restaurant's lifecycle fields and every domain: what a refused write must keep."""
    return [
        *Restaurant.objects.order_by("slug").values_list(
            "slug", "name", "status", "suspended_at", "deleted_at"
        ),
        *Domain.objects.order_by("domain").values_list("domain", "is_primary", "tenant_id"),
    ]


def strict_restaurant() -> str:
    """An active restaurant with a second domain, so every write has something to change."""
    restaurant = onboard_restaurant("estricto").restaurant
    services.domain_add(restaurant=restaurant, domain="pide.estricto.es", primary=False)
    return f"{TENANTS}estricto/"


def test_every_write_refuses_unknown_fields_naming_them_and_writes_nothing(
    operator: APIClient,
) -> None:
    url = strict_restaurant()
    writes: list[tuple[str, str, dict[str, Any], str]] = [
        (
            "post",
            TENANTS,
            {"slug": "otro", "name": "O", "owner_email": "o@o.es", "plna": "x"},
            "plna",
        ),
        ("post", f"{url}suspend/", {"reason": "unpaid", "reasons": "typo"}, "reasons"),
        ("post", f"{url}reactivate/", {"force": True}, "force"),
        ("post", f"{url}rename/", {"slug": "estricto-dos", "name": "New"}, "name"),
        ("post", f"{url}domains/", {"domain": "otra.estricto.es", "primary": True}, "primary"),
        ("delete", f"{url}?force=true", {"grace_days": 3}, "grace_days"),
        ("delete", f"{url}domains/pide.estricto.es/", {"force": True}, "force"),
    ]
    before = registry_state()

    answers = [
        (path, getattr(operator, method)(path, body, format="json"), field)
        for method, path, body, field in writes
    ]

    for path, response, field in answers:
        assert response.status_code == 400, (path, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"] == {field: ["Unknown field."]}, path
    assert registry_state() == before


def test_reactivate_refuses_a_body_with_fields_and_stays_suspended(operator: APIClient) -> None:
    url = strict_restaurant()
    operator.post(f"{url}suspend/", {}, format="json")

    refused = operator.post(f"{url}reactivate/", {"now": True}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"now": ["Unknown field."]}
    assert operator.get(url).json()["status"] == "suspended"


def test_every_write_refuses_malformed_json_and_writes_nothing(operator: APIClient) -> None:
    url = strict_restaurant()
    writes = [
        ("POST", TENANTS),
        ("POST", f"{url}suspend/"),
        ("POST", f"{url}reactivate/"),
        ("POST", f"{url}rename/"),
        ("POST", f"{url}domains/"),
        ("DELETE", f"{url}?force=true"),
        ("DELETE", f"{url}domains/pide.estricto.es/"),
    ]
    before = registry_state()

    answers = [
        (path, operator.generic(method, path, '{"slug": ', content_type="application/json"))
        for method, path in writes
    ]

    for path, response in answers:
        assert response.status_code == 400, (path, response.content)
        assert "non_field_errors" in response.json()["errors"], path
    assert registry_state() == before


def test_a_number_where_text_is_expected_is_refused_not_turned_into_text(
    operator: APIClient,
) -> None:
    response = operator.post(
        TENANTS, {"slug": "numeros", "name": 42, "owner_email": "o@n.es"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Expected a string."]}
    assert not Restaurant.objects.filter(slug="numeros").exists()


def test_delete_refuses_unknown_or_malformed_query_params_and_deletes_nothing(
    operator: APIClient,
) -> None:
    url = strict_restaurant()

    misspelt = operator.delete(f"{url}?force=true&grace=7")
    not_a_flag = operator.delete(f"{url}?force=maybe")
    negative = operator.delete(f"{url}?force=true&grace_days=-1")

    assert misspelt.status_code == 400
    assert misspelt.json()["errors"] == {"grace": ["Unknown query parameter."]}
    assert not_a_flag.status_code == 400
    assert set(not_a_flag.json()["errors"]) == {"force"}
    assert negative.status_code == 400
    assert set(negative.json()["errors"]) == {"grace_days"}
    assert operator.get(url).json()["status"] == "active"


def test_list_refuses_unknown_query_params_and_bad_pages(
    support: APIClient, tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    misspelt = support.get(TENANTS, {"stauts": "suspended"})
    ordering = support.get(TENANTS, {"ordering": "slug"})
    page_zero = support.get(TENANTS, {"page": "0"})
    size_text = support.get(TENANTS, {"page_size": "many"})
    one_per_page = support.get(TENANTS, {"page_size": "1"})

    assert misspelt.status_code == 400
    assert misspelt["Content-Type"] == "application/problem+json"
    assert misspelt.json()["errors"] == {"stauts": ["Unknown query parameter."]}
    assert ordering.json()["errors"] == {"ordering": ["Unknown query parameter."]}
    assert page_zero.status_code == 400
    assert set(page_zero.json()["errors"]) == {"page"}
    assert size_text.status_code == 400
    assert set(size_text.json()["errors"]) == {"page_size"}
    assert len(one_per_page.json()["results"]) == 1
    assert one_per_page.json()["next"] is not None


def test_unknown_slug_is_404(operator: APIClient) -> None:
    response = operator.get(f"{TENANTS}nobody/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_support_reads_but_cannot_change(support: APIClient, tenant_a: TenantHandle) -> None:
    assert support.get(f"{TENANTS}alpha/").status_code == 200
    assert support.post(f"{TENANTS}alpha/suspend/", {}, format="json").status_code == 403
    created = support.post(
        TENANTS, {"slug": "no-way", "name": "N", "owner_email": "o@n.es"}, format="json"
    )
    assert created.status_code == 403


def test_anonymous_and_restaurant_users_are_refused(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    assert APIClient(HTTP_HOST=PUBLIC_HOST).get(TENANTS).status_code == 401
    token = client_a.post(
        "/api/v1/auth/token/",
        {"email": tenant_a.owner_email, "password": tenant_a.owner_password},
        format="json",
    ).json()["access"]
    on_platform = APIClient(HTTP_HOST=PUBLIC_HOST).get(
        TENANTS, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert on_platform.status_code == 401
    assert client_a.get(TENANTS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_public_user_without_platform_role_is_forbidden() -> None:
    client = platform_client("")
    assert client.get(TENANTS).status_code == 403


def test_tenant_endpoints_are_in_the_platform_openapi_schema() -> None:
    schema: dict[str, Any] = (
        APIClient(HTTP_HOST=PUBLIC_HOST).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    )
    assert {
        TENANTS,
        f"{TENANTS}{{slug}}/",
        f"{TENANTS}{{slug}}/suspend/",
        f"{TENANTS}{{slug}}/domains/{{domain}}/",
    } <= set(schema["paths"])
