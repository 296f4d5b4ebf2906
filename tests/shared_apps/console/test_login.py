"""Console login: password then two-factor code; nothing is reachable in between; lockout."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from shared_apps.platform_audit.models import PlatformAuditEntry
from tests.conftest import PUBLIC_HOST
from tests.shared_apps.accounts.otp import current_code, platform_account
from tests.shared_apps.console.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_then_code_logs_in_and_is_audited() -> None:
    user, _ = platform_account("ops@dysa.test", PASSWORD)
    client = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en")

    step = client.post("/console/login/", {"email": "ops@dysa.test", "password": PASSWORD})
    assert step["Location"].startswith("/console/login/code/")
    assert client.post("/console/login/code/", {"otp": current_code(user)}).status_code == 302
    assert client.get("/console/").status_code == 200
    assert PlatformAuditEntry.objects.filter(action="console.login", actor=user).exists()


def test_two_factor_cannot_be_skipped_after_the_password() -> None:
    platform_account("ops@dysa.test", PASSWORD)
    client = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.post("/console/login/", {"email": "ops@dysa.test", "password": PASSWORD})

    for page in ("/console/", "/console/support/", "/console/accounts/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/")
    assert client.post("/console/login/code/", {"otp": "000000"}).status_code == 400
    assert client.get("/console/").status_code == 302


def test_restaurant_owners_and_wrong_passwords_are_refused_alike(tenant_a: object) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en")
    for email, password in (("owner@alpha.example", "owner-pass-123"), ("x@dysa.test", "nope")):
        response = client.post("/console/login/", {"email": email, "password": password})
        assert response.status_code == 400
        assert b"Invalid email or password" in response.content


def _password(ip: str, password: str) -> tuple[Client, int]:
    client = Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
    body = {"email": "ops@dysa.test", "password": password}
    return client, client.post("/console/login/", body).status_code


def _code(client: Client, code: str) -> int:
    return client.post("/console/login/code/", {"otp": code}).status_code


@override_settings(DYSA_LOGIN_ACCOUNT_FAILURES=3, DYSA_LOGIN_SLOW_SECONDS=300)
def test_password_guessing_from_many_addresses_is_slowed_and_never_locks_the_operator_out() -> None:
    user, _ = platform_account("ops@dysa.test", PASSWORD)
    # Three addresses pass the account's threshold; nothing is locked.
    assert [_password(f"198.51.100.{n}", "guess")[1] for n in (1, 2, 3)] == [400, 400, 400]

    # Each address now gets one try per slow period for this account, then a 429.
    assert _password("198.51.100.1", "guess")[1] == 400
    _, slowed = _password("198.51.100.1", "guess")
    assert slowed == 429
    client = Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR="198.51.100.1")
    throttled = client.post("/console/login/", {"email": "ops@dysa.test", "password": "x"})
    assert int(throttled["Retry-After"]) > 1

    # The operator, from their own address, still gets in with password and code.
    client, status = _password("203.0.113.50", PASSWORD)
    assert status == 302
    assert _code(client, current_code(user)) == 302
    assert client.get("/console/").status_code == 200


@override_settings(DYSA_LOGIN_ACCOUNT_FAILURES=3, DYSA_LOGIN_SLOW_SECONDS=300)
def test_code_guessing_after_a_right_password_is_slowed_too() -> None:
    user, _ = platform_account("ops@dysa.test", PASSWORD)
    for n in (1, 2, 3):
        client, status = _password(f"198.51.100.{n}", PASSWORD)
        assert status == 302
        assert _code(client, "000000") == 400

    client, _ = _password("198.51.100.1", PASSWORD)
    assert _code(client, "000000") == 400  # this address's one try of the period
    assert _code(client, current_code(user)) == 429  # then slowed, right code or not
    assert client.get("/console/").status_code == 302  # and not logged in

    operator, _ = _password("203.0.113.50", PASSWORD)
    assert _code(operator, current_code(user)) == 302
    assert operator.get("/console/").status_code == 200


def test_many_attempts_from_one_address_are_refused() -> None:
    platform_account("ops@dysa.test", PASSWORD)
    statuses = [_password("198.51.100.20", "guess")[1] for _ in range(6)]
    assert statuses == [400] * 5 + [429]


@override_settings(DYSA_LOGIN_ACCOUNT_FAILURES=2, DYSA_LOGIN_SLOW_SECONDS=300)
def test_the_platform_token_endpoint_slows_code_guessing_the_same_way() -> None:
    from rest_framework.test import APIClient

    user, _ = platform_account("ops@dysa.test", PASSWORD)

    def token(ip: str, code: str) -> int:
        client = APIClient(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR=ip)
        body = {"email": "ops@dysa.test", "password": PASSWORD, "otp": code}
        return client.post("/api/platform/v1/auth/token/", body, format="json").status_code

    assert [token(f"198.51.100.{n}", "000000") for n in (1, 2)] == [401, 401]
    assert token("198.51.100.1", "000000") == 401
    assert token("198.51.100.1", "000000") == 429
    assert token("203.0.113.50", current_code(user)) == 200


def test_support_cannot_open_operator_pages() -> None:
    from tests.shared_apps.console.helpers import console_client

    client, _ = console_client("support")
    assert client.get("/console/support/").status_code == 200
    for page in ("/console/", "/console/accounts/", "/console/health/", "/console/audit/"):
        assert client.get(page).status_code == 403
    assert client.post("/console/restaurants/alpha/suspend/", {"reason": "x"}).status_code == 403
