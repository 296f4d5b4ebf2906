"""Orders API: quote, create, 400s with field errors, 409 for illegal transitions, cache."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.restaurant.selectors import restaurant_profile_get
from tests.tenant_apps.orders.factories import make_menu_item
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_id(tenant_a: TenantHandle) -> int:
    with schema_context(tenant_a.schema_name):
        return make_menu_item(with_options=True).pk


def test_quote_then_order_for_a_phone_number(tenant_a: TenantHandle, item_id: int) -> None:
    client = client_as(tenant_a, "staff")
    lines = [{"item_id": item_id, "quantity": 2}]

    quote = client.post("/api/v1/orders/quote/", {"lines": lines}, format="json")
    order = client.post(
        "/api/v1/orders/",
        {
            "lines": lines,
            "order_type": "delivery",
            "address": "Calle Sol 3",
            "customer_phone": "612 345 678",
            "customer_name": "Ana",
        },
        format="json",
    )

    assert quote.status_code == 200
    assert quote.json()["total"] == "19.00"
    assert order.status_code == 201, order.json()
    body = order.json()
    assert body["total"] == quote.json()["total"]
    assert body["channel"] == "staff"
    assert body["lines"][0]["options"][0]["name"]["en"] == "Regular"
    assert body["status_changes"][0]["to_status"] == "pending"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"item_id": 1, "quantity": -1}], "order_type": "pickup"}, "lines"),
        ({"lines": [{"item_id": 1, "quantity": "two"}], "order_type": "pickup"}, "lines"),
        ({"lines": [], "order_type": "pickup"}, "lines"),
        ({"order_type": "pickup"}, "lines"),
        ({"lines": [{"item_id": 1}], "order_type": "pickup", "tip": 5}, "tip"),
        (
            {
                "lines": [{"item_id": 1}],
                "order_type": "pickup",
                "requested_time": "2001-01-01T12:00:00+00:00",
            },
            "requested_time",
        ),
        (
            {"lines": [{"item_id": 1}], "order_type": "pickup", "requested_time": "tomorrow"},
            "requested_time",
        ),
        ({"lines": [{"item_id": 1}], "order_type": "pickup", "customer": 424242}, "customer"),
    ],
)
def test_bad_orders_are_400_with_field_errors(
    tenant_a: TenantHandle, item_id: int, body: dict[str, object], field: str
) -> None:
    client = client_as(tenant_a, "staff")
    for line in body.get("lines", []):  # type: ignore[attr-defined]
        line["item_id"] = item_id

    response = client.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_unknown_item_names_the_line(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")

    response = client.post("/api/v1/orders/quote/", {"lines": [{"item_id": 987654}]}, format="json")

    assert response.status_code == 400
    assert "lines.0.item_id" in response.json()["errors"]


def test_illegal_transition_is_a_409_problem_naming_allowed_statuses(
    tenant_a: TenantHandle, item_id: int
) -> None:
    client = client_as(tenant_a, "staff")
    order = client.post(
        "/api/v1/orders/", {"lines": [{"item_id": item_id}], "order_type": "pickup"}, format="json"
    ).json()

    response = client.post(
        f"/api/v1/orders/{order['id']}/status/", {"status": "completed"}, format="json"
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 409
    assert body["title"] == "Conflict"
    assert body["current_status"] == "pending"
    assert body["allowed_statuses"] == ["confirmed", "cancelled"]


def test_status_changes_are_audited_and_the_cached_detail_follows(
    tenant_a: TenantHandle, item_id: int
) -> None:
    client = client_as(tenant_a, "manager")
    order = client.post(
        "/api/v1/orders/", {"lines": [{"item_id": item_id}], "order_type": "pickup"}, format="json"
    ).json()
    assert client.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "pending"

    client.post(f"/api/v1/orders/{order['id']}/status/", {"status": "confirmed"}, format="json")

    assert client.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "confirmed"
    assert client.get("/api/v1/orders/?status=confirmed").json()["count"] == 1
    with schema_context(tenant_a.schema_name):
        entry = AuditEntry.objects.get(action="orders.order.status")
        assert entry.before == {"status": "pending"}
        assert entry.request_id


def test_order_in_the_future_within_hours(tenant_a: TenantHandle, item_id: int) -> None:
    client = client_as(tenant_a, "staff")
    tomorrow_8pm = (timezone.now() + timedelta(days=1)).replace(hour=19, minute=0)

    response = client.post(
        "/api/v1/orders/",
        {
            "lines": [{"item_id": item_id}],
            "order_type": "dine_in",
            "table": "5",
            "requested_time": tomorrow_8pm.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()


def test_a_requested_time_without_offset_is_the_restaurants_local_time(
    tenant_a: TenantHandle, item_id: int
) -> None:
    with schema_context(tenant_a.schema_name):
        tz = restaurant_profile_get().tz
    day = (timezone.now().astimezone(tz) + timedelta(days=1)).date()
    local = datetime.combine(day, time(22, 30), tzinfo=tz)  # open until 23:00 local

    response = client_as(tenant_a, "staff").post(
        "/api/v1/orders/",
        {
            "lines": [{"item_id": item_id}],
            "order_type": "pickup",
            "requested_time": local.replace(tzinfo=None).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert datetime.fromisoformat(response.json()["requested_time"]) == local


def test_the_created_order_answers_as_its_detail_reads(
    tenant_a: TenantHandle, item_id: int
) -> None:
    client = client_as(tenant_a, "staff")
    # Another time zone than the server's: the answer is built from what was just written.
    tomorrow_8pm = (timezone.now() + timedelta(days=1)).replace(hour=19, minute=0)
    requested = tomorrow_8pm.astimezone(dt_timezone(timedelta(hours=5)))

    created = client.post(
        "/api/v1/orders/",
        {
            "lines": [{"item_id": item_id, "quantity": 3}, {"item_id": item_id}],
            "order_type": "delivery",
            "address": " Calle Sol 3 ",
            "requested_time": requested.isoformat(),
            "customer_phone": "612 345 678",
            "notes": " sin cebolla ",
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert client.get(f"/api/v1/orders/{created.json()['id']}/").json() == created.json()


# The queries of a pickup order by a known customer, one round trip each: SET search_path;
# the token's user, key and denylist; SAVEPOINT (the view's transaction: BEGIN in production);
# the customer by phone; item with category, its option groups, their options; counter;
# order; lines; first status change; audit entry; RELEASE (COMMIT).
ORDER_CREATE_QUERIES = 13


def test_order_create_takes_a_fixed_number_of_queries_whatever_its_lines(
    tenant_a: TenantHandle, settings: Any
) -> None:
    settings.DYSA_TENANT_CACHE_SECONDS = 60.0  # as deployed: the host's tenant is remembered
    client = client_as(tenant_a, "staff")
    with schema_context(tenant_a.schema_name):
        item_ids = [make_menu_item(with_options=True).pk for _ in range(3)]

    def place(count: int) -> int:
        body = {
            "order_type": "pickup",
            "customer_phone": "+34612345678",
            "lines": [{"item_id": item_id, "quantity": 2} for item_id in item_ids[:count]],
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/orders/", body, format="json")
        assert response.status_code == 201, response.json()
        return len(queries)

    place(1)  # first contact creates the customer and fills the settings caches

    assert place(1) == ORDER_CREATE_QUERIES
    assert place(3) == ORDER_CREATE_QUERIES


def test_deleting_a_dish_updates_the_cached_orders_that_had_it(
    tenant_a: TenantHandle, item_id: int
) -> None:
    client = client_as(tenant_a, "manager")
    order = client.post(
        "/api/v1/orders/",
        {"lines": [{"item_id": item_id}], "order_type": "pickup"},
        format="json",
    ).json()
    assert client.get(f"/api/v1/orders/{order['id']}/").json()["lines"][0]["item"] == item_id

    assert client.delete(f"/api/v1/menu/items/{item_id}/").status_code == 204

    line = client.get(f"/api/v1/orders/{order['id']}/").json()["lines"][0]
    assert (line["item"], line["name"]["en"]) == (None, "Al pastor tacos")
