"""Fault suite: PostgreSQL restarted under a serving app (docs/operations.md, "Incidents").

A throwaway PostgreSQL cluster of this test's own (the embedded binaries `make services` uses,
initdb into a temporary folder, a free port) gets a copy of the test database; the production
configuration (nginx in front of preloaded gunicorn, `config.settings.production`, persistent
connections with CONN_HEALTH_CHECKS) serves a restaurant from it. The server is stopped with
`pg_ctl stop -m fast` (every connection cut), requests answer 5xx at once instead of hanging,
and once it is started again requests succeed on the same gunicorn workers: nothing restarted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.db import connection

from infra.devservices import PG_SUPERUSER, cluster_init, cluster_start, cluster_stop, pg_bin_dir
from tests.infra.stack import Stack, free_port, production_stack
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

DATABASE = "dysa"
SESSIONS = "/api/v1/chat/sessions/"


@dataclass
class OwnPostgres:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://{PG_SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        cluster_start(self.data, self.port)

    def stop(self) -> None:
        cluster_stop(self.data, mode="fast")


def _copy_test_database(into: OwnPostgres) -> None:
    """The test database's committed state (tenant A included) into the throwaway cluster."""
    source = connection.settings_dict
    binaries = pg_bin_dir()
    dump = subprocess.run(
        [str(binaries / "pg_dump"), "-h", str(source["HOST"]), "-p", str(source["PORT"]),
         "-U", str(source["USER"]), "--format=custom", "--no-owner", str(source["NAME"])],
        check=True,
        capture_output=True,
    )  # fmt: skip
    target = ["-h", "127.0.0.1", "-p", str(into.port), "-U", PG_SUPERUSER]
    subprocess.run([str(binaries / "createdb"), *target, DATABASE], check=True, capture_output=True)
    subprocess.run(
        [str(binaries / "pg_restore"), *target, "-d", DATABASE, "--no-owner", "--exit-on-error"],
        input=dump.stdout,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    directory = Path(tempfile.mkdtemp(prefix="dysa-pg-restart-"))
    server = OwnPostgres(directory / "pg", free_port())
    try:
        cluster_init(server.data)
        server.start()
        _copy_test_database(server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def stack_on_own_postgres(own_postgres: OwnPostgres) -> Iterator[Stack]:
    with production_stack(
        database_url=own_postgres.url,
        DYSA_RATE_LIMIT_CHAT_SESSION="1000/min",
        DYSA_RATE_LIMIT_CHAT_IP="1000/min",
    ) as running:
        yield running


def _new_chat(stack: Stack, host: str) -> int:
    return stack.request(
        host,
        SESSIONS,
        method="POST",
        body=json.dumps({"language": "es"}).encode(),
        headers={"Content-Type": "application/json"},
    ).status


def _readiness(stack: Stack) -> dict[str, Any]:
    answer = stack.request(stack.base_domain, "/health/ready/")
    return {"status": answer.status, "database": json.loads(answer.body)["checks"]["database"]}


def _gunicorn_workers(stack: Stack) -> set[int]:
    master = psutil.Process(stack.processes[0].pid)
    return {child.pid for child in master.children()}


def test_requests_fail_fast_while_postgres_is_down_and_recover_without_restarting_the_app(
    tenant_a: TenantHandle, own_postgres: OwnPostgres, stack_on_own_postgres: Stack
) -> None:
    stack = stack_on_own_postgres
    # Enough requests that both gunicorn workers hold a persistent connection.
    before = [_new_chat(stack, tenant_a.host) for _ in range(6)]
    workers_before = _gunicorn_workers(stack)

    own_postgres.stop()
    while_down = [_new_chat(stack, tenant_a.host) for _ in range(4)]
    readiness_down = _readiness(stack)
    own_postgres.start()
    after = [_new_chat(stack, tenant_a.host) for _ in range(6)]
    readiness_after = _readiness(stack)

    assert before == [201] * 6
    assert all(status in (500, 503) for status in while_down), while_down
    assert readiness_down["status"] == 503
    assert readiness_down["database"]["ok"] is False
    assert after == [201] * 6, stack.log("gunicorn.log")
    assert readiness_after["status"] == 200
    assert _gunicorn_workers(stack) == workers_before, "no worker was restarted"
