"""Login limits (finding 11 of the outside review): per account with a slower path that
cannot lock the owner out, the Django admin's login throttled too, and no login at all when
the counters (Redis) are unreachable."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from rest_framework.test import APIClient

from config.settings.base import redis_caches
from tests.conftest import PUBLIC_HOST
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def _login(tenant: TenantHandle, ip: str, password: str) -> int:
    client = APIClient(HTTP_HOST=tenant.host, REMOTE_ADDR=ip)
    body = {"email": tenant.owner_email, "password": password}
    return client.post(TOKEN, body, format="json").status_code


@override_settings(DYSA_LOGIN_ACCOUNT_FAILURES=3, DYSA_LOGIN_SLOW_SECONDS=300)
def test_guessing_one_account_from_many_addresses_is_slowed_but_the_owner_still_gets_in(
    tenant_a: TenantHandle,
) -> None:
    # Guesses from three addresses (under the per-IP limit each) pass the account's threshold
    guesses = [_login(tenant_a, f"198.51.100.{n}", "guess") for n in range(1, 4)]
    assert guesses == [401, 401, 401]

    # Each address now gets one more try per slow period for this account, then a 429
    assert _login(tenant_a, "198.51.100.1", "guess") == 401
    assert _login(tenant_a, "198.51.100.1", "guess") == 429
    assert _login(tenant_a, "198.51.100.9", "guess") == 401
    assert _login(tenant_a, "198.51.100.9", "guess") == 429

    # The owner, from an address of their own, is not locked out
    assert _login(tenant_a, "203.0.113.50", tenant_a.owner_password) == 200
    # and a successful login clears the account's count
    assert _login(tenant_a, "198.51.100.77", "typo") == 401
    assert _login(tenant_a, "198.51.100.77", tenant_a.owner_password) == 200


def test_the_django_admin_login_is_throttled_per_address() -> None:
    get_user_model().objects.create_user("ops-admin@dysa.test", "operator-pass-1", is_staff=True)
    client = Client(HTTP_HOST=PUBLIC_HOST)
    body = {"username": "ops-admin@dysa.test", "password": "wrong", "next": "/admin/"}

    codes = [client.post("/admin/login/", body).status_code for _ in range(6)]

    assert codes == [200] * 5 + [429]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_logins_are_refused_when_the_counters_are_unreachable(tenant_a: TenantHandle) -> None:
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{_closed_port()}/0")):
        api = _login(tenant_a, "203.0.113.7", tenant_a.owner_password)
        panel = APIClient(HTTP_HOST=tenant_a.host).post(
            "/api/v1/auth/session/",
            {"email": tenant_a.owner_email, "password": tenant_a.owner_password},
            format="json",
        )

    assert (api, panel.status_code) == (429, 429)
    assert _login(tenant_a, "203.0.113.7", tenant_a.owner_password) == 200
