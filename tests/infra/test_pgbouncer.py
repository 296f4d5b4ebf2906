"""PgBouncer and the per-request search_path (ADR 0011), with Debian's real pgbouncer.

django-tenants selects a restaurant with a session-level `SET search_path`, once per schema
switch (TENANT_LIMIT_SET_CALLS). In transaction pooling, consecutive transactions of one client
may run on different server connections, so a path set by one client is seen by another: these
tests show that hazard on the real pooler, that session pooling keeps every client on its own
path, and that with DYSA_PGBOUNCER_TRANSACTION_MODE (core.db_backend: the path sent with every
transaction as `SET LOCAL`) the production app serves two restaurants through a one-connection
transaction pool, concurrently, with a client poisoning the session path, and never answers
one restaurant's request from the other's schema.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.infra.stack import Stack, production_stack
from tests.tenant_apps.staff.factories import bearer_for
from tests.tenants.factories import TenantHandle, ensure_test_restaurant

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


def _start(pool_mode: str, *, pool_size: int = 1) -> Iterator[str]:
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
        f"auth_type = any\npool_mode = {pool_mode}\ndefault_pool_size = {pool_size}\n"
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


# --- the app through a transaction pool -------------------------------------------------------

ROUNDS = 40
STAFF_LIST = "/api/v1/staff/"


@dataclass(frozen=True)
class Restaurants:
    handles: tuple[TenantHandle, TenantHandle]
    bearers: dict[str, str]
    # Tokens carry a fingerprint of the owner's credentials made with the secret key: the
    # server gets the one they were issued with.
    secret_key: str


@pytest.fixture(scope="module")
def two_restaurants(django_db_setup: None, django_db_blocker: Any) -> Restaurants:
    """Tenants A and B with an owner's token each, committed (the JWT signing key is created
    on first use) before any test transaction, so the server processes see them."""
    secret_key = secrets.token_urlsafe(64)
    with django_db_blocker.unblock(), override_settings(SECRET_KEY=secret_key):
        handles = (
            ensure_test_restaurant("alpha", name="Taquería Alfa", locale="es"),
            ensure_test_restaurant("bravo", name="Bravo Bistro", locale="en"),
        )
        bearers = {handle.host: _owner_bearer(handle) for handle in handles}
    return Restaurants(handles, bearers, secret_key)


@pytest.fixture
def app_behind_transaction_pool(
    transaction_pool: str, two_restaurants: Restaurants
) -> Iterator[Stack]:
    with production_stack(
        database_url=transaction_pool,
        DYSA_PGBOUNCER_TRANSACTION_MODE="true",
        DJANGO_SECRET_KEY=two_restaurants.secret_key,
        DYSA_RATE_LIMIT_DEFAULT="100000/min",
        # More workers (PgBouncer clients) than server connections: every request's
        # transactions share one PostgreSQL backend with the other restaurant's.
        WEB_CONCURRENCY="3",
    ) as running:
        yield running


def _owner_bearer(handle: TenantHandle) -> str:
    with schema_context(handle.schema_name):
        owner = get_user_model().objects.get(email=handle.owner_email)
    return bearer_for(handle, owner)


def _poison_session_paths(url: str, schemas: list[str], stop: threading.Event) -> int:
    """A client that keeps leaving a session-level search_path on the pooled connection."""
    rounds = 0
    with psycopg.connect(url, autocommit=True) as client:
        while not stop.is_set():
            client.execute(f"SET search_path = {schemas[rounds % 2]}, public")
            rounds += 1
            time.sleep(0.002)
    return rounds


def test_the_app_in_transaction_mode_never_answers_one_restaurant_from_the_others_schema(
    transaction_pool: str, app_behind_transaction_pool: Stack, two_restaurants: Restaurants
) -> None:
    stack = app_behind_transaction_pool
    tenant_a, tenant_b = two_restaurants.handles
    bearers = two_restaurants.bearers

    def staff_emails(host: str) -> tuple[int, str]:
        answer = stack.request(
            host, STAFF_LIST, headers={"Authorization": f"Bearer {bearers[host]}"}
        )
        emails = re.findall(rb'"email":\s*"([^"]+)"', answer.body)
        return answer.status, ",".join(sorted(e.decode() for e in emails))

    expected = {h.host: staff_emails(h.host) for h in (tenant_a, tenant_b)}
    stop = threading.Event()
    hosts = [tenant_a.host, tenant_b.host] * ROUNDS
    with ThreadPoolExecutor(max_workers=7) as pool:
        poisoner = pool.submit(
            _poison_session_paths,
            transaction_pool,
            [tenant_b.schema_name, tenant_a.schema_name],
            stop,
        )
        answers = list(zip(hosts, pool.map(staff_emails, hosts), strict=True))
        stop.set()
        poisoned = poisoner.result()

    wrong = [(host, answer) for host, answer in answers if answer != expected[host]]
    assert expected[tenant_a.host][0] == 200, (expected, stack.log("gunicorn.log"))
    assert tenant_a.owner_email in expected[tenant_a.host][1]
    assert tenant_b.owner_email not in expected[tenant_a.host][1]
    assert tenant_b.owner_email in expected[tenant_b.host][1]
    assert tenant_a.owner_email not in expected[tenant_b.host][1]
    assert poisoned > 0
    assert wrong == [], f"{len(wrong)} of {len(answers)} answers came from the wrong schema"
