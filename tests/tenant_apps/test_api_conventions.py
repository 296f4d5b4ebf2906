"""Conventions every endpoint of a kind keeps, checked on all of them (from the URLconf).

Paginated lists: an unknown query parameter (a misspelt filter), an unknown ordering field
and a page or page size that is not a positive number are each a 400 naming the parameter,
never a silently unfiltered or default answer.

Writes (POST, PUT, PATCH): malformed JSON, a body that is not a JSON object and an unknown
field are each a 400 problem with field errors, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.tenant_apps.endpoints import Endpoint, api_endpoints
from tests.tenant_apps.staff.factories import client_as
from tests.tenant_apps.test_isolation import PARAM_OBJECTS, populate_tenant_a, start_chat
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


WRITES = [e for e in api_endpoints() if e.method in ("POST", "PUT", "PATCH")]
# Each check: (raw body, what the answer's field errors must name).
BAD_BODIES = {
    "malformed JSON": ('{"name": ', "non_field_errors"),
    "not an object": ("[1, 2]", "non_field_errors"),
    "unknown field": ('{"zzz_unknown": 1}', "zzz_unknown"),
}


def _client_for(endpoint: Endpoint, handle: TenantHandle, n: int, chat_token: str) -> APIClient:
    """The caller an endpoint expects: the chat's visitor, or a fresh owner (own throttle)."""
    if endpoint.route == "api/v1/chat/messages/":
        visitor = APIClient(HTTP_HOST=handle.host, REMOTE_ADDR=f"10.0.0.{n}")
        visitor.credentials(HTTP_AUTHORIZATION=f"Bearer {chat_token}")
        return visitor
    owner = client_as(handle, "owner")
    owner.defaults["REMOTE_ADDR"] = f"10.0.0.{n}"  # the login endpoints throttle per IP
    return owner


def test_every_write_refuses_malformed_json_non_objects_and_unknown_fields(
    tenant_a: TenantHandle,
) -> None:
    ids: dict[str, Any] = populate_tenant_a(client_as(tenant_a, "owner"))
    ids["conversation"], chat_token = start_chat(tenant_a)
    values = {name: ids.get(key) for name, key in PARAM_OBJECTS.items()} | {"code": "viewer"}
    wrong = []

    for n, endpoint in enumerate(WRITES, start=1):
        client = _client_for(endpoint, tenant_a, n, chat_token)
        path = endpoint.path(values)
        for label, (raw, field) in BAD_BODIES.items():
            response = getattr(client, endpoint.method.lower())(
                path, raw, content_type="application/json"
            )
            errors = response.json().get("errors", {}) if response.content else {}
            if response.status_code != 400 or field not in errors:
                wrong.append((str(endpoint), label, response.status_code, list(errors)))

    assert len(WRITES) >= 35
    assert wrong == [], "\n".join(map(str, wrong))
