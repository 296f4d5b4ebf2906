"""Reservations pages: covers per slot, booking through reservation_create, status actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from tenant_apps.reservations.models import Reservation
from tenant_apps.restaurant.selectors import restaurant_local_now
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _tomorrow(handle: TenantHandle) -> str:
    with schema_context(handle.schema_name):
        return (restaurant_local_now().date() + timedelta(days=1)).isoformat()


def _book(client: object, day: str, people: str = "4") -> object:
    return client.post(  # type: ignore[attr-defined]
        "/panel/reservations/new/",
        {
            "name": "Lucía",
            "phone": "+34 612 000 111",
            "starts_at": f"{day}T20:00",
            "party_size": people,
        },
    )


def test_staff_book_a_table_and_see_the_covers_of_the_slot(tenant_a: TenantHandle) -> None:
    day = _tomorrow(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    response = _book(client, day)
    assert response.status_code == 302, response.text  # type: ignore[attr-defined]
    page = client.get(f"/panel/reservations/?day={day}")
    assert "Lucía" in page.text
    assert 'aria-label="4 / ' in page.text
    week = client.get(f"/panel/reservations/?day={day}&view=week")
    assert week.status_code == 200


def test_a_party_too_large_is_refused_next_to_the_field(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "staff")
    response = _book(client, _tomorrow(tenant_a), people="300")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'value="Lucía"' in response.text  # type: ignore[attr-defined]
    assert "field-error" in response.text  # type: ignore[attr-defined]


def test_seat_then_complete_and_cancel_needs_its_own_permission(tenant_a: TenantHandle) -> None:
    day = _tomorrow(tenant_a)
    staff, _ = panel_client(tenant_a, "staff")
    _book(staff, day)
    _book(staff, day, people="2")
    with schema_context(tenant_a.schema_name):
        first, second = Reservation.objects.order_by("-id")[:2]
    staff.post(f"/panel/reservations/{first.pk}/status/", {"to_status": "seated"})
    staff.post(f"/panel/reservations/{first.pk}/status/", {"to_status": "completed"})
    viewer, _ = panel_client(tenant_a, "viewer")
    refused = viewer.post(f"/panel/reservations/{second.pk}/status/", {"to_status": "cancelled"})
    assert refused.status_code == 403
    assert "/status/" not in viewer.get(f"/panel/reservations/?day={day}").text
    staff.post(
        f"/panel/reservations/{second.pk}/status/", {"to_status": "cancelled", "reason": "Llamó"}
    )
    with schema_context(tenant_a.schema_name):
        first.refresh_from_db()
        second.refresh_from_db()
    assert first.status == "completed"
    assert (second.status, second.cancel_reason) == ("cancelled", "Llamó")
