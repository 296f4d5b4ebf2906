"""Tenant isolation: tenant A's ids, tried with tenant B's credentials and host, never leak.

Every list, detail and update endpoint is called on B's host with A's object ids (404, and
lists without A's rows), with A's token or API key on B's host (401), and with B's token on
A's host (401).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from shared_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.customers.models import Customer
from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.orders.models import Order
from tenant_apps.promotions.models import Promotion
from tenant_apps.reservations.models import Reservation, Table
from tenant_apps.restaurant.models import ClosedDate
from tenants import secrets
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
}


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
    return ids


def endpoints(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", f"/api/v1/menu/categories/{ids['category']}/", {}),
        ("PATCH", f"/api/v1/menu/categories/{ids['category']}/", {"is_visible": False}),
        ("DELETE", f"/api/v1/menu/categories/{ids['category']}/", {}),
        ("GET", f"/api/v1/menu/items/{ids['item']}/", {}),
        ("PATCH", f"/api/v1/menu/items/{ids['item']}/", {"price": "1.00"}),
        ("POST", f"/api/v1/menu/items/{ids['item']}/availability/", {"out_of_stock": True}),
        ("DELETE", f"/api/v1/menu/items/{ids['item']}/", {}),
        ("GET", f"/api/v1/customers/{ids['customer']}/", {}),
        ("PATCH", f"/api/v1/customers/{ids['customer']}/", {"name": "Hacked"}),
        ("DELETE", f"/api/v1/customers/{ids['customer']}/", {}),
        ("GET", f"/api/v1/orders/{ids['order']}/", {}),
        ("POST", f"/api/v1/orders/{ids['order']}/status/", {"status": "confirmed"}),
        ("GET", f"/api/v1/reservations/{ids['reservation']}/", {}),
        (
            "PATCH",
            f"/api/v1/reservations/{ids['reservation']}/",
            {"starts_at": (timezone.now() + timedelta(days=4)).isoformat()},
        ),
        ("POST", f"/api/v1/reservations/{ids['reservation']}/status/", {"status": "cancelled"}),
        ("GET", f"/api/v1/reservations/tables/{ids['table']}/", {}),
        ("PATCH", f"/api/v1/reservations/tables/{ids['table']}/", {"capacity": 2}),
        ("DELETE", f"/api/v1/reservations/tables/{ids['table']}/", {}),
        ("GET", f"/api/v1/promotions/{ids['promotion']}/", {}),
        ("PATCH", f"/api/v1/promotions/{ids['promotion']}/", {"is_active": False}),
        ("DELETE", f"/api/v1/promotions/{ids['promotion']}/", {}),
        ("DELETE", f"/api/v1/restaurant/closed-dates/{ids['closed_date']}/", {}),
        ("GET", f"/api/v1/staff/{ids['user']}/", {}),
        ("PATCH", f"/api/v1/staff/{ids['user']}/", {"role": "owner"}),
        ("POST", f"/api/v1/staff/{ids['user']}/password/", {"password": "Sup3r-secret-pw"}),
        ("DELETE", f"/api/v1/staff/api-keys/{ids['api_key']}/", {}),
    ]


LISTS = [
    "/api/v1/menu/categories/",
    "/api/v1/menu/items/",
    "/api/v1/menu/",
    "/api/v1/customers/",
    "/api/v1/orders/",
    "/api/v1/reservations/",
    "/api/v1/reservations/tables/",
    "/api/v1/promotions/",
    "/api/v1/promotions/current/",
    "/api/v1/restaurant/closed-dates/",
    "/api/v1/staff/",
    "/api/v1/staff/api-keys/",
    "/api/v1/audit/",
    "/api/v1/menu/search/?q=secreto",
    "/api/v1/restaurant/profile/",
]
A_MARKERS = (
    "Secreta A",
    "Plato secreto A",
    "Cliente A",
    "+34611222333",
    "ASECRET",
    "cook@alpha.example",
    "owner@alpha.example",
    "Taquer",
)


def call(client: APIClient, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method.lower())(path, body, format="json")


def test_tenant_a_ids_and_credentials_never_work_on_tenant_b(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    owner_a = client_as(tenant_a, "owner")
    ids = populate_tenant_a(owner_a)
    ids["api_key"], key_a = secrets.api_key_create(schema_name=tenant_a.schema_name, name="A")
    with schema_context(tenant_b.schema_name):
        clashing = [
            name for name, model in MODELS.items() if model.objects.filter(pk=ids[name]).exists()
        ]
    assert clashing == [], "tenant B happens to hold rows with these ids; the test needs none"
    owner_b = client_as(tenant_b, "owner")
    a_token_on_b_host = APIClient(HTTP_HOST=tenant_b.host)
    a_token_on_b_host.credentials(HTTP_AUTHORIZATION=owner_a._credentials["HTTP_AUTHORIZATION"])  # type: ignore[attr-defined]
    a_key_on_b_host = APIClient(HTTP_HOST=tenant_b.host)
    a_key_on_b_host.credentials(HTTP_X_API_KEY=key_a)
    b_token_on_a_host = APIClient(HTTP_HOST=tenant_a.host)
    b_token_on_a_host.credentials(HTTP_AUTHORIZATION=owner_b._credentials["HTTP_AUTHORIZATION"])  # type: ignore[attr-defined]

    leaks = []
    for method, path, body in endpoints(ids):
        if (code := call(owner_b, method, path, body).status_code) != 404:
            leaks.append(("B owner, A id", method, path, code))
        for label, client in (
            ("A token on B", a_token_on_b_host),
            ("A key on B", a_key_on_b_host),
            ("B token on A", b_token_on_a_host),
        ):
            if (code := call(client, method, path, body).status_code) != 401:
                leaks.append((label, method, path, code))
    for path in LISTS:
        response = owner_b.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        leaks.extend(("B list", "GET", path, marker) for marker in A_MARKERS if marker in text)
    for path in LISTS:
        if (code := a_token_on_b_host.get(path).status_code) not in (401, 200):
            leaks.append(("A token on B list", "GET", path, code))

    assert leaks == []
    with schema_context(tenant_a.schema_name):  # and nothing in A changed
        assert Customer.objects.get(pk=ids["customer"]).name == "Cliente A"
        assert MenuItem.objects.get(pk=ids["item"]).price == 10
        assert Order.objects.get(pk=ids["order"]).status == "pending"
        assert AuditEntry.objects.filter(actor_label=owner_b.user.email).count() == 0  # type: ignore[attr-defined]
