"""Logging in to the console in tests: the two steps, as a browser does them."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import PUBLIC_HOST
from tests.shared_apps.accounts.otp import current_code, platform_account

PASSWORD = "console-pass-2468"


def console_client(role: str = "operator", email: str | None = None) -> tuple[Client, Any]:
    user, _ = platform_account(email or f"{role}@dysa.test", PASSWORD, role=role)
    client = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en")
    first = client.post("/console/login/", {"email": user.email, "password": PASSWORD})
    assert first.status_code == 302, first.content
    second = client.post("/console/login/code/", {"otp": current_code(user)})
    assert second.status_code == 302, second.content
    return client, user
