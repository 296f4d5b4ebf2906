"""Conventions every endpoint of a kind keeps, checked on all of them (from the URLconf).

Paginated lists: an unknown query parameter (a misspelt filter), an unknown ordering field
and a page or page size that is not a positive number are each a 400 naming the parameter,
never a silently unfiltered or default answer.
"""

from __future__ import annotations

import pytest

from tests.tenant_apps.endpoints import Endpoint, api_endpoints
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

LISTS = [endpoint for endpoint in api_endpoints() if endpoint.is_list]
BAD_QUERIES = {
    "categroy=1": "categroy",
    "ordering=no_such_field": "ordering",
    "page=abc": "page",
    "page=0": "page",
    "page_size=abc": "page_size",
    "page_size=0": "page_size",
}


def test_the_urlconf_has_the_paginated_lists() -> None:
    routes = {endpoint.route for endpoint in LISTS}

    assert {"api/v1/orders/", "api/v1/audit/", "api/v1/conversations/"} <= routes
    assert len(routes) >= 10


@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_a_list_refuses_unknown_parameters_and_bad_pages(
    tenant_a: TenantHandle, endpoint: Endpoint
) -> None:
    client = client_as(tenant_a, "owner")
    wrong = {}

    for query, parameter in BAD_QUERIES.items():
        response = client.get(f"/{endpoint.route}?{query}")
        if response.status_code != 400 or parameter not in response.json().get("errors", {}):
            wrong[query] = response.status_code

    assert wrong == {}


@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_a_list_accepts_its_own_filters_and_pages(
    tenant_a: TenantHandle, endpoint: Endpoint
) -> None:
    client = client_as(tenant_a, "owner")
    # Whatever an empty value means to a filter, its name must not be unknown.
    refused = {
        name: errors
        for name in endpoint.view.filter_params
        for errors in [client.get(f"/{endpoint.route}?{name}=").json().get("errors", {})]
        if "Unknown query parameter." in errors.get(name, [])
    }

    response = client.get(
        f"/{endpoint.route}?page=1&page_size=5&ordering=-{endpoint.view.ordering_fields[0]}"
    )

    assert refused == {}
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/menu/search/?q=taco&limt=5",
        "/api/v1/reservations/availability/?date=2099-01-01&party_size=2&party=2",
    ],
)
def test_a_public_query_refuses_unknown_parameters(tenant_a: TenantHandle, path: str) -> None:
    response = client_as(tenant_a, "viewer").get(path)

    assert response.status_code == 400
    assert list(response.json()["errors"]) in (["limt"], ["party"])
