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


@override_settings(DYSA_CONSOLE_LOCKOUT_ATTEMPTS=3)
def test_an_account_is_locked_after_repeated_failures() -> None:
    platform_account("ops@dysa.test", PASSWORD)
    client = Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR="10.0.0.7", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        client.post("/console/login/", {"email": "ops@dysa.test", "password": "wrong-one"})

    response = client.post("/console/login/", {"email": "ops@dysa.test", "password": PASSWORD})
    assert response.status_code == 400
    assert b"locked" in response.content


def test_support_cannot_open_operator_pages() -> None:
    from tests.shared_apps.console.helpers import console_client

    client, _ = console_client("support")
    assert client.get("/console/support/").status_code == 200
    for page in ("/console/", "/console/accounts/", "/console/health/", "/console/audit/"):
        assert client.get(page).status_code == 403
    assert client.post("/console/restaurants/alpha/suspend/", {"reason": "x"}).status_code == 403
