"""Schema-level SQL: the one place that writes statements about whole schemas (create, drop,
rename, exists, the migration digest), with quoted identifiers.

Callers (onboarding and deletion, the template schema and its spare pool, migrations, backups
and restores) pass schema names; quoting happens here, never in a caller. Each function runs
on Django's connection, in the caller's transaction, unless given a psycopg connection of its
own (the backups open those for pg_restore's side of the work).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from django.db import connection

DIGEST_BATCH = 250


def quoted(schema_name: str) -> str:
    """`schema_name` as an SQL identifier, double-quoted (any `"` doubled)."""
    if not schema_name or "\x00" in schema_name:
        raise ValueError(f"not a schema name: {schema_name!r}")
    return '"' + schema_name.replace('"', '""') + '"'


def _run(statement: str, params: list[Any] | None, conn: psycopg.Connection[Any] | None) -> None:
    if conn is not None:
        conn.execute(statement.encode(), params)  # built from quoted() names only
        return
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def schema_create_statement(schema_name: str, *, if_not_exists: bool = False) -> str:
    """The CREATE SCHEMA statement, for SQL scripts built as text (restores, templates)."""
    return f"CREATE SCHEMA {'IF NOT EXISTS ' if if_not_exists else ''}{quoted(schema_name)}"


def schema_create(
    schema_name: str, *, if_not_exists: bool = False, conn: psycopg.Connection[Any] | None = None
) -> None:
    _run(schema_create_statement(schema_name, if_not_exists=if_not_exists), None, conn)


def schema_drop(
    schema_name: str, *, if_exists: bool = True, conn: psycopg.Connection[Any] | None = None
) -> None:
    """Drop a schema and everything in it (CASCADE)."""
    _run(
        f"DROP SCHEMA {'IF EXISTS ' if if_exists else ''}{quoted(schema_name)} CASCADE", None, conn
    )


def schema_rename(old: str, new: str, *, conn: psycopg.Connection[Any] | None = None) -> None:
    _run(f"ALTER SCHEMA {quoted(old)} RENAME TO {quoted(new)}", None, conn)


def schemas_existing(
    schema_names: Iterable[str], *, conn: psycopg.Connection[Any] | None = None
) -> set[str]:
    """Which of these schemas exist."""
    query = "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)"
    names = list(schema_names)
    if conn is not None:
        return {row[0] for row in conn.execute(query, [names]).fetchall()}
    with connection.cursor() as cursor:
        cursor.execute(query, [names])
        return {row[0] for row in cursor.fetchall()}


def schema_exists(schema_name: str, *, conn: psycopg.Connection[Any] | None = None) -> bool:
    return schema_name in schemas_existing([schema_name], conn=conn)


def migration_digests(schema_names: list[str]) -> dict[str, str]:
    """md5 of each schema's sorted migration records, computed in the database."""
    found: dict[str, str] = {}
    for start in range(0, len(schema_names), DIGEST_BATCH):
        batch = schema_names[start : start + DIGEST_BATCH]
        query = " UNION ALL ".join(
            f"SELECT %s, md5(coalesce(string_agg(app || '.' || name, ',' "  # noqa: S608
            f'ORDER BY app COLLATE "C", name COLLATE "C"), \'\')) '
            f"FROM {quoted(name)}.django_migrations"
            for name in batch
        )
        with connection.cursor() as cursor:
            cursor.execute(query, batch)
            found.update({row[0]: row[1] for row in cursor.fetchall()})
    return found
