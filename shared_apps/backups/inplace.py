"""Putting a verified restored copy in place of a live schema, in one transaction.

A restaurant's schema is swapped by renaming: nothing outside a restaurant's schema depends on
it (no cross-schema references, DESIGN.md), so the old schema can be dropped with CASCADE.

The platform schema cannot be swapped that way: every restaurant's tables depend on functions and
text-search configurations in `public` (e.g. generated columns calling public.dysa_search_text),
and dropping the old `public` would cascade into them. Its rows are replaced instead: the
structure must be the same as the backup's (same migrations), and the objects other schemas
depend on stay where they are.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from shared_apps.backups.errors import RestoreRefusedError
from tenants import pgtools, schema_sql

LOCK_TIMEOUT = "30s"


def _fix_function_bodies(conn: psycopg.Connection[Any], *, live: str, staging: str) -> None:
    """Function bodies are text: those restored as `staging` must name the live schema again.

    (Everything else, defaults, views, triggers, refers to objects by OID and follows the rename.)
    CREATE OR REPLACE keeps each function's OID, so nothing depending on it notices.
    """
    rows = conn.execute(
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
        "WHERE p.pronamespace = %s::regnamespace AND p.prokind IN ('f', 'p') "
        "AND strpos(pg_get_functiondef(p.oid), %s) > 0",
        [live, staging],
    ).fetchall()
    # The staging name ends in a timestamp, so as a whole word it cannot mean anything else.
    word = re.compile(rf"(?<![\w$]){re.escape(staging)}(?![\w$])")
    for (definition,) in rows:
        conn.execute(word.sub(live, str(definition)).encode())


def swap_schema(*, live: str, staging: str, retired: str) -> None:
    """Put `staging` in place of the restaurant schema `live`; the old one is dropped."""
    with pgtools.connect() as conn:
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        schema_sql.schema_rename(live, retired, conn=conn)
        schema_sql.schema_rename(staging, live, conn=conn)
        _fix_function_bodies(conn, live=live, staging=staging)
        schema_sql.schema_drop(retired, if_exists=False, conn=conn)
        conn.commit()


def _columns(conn: psycopg.Connection[Any], schema_name: str) -> dict[str, dict[str, Any]]:
    """{table: {column: (type, generated)}} of a schema's ordinary tables."""
    rows = conn.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
        "AND NOT a.attisdropped",
        [schema_name],
    ).fetchall()
    tables: dict[str, dict[str, Any]] = {}
    for table, column, type_name, generated in rows:
        tables.setdefault(str(table), {})[str(column)] = (str(type_name), str(generated))
    return tables


def _structure_differences(restored: dict[str, Any], live: dict[str, Any]) -> list[str]:
    problems = [f"table {t} is not in the backup" for t in sorted(set(live) - set(restored))]
    problems += [f"table {t} no longer exists" for t in sorted(set(restored) - set(live))]
    for table in sorted(set(live) & set(restored)):
        if live[table] != restored[table]:
            problems.append(f"table {table} has other columns")
    return problems


def copy_rows(*, restored: str, live: str) -> None:
    """Replace every table's rows in `live` by those of `restored`, then drop `restored`."""
    with pgtools.connect() as conn:
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        columns = _columns(conn, restored)
        problems = _structure_differences(columns, _columns(conn, live))
        if problems:
            raise RestoreRefusedError(
                f"{live} does not have the structure of the backup ({'; '.join(problems[:5])}): "
                "migrate the database to the backup's release first, or restore --into a new "
                "schema and copy what you need"
            )
        tables = sorted(columns)
        conn.execute(
            sql.SQL("TRUNCATE {}").format(
                sql.SQL(", ").join(sql.Identifier(live, t) for t in tables)
            )
        )
        for table in tables:
            # Generated columns are computed again on insert; identity values are kept.
            names = sorted(c for c, (_type, generated) in columns[table].items() if not generated)
            column_list = sql.SQL(", ").join(map(sql.Identifier, names))
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}").format(
                    sql.Identifier(live, table),
                    column_list,
                    column_list,
                    sql.Identifier(restored, table),
                )
            )
        _copy_sequence_states(conn, restored=restored, live=live)
        schema_sql.schema_drop(restored, if_exists=False, conn=conn)
        conn.commit()


def _copy_sequence_states(conn: psycopg.Connection[Any], *, restored: str, live: str) -> None:
    rows = conn.execute(
        "SELECT s.sequencename FROM pg_sequences s WHERE s.schemaname = %s AND EXISTS "
        "(SELECT 1 FROM pg_sequences l "
        "WHERE l.schemaname = %s AND l.sequencename = s.sequencename)",
        [restored, live],
    ).fetchall()
    for (name,) in rows:
        conn.execute(
            sql.SQL("SELECT setval({}, last_value, is_called) FROM {}").format(
                sql.Literal(f'"{live}"."{name}"'), sql.Identifier(restored, str(name))
            )
        )
