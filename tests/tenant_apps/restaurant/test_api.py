"""Restaurant profile and opening hours API."""

from __future__ import annotations

import pytest

from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_replacing_the_week_with_split_shifts_answers_them_and_audits_the_change(
    tenant_a: TenantHandle,
) -> None:
    manager = client_as(tenant_a, "manager")
    shifts = [
        {"weekday": 0, "opens": "13:00", "closes": "16:00"},
        {"weekday": 0, "opens": "20:00", "closes": "23:30"},
    ]

    response = manager.put("/api/v1/restaurant/hours/", {"shifts": shifts}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"shifts": shifts}
    assert manager.get("/api/v1/restaurant/hours/").json() == {"shifts": shifts}
    entry = audit_entry(tenant_a, "restaurant.hours.replace")
    assert len(entry.before) == 7
    assert entry.after == shifts
