"""`manage.py operator create|list`: platform accounts in the public schema."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.conftest import PUBLIC_HOST

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("operator", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_operator_with_password_can_log_in_on_the_platform() -> None:
    created = run("create", "Ana@Dysa.test", "--role", "operator", "--password", "ops-pass-2468")

    assert created["email"] == "ana@dysa.test"
    assert created["set_password_link"] is None
    response = APIClient(HTTP_HOST=PUBLIC_HOST).post(
        "/api/platform/v1/auth/token/",
        {"email": "ana@dysa.test", "password": "ops-pass-2468"},
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
