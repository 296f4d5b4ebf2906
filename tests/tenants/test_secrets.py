"""Per-tenant secrets: lazy creation, encryption at rest, rotation, API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.test import override_settings

from tenants import secrets
from tenants.models import ApiKey, TenantSecret
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

OLD_MASTER = "dGVzdC1tYXN0ZXIta2V5LW51bWJlci1vbmUtMzJieXQ="
NEW_MASTER = Fernet.generate_key().decode()


def test_jwt_signing_key_is_created_on_first_use_and_then_stable(tenant_a: TenantHandle) -> None:
    first = secrets.jwt_signing_key(schema_name=tenant_a.schema_name)
    assert first == secrets.jwt_signing_key(schema_name=tenant_a.schema_name)
    assert len(first) >= 40


def test_each_tenant_and_the_platform_have_their_own_keys(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    keys = {
        secrets.jwt_signing_key(schema_name=tenant_a.schema_name),
        secrets.jwt_signing_key(schema_name=tenant_b.schema_name),
        secrets.jwt_signing_key(schema_name="public"),
    }
    assert len(keys) == 3


def test_unknown_schema_gets_no_secrets(db: None) -> None:
    with pytest.raises(LookupError):
        secrets.jwt_signing_key(schema_name="t_nobody_here")


def test_values_are_encrypted_at_rest_with_the_first_master_key(tenant_a: TenantHandle) -> None:
    secrets.secret_set(
        schema_name=tenant_a.schema_name, kind="twilio_auth_token", value="tw-123456"
    )
    row = TenantSecret.objects.get(schema_name=tenant_a.schema_name, kind="twilio_auth_token")
    assert "tw-123456" not in row.ciphertext
    assert Fernet(OLD_MASTER.encode()).decrypt(row.ciphertext.encode()) == b"tw-123456"
    assert row.master_key_id == secrets.master_key_id(OLD_MASTER)
    assert "tw-123456" not in repr(row)


def test_rotation_keeps_the_previous_jwt_key_verifying_during_the_grace_period(
    tenant_a: TenantHandle,
) -> None:
    schema = tenant_a.schema_name
    old = secrets.jwt_signing_key(schema_name=schema)

    version = secrets.secret_rotate(schema_name=schema, kind=secrets.JWT_SIGNING_KEY)

    new = secrets.jwt_signing_key(schema_name=schema)
    assert new != old
    assert secrets.jwt_signing_key_versioned(schema_name=schema) == (version, new)
    assert secrets.jwt_verification_keys(schema_name=schema) == [new, old]


def test_rotation_with_zero_grace_stops_the_previous_key_at_once(tenant_a: TenantHandle) -> None:
    schema = tenant_a.schema_name
    old = secrets.jwt_signing_key(schema_name=schema)

    secrets.secret_rotate(schema_name=schema, kind=secrets.JWT_SIGNING_KEY, grace=timedelta(0))

    assert old not in secrets.jwt_verification_keys(schema_name=schema)
    assert len(secrets.jwt_verification_keys(schema_name=schema)) == 1


def test_backup_key_is_32_bytes_and_old_versions_stay_readable(tenant_a: TenantHandle) -> None:
    schema = tenant_a.schema_name
    v1, key1 = secrets.backup_key_versioned(schema_name=schema)
    assert len(key1) == 32

    secrets.secret_rotate(schema_name=schema, kind=secrets.BACKUP_KEY)

    assert secrets.backup_key(schema_name=schema) != key1
    assert secrets.backup_key(schema_name=schema, version=v1) == key1
    assert len(secrets.backup_key(schema_name="public")) == 32


def test_supplied_secret_roundtrip_and_replacement(tenant_a: TenantHandle) -> None:
    schema = tenant_a.schema_name
    assert secrets.secret_get(schema_name=schema, kind="meta_app_secret") is None

    secrets.secret_set(schema_name=schema, kind="meta_app_secret", value="first")
    secrets.secret_set(schema_name=schema, kind="meta_app_secret", value="second")

    assert secrets.secret_get(schema_name=schema, kind="meta_app_secret") == "second"
    rows = TenantSecret.objects.filter(schema_name=schema, kind="meta_app_secret")
    assert [r.version for r in rows] == [2]
    assert secrets.secret_delete(schema_name=schema, kind="meta_app_secret")
    assert secrets.secret_get(schema_name=schema, kind="meta_app_secret") is None


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("jwt_signing_key", "x"),
        ("Bad Kind", "x"),
        ("meta_app_secret", ""),
    ],
)
def test_invalid_supplied_secrets_are_refused(
    tenant_a: TenantHandle, kind: str, value: str
) -> None:
    with pytest.raises(ValidationError):
        secrets.secret_set(schema_name=tenant_a.schema_name, kind=kind, value=value)


def test_secrets_of_one_tenant_are_invisible_to_another(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    secrets.secret_set(schema_name=tenant_a.schema_name, kind="llm_api_key", value="sk-a")
    assert secrets.secret_get(schema_name=tenant_b.schema_name, kind="llm_api_key") is None


def test_master_key_rotation_reencrypts_everything_and_is_resumable(
    tenant_a: TenantHandle,
) -> None:
    schema = tenant_a.schema_name
    secrets.secret_set(schema_name=schema, kind="twilio_auth_token", value="tw-secret")
    jwt_key = secrets.jwt_signing_key(schema_name=schema)
    seen: list[tuple[int, int]] = []

    with override_settings(DYSA_MASTER_KEYS=[NEW_MASTER, OLD_MASTER]):
        report = secrets.master_key_rotate(batch_size=1, progress=lambda d, t: seen.append((d, t)))
        again = secrets.master_key_rotate()

    assert report.reencrypted >= 2
    assert not report.failed
    assert seen[-1][0] == seen[-1][1]
    assert again.reencrypted == 0
    assert not TenantSecret.objects.exclude(
        master_key_id=secrets.master_key_id(NEW_MASTER)
    ).exists()
    with override_settings(DYSA_MASTER_KEYS=[NEW_MASTER]):
        assert secrets.secret_get(schema_name=schema, kind="twilio_auth_token") == "tw-secret"
        assert secrets.jwt_signing_key(schema_name=schema) == jwt_key


def test_master_key_rotation_reports_values_no_key_can_read(tenant_a: TenantHandle) -> None:
    foreign = Fernet(Fernet.generate_key())
    TenantSecret.objects.create(
        schema_name=tenant_a.schema_name,
        kind="llm_api_key",
        version=1,
        ciphertext=foreign.encrypt(b"x").decode(),
        master_key_id="unknown",
    )
    report = secrets.master_key_rotate()
    assert len(report.failed) == 1
    assert "llm_api_key" in report.failed[0]


def test_api_key_is_stored_hashed_and_verifies_only_for_its_tenant(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    key_id, plaintext = secrets.api_key_create(schema_name=tenant_a.schema_name, name="POS")

    stored = ApiKey.objects.get(pk=key_id)
    assert plaintext not in (stored.key_hash, stored.prefix)
    verified = secrets.api_key_verify(schema_name=tenant_a.schema_name, plaintext=plaintext)
    assert verified is not None
    assert verified.pk == key_id
    assert verified.last_used is not None
    assert secrets.api_key_verify(schema_name=tenant_b.schema_name, plaintext=plaintext) is None
    assert (
        secrets.api_key_verify(schema_name=tenant_a.schema_name, plaintext=plaintext + "x") is None
    )
    assert secrets.api_key_verify(schema_name=tenant_a.schema_name, plaintext="garbage") is None


def test_revoked_api_key_no_longer_verifies(tenant_a: TenantHandle) -> None:
    key_id, plaintext = secrets.api_key_create(schema_name=tenant_a.schema_name, name="POS")
    assert secrets.api_key_revoke(schema_name=tenant_a.schema_name, key_id=key_id)
    assert secrets.api_key_verify(schema_name=tenant_a.schema_name, plaintext=plaintext) is None
    assert [k.pk for k in secrets.api_key_list(schema_name=tenant_a.schema_name)] == [key_id]


def test_purge_removes_every_secret_of_a_tenant(tenant_a: TenantHandle) -> None:
    schema = tenant_a.schema_name
    secrets.secrets_provision(schema_name=schema)
    secrets.api_key_create(schema_name=schema, name="POS")
    assert secrets.secrets_purge(schema_name=schema) >= 3
    assert not TenantSecret.objects.filter(schema_name=schema).exists()


def test_verification_keyring_is_one_query_once_keys_exist(
    tenant_a: TenantHandle, django_assert_num_queries: Any
) -> None:
    secrets.jwt_signing_key(schema_name=tenant_a.schema_name)
    secrets.secret_rotate(schema_name=tenant_a.schema_name, kind=secrets.JWT_SIGNING_KEY)
    with django_assert_num_queries(1):
        keyring = secrets.jwt_verification_keyring(schema_name=tenant_a.schema_name)
    assert sorted(keyring) == [1, 2]
