"""Promotions API: edits and their audit trail."""

from __future__ import annotations

import pytest

from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_editing_a_promotion_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    promotion = owner.post(
        "/api/v1/promotions/",
        {"name": {"es": "Martes"}, "kind": "percent", "value": "10"},
        format="json",
    ).json()

    response = owner.patch(f"/api/v1/promotions/{promotion['id']}/", {"value": "15"}, format="json")

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "promotions.promotion.update")
    assert (entry.target_type, entry.target_id) == ("promotions.promotion", str(promotion["id"]))
    assert entry.summary == "Martes"
    assert (entry.before, entry.after) == (promotion, response.json())
