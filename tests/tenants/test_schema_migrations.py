"""Migrations across tenant schemas: state, pending-only runs, one transaction per schema."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django_tenants.migration_executors import StandardExecutor

from tenants import schema_migrations
from tenants.models import Restaurant, SchemaMigrationFailure
from tenants.schema_sql import schema_exists
from tests.tenants.factories import TenantHandle, onboard_restaurant


def sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def unapply_sessions(schema: str, *, keep_table: bool = False) -> None:
    """Make sessions.0001_initial pending in `schema` (its table kept = it will fail)."""
    sql(f"DELETE FROM {schema}.django_migrations WHERE app = 'sessions'")  # noqa: S608
    if not keep_table:
        sql(f"DROP TABLE {schema}.django_session")


def unapply_admin(schema: str) -> None:
    """admin's migrations are no-ops in tenant schemas: pending, and harmless to apply."""
    sql(f"DELETE FROM {schema}.django_migrations WHERE app = 'admin'")  # noqa: S608


def states() -> dict[str, str]:
    return {s.schema_name: s.state for s in schema_migrations.schemas_state()}


def status_command() -> tuple[dict[str, Any], bool]:
    out = io.StringIO()
    try:
        call_command("schemas", "status", "--json", stdout=out, stderr=io.StringIO())
    except CommandError:
        return json.loads(out.getvalue()), False
    return json.loads(out.getvalue()), True


@pytest.fixture
def one_worker() -> Iterator[None]:
    with override_settings(DYSA_MIGRATION_WORKERS=1):
        yield


pytestmark = pytest.mark.django_db


def test_freshly_onboarded_schemas_are_applied_and_status_exits_zero(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    payload, ok = status_command()
    assert ok, payload
    assert payload["drift"] is False
    assert states()[tenant_a.schema_name] == schema_migrations.APPLIED


def test_pending_schema_is_reported_and_status_exits_one(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    unapply_sessions(tenant_a.schema_name)

    payload, ok = status_command()

    assert not ok
    assert payload["schemas"] == [
        {
            "schema_name": tenant_a.schema_name,
            "slug": "alpha",
            "state": "pending",
            "pending": ["sessions.0001_initial"],
            "unknown": [],
            "error": "",
        }
    ]


def test_only_pending_schemas_are_migrated(
    tenant_a: TenantHandle, tenant_b: TenantHandle, one_worker: None
) -> None:
    unapply_sessions(tenant_a.schema_name)

    run = schema_migrations.migrate_pending_schemas()

    assert run.migrated == [tenant_a.schema_name]
    assert run.up_to_date == run.total - 1
    assert not run.failed
    assert states()[tenant_a.schema_name] == schema_migrations.APPLIED


def test_a_failing_schema_is_left_unchanged_reported_and_resumed_later(
    tenant_a: TenantHandle, tenant_b: TenantHandle, one_worker: None
) -> None:
    unapply_admin(tenant_a.schema_name)
    unapply_sessions(tenant_a.schema_name, keep_table=True)  # CreateModel will fail
    unapply_sessions(tenant_b.schema_name)

    run = schema_migrations.migrate_pending_schemas()

    assert run.migrated == [tenant_b.schema_name]
    assert "django_session" in run.failed[tenant_a.schema_name]
    state = next(
        s for s in schema_migrations.schemas_state() if s.schema_name == tenant_a.schema_name
    )
    assert state.state == schema_migrations.FAILED
    # admin migrations ran before the failure, in the same transaction: rolled back too.
    assert "admin.0001_initial" in state.pending
    assert "django_session" in state.error

    sql(f"DROP TABLE {tenant_a.schema_name}.django_session")
    again = schema_migrations.migrate_pending_schemas()

    assert again.migrated == [tenant_a.schema_name]
    assert not SchemaMigrationFailure.objects.exists()
    assert set(states().values()) == {schema_migrations.APPLIED}


def test_missing_and_ahead_schemas_are_drift(tenant_a: TenantHandle) -> None:
    Restaurant.objects.create(schema_name="t_ghost", slug="ghost", name="Ghost")
    sql(
        f"INSERT INTO {tenant_a.schema_name}.django_migrations (app, name, applied) "  # noqa: S608
        "VALUES ('menu', '9999_from_the_future', now())"
    )

    found = states()

    assert found["t_ghost"] == schema_migrations.MISSING
    assert found[tenant_a.schema_name] == schema_migrations.AHEAD
    assert not schema_exists("t_ghost")


def test_migrate_schemas_uses_the_parallel_executor_and_fails_loudly(
    tenant_a: TenantHandle, tenant_b: TenantHandle, one_worker: None
) -> None:
    unapply_sessions(tenant_a.schema_name, keep_table=True)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 schema"):
        call_command("migrate_schemas", "--tenant", stdout=out, stderr=io.StringIO())

    sql(f"DROP TABLE {tenant_a.schema_name}.django_session")
    call_command("migrate_schemas", "--tenant", stdout=out, stderr=io.StringIO())
    assert states()[tenant_a.schema_name] == schema_migrations.APPLIED


def test_schemas_in_the_same_state_replay_the_first_ones_statements(one_worker: None) -> None:
    first = onboard_restaurant("rep-uno").restaurant.schema_name
    second = onboard_restaurant("rep-dos").restaurant.schema_name
    for schema in (first, second):
        unapply_sessions(schema)
    replayed: list[str] = []
    original = schema_migrations._replay_one

    def spy(schema_name: str) -> tuple[str, bool, str, float]:
        replayed.append(schema_name)
        return original(schema_name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema_migrations, "_replay_one", spy)
        run = schema_migrations.migrate_pending_schemas()

    assert sorted(run.migrated) == sorted([first, second])
    assert run.full_migrate_reason == ""
    assert len(replayed) == 1  # the other one was migrated by Django, and captured
    assert states()[replayed[0]] == schema_migrations.APPLIED
    sql(f"SELECT count(*) FROM {replayed[0]}.django_session")  # noqa: S608 - the table is back


def test_a_replay_that_fails_falls_back_and_leaves_the_schema_unchanged(one_worker: None) -> None:
    first = onboard_restaurant("rep-tres").restaurant.schema_name
    second = onboard_restaurant("rep-cuatro").restaurant.schema_name
    unapply_sessions(first)
    unapply_sessions(second, keep_table=True)  # same records, but the table is still there

    run = schema_migrations.migrate_pending_schemas()

    # Whichever came first was captured; the replay (or its fallback) fails only in `second`.
    assert run.migrated == [first]
    assert "django_session" in run.failed[second]
    assert states()[second] == schema_migrations.FAILED


def test_an_unknown_post_migrate_receiver_means_no_replay(one_worker: None) -> None:
    from django.db.models.signals import post_migrate

    def custom_receiver(**kwargs: Any) -> None:
        return None

    first = onboard_restaurant("rep-cinco").restaurant.schema_name
    second = onboard_restaurant("rep-seis").restaurant.schema_name
    for schema in (first, second):
        unapply_sessions(schema)
    post_migrate.connect(custom_receiver, weak=False)
    try:
        run = schema_migrations.migrate_pending_schemas()
    finally:
        post_migrate.disconnect(custom_receiver)

    assert "post_migrate receiver" in run.full_migrate_reason
    assert sorted(run.migrated) == sorted([first, second])


def test_executor_choice() -> None:
    assert schema_migrations.get_executor(None) is schema_migrations.ParallelExecutor
    assert schema_migrations.get_executor("parallel") is schema_migrations.ParallelExecutor
    assert schema_migrations.get_executor("standard") is StandardExecutor


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_migrate_committed_schemas(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    schemas = [tenant_a.schema_name, tenant_b.schema_name]
    try:
        for schema in schemas:
            unapply_sessions(schema)
        with override_settings(DYSA_MIGRATION_WORKERS=2):
            run = schema_migrations.migrate_pending_schemas()
        assert sorted(run.migrated) == sorted(schemas)
        assert {states()[schema] for schema in schemas} == {schema_migrations.APPLIED}
    finally:
        for schema in schemas:  # these schemas outlive the test: leave them migrated
            call_command("migrate_schemas", schema_name=schema, executor="standard", verbosity=0)
