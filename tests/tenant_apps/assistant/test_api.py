"""Staff API for the assistant's engine: per-role access, validation, the write-only API key,
the audit trail and the OpenAPI schema."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.assistant.llm.engine import LLM_API_KEY, assistant_settings_get
from tenant_apps.audit.models import AuditEntry
from tenants import secrets
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/assistant/settings/"
OLLAMA = {"provider": "ollama", "base_url": "http://ollama:11434", "model": "phi3:mini"}


def _patch(client: APIClient, body: Any) -> Any:
    return client.patch(SETTINGS, body, format="json")


@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("manager", True)])
def test_owners_and_managers_read_and_change_the_engine(
    tenant_a: TenantHandle, role: str, allowed: bool
) -> None:
    client = client_as(tenant_a, role)

    changed = _patch(client, OLLAMA)
    read = client.get(SETTINGS)

    assert changed.status_code == 200, changed.content
    assert read.status_code == 200
    assert {k: read.json()[k] for k in OLLAMA} == OLLAMA


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_staff_and_viewers_can_neither_read_nor_change_the_engine(
    tenant_a: TenantHandle, role: str
) -> None:
    client = client_as(tenant_a, role)

    assert client.get(SETTINGS).status_code == 403
    assert _patch(client, OLLAMA).status_code == 403
    use_tenant(tenant_a.restaurant)
    assert assistant_settings_get().provider == "rules"


def test_anonymous_callers_and_api_keys_are_refused(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    _, plaintext = secrets.api_key_create(schema_name=tenant_a.schema_name, name="POS")
    integration = APIClient(HTTP_HOST=tenant_a.host)
    integration.credentials(HTTP_X_API_KEY=plaintext)

    assert client_a.get(SETTINGS).status_code == 401
    assert _patch(client_a, OLLAMA).status_code == 401
    assert integration.get(SETTINGS).status_code == 403
    assert _patch(integration, OLLAMA).status_code == 403


def test_the_default_is_the_rules_engine_without_a_key(tenant_a: TenantHandle) -> None:
    body = client_as(tenant_a, "owner").get(SETTINGS).json()

    assert body["provider"] == "rules"
    assert body["api_key_set"] is False
    assert "api_key" not in body


def test_the_api_key_is_write_only_stored_as_a_tenant_secret_and_never_logged(
    tenant_a: TenantHandle, caplog: pytest.LogCaptureFixture
) -> None:
    owner = client_as(tenant_a, "owner")
    key = "sk-live-probe-93k1x"
    caplog.set_level(logging.DEBUG)

    response = _patch(
        owner,
        {
            "provider": "openai",
            "base_url": "https://api.example.com/v1",
            "model": "gpt-4o-mini",
            "api_key": key,
        },
    )
    read = owner.get(SETTINGS)

    assert response.status_code == 200
    assert response.json()["api_key_set"] is True
    assert read.json()["api_key_set"] is True
    assert key not in response.content.decode() + read.content.decode()
    assert secrets.secret_get(schema_name=tenant_a.schema_name, kind=LLM_API_KEY) == key
    use_tenant(tenant_a.restaurant)
    entry = AuditEntry.objects.get(action="assistant.settings.update")
    assert key not in json.dumps([entry.before, entry.after, entry.summary])
    before, after = entry.before or {}, entry.after or {}
    assert (before["key_stored"], after["key_stored"]) == (False, True)
    assert after["provider"] == "openai"
    assert entry.actor_label == owner.user.email  # type: ignore[attr-defined]
    assert key not in caplog.text


def test_null_removes_the_api_key_and_other_changes_keep_it(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    _patch(owner, {**OLLAMA, "api_key": "sk-1"})

    kept = _patch(owner, {"model": "llama3.1"})
    removed = _patch(owner, {"api_key": None})

    assert kept.json()["api_key_set"] is True
    assert removed.json()["api_key_set"] is False
    assert secrets.secret_get(schema_name=tenant_a.schema_name, kind=LLM_API_KEY) is None


def test_every_setting_can_be_changed_at_once(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    body = {
        "provider": "openai",
        "base_url": "http://127.0.0.1:8080/v1",
        "model": "qwen2.5:7b-instruct",
        "tool_mode": "json",
        "stream": True,
        "timeout_seconds": 4.5,
        "temperature": 0,
    }

    response = _patch(owner, body)

    assert response.status_code == 200
    assert {k: response.json()[k] for k in body} == body
    use_tenant(tenant_a.restaurant)
    assert assistant_settings_get().tool_mode == "json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "skynet"}, "provider"),
        ({"provider": "ollama", "base_url": "", "model": "phi3:mini"}, "base_url"),
        ({"provider": "ollama", "base_url": "http://ollama:11434"}, "model"),
        ({"base_url": "ftp://models.example.com"}, "base_url"),
        ({"base_url": "javascript:alert(1)"}, "base_url"),
        ({"base_url": "file:///etc/passwd"}, "base_url"),
        ({"base_url": "not a url"}, "base_url"),
        ({"base_url": "http://"}, "base_url"),
        ({"base_url": "http://host:99999"}, "base_url"),
        ({"base_url": "https://user:pw@api.example.com"}, "base_url"),
        ({"base_url": "https://api.example.com/v1?key=1"}, "base_url"),
        ({"base_url": "https://" + "a" * 300 + ".com"}, "base_url"),
        ({"model": "phi3 mini"}, "model"),
        ({"model": "m" * 121}, "model"),
        ({"tool_mode": "sometimes"}, "tool_mode"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 600}, "timeout_seconds"),
        ({"timeout_seconds": "soon"}, "timeout_seconds"),
        ({"temperature": -1}, "temperature"),
        ({"stream": "maybe"}, "stream"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": "sk-1 sk-2"}, "api_key"),
        ({"api_key": "sk-1\nX-Injected: 1"}, "api_key"),
        ({"api_key": "k" * 501}, "api_key"),
        ({"api_key_set": True}, "api_key_set"),
        ({"temperatur": 0.5}, "temperatur"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    tenant_a: TenantHandle, body: dict[str, Any], field: str
) -> None:
    owner = client_as(tenant_a, "owner")
    before = owner.get(SETTINGS).json()

    response = _patch(owner, {"stream": True, **body} if field != "stream" else body)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert owner.get(SETTINGS).json() == before
    assert secrets.secret_get(schema_name=tenant_a.schema_name, kind=LLM_API_KEY) is None
    use_tenant(tenant_a.restaurant)
    assert not AuditEntry.objects.filter(action="assistant.settings.update").exists()


@pytest.mark.parametrize("body", [["provider", "ollama"], "ollama", None])
def test_a_body_that_is_not_an_object_is_a_400(tenant_a: TenantHandle, body: Any) -> None:
    response = client_as(tenant_a, "owner").patch(
        SETTINGS, json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400


def test_malformed_json_is_a_400(tenant_a: TenantHandle) -> None:
    response = client_as(tenant_a, "owner").patch(
        SETTINGS, '{"provider": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_settings_are_per_restaurant(tenant_a: TenantHandle, tenant_b: TenantHandle) -> None:
    _patch(client_as(tenant_a, "owner"), {**OLLAMA, "api_key": "sk-a"})

    other = client_as(tenant_b, "owner").get(SETTINGS).json()

    assert other["provider"] == "rules"
    assert other["api_key_set"] is False
    use_public_schema()


def test_the_endpoint_is_in_the_openapi_schema(client_a: APIClient) -> None:
    schema = client_a.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operations = schema["paths"][SETTINGS]
    assert {"get", "patch"} <= set(operations)
    body = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert "api_key" in component["properties"]
    response = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    out = schema["components"]["schemas"][response["$ref"].rsplit("/", 1)[1]]
    assert "api_key" not in out["properties"]
    assert "api_key_set" in out["properties"]
