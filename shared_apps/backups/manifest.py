"""What a schema holds, as row counts and content checksums per table and sequence states.

Computed inside the backup's snapshot (the same one pg_dump reads), and again on the restored
copy; equal fingerprints mean the copy holds exactly the rows that were backed up. The table
checksum is the sum of per-row MD5s, so it does not depend on row order (a restore may load rows
in another physical order).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

MANIFEST_FORMAT = "dysa-backup-manifest/1"

# Text output of values must not depend on the session, or equal rows would hash differently.
_DETERMINISTIC_OUTPUT = (
    "SET LOCAL TIME ZONE 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


def _names(conn: psycopg.Connection[Any], schema_name: str, relkind: str) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = %s ORDER BY c.relname",
        [schema_name, relkind],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _table_fingerprint(
    conn: psycopg.Connection[Any], schema_name: str, table: str
) -> dict[str, Any]:
    # Two 64-bit halves of each row's MD5, summed as numeric (no overflow, order-free).
    query = sql.SQL(
        "SELECT count(*), "
        "coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0), "
        "coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0) "
        "FROM (SELECT md5(ROW(r.*)::text) AS h FROM {}.{} AS r) AS rows"
    ).format(sql.Identifier(schema_name), sql.Identifier(table))
    row = conn.execute(query).fetchone()
    assert row is not None
    return {"rows": int(row[0]), "checksum": f"{row[1]}:{row[2]}"}


def _sequence_state(conn: psycopg.Connection[Any], schema_name: str, sequence: str) -> list[Any]:
    query = sql.SQL("SELECT last_value, is_called FROM {}.{}").format(
        sql.Identifier(schema_name), sql.Identifier(sequence)
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    return [int(row[0]), bool(row[1])]


def schema_fingerprint(conn: psycopg.Connection[Any], schema_name: str) -> dict[str, Any]:
    """Tables and sequences of `schema_name` as seen by `conn`'s current transaction."""
    for statement in _DETERMINISTIC_OUTPUT:
        conn.execute(statement)
    return {
        "tables": {
            table: _table_fingerprint(conn, schema_name, table)
            for table in _names(conn, schema_name, "r")
        },
        "sequences": {
            sequence: _sequence_state(conn, schema_name, sequence)
            for sequence in _names(conn, schema_name, "S")
        },
    }


def fingerprint_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Readable differences between a manifest's fingerprint and a restored schema's."""
    problems: list[str] = []
    for section in ("tables", "sequences"):
        want: dict[str, Any] = expected.get(section, {})
        got: dict[str, Any] = actual.get(section, {})
        for name in sorted(set(want) - set(got)):
            problems.append(f"{section[:-1]} {name} is missing")
        for name in sorted(set(got) - set(want)):
            problems.append(f"{section[:-1]} {name} is not in the manifest")
        for name in sorted(set(want) & set(got)):
            if want[name] == got[name]:
                continue
            if section == "tables" and want[name].get("rows") != got[name].get("rows"):
                problems.append(
                    f"table {name}: {got[name].get('rows')} rows, manifest says "
                    f"{want[name].get('rows')}"
                )
            elif section == "tables":
                problems.append(f"table {name}: content checksum differs")
            else:
                problems.append(f"sequence {name}: state {got[name]}, manifest says {want[name]}")
    return problems
