"""Reservations API: public availability, booking, 409 with alternatives."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.reservations.services import reservation_create
from tenant_apps.restaurant.selectors import restaurant_profile_get
from tests.actors import TEST_ACTOR
from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def evening(tenant: TenantHandle, days: int = 3) -> datetime:
    with schema_context(tenant.schema_name):
        tz = restaurant_profile_get().tz
    day = (timezone.now().astimezone(tz) + timedelta(days=days)).date()
    return datetime.combine(day, time(20), tzinfo=tz)


def test_availability_is_public_and_validated(tenant_a: TenantHandle, client_a: APIClient) -> None:
    day = evening(tenant_a).date()

    ok = client_a.get(f"/api/v1/reservations/availability/?date={day}&party_size=4")
    bad = client_a.get("/api/v1/reservations/availability/?date=someday&party_size=-1")

    assert ok.status_code == 200
    assert len(ok.json()["slots"]) == 20
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"date", "party_size"}


def test_availability_of_a_day_already_gone_is_a_400(
    tenant_a: TenantHandle, client_a: APIClient
) -> None:
    yesterday = evening(tenant_a, days=-1).date()

    response = client_a.get(f"/api/v1/reservations/availability/?date={yesterday}&party_size=2")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["date"]


def test_a_time_without_offset_is_the_restaurants_local_time(tenant_a: TenantHandle) -> None:
    local = evening(tenant_a)  # 20:00 in the restaurant's timezone
    naive = local.replace(tzinfo=None).isoformat()

    response = client_as(tenant_a, "staff").post(
        "/api/v1/reservations/",
        {"customer_phone": "+34612000003", "starts_at": naive, "party_size": 2},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert datetime.fromisoformat(response.json()["starts_at"]) == local


def test_booking_a_full_slot_is_a_409_with_alternatives(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")
    manager = client_as(tenant_a, "manager")
    manager.patch("/api/v1/reservations/settings/", {"total_covers": 4}, format="json")
    starts = evening(tenant_a).isoformat()

    first = client.post(
        "/api/v1/reservations/",
        {"customer_phone": "+34612000001", "starts_at": starts, "party_size": 4},
        format="json",
    )
    second = client.post(
        "/api/v1/reservations/",
        {"customer_phone": "+34612000002", "starts_at": starts, "party_size": 2},
        format="json",
    )

    assert first.status_code == 201, first.json()
    assert second.status_code == 409
    assert second.json()["alternatives"]


def test_booking_in_the_past_is_a_400(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")

    response = client.post(
        "/api/v1/reservations/",
        {
            "customer_phone": "+34612000001",
            "party_size": 2,
            "starts_at": (timezone.now() - timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()["errors"]


def test_reschedule_and_cancel(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")
    booking = client.post(
        "/api/v1/reservations/",
        {
            "customer_phone": "+34612000001",
            "party_size": 2,
            "starts_at": evening(tenant_a).isoformat(),
        },
        format="json",
    ).json()

    moved = client.patch(
        f"/api/v1/reservations/{booking['id']}/",
        {"starts_at": evening(tenant_a, days=4).isoformat(), "party_size": 3},
        format="json",
    )
    cancelled = client.post(
        f"/api/v1/reservations/{booking['id']}/status/",
        {"status": "cancelled", "reason": "ill"},
        format="json",
    )
    again = client.post(
        f"/api/v1/reservations/{booking['id']}/status/", {"status": "seated"}, format="json"
    )

    moved_again = client.patch(
        f"/api/v1/reservations/{booking['id']}/",
        {"starts_at": evening(tenant_a, days=5).isoformat()},
        format="json",
    )

    assert moved.status_code == 200
    assert moved.json()["party_size"] == 3
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert {k: again.json()[k] for k in ("current_status", "requested_status")} == {
        "current_status": "cancelled",
        "requested_status": "seated",
    }
    assert again.json()["allowed_statuses"] == []
    assert moved_again.status_code == 409


def test_rescheduling_audits_the_booking_before_and_after(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")
    with schema_context(tenant_a.schema_name):
        reservation = reservation_create(
            actor=TEST_ACTOR,
            customer=make_customer(),
            starts_at=evening(tenant_a),
            party_size=2,
            channel="web",
        )
    booking = client.get(f"/api/v1/reservations/{reservation.pk}/").json()

    moved = client.patch(
        f"/api/v1/reservations/{reservation.pk}/",
        {"party_size": 3, "starts_at": booking["starts_at"]},
        format="json",
    )

    assert moved.status_code == 200
    entry = audit_entry(tenant_a, "reservations.reservation.reschedule")
    assert (entry.target_type, entry.target_id) == ("reservations.reservation", str(booking["id"]))
    assert entry.summary.endswith(" x3")
    assert (entry.before, entry.after) == ({"party_size": 2}, {"party_size": 3})


def test_editing_a_table_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    manager = client_as(tenant_a, "manager")
    table = manager.post(
        "/api/v1/reservations/tables/", {"name": "A1", "capacity": 4}, format="json"
    ).json()

    response = manager.patch(
        f"/api/v1/reservations/tables/{table['id']}/", {"capacity": 6}, format="json"
    )

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "reservations.table.update")
    assert (entry.target_type, entry.target_id) == ("reservations.table", str(table["id"]))
    assert (entry.summary, entry.before, entry.after) == (
        "A1 (6)",
        {"capacity": 4},
        {"capacity": 6},
    )


def test_changing_booking_rules_audits_them_before_and_after(tenant_a: TenantHandle) -> None:
    manager = client_as(tenant_a, "manager")
    rules = manager.get("/api/v1/reservations/settings/").json()

    response = manager.patch("/api/v1/reservations/settings/", {"total_covers": 7}, format="json")

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "reservations.settings.update")
    assert (entry.target_type, entry.summary) == (
        "reservations.reservationsettings",
        "Booking rules",
    )
    assert (entry.before, entry.after) == (
        {"total_covers": rules["total_covers"]},
        {"total_covers": 7},
    )
