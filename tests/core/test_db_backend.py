"""core.db_backend: the restaurant's search_path sent with every transaction, never left on the
session (ADR 0011; the app through a real PgBouncer: tests/infra/test_pgbouncer.py).

Each test opens a connection of its own with the backend and checks what PostgreSQL itself
reports as the path in force, after the session was left with another restaurant's path (what
a previous client of a pooled server connection may leave behind).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import NotSupportedError, connection

from core.db_backend.base import DatabaseWrapper

pytestmark = pytest.mark.django_db

A, B = "t_alpha", "t_bravo"


@pytest.fixture
def wrapper() -> Iterator[DatabaseWrapper]:
    own = DatabaseWrapper({**connection.settings_dict, "ENGINE": "core.db_backend"}, "tx_mode")
    try:
        yield own
    finally:
        own.close()


def _path(wrapper: DatabaseWrapper) -> str:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        row: Any = cursor.fetchone()
    return str(row[0])


def _poison(wrapper: DatabaseWrapper, schema: str) -> None:
    """A session-level path on the server connection, as another pooled client could leave."""
    wrapper.ensure_connection()
    wrapper.connection.pgconn.exec_(f"SET search_path = {schema}".encode())


def test_autocommit_statements_run_on_the_current_restaurant_s_path_and_leave_none(
    wrapper: DatabaseWrapper,
) -> None:
    wrapper.set_schema(A)
    _poison(wrapper, B)
    seen = _path(wrapper)
    wrapper.set_schema(B)
    _poison(wrapper, A)
    seen_b = _path(wrapper)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT %s::text", ["100% tacos"])  # a literal % next to the prefix
        literal: Any = cursor.fetchone()
    left = wrapper.connection.execute("SHOW search_path").fetchone()

    assert (seen, seen_b) == (f"{A}, public", f"{B}, public")
    assert literal == ("100% tacos",)
    assert left is not None
    assert left[0] == f"{B}, public", "SET LOCAL: the session keeps whatever it had"


def test_a_transaction_sets_its_path_once_and_again_when_the_restaurant_changes(
    wrapper: DatabaseWrapper,
) -> None:
    wrapper.set_schema(A)
    _poison(wrapper, B)
    wrapper.set_autocommit(False)
    try:
        first = _path(wrapper)
        wrapper.set_schema(B)
        switched = _path(wrapper)
        wrapper.commit()
        _poison(wrapper, A)
        next_transaction = _path(wrapper)
        wrapper.rollback()
    finally:
        wrapper.set_autocommit(True)

    assert first == f"{A}, public"
    assert switched == f"{B}, public"
    assert next_transaction == f"{B}, public"


def test_a_savepoint_rollback_that_undid_the_path_is_followed_by_the_path_again(
    wrapper: DatabaseWrapper,
) -> None:
    wrapper.set_schema(A)
    wrapper.set_autocommit(False)
    try:
        _path(wrapper)
        savepoint = wrapper.savepoint()
        wrapper.set_schema(B)
        _path(wrapper)  # SET LOCAL B, after the savepoint
        wrapper.savepoint_rollback(savepoint)  # ...undone: PostgreSQL is back on A's path
        after = _path(wrapper)
        wrapper.rollback()
    finally:
        wrapper.set_autocommit(True)

    assert after == f"{B}, public", "the connection still serves B"


def test_executemany_runs_on_the_current_restaurant_s_path(wrapper: DatabaseWrapper) -> None:
    wrapper.set_schema(A)
    _poison(wrapper, B)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE seen_paths (path text)")
        cursor.executemany(
            "INSERT INTO seen_paths SELECT current_setting('search_path') || %s", [["1"], ["2"]]
        )
        cursor.execute("SELECT path FROM seen_paths ORDER BY path")
        rows = cursor.fetchall()

    assert rows == [(f"{A}, public1",), (f"{A}, public2",)]


def test_a_session_level_advisory_lock_is_refused_and_a_transaction_level_one_is_not(
    wrapper: DatabaseWrapper,
) -> None:
    with wrapper.cursor() as cursor, pytest.raises(NotSupportedError, match="advisory locks"):
        cursor.execute("SELECT pg_advisory_lock(%s)", [42])
    wrapper.set_autocommit(False)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [42])
            row = cursor.fetchone()
        wrapper.rollback()
    finally:
        wrapper.set_autocommit(True)

    assert row == ("",)


def test_statements_in_a_pipeline_run_on_the_current_restaurant_s_path(
    wrapper: DatabaseWrapper,
) -> None:
    wrapper.set_schema(A)
    _poison(wrapper, B)
    with wrapper.cursor() as cursor, wrapper.connection.pipeline():
        cursor.execute("SELECT current_setting('search_path')")
        row: Any = cursor.fetchone()

    assert row == (f"{A}, public",)
