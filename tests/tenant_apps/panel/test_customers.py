"""A customer's page: edit and delete through the customers services and permissions."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.customers.models import Customer
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.orders.factories import make_order
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _customer(handle: TenantHandle, name: str = "Ana") -> Customer:
    with schema_context(handle.schema_name):
        return make_customer(name)


def _edit(customer: Customer, **changes: str) -> dict[str, str]:
    form = {"name": customer.name, "phone": customer.phone, "email": "", "language": "es"}
    return {**form, **changes}


def test_staff_edit_a_customer_and_consent_is_recorded(tenant_a: TenantHandle) -> None:
    customer = _customer(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    listing = client.get("/panel/customers/")
    assert f'href="/panel/customers/{customer.pk}/"' in listing.text
    form = client.get(f"/panel/customers/{customer.pk}/")
    assert form.status_code == 200
    assert "/delete/" not in form.text  # staff may edit but not delete
    changes = _edit(customer, name="Ana María", notes="Sin gluten", marketing_consent="on")
    assert client.post(f"/panel/customers/{customer.pk}/", changes).status_code == 302
    with schema_context(tenant_a.schema_name):
        customer.refresh_from_db()
    assert customer.name == "Ana María"
    assert customer.notes == "Sin gluten"
    assert customer.marketing_consent_at is not None


def test_a_taken_phone_is_named_next_to_the_field_and_the_input_kept(
    tenant_a: TenantHandle,
) -> None:
    customer = _customer(tenant_a)
    other = _customer(tenant_a, "Luis")
    client, _ = panel_client(tenant_a, "staff")
    changes = _edit(customer, phone=other.phone, notes="cliente habitual")
    response = client.post(f"/panel/customers/{customer.pk}/", changes)
    assert response.status_code == 400
    assert 'id="id_phone_error"' in response.text
    assert "cliente habitual" in response.text


def test_a_viewer_cannot_edit_or_delete_a_customer(tenant_a: TenantHandle) -> None:
    customer = _customer(tenant_a)
    client, _ = panel_client(tenant_a, "viewer")
    assert f"/panel/customers/{customer.pk}/" not in client.get("/panel/customers/").text
    assert client.get(f"/panel/customers/{customer.pk}/").status_code == 403
    assert client.post(f"/panel/customers/{customer.pk}/", _edit(customer)).status_code == 403
    staff, _ = panel_client(tenant_a, "staff")
    assert staff.post(f"/panel/customers/{customer.pk}/delete/").status_code == 403
    with schema_context(tenant_a.schema_name):
        assert Customer.objects.filter(pk=customer.pk, name="Ana").exists()


def test_a_manager_deletes_a_customer_unless_they_have_orders(tenant_a: TenantHandle) -> None:
    customer = _customer(tenant_a)
    ordered = _customer(tenant_a, "Luis")
    with schema_context(tenant_a.schema_name):
        make_order(customer=ordered)
    client, _ = panel_client(tenant_a, "manager")
    assert "/delete/" in client.get(f"/panel/customers/{customer.pk}/").text
    assert client.get(f"/panel/customers/{customer.pk}/delete/").status_code == 200
    assert client.post(f"/panel/customers/{customer.pk}/delete/").status_code == 302
    refused = client.post(f"/panel/customers/{ordered.pk}/delete/")
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    with schema_context(tenant_a.schema_name):
        assert not Customer.objects.filter(pk=customer.pk).exists()
        assert Customer.objects.filter(pk=ordered.pk).exists()
