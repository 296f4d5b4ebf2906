"""Sessions end when they must (findings 4 and 5 of the outside review): a replayed refresh
token ends its session for good, pruning included; a password change or reset, a role change
or a deactivation ends every session of the account at once; a login has an absolute end."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.sessions import LOGIN_AT_KEY
from shared_apps.accounts.services import password_setup_path
from tenants import auth as jwt_auth
from tests.tenant_apps.staff.factories import STAFF_PASSWORD, client_as, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/auth/me/"


def _login(client: APIClient, email: str, password: str = STAFF_PASSWORD) -> dict[str, Any]:
    response = client.post(TOKEN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _me(client: APIClient, access: str) -> int:
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def _refresh(client: APIClient, refresh: str) -> int:
    return client.post(REFRESH, {"refresh": refresh}, format="json").status_code


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """Moves the token service's clock forward (the signature's own exp check stays real)."""
    offset = [timedelta(0)]
    real_now = jwt_auth._now
    monkeypatch.setattr(jwt_auth, "_now", lambda: real_now() + offset[0])
    return offset


@override_settings(DYSA_JWT_REFRESH_SECONDS=3600, DYSA_SESSION_MAX_SECONDS=30 * 86400)
def test_the_newest_refresh_token_of_a_replayed_session_stays_dead_after_pruning(
    client_a: APIClient, tenant_a: TenantHandle, clock: list[timedelta]
) -> None:
    user = make_staff(tenant_a, "manager")
    first = _login(client_a, user.email)["refresh"]
    clock[0] = timedelta(minutes=30)
    newest = client_a.post(REFRESH, {"refresh": first}, format="json").json()["refresh"]
    assert _refresh(client_a, first) == 401  # replay: session ends

    clock[0] = timedelta(minutes=90)  # the replayed token's own expiry has passed
    jwt_auth.revoked_tokens_prune()

    assert _refresh(client_a, newest) == 401


@override_settings(DYSA_JWT_REFRESH_SECONDS=30 * 86400, DYSA_SESSION_MAX_SECONDS=86400)
def test_refreshing_never_extends_a_session_past_its_absolute_end(
    client_a: APIClient, tenant_a: TenantHandle, clock: list[timedelta]
) -> None:
    user = make_staff(tenant_a, "viewer")
    refresh = _login(client_a, user.email)["refresh"]
    clock[0] = timedelta(hours=20)
    refreshed = client_a.post(REFRESH, {"refresh": refresh}, format="json").json()
    clock[0] = timedelta(hours=25)

    assert _refresh(client_a, refreshed["refresh"]) == 401
    assert _me(client_a, refreshed["access"]) == 401


def test_a_password_set_by_the_owner_ends_the_accounts_api_sessions(
    tenant_a: TenantHandle,
) -> None:
    owner = client_as(tenant_a, "owner")
    cook = make_staff(tenant_a, "staff")
    client = APIClient(HTTP_HOST=tenant_a.host)
    tokens = _login(client, cook.email)

    changed = owner.post(
        f"/api/v1/staff/{cook.pk}/password/", {"password": "new-pass-93817"}, format="json"
    )

    assert changed.status_code == 204
    assert _me(client, tokens["access"]) == 401
    assert _refresh(client, tokens["refresh"]) == 401
    assert _me(client, _login(client, cook.email, "new-pass-93817")["access"]) == 200


def test_a_password_reset_link_ends_the_accounts_api_sessions(tenant_a: TenantHandle) -> None:
    cook = make_staff(tenant_a, "staff")
    client = APIClient(HTTP_HOST=tenant_a.host)
    tokens = _login(client, cook.email)
    with schema_context(tenant_a.schema_name):
        _, _, _, uid, token, _ = password_setup_path(user=cook).split("/")

    reset = client.post(
        "/api/v1/auth/password/set/",
        {"uid": uid, "token": token, "password": "reset-pass-55120"},
        format="json",
    )

    assert reset.status_code == 204
    assert _me(client, tokens["access"]) == 401
    assert _refresh(client, tokens["refresh"]) == 401


@pytest.mark.parametrize("change", [{"role": "viewer"}, {"is_active": False}])
def test_a_role_change_or_deactivation_ends_the_accounts_sessions(
    tenant_a: TenantHandle, change: dict[str, Any]
) -> None:
    owner = client_as(tenant_a, "owner")
    manager = make_staff(tenant_a, "manager")
    client = APIClient(HTTP_HOST=tenant_a.host)
    tokens = _login(client, manager.email)
    panel = APIClient(HTTP_HOST=tenant_a.host)
    with schema_context(tenant_a.schema_name):
        panel.force_login(manager)
    assert panel.get("/api/v1/auth/session/").status_code == 200

    assert owner.patch(f"/api/v1/staff/{manager.pk}/", change, format="json").status_code == 200

    assert _me(client, tokens["access"]) == 401
    assert _refresh(client, tokens["refresh"]) == 401
    assert panel.get("/api/v1/auth/session/").status_code == 401


def test_a_password_change_ends_the_accounts_panel_sessions(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    cook = make_staff(tenant_a, "staff")
    panel = APIClient(HTTP_HOST=tenant_a.host)
    with schema_context(tenant_a.schema_name):
        panel.force_login(cook)
    assert panel.get("/api/v1/auth/session/").status_code == 200

    owner.post(f"/api/v1/staff/{cook.pk}/password/", {"password": "new-pass-93817"}, format="json")

    assert panel.get("/api/v1/auth/session/").status_code == 401


@override_settings(DYSA_SESSION_MAX_SECONDS=3600)
def test_a_panel_session_ends_at_its_absolute_lifetime_however_active(
    tenant_a: TenantHandle,
) -> None:
    cook = make_staff(tenant_a, "staff")
    panel = APIClient(HTTP_HOST=tenant_a.host)
    with schema_context(tenant_a.schema_name):
        panel.force_login(cook)
    assert panel.get("/api/v1/auth/session/").status_code == 200
    with schema_context(tenant_a.schema_name):  # the session row is in the restaurant's schema
        session = panel.session
        assert isinstance(session[LOGIN_AT_KEY], int)
        session[LOGIN_AT_KEY] = int(time.time()) - 3601
        session.save()

    assert panel.get("/api/v1/auth/session/").status_code == 401


def test_tokens_made_before_sessions_had_an_end_are_refused(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    import jwt as pyjwt

    from tenants import secrets

    user = make_staff(tenant_a, "viewer")
    claims = pyjwt.decode(
        _login(client_a, user.email)["access"], options={"verify_signature": False}
    )
    del claims["sxp"]
    version, key = secrets.jwt_signing_key_versioned(schema_name=tenant_a.schema_name)
    legacy = pyjwt.encode(claims, key, algorithm="HS256", headers={"kid": str(version)})

    assert _me(client_a, legacy) == 401
