"""`manage.py backup ...` as an operator runs it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.actors import Actor
from shared_apps.backups.management.commands.backup import Command
from shared_apps.backups.models import BackupRecord
from shared_apps.platform_audit.models import PlatformAuditEntry
from tests.shared_apps.backups.conftest import S3Target
from tests.shared_apps.backups.factories import probe_rows
from tests.tenants.factories import TenantHandle


def backup(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("subcommand", ["create", "list", "restore", "verify", "prune"])
def test_every_subcommand_has_help(subcommand: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = Command().create_parser("manage.py", "backup")

    with pytest.raises(SystemExit) as exited:
        parser.parse_args([subcommand, "--help"])

    assert exited.value.code == 0
    assert "--json" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_create_list_verify_restore_prune_as_json(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    created = json.loads(backup("create", "backuptest", "--verify", "--json")[0])
    backup_id = created["backup"]["id"]
    assert created["ok"]
    assert created["backup"]["status"] == "succeeded"
    assert created["backup"]["verify_status"] == "passed"
    assert created["backup"]["rows"] > 250

    listed = json.loads(backup("list", "backuptest", "--json")[0])
    assert [item["id"] for item in listed] == [backup_id]

    verified = json.loads(backup("verify", "backuptest", "--backup", str(backup_id), "--json")[0])
    assert verified["backup"]["verify_status"] == "passed"

    restored = json.loads(
        backup("restore", "backuptest", "--into", "t_backuptest_cli", "--json")[0]
    )
    assert restored["restored_into"] == "t_backuptest_cli"
    assert probe_rows("t_backuptest_cli") == probe_rows(backup_tenant.schema_name)

    pruned = json.loads(backup("prune", "--dry-run", "--json")[0])
    assert pruned["pruned"] == []
    assert pruned["dry_run"]

    # Each change is in the platform audit log with the CLI as actor (a dry run is not one).
    entries = PlatformAuditEntry.objects.order_by("id").values_list("action", "actor_email")
    assert [action for action, _ in entries] == [
        "backup.create", "backup.verify", "backup.verify", "backup.restore_new_schema",
    ]  # fmt: skip
    assert {actor for _, actor in entries} == {Actor.cli().label}


@pytest.mark.django_db(transaction=True)
def test_create_shows_progress_and_a_summary(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    out, err = backup("create", "backuptest")

    assert "t_backuptest/" in out
    assert "dump..." in err
    assert "upload..." in err
    table, _ = backup("list")
    assert "t_backuptest" in table
    assert "succeeded" in table


@pytest.mark.django_db(transaction=True)
def test_create_all_backs_up_the_platform_and_every_restaurant(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    out, err = backup("create", "--all", "--concurrency", "2")

    schemas = set(BackupRecord.objects.values_list("schema_name", flat=True))
    assert {"public", backup_tenant.schema_name} <= schemas
    assert "0 failed" in out
    assert f"/{len(schemas)}] ok" in err


@pytest.mark.django_db(transaction=True)
def test_restore_over_the_live_schema_without_in_place_is_refused(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    backup("create", "backuptest")

    with pytest.raises(CommandError, match="already exists"):
        backup("restore", "backuptest", "--into", backup_tenant.schema_name)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "backup",
            "restore",
            "backuptest",
            "--into",
            backup_tenant.schema_name,
            "--json",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert json.loads(out.getvalue())["ok"] is False


@pytest.mark.django_db(transaction=True)
def test_unknown_restaurant_and_missing_backups_are_clear_errors(
    backup_tenant: TenantHandle, s3_target: S3Target, settings: Any
) -> None:
    with pytest.raises(CommandError, match="no restaurant and no backups for 'nope'"):
        backup("create", "nope")
    with pytest.raises(CommandError, match="has no successful backup"):
        backup("verify", "backuptest")
    settings.DYSA_BACKUP_URL = "ftp://nowhere"
    with pytest.raises(CommandError, match="DYSA_BACKUP_URL"):
        backup("create", "backuptest")
