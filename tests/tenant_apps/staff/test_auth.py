"""Authentication on restaurant hosts: JWT, session + CSRF for the panel, API keys."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tenants import secrets
from tests.tenant_apps.staff.factories import STAFF_PASSWORD, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_token_from_the_login_endpoint_reaches_the_domain_api(tenant_a: TenantHandle) -> None:
    user = make_staff(tenant_a, "viewer")
    client = APIClient(HTTP_HOST=tenant_a.host)
    tokens = client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": STAFF_PASSWORD}, format="json"
    )

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")

    assert client.get("/api/v1/orders/").status_code == 200
    assert (
        client.post("/api/v1/customers/", {"phone": "+34612345678"}, format="json").status_code
        == 403
    )


def test_panel_session_needs_csrf_for_login_and_for_writes(tenant_a: TenantHandle) -> None:
    user = make_staff(tenant_a, "manager")
    client = APIClient(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    credentials = {"email": user.email, "password": STAFF_PASSWORD}

    without_csrf = client.post("/api/v1/auth/session/", credentials, format="json")
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    login = client.post("/api/v1/auth/session/", credentials, format="json", HTTP_X_CSRFTOKEN=token)
    me = client.get("/api/v1/auth/session/")
    write_without = client.post("/api/v1/menu/categories/", {"name": {"es": "X"}}, format="json")
    token = client.cookies["csrftoken"].value
    write_with = client.post(
        "/api/v1/menu/categories/", {"name": {"es": "X"}}, format="json", HTTP_X_CSRFTOKEN=token
    )
    logout = client.delete("/api/v1/auth/session/", HTTP_X_CSRFTOKEN=token)

    assert without_csrf.status_code == 403
    assert login.status_code == 200, login.json()
    assert "menu.manage" in login.json()["permissions"]
    assert me.json()["email"] == user.email
    assert write_without.status_code == 403
    assert write_with.status_code == 201
    assert logout.status_code == 204
    assert client.get("/api/v1/orders/").status_code in (401, 403)


def test_panel_login_with_a_wrong_password_is_a_401(tenant_a: TenantHandle) -> None:
    user = make_staff(tenant_a, "staff")
    client = APIClient(HTTP_HOST=tenant_a.host)

    response = client.post(
        "/api/v1/auth/session/", {"email": user.email, "password": "nope"}, format="json"
    )

    assert response.status_code == 401


def test_api_key_in_either_header_and_revoked_keys_fail(tenant_a: TenantHandle) -> None:
    key_id, plaintext = secrets.api_key_create(schema_name=tenant_a.schema_name, name="POS")
    by_header = APIClient(HTTP_HOST=tenant_a.host, HTTP_X_API_KEY=plaintext)
    by_authorization = APIClient(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION=f"Api-Key {plaintext}")

    assert by_header.get("/api/v1/orders/").status_code == 200
    assert by_authorization.get("/api/v1/orders/").status_code == 200
    secrets.api_key_revoke(schema_name=tenant_a.schema_name, key_id=key_id)
    assert by_header.get("/api/v1/orders/").status_code == 401


def test_api_key_plaintext_is_shown_once(tenant_a: TenantHandle) -> None:
    from tests.tenant_apps.staff.factories import client_as

    owner = client_as(tenant_a, "owner")

    created = owner.post("/api/v1/staff/api-keys/", {"name": "Delivery"}, format="json")
    listed = owner.get("/api/v1/staff/api-keys/")
    audit = owner.get("/api/v1/audit/?action=staff.api_key.create")

    assert created.status_code == 201
    plaintext = created.json()["key"]
    assert plaintext.startswith("dysa_")
    assert plaintext not in listed.content.decode()
    assert plaintext not in audit.content.decode()
    assert audit.json()["count"] == 1
