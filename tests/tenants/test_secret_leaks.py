"""No secret value ever appears in a log line, a command's output or an API response.

Drives the flows that touch secrets with every logger at DEBUG, through a handler configured
exactly like the production console handler (same filters, same formatter), then greps
everything captured for every stored secret value.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from tenants import secrets
from tenants.models import TenantSecret
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    console = next(h for h in root.handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def every_secret_value() -> set[str]:
    """Every decrypted value in the store, plus the base64 and raw forms of backup keys."""
    values: set[str] = set()
    for row in TenantSecret.objects.all():
        value = secrets._decrypt(row)
        values.add(value)
        if row.kind == secrets.BACKUP_KEY:
            values.add(base64.b64decode(value).hex())
    return values


def test_secret_values_never_reach_logs_or_command_output(
    tenant_a: TenantHandle, captured_logs: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    schema = tenant_a.schema_name
    outputs: list[str] = []

    secrets.secrets_provision(schema_name=schema)
    secrets.secret_set(schema_name=schema, kind="twilio_auth_token", value="twilio-leak-probe-1")
    _key_id, api_key = secrets.api_key_create(schema_name=schema, name="POS")
    logging.getLogger("dysa.test").info("created api key", extra={"api_key": api_key})
    for args in (
        ("rotate", "alpha"),
        ("list", "alpha"),
        ("rotate", "public"),
        ("rotate-master",),
        ("rotate", "alpha", "--json"),
    ):
        out, err = io.StringIO(), io.StringIO()
        call_command("secrets", *args, stdout=out, stderr=err)
        outputs += [out.getvalue(), err.getvalue()]

    haystacks = {
        "formatted logs": captured_logs.getvalue(),
        "raw log records": "\n".join(
            f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name != "dysa.test"
        ),
        "command output": "\n".join(outputs),
    }
    probes = every_secret_value() | {api_key}
    assert "twilio-leak-probe-1" in probes
    for where, text in haystacks.items():
        leaked = [p for p in probes if p in text]
        assert not leaked, f"secret value found in {where}"


def test_secret_values_never_reach_api_responses_or_request_logs(
    tenant_a: TenantHandle, client_a: Any, captured_logs: io.StringIO
) -> None:
    bodies: list[str] = []
    credentials = {"email": tenant_a.owner_email, "password": tenant_a.owner_password}
    for body in (credentials, {**credentials, "password": "wrong-password-probe"}, {}):
        bodies.append(client_a.post("/api/v1/auth/token/", body, format="json").content.decode())
    tokens = client_a.post("/api/v1/auth/token/", credentials, format="json").json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    bodies.append(client_a.get("/api/v1/auth/me/", **auth).content.decode())
    refreshed = client_a.post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    bodies.append(refreshed.content.decode())
    bodies.append(
        client_a.post(
            "/api/v1/auth/token/revoke/", {"refresh": tokens["refresh"]}, format="json"
        ).content.decode()
    )
    bodies.append(
        client_a.get(
            "/api/v1/auth/me/", HTTP_AUTHORIZATION="Bearer eyJx.eyJy.zzzzz"
        ).content.decode()
    )
    bodies.append(client_a.get("/api/schema/").content.decode())

    probes = every_secret_value() | {tenant_a.owner_password, "wrong-password-probe"}
    for where, text in {"responses": "\n".join(bodies), "logs": captured_logs.getvalue()}.items():
        assert not [p for p in probes if p in text], f"secret value found in {where}"
    assert tokens["access"] not in captured_logs.getvalue()
