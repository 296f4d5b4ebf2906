"""Staff API: edits of accounts and their audit trail."""

from __future__ import annotations

import pytest

from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.staff.factories import client_as, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_editing_an_account_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    cook = make_staff(tenant_a, "staff")

    response = owner.patch(f"/api/v1/staff/{cook.pk}/", {"full_name": "Chef Eva"}, format="json")

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "staff.user.update")
    assert (entry.target_type, entry.target_id, entry.summary) == (
        "accounts.user",
        str(cook.pk),
        cook.email,
    )
    assert (entry.before, entry.after) == ({"full_name": "Test staff"}, {"full_name": "Chef Eva"})
