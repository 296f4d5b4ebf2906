"""Customers API: edits and their audit trail."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_editing_a_customer_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        customer = make_customer("Ana")

    response = owner.patch(f"/api/v1/customers/{customer.pk}/", {"name": "Eva"}, format="json")

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "customers.customer.update")
    assert (entry.target_type, entry.target_id) == ("customers.customer", str(customer.pk))
    assert entry.summary == f"Eva ({customer.phone})"
    # What changed, as stored: the fields the write changed, before and after.
    assert (entry.before, entry.after) == ({"name": "Ana"}, {"name": "Eva"})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": 34611000111}, "phone"),
        ({"phone": "+34611000111", "name": 42}, "name"),
        ({"phone": "+34611000111", "marketing_consent": "perhaps"}, "marketing_consent"),
        ({"phone": "+34611000111", "email": "not-an-email"}, "email"),
    ],
)
def test_wrong_types_are_a_400_naming_the_field_and_create_nothing(
    tenant_a: TenantHandle, body: dict[str, object], field: str
) -> None:
    from tenant_apps.customers.models import Customer

    response = client_as(tenant_a, "staff").post("/api/v1/customers/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert not Customer.objects.filter(phone="+34611000111").exists()
