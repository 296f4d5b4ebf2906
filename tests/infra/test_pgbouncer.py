"""PgBouncer and the per-request search_path (ADR 0011), with Debian's real pgbouncer.

django-tenants selects a restaurant with a session-level `SET search_path`, once per schema
switch (TENANT_LIMIT_SET_CALLS). In transaction pooling, consecutive transactions of one client
may run on different server connections, so a path set by one client is seen by another: these
tests show that hazard on the real pooler, and that session pooling (what dysa's docs
prescribe for PgBouncer < 1.20) keeps every client on its own path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _pgbouncer() -> str:
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(found).exists():
        if os.environ.get("DYSA_PROD_CHECK") == "1":
            pytest.fail("make prod-check needs pgbouncer (apt-get install -y pgbouncer)")
        pytest.skip("pgbouncer is not installed (make prod-check requires it)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(pool_mode: str) -> Iterator[str]:
    db = connection.settings_dict
    directory = Path(tempfile.mkdtemp(prefix="dysa-pgbouncer-"))
    directory.chmod(0o777)  # pgbouncer refuses root and runs as nobody (-u)
    port = _free_port()
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"dysa = host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = any\npool_mode = {pool_mode}\ndefault_pool_size = 1\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
    )
    ini.chmod(0o644)
    command = [_pgbouncer(), str(ini)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                errors = process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"pgbouncer did not start: {errors!r}") from None
            time.sleep(0.1)
    try:
        yield f"postgres://{db['USER']}@127.0.0.1:{port}/dysa"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def transaction_pool() -> Iterator[str]:
    yield from _start("transaction")


@pytest.fixture
def session_pool() -> Iterator[str]:
    yield from _start("session")


def _two_clients_switch_paths(url: str) -> tuple[str, str]:
    """Client A selects t_a, then client B selects t_b; each then asks for its path."""
    with (
        psycopg.connect(url, autocommit=True, prepare_threshold=None) as a,
        psycopg.connect(url, autocommit=True, prepare_threshold=None) as b,
    ):
        a.execute("SET search_path = t_a, public")
        b.execute("SET search_path = t_b, public")
        seen_by_a = a.execute("SHOW search_path").fetchone()
        seen_by_b = b.execute("SHOW search_path").fetchone()
    assert seen_by_a is not None
    assert seen_by_b is not None
    return str(seen_by_a[0]), str(seen_by_b[0])


def test_transaction_pooling_hands_one_client_s_search_path_to_another(
    transaction_pool: str,
) -> None:
    seen_by_a, _ = _two_clients_switch_paths(transaction_pool)

    assert seen_by_a == "t_b, public", "with one server connection, A runs on B's path"


def test_session_pooling_keeps_each_client_on_its_own_search_path(session_pool: str) -> None:
    with psycopg.connect(session_pool, autocommit=True) as first:
        first.execute("SET search_path = t_a, public")
    # The server connection is reused by the next client: its path must be reset.
    with psycopg.connect(session_pool, autocommit=True) as second:
        row = second.execute("SHOW search_path").fetchone()
        second.execute("SET search_path = t_b, public")
        second.execute("SELECT 1")
        own = second.execute("SHOW search_path").fetchone()

    assert row is not None
    assert own is not None
    assert row[0] == '"$user", public', "server_reset_query (DISCARD ALL) forgets the old path"
    assert own[0] == "t_b, public"
