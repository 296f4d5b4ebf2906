"""Customers, promotions, staff (invite by email) and the audit log pages."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.accounts.models import User
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle


@pytest.mark.django_db
def test_staff_add_a_customer_and_a_duplicate_phone_is_named(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "staff")
    form = {"name": "Rosa", "phone": "+34 611 222 333", "email": ""}
    assert client.post("/panel/customers/", form).status_code == 302
    again = client.post("/panel/customers/", form)
    assert again.status_code == 400
    assert 'id="id_phone_error"' in again.text
    assert "Rosa" in client.get("/panel/customers/?search=rosa").text


@pytest.mark.django_db
def test_pages_of_other_roles_are_refused(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "staff")
    assert client.get("/panel/audit/").status_code == 403
    assert client.get("/panel/staff/").status_code == 403
    assert 'href="/panel/audit/"' not in client.get("/panel/").text
    viewer, _ = panel_client(tenant_a, "viewer")
    assert viewer.post("/panel/customers/", {"phone": "+34611000999"}).status_code == 403


@pytest.mark.django_db
def test_the_audit_log_lists_panel_actions(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    client.post("/panel/customers/", {"name": "Pau", "phone": "+34 611 999 000"})
    page = client.get("/panel/audit/?action=customers.")
    assert "customers.customer.create" in page.text


@pytest.mark.django_db(transaction=True)
def test_the_owner_invites_staff_by_email(
    tenant_a: TenantHandle, celery_worker_session: object
) -> None:
    client, _ = panel_client(tenant_a, "owner")
    response = client.post(
        "/panel/staff/", {"email": "cook@alpha.example", "full_name": "Cook", "role": "staff"}
    )
    assert response.status_code == 302
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [["cook@alpha.example"]]
    link = next(
        word for word in str(mail.outbox[0].body).split() if "/account/set-password/" in word
    )
    path = link.split(tenant_a.host, 1)[1]
    invited = Client(HTTP_HOST=tenant_a.host)
    done = invited.post(path, {"password": "a-new-pass-9182", "password_again": "a-new-pass-9182"})
    assert done.status_code == 200
    login = invited.post(
        "/panel/login/", {"email": "cook@alpha.example", "password": "a-new-pass-9182"}
    )
    assert login.status_code == 302
    with schema_context(tenant_a.schema_name):
        User.objects.filter(email="cook@alpha.example").delete()


@pytest.mark.django_db
def test_a_manager_creates_a_promotion_and_a_bad_percentage_is_named(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "manager")
    form = {"name_es": "Martes 2x1", "kind": "percent", "value": "150", "min_order_total": "0"}
    bad = client.post("/panel/promotions/", form)
    assert bad.status_code == 400
    assert 'id="id_value_error"' in bad.text
    assert 'value="Martes 2x1"' in bad.text
    done = client.post("/panel/promotions/", {**form, "value": "20", "code": "martes20"})
    assert done.status_code == 302
    assert "MARTES20" in client.get("/panel/promotions/").text
    viewer, _ = panel_client(tenant_a, "viewer")
    assert viewer.post("/panel/promotions/", {**form, "value": "10"}).status_code == 403
