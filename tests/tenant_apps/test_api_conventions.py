"""Conventions every endpoint of a kind keeps, checked on all of them (from the URLconf).

Paginated lists: an unknown query parameter (a misspelt filter), an unknown ordering field
and a page or page size that is not a positive number are each a 400 naming the parameter,
never a silently unfiltered or default answer.

Writes (POST, PUT, PATCH): malformed JSON, a body that is not a JSON object and an unknown
field are each a 400 problem with field errors, and nothing is written. Every write by staff
(or an API key) leaves one entry in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.audit.models import AuditEntry
from tests.tenant_apps.endpoints import Endpoint, api_endpoints
from tests.tenant_apps.staff.factories import client_as
from tests.tenant_apps.test_isolation import (
    PARAM_OBJECTS,
    populate_tenant_a,
    start_chat,
    start_whatsapp_conversation,
    support_access_to,
)
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


# Endpoints one owner account checks: with len(BAD_BODIES) requests each, well under the
# per-account rate (100/min); a new owner per batch (not per endpoint) stays within the
# plan's staff seats.
ENDPOINTS_PER_OWNER = 20


def _client_for(
    endpoint: Endpoint,
    handle: TenantHandle,
    n: int,
    chat_token: str,
    owners: dict[int, APIClient],
) -> APIClient:
    """The caller an endpoint expects: the chat's visitor, or an owner with throttle to spare."""
    if endpoint.route == "api/v1/chat/messages/":
        visitor = APIClient(HTTP_HOST=handle.host, REMOTE_ADDR=f"10.0.0.{n}")
        visitor.credentials(HTTP_AUTHORIZATION=f"Bearer {chat_token}")
        return visitor
    batch = n // ENDPOINTS_PER_OWNER
    if batch not in owners:
        owners[batch] = client_as(handle, "owner")
    owner = owners[batch]
    owner.defaults["REMOTE_ADDR"] = f"10.0.0.{n}"  # the login endpoints throttle per IP
    return owner


def test_every_write_refuses_malformed_json_non_objects_and_unknown_fields(
    tenant_a: TenantHandle,
) -> None:
    ids: dict[str, Any] = populate_tenant_a(client_as(tenant_a, "owner"))
    ids["conversation"], chat_token = start_chat(tenant_a)
    ids["whatsapp_conversation"] = start_whatsapp_conversation(tenant_a)
    ids["support_access"] = support_access_to(tenant_a)
    values = {name: ids.get(key) for name, key in PARAM_OBJECTS.items()} | {"code": "viewer"}
    wrong = []
    owners: dict[int, APIClient] = {}

    for n, endpoint in enumerate(WRITES, start=1):
        client = _client_for(endpoint, tenant_a, n, chat_token, owners)
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


# Writes that are not staff changing the restaurant's data: logins and tokens, the customer's
# own chat, and a price quote.
NOT_STAFF_WRITES = {
    "api/v1/auth/session/",
    "api/v1/auth/token/",
    "api/v1/auth/token/refresh/",
    "api/v1/auth/token/revoke/",
    "api/v1/auth/password/set/",
    "api/v1/chat/sessions/",
    "api/v1/chat/messages/",
    "api/v1/orders/quote/",
}
_SOON = timezone.now() + timedelta(days=20)
# A valid body for each staff write; deletes get objects of their own (see below).
_STARTS = _SOON.replace(hour=19, minute=0, second=0, microsecond=0)
Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
VALID_BODIES: dict[tuple[str, str], Body] = {
    ("PATCH", "chat/settings/"): {"accent_color": "#123456"},
    ("PATCH", "assistant/settings/"): {"temperature": 0.5},
    ("POST", "conversations/<int:conversation_id>/take-over/"): {},
    ("POST", "conversations/<int:conversation_id>/reply/"): {"text": "Hola, soy Ana"},
    ("POST", "conversations/<int:conversation_id>/hand-back/"): {},
    ("POST", "conversations/<int:conversation_id>/close/"): {},
    ("PATCH", "restaurant/profile/"): {"address": "Calle Sol 2"},
    ("PUT", "restaurant/hours/"): {
        "shifts": [{"weekday": day, "opens": "12:00", "closes": "23:00"} for day in range(7)]
    },
    ("POST", "restaurant/closed-dates/"): {"date": str((_SOON + timedelta(days=30)).date())},
    ("POST", "menu/categories/"): {"name": {"es": "Postres"}},
    ("PATCH", "menu/categories/<int:category_id>/"): {"position": 3},
    ("POST", "menu/items/"): lambda ids: {
        "category": ids["category"],
        "name": {"es": "Flan"},
        "price": "4.00",
    },
    ("PATCH", "menu/items/<int:item_id>/"): {"price": "11.00"},
    ("POST", "menu/items/<int:item_id>/availability/"): {"out_of_stock": False},
    ("POST", "customers/"): {"phone": "+34611999888"},
    ("PATCH", "customers/<int:customer_id>/"): {"notes": "VIP"},
    ("POST", "orders/"): lambda ids: {"order_type": "pickup", "lines": [{"item_id": ids["item"]}]},
    ("POST", "orders/<int:order_id>/status/"): {"status": "confirmed"},
    ("POST", "reservations/"): lambda ids: {
        "customer": ids["customer"],
        "starts_at": _STARTS.isoformat(),
        "party_size": 2,
    },
    ("PATCH", "reservations/<int:reservation_id>/"): {
        "starts_at": (_STARTS + timedelta(days=1)).isoformat()
    },
    ("POST", "reservations/<int:reservation_id>/status/"): {"status": "seated"},
    ("PATCH", "reservations/settings/"): {"slot_interval_minutes": 15},
    ("POST", "reservations/tables/"): {"name": "T9", "capacity": 2},
    ("PATCH", "reservations/tables/<int:table_id>/"): {"capacity": 6},
    ("POST", "promotions/"): {"name": {"es": "2x1"}, "kind": "fixed", "value": "2.00"},
    ("PATCH", "promotions/<int:promotion_id>/"): {"value": "12"},
    ("POST", "staff/"): {"email": "waiter@alpha.example", "role": "staff"},
    ("PATCH", "staff/<int:user_id>/"): {"full_name": "Cook"},
    ("POST", "staff/<int:user_id>/password/"): {"password": "Sup3r-secret-pw"},
    ("PATCH", "staff/roles/<str:code>/"): {"permissions": ["menu.view"]},
    ("POST", "staff/api-keys/"): {"name": "POS"},
    ("PUT", "support-access/"): {"write_access": True},
    ("PUT", "support-access/<int:access_id>/"): {"write_access": True},
    ("PUT", "channels/whatsapp/"): {
        "provider": "twilio",
        "phone_number": "+34910000001",
        "account_sid": "AC" + "1" * 32,
        "auth_token": "twilio-auth-token",
    },
    ("POST", "channels/whatsapp/templates/"): {
        "name": "order_ready",
        "body": "Hola {{1}}",
        "provider_ref": "HX" + "b" * 32,
    },
    ("POST", "channels/whatsapp/conversations/<int:whatsapp_conversation_id>/template/"): (
        lambda ids: {"template": ids["whatsapp_template"], "variables": ["Ana"]}
    ),
}


def _valid_body(endpoint: Endpoint, ids: dict[str, Any]) -> dict[str, Any]:
    route = endpoint.route.removeprefix("api/v1/")
    body = VALID_BODIES.get((endpoint.method, route), {} if endpoint.method == "DELETE" else None)
    assert body is not None, f"{endpoint}: give VALID_BODIES a valid body for it"
    return body(ids) if callable(body) else body


def test_every_staff_write_is_audited(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    ids: dict[str, Any] = populate_tenant_a(owner)
    ids["conversation"], _ = start_chat(tenant_a)
    ids["whatsapp_conversation"] = start_whatsapp_conversation(tenant_a)
    ids["support_access"] = support_access_to(tenant_a)
    ids["api_key"] = owner.post("/api/v1/staff/api-keys/", {"name": "A"}, format="json").json()[
        "id"
    ]
    # Deletes take objects nothing else refers to (a category with dishes is a 409).
    for_deletes = ids | {
        "category": owner.post(
            "/api/v1/menu/categories/", {"name": {"es": "Vacía"}}, format="json"
        ).json()["id"],
        "customer": owner.post(
            "/api/v1/customers/", {"phone": "+34611000999"}, format="json"
        ).json()["id"],
    }
    writes = [
        e
        for e in api_endpoints()
        if e.is_staff_api and e.method != "GET" and e.route not in NOT_STAFF_WRITES
    ]
    writes.sort(key=lambda e: e.method == "DELETE")
    silent = []

    for endpoint in writes:
        targets = for_deletes if endpoint.method == "DELETE" else ids
        values = {name: targets.get(key) for name, key in PARAM_OBJECTS.items()}
        with schema_context(tenant_a.schema_name):
            before = AuditEntry.objects.count()
        response = getattr(owner, endpoint.method.lower())(
            endpoint.path(values | {"code": "viewer"}), _valid_body(endpoint, ids), format="json"
        )
        assert response.status_code < 300, (str(endpoint), response.json().get("errors"))
        with schema_context(tenant_a.schema_name):
            if AuditEntry.objects.count() != before + 1:
                silent.append(str(endpoint))

    assert silent == []
