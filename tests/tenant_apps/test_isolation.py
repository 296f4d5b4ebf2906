"""Tenant isolation: tenant A's ids, tried with tenant B's credentials and host, never leak.

The endpoints come from the URLconf (tests/tenant_apps/endpoints.py), so a new one is
covered without being listed here: every endpoint whose URL names an object is called on
B's host with A's id (404), with A's token, API key or chat visitor token on B's host (401)
and with B's token on A's host (401); every read without an id (lists, searches, settings)
answers B without A's data. A new kind of URL parameter fails the test until it is given one
of A's objects in PARAM_OBJECTS.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from shared_apps.accounts.models import User
from shared_apps.support.models import SupportAccess
from tenant_apps.audit.models import AuditEntry
from tenant_apps.conversations.models import Conversation
from tenant_apps.customers.models import Customer
from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.orders.models import Order
from tenant_apps.promotions.models import Promotion
from tenant_apps.reservations.models import Reservation, Table
from tenant_apps.restaurant.models import ClosedDate
from tenants import secrets
from tests.shared_apps.billing.factories import issued_invoice
from tests.tenant_apps.endpoints import API_PREFIX, Endpoint, api_endpoints
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

MODELS: dict[str, Any] = {
    "category": Category,
    "item": MenuItem,
    "customer": Customer,
    "order": Order,
    "reservation": Reservation,
    "table": Table,
    "promotion": Promotion,
    "closed_date": ClosedDate,
    "user": User,
    "conversation": Conversation,
}
CHAT_SECRET = "Mensaje secreto A"


def populate_tenant_a(owner: APIClient) -> dict[str, int]:
    """Create one of everything in A through its API, as its owner."""
    ids: dict[str, int] = {}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = owner.post(path, body, format="json")
        assert response.status_code == 201, (path, response.json())
        return dict(response.json())

    ids["category"] = post("/api/v1/menu/categories/", {"name": {"es": "Secreta A"}})["id"]
    ids["item"] = post(
        "/api/v1/menu/items/",
        {"category": ids["category"], "name": {"es": "Plato secreto A"}, "price": "10.00"},
    )["id"]
    ids["customer"] = post("/api/v1/customers/", {"phone": "+34611222333", "name": "Cliente A"})[
        "id"
    ]
    ids["order"] = post(
        "/api/v1/orders/",
        {
            "customer": ids["customer"],
            "order_type": "pickup",
            "lines": [{"item_id": ids["item"], "quantity": 1}],
        },
    )["id"]
    ids["table"] = post("/api/v1/reservations/tables/", {"name": "A1", "capacity": 4})["id"]
    day = (timezone.now() + timedelta(days=3)).date()
    starts = datetime.combine(day, time(20), tzinfo=timezone.get_current_timezone())
    ids["reservation"] = post(
        "/api/v1/reservations/",
        {"customer": ids["customer"], "starts_at": starts.isoformat(), "party_size": 2},
    )["id"]
    ids["promotion"] = post(
        "/api/v1/promotions/",
        {"name": {"es": "Promo A"}, "kind": "percent", "value": "10", "code": "ASECRET"},
    )["id"]
    ids["closed_date"] = post(
        "/api/v1/restaurant/closed-dates/",
        {"date": (day + timedelta(days=10)).isoformat(), "reason": "A"},
    )["id"]
    ids["user"] = post("/api/v1/staff/", {"email": "cook@alpha.example", "role": "staff"})["id"]
    ids["whatsapp_template"] = post(
        "/api/v1/channels/whatsapp/templates/",
        {"name": "secret_a", "body": "Hola {{1}}", "provider_ref": "HXsecreta"},
    )["id"]
    return ids


def support_access_to(handle: TenantHandle) -> int:
    """A running support access to the restaurant (a public-schema row naming it)."""
    from tests.tenant_apps.support_access.test_session import open_access

    return int(open_access(handle)[0].pk)


def start_whatsapp_conversation(handle: TenantHandle) -> int:
    """A WhatsApp conversation whose customer wrote just now (inside the 24-hour window)."""
    with schema_context(handle.schema_name):
        return int(
            Conversation.objects.create(
                channel="whatsapp",
                external_id="+34611222444",
                last_customer_message_at=timezone.now(),
            ).pk
        )


def start_chat(handle: TenantHandle) -> tuple[int, str]:
    """A web chat in the restaurant with one customer message: (conversation id, token)."""
    visitor = APIClient(HTTP_HOST=handle.host)
    session = visitor.post("/api/v1/chat/sessions/", {}, format="json").json()
    visitor.credentials(HTTP_AUTHORIZATION=f"Bearer {session['token']}")
    sent = visitor.post("/api/v1/chat/messages/", {"text": CHAT_SECRET}, format="json")
    assert sent.status_code == 201, sent.content
    return int(session["conversation"]), str(session["token"])


# Which of tenant A's objects fills each URL parameter.
PARAM_OBJECTS = {
    "category_id": "category",
    "item_id": "item",
    "customer_id": "customer",
    "order_id": "order",
    "reservation_id": "reservation",
    "table_id": "table",
    "promotion_id": "promotion",
    "closed_date_id": "closed_date",
    "user_id": "user",
    "key_id": "api_key",
    "conversation_id": "conversation",
    "whatsapp_conversation_id": "whatsapp_conversation",
    "template_id": "whatsapp_template",
    "invoice_id": "invoice",
    "access_id": "support_access",
}
# URL parameters that do not name a restaurant's own data.
NOT_TENANT_DATA = {
    "code": "role codes are the same four in every restaurant (staff/roles/<code>/)",
}
# Real bodies where an empty one would prove less (a valid change must not land either).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "menu/categories/<int:category_id>/"): {"is_visible": False},
    ("PATCH", "menu/items/<int:item_id>/"): {"price": "1.00"},
    ("POST", "menu/items/<int:item_id>/availability/"): {"out_of_stock": True},
    ("PATCH", "customers/<int:customer_id>/"): {"name": "Hacked"},
    ("POST", "orders/<int:order_id>/status/"): {"status": "confirmed"},
    ("PATCH", "reservations/<int:reservation_id>/"): {
        "starts_at": (timezone.now() + timedelta(days=4)).isoformat()
    },
    ("POST", "reservations/<int:reservation_id>/status/"): {"status": "cancelled"},
    ("PATCH", "reservations/tables/<int:table_id>/"): {"capacity": 2},
    ("PATCH", "promotions/<int:promotion_id>/"): {"is_active": False},
    ("PATCH", "staff/<int:user_id>/"): {"role": "owner"},
    ("POST", "staff/<int:user_id>/password/"): {"password": "Sup3r-secret-pw"},
    ("POST", "conversations/<int:conversation_id>/reply/"): {"text": "hola"},
    ("PUT", "support-access/<int:access_id>/"): {"write_access": True},
}
# Query strings some reads need to answer at all.
QUERIES = {
    "menu/search/": "?q=secreto",
    "reservations/availability/": f"?date={(timezone.now() + timedelta(days=3)).date()}"
    "&party_size=2",
}
A_MARKERS = (
    "Secreta A",
    "Plato secreto A",
    "Cliente A",
    "+34611222333",
    "ASECRET",
    "cook@alpha.example",
    "owner@alpha.example",
    "Taquer",
    CHAT_SECRET,
)


def _route(endpoint: Endpoint) -> str:
    return endpoint.route.removeprefix(API_PREFIX)


def object_endpoints(ids: dict[str, int]) -> list[tuple[Endpoint, str, dict[str, Any]]]:
    """Every endpoint naming one of A's objects, with A's id in its URL."""
    found = []
    for endpoint in api_endpoints():
        params = [name for name in endpoint.params if name not in NOT_TENANT_DATA]
        if not params or len(params) != len(endpoint.params):
            continue
        missing = [name for name in params if name not in PARAM_OBJECTS]
        assert not missing, f"{endpoint}: add one of A's objects for {missing} to PARAM_OBJECTS"
        path = endpoint.path({name: ids[PARAM_OBJECTS[name]] for name in params})
        found.append((endpoint, path, BODIES.get((endpoint.method, _route(endpoint)), {})))
    return found


def read_endpoints() -> list[Endpoint]:
    """Every GET without an object id: lists, searches, singletons (profile, settings)."""
    return [e for e in api_endpoints() if e.method == "GET" and not e.params]


def call(client: APIClient, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method.lower())(path, body, format="json")


def bearer_client(host: str, *, token: str = "", api_key: str = "") -> APIClient:
    client = APIClient(HTTP_HOST=host)
    if token:
        client.credentials(HTTP_AUTHORIZATION=token)
    if api_key:
        client.credentials(HTTP_X_API_KEY=api_key)
    return client


def test_the_urlconf_gives_the_isolation_test_every_object_endpoint() -> None:
    ids = dict.fromkeys([*PARAM_OBJECTS.values()], 1)

    covered = {str(endpoint) for endpoint, _, _ in object_endpoints(ids)}

    assert "PATCH /api/v1/menu/items/<int:item_id>/" in covered
    assert "POST /api/v1/conversations/<int:conversation_id>/reply/" in covered
    assert "DELETE /api/v1/staff/api-keys/<int:key_id>/" in covered
    assert len(covered) >= 30


def test_tenant_a_ids_and_credentials_never_work_on_tenant_b(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    owner_a = client_as(tenant_a, "owner")
    ids = populate_tenant_a(owner_a)
    ids["api_key"], key_a = secrets.api_key_create(schema_name=tenant_a.schema_name, name="A")
    ids["conversation"], visitor_token_a = start_chat(tenant_a)
    ids["whatsapp_conversation"] = start_whatsapp_conversation(tenant_a)
    ids["invoice"] = issued_invoice(tenant_a.restaurant).pk
    ids["support_access"] = support_access_to(tenant_a)
    with schema_context(tenant_b.schema_name):
        clashing = [
            name for name, model in MODELS.items() if model.objects.filter(pk=ids[name]).exists()
        ]
    assert clashing == [], "tenant B happens to hold rows with these ids; the test needs none"
    owner_b = client_as(tenant_b, "owner")
    a_token = owner_a._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]
    b_token = owner_b._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]
    intruders = {
        "A token on B": bearer_client(tenant_b.host, token=a_token),
        "A key on B": bearer_client(tenant_b.host, api_key=key_a),
        "B token on A": bearer_client(tenant_a.host, token=b_token),
    }

    leaks = []
    for endpoint, path, body in object_endpoints(ids):
        if (code := call(owner_b, endpoint.method, path, body).status_code) != 404:
            leaks.append(("B owner, A id", endpoint.method, path, code))
        for label, client in intruders.items():
            if (code := call(client, endpoint.method, path, body).status_code) != 401:
                leaks.append((label, endpoint.method, path, code))
    reader_b = client_as(tenant_b, "owner")
    for endpoint in read_endpoints():
        path = "/" + endpoint.route + QUERIES.get(_route(endpoint), "")
        response = reader_b.get(path)
        assert response.status_code < 500, path
        text = response.content.decode()
        leaks.extend(("B read", "GET", path, marker) for marker in A_MARKERS if marker in text)
        if (
            endpoint.is_staff_api
            and (code := intruders["A token on B"].get(path).status_code) != 401
        ):
            leaks.append(("A token on B read", "GET", path, code))
    a_visitor_on_b = bearer_client(tenant_b.host, token=f"Bearer {visitor_token_a}")
    if (code := a_visitor_on_b.get("/api/v1/chat/messages/").status_code) != 401:
        leaks.append(("A chat token on B", "GET", "/api/v1/chat/messages/", code))

    assert leaks == []
    with schema_context(tenant_a.schema_name):  # and nothing in A changed
        assert Customer.objects.get(pk=ids["customer"]).name == "Cliente A"
        assert MenuItem.objects.get(pk=ids["item"]).price == 10
        assert Order.objects.get(pk=ids["order"]).status == "pending"
        assert Conversation.objects.get(pk=ids["conversation"]).status == "bot"
        assert AuditEntry.objects.filter(actor_label=owner_b.user.email).count() == 0  # type: ignore[attr-defined]
    assert not SupportAccess.objects.get(pk=ids["support_access"]).can_write
