"""`migrate_schemas` killed mid-run: no schema is half migrated, and a rerun finishes the job.

Real processes, real kill: `manage.py migrate_schemas` runs in a subprocess (its own process
group, so its forked workers die with it) against a database of its own, where a handful of
restaurants were onboarded at the code's current state. DYSA_TEST_EXTRA_TENANT_APPS adds a
test-only tenant app (tests/tenants/killmig_app) to the subprocess's test settings; its
migration creates a table, pauses, then adds a column. SIGKILL arrives once some schemas
have committed it and while another is inside the pause. The shared test database (and its
template fingerprint) is never touched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SLUGS = [f"killmig{n}" for n in range(1, 7)]
SCHEMAS = [f"t_{slug}" for slug in SLUGS]
TEMPLATE = "dysa_template"
KILLMIG_APP = "tests.tenants.killmig_app"
ONBOARD = (
    "from django.core.management import call_command\n"
    "from tenants.services import restaurant_onboard\n"
    "call_command('migrate_schemas', shared=True, verbosity=0)\n"
    "for slug in {slugs!r}:\n"
    "    restaurant_onboard(slug=slug, name=slug, owner_email=f'owner@{{slug}}.example',"
    " owner_password='owner-pass-123')\n"
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Database:
    name: str
    url: str
    admin_dsn: str

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)

    def manage(self, *args: str, with_killmig: bool = True) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DYSA_TEST_EXTRA_TENANT_APPS": KILLMIG_APP if with_killmig else "",
            "DATABASE_URL": self.url,
            "PYTHONUNBUFFERED": "1",
        }
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: the kill reaches its workers
        )

    def run(self, *args: str, with_killmig: bool = True) -> tuple[int, str, str]:
        process = self.manage(*args, with_killmig=with_killmig)
        out, err = process.communicate(timeout=120)
        return process.returncode, out, err


@pytest.fixture
def killmig_database() -> Iterator[Database]:
    """A database of this test's own, migrated and holding the killmig restaurants."""
    db = settings.DATABASES["default"]
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
    server = f"postgresql://{auth}{db['HOST']}:{db['PORT']}"
    name = "test_dysa_killmig"  # fixed: a run interrupted before its clean-up is dropped here
    database = Database(name=name, url=f"{server}/{name}", admin_dsn=f"{server}/postgres")
    with psycopg.connect(database.admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        code, _out, err = database.run(
            "shell", "-c", ONBOARD.format(slugs=SLUGS), with_killmig=False
        )
        assert code == 0, err[-3000:]
        yield database
    finally:
        with psycopg.connect(database.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrated(conn: psycopg.Connection[Any], schemas: list[str]) -> set[str]:
    """Schemas whose committed migration records include the killmig migration."""
    query = " UNION ALL ".join(
        f"SELECT %s FROM {schema}.django_migrations WHERE app = 'killmig'"  # noqa: S608
        for schema in schemas
    )
    return {row[0] for row in conn.execute(query, schemas).fetchall()}


def pausing(conn: psycopg.Connection[Any]) -> bool:
    """Some session is inside the migration's pause (a schema mid-transaction)."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%%pg_sleep%%'"
    ).fetchone()
    return bool(row and row[0])


def wait_for_other_sessions_to_end(conn: psycopg.Connection[Any], timeout: float = 30) -> None:
    """A killed client's backend rolls back when it notices (at the end of its statement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
        if row and row[0] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the killed run's sessions did not end")


def parts(conn: psycopg.Connection[Any], schema: str) -> dict[str, bool]:
    """Each visible trace of the killmig migration in one schema."""
    query = (
        f"SELECT EXISTS (SELECT 1 FROM {schema}.django_migrations WHERE app = 'killmig'), "  # noqa: S608
        "to_regclass(%s) IS NOT NULL, "
        "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
        "AND table_name = 'killmig_marker' AND column_name = 'note'), "
        f"EXISTS (SELECT 1 FROM {schema}.django_content_type WHERE app_label = 'killmig'), "
        f"EXISTS (SELECT 1 FROM {schema}.auth_permission p JOIN {schema}.django_content_type c "
        "ON c.id = p.content_type_id WHERE c.app_label = 'killmig')"
    )
    row = conn.execute(query, [f"{schema}.killmig_marker", schema]).fetchone()
    assert row is not None
    return dict(zip(["record", "table", "column", "content_type", "permissions"], row, strict=True))


def fully_old_or_fully_new(conn: psycopg.Connection[Any], schemas: list[str]) -> dict[str, bool]:
    """Assert no schema is half migrated; map each schema to whether it is at the new state."""
    found = {schema: parts(conn, schema) for schema in schemas}
    half = {schema: p for schema, p in found.items() if len(set(p.values())) != 1}
    assert half == {}, f"half-migrated schemas: {half}"
    return {schema: p["record"] for schema, p in found.items()}


def kill_mid_run(database: Database, conn: psycopg.Connection[Any]) -> tuple[set[str], str]:
    """Start migrate_schemas; SIGKILL its process group once 2+ schemas have committed the
    migration and another one is inside its pause. Returns (committed before kill, output)."""
    process = database.manage("migrate_schemas", "--tenant")
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and process.poll() is None:
            done = migrated(conn, SCHEMAS)
            if 2 <= len(done) <= len(SCHEMAS) - 2 and pausing(conn):
                os.killpg(process.pid, signal.SIGKILL)
                out, err = process.communicate(timeout=30)
                return done, out + err
            time.sleep(0.03)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)
    out, err = process.communicate(timeout=30)
    raise AssertionError(f"never caught the run mid-way (exit {process.returncode}): {err[-2000:]}")


def status(database: Database) -> tuple[int, dict[str, Any]]:
    code, out, _err = database.run("schemas", "status", "--json")
    return code, json.loads(out)


def test_a_killed_migrate_schemas_leaves_whole_schemas_and_a_rerun_completes_them(
    killmig_database: Database,
) -> None:
    with killmig_database.connect() as conn:
        # given: every schema at the code's current state, before the killmig migration
        assert fully_old_or_fully_new(conn, SCHEMAS) == dict.fromkeys(SCHEMAS, False)

        # when: migrate_schemas is killed with some schemas done and one mid-transaction
        committed_before_kill, output = kill_mid_run(killmig_database, conn)
        wait_for_other_sessions_to_end(conn)

        # then: each schema is entirely old or entirely new, and at least one is each
        state = fully_old_or_fully_new(conn, [*SCHEMAS, TEMPLATE])
        new = {schema for schema in SCHEMAS if state[schema]}
        assert committed_before_kill <= new, output[-2000:]
        assert len(new) < len(SCHEMAS)
        assert state[TEMPLATE] is True  # the canary migrated before any tenant

        # ... and `schemas status` names exactly the unfinished ones as pending
        code, payload = status(killmig_database)
        assert code == 1
        assert {s["schema_name"]: (s["state"], s["pending"]) for s in payload["schemas"]} == {
            schema: ("pending", ["killmig.0001_initial"]) for schema in SCHEMAS if schema not in new
        }

    # when: the run is started again
    code, out, err = killmig_database.run("migrate_schemas", "--tenant")
    assert code == 0, (out + err)[-3000:]

    # then: every schema is at the new state and status reports no drift
    with killmig_database.connect() as conn:
        assert fully_old_or_fully_new(conn, [*SCHEMAS, TEMPLATE]) == dict.fromkeys(
            [*SCHEMAS, TEMPLATE], True
        )
    code, payload = status(killmig_database)
    assert code == 0, payload
    assert payload["counts"] == {"applied": len(SCHEMAS)}
