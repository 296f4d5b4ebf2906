"""`manage.py operator create|list`: platform accounts in the public schema."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from core.actors import Actor
from shared_apps.platform_audit.models import PlatformAuditEntry
from tests.conftest import PUBLIC_HOST
from tests.shared_apps.accounts.otp import current_code

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("operator", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def code_for(email: str) -> str:
    return current_code(get_user_model().objects.get(email=email))


def token(email: str, password: str, otp: str | None) -> Any:
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return APIClient(HTTP_HOST=PUBLIC_HOST).post(
        "/api/platform/v1/auth/token/", body, format="json"
    )


def test_operator_with_password_can_log_in_on_the_platform() -> None:
    created = run("create", "Ana@Dysa.test", "--role", "operator", "--password", "ops-pass-2468")

    assert created["email"] == "ana@dysa.test"
    assert created["set_password_link"] is None
    assert created["totp_uri"].startswith("otpauth://totp/dysa")
    response = APIClient(HTTP_HOST=PUBLIC_HOST).post(
        "/api/platform/v1/auth/token/",
        {"email": "ana@dysa.test", "password": "ops-pass-2468", "otp": code_for("ana@dysa.test")},
        format="json",
    )
    assert response.status_code == 200
    assert run("list") == [
        {"id": created["id"], "email": "ana@dysa.test", "role": "operator", "is_active": True}
    ]


def test_support_without_password_gets_a_platform_link() -> None:
    created = run("create", "help@dysa.test", "--role", "support")
    assert created["set_password_link"].startswith("http://dysa.test:8000/account/set-password/")
    assert not get_user_model().objects.get(email="help@dysa.test").has_usable_password()


def test_bad_role_duplicate_email_and_weak_password_are_refused() -> None:
    with pytest.raises(CommandError):
        run("create", "x@dysa.test", "--role", "owner")
    run("create", "dup@dysa.test", "--role", "support")
    with pytest.raises(CommandError, match="already exists"):
        run("create", "dup@dysa.test", "--role", "support")
    with pytest.raises(CommandError, match="password"):
        run("create", "weak@dysa.test", "--role", "operator", "--password", "123")


def test_two_factor_cannot_be_skipped_on_the_platform_token() -> None:
    run("create", "ops@dysa.test", "--role", "operator", "--password", "ops-pass-2468")

    assert token("ops@dysa.test", "ops-pass-2468", None).status_code == 400
    assert token("ops@dysa.test", "ops-pass-2468", "").status_code == 400
    assert token("ops@dysa.test", "ops-pass-2468", "000000").status_code == 401


def test_a_recovery_code_works_once() -> None:
    created = run("create", "ops@dysa.test", "--role", "operator", "--password", "ops-pass-2468")
    code = created["recovery_codes"][0]

    assert token("ops@dysa.test", "ops-pass-2468", code).status_code == 200
    assert token("ops@dysa.test", "ops-pass-2468", code).status_code == 401


def test_reset_2fa_replaces_the_secret_and_the_recovery_codes() -> None:
    created = run("create", "ops@dysa.test", "--role", "support", "--password", "ops-pass-2468")
    reset = run("reset-2fa", "OPS@dysa.test")

    assert reset["totp_uri"] != created["totp_uri"]
    # (In this order: after a refused code django-otp makes the device wait a moment.)
    assert token("ops@dysa.test", "ops-pass-2468", reset["recovery_codes"][1]).status_code == 200
    assert token("ops@dysa.test", "ops-pass-2468", created["recovery_codes"][1]).status_code == 401
    with pytest.raises(CommandError, match="no platform account"):
        run("reset-2fa", "nobody@dysa.test")


def test_operator_accounts_made_by_the_cli_are_recorded() -> None:
    out = io.StringIO()
    call_command("operator", "create", "new-ops@dysa.test", "--role", "operator", stdout=out)
    call_command("operator", "reset-2fa", "new-ops@dysa.test", stdout=out)
    with pytest.raises(CommandError):
        call_command("operator", "create", "not-an-email", "--role", "operator", stdout=out)

    entries = list(PlatformAuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor_email) for e in entries] == [
        ("account.create", Actor.cli().label),
        ("account.reset_2fa", Actor.cli().label),
    ]
    assert entries[0].detail == {"email": "new-ops@dysa.test", "role": "operator"}
