"""`manage.py secrets ...`: rotation from the command line, JSON output, exit codes."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import override_settings

from tenants import secrets
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("secrets", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_rotate_one_kind_prints_the_new_version_and_no_value(tenant_a: TenantHandle) -> None:
    old = secrets.jwt_signing_key(schema_name=tenant_a.schema_name)

    payload = json.loads(run("rotate", "alpha", "--kind", "jwt_signing_key", "--json"))

    new_version, new = secrets.jwt_signing_key_versioned(schema_name=tenant_a.schema_name)
    assert payload == {
        "schema_name": tenant_a.schema_name,
        "rotated": [{"kind": "jwt_signing_key", "version": new_version}],
    }
    assert old in secrets.jwt_verification_keys(schema_name=tenant_a.schema_name)
    assert new not in json.dumps(payload)


def test_rotate_without_kind_rotates_every_generated_secret(tenant_a: TenantHandle) -> None:
    secrets.secrets_provision(schema_name=tenant_a.schema_name)
    payload = json.loads(run("--json", "rotate", "alpha", "--grace", "0"))
    assert {r["kind"] for r in payload["rotated"]} == set(secrets.GENERATED_KINDS)
    assert len(secrets.jwt_verification_keys(schema_name=tenant_a.schema_name)) == 1


def test_rotate_unknown_restaurant_fails_clearly(db: None) -> None:
    with pytest.raises(CommandError, match="no restaurant"):
        run("rotate", "nobody-here")


def test_rotate_master_reports_progress_and_counts(tenant_a: TenantHandle) -> None:
    secrets.secrets_provision(schema_name=tenant_a.schema_name)
    new_key = Fernet.generate_key().decode()
    err = io.StringIO()
    out = io.StringIO()
    with override_settings(DYSA_MASTER_KEYS=[new_key, *secrets._master_keys()]):
        call_command("secrets", "rotate-master", "--json", stdout=out, stderr=err)
    payload = json.loads(out.getvalue())
    assert payload["reencrypted"] >= 2
    assert payload["failed"] == []
    assert "re-encrypted" in err.getvalue()


def test_list_shows_kinds_and_versions_only(tenant_a: TenantHandle) -> None:
    secrets.secret_set(schema_name=tenant_a.schema_name, kind="meta_verify_token", value="vt-999")
    output = run("list", "alpha")
    assert "meta_verify_token" in output
    assert "vt-999" not in output
