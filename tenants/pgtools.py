"""PostgreSQL client tools (pg_dump, pg_restore, psql): where they are, whether they fit the
server, and how they (and psycopg connections of their own) reach the database.

The one place for it: the template schema (tenants/schema_template.py) runs pg_dump, backups
(shared_apps/backups) run all three. Binaries come from settings.DYSA_PG_BIN_DIR (local and
test settings fill in the embedded PostgreSQL's own bin folder), else from PATH. Their major
version must equal the server's: a newer pg_dump writes SQL an older server may reject, an
older one refuses newer servers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo

TOOLS = ("pg_dump", "pg_restore", "psql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
APPLICATION_NAME = "dysa"
# pg_dump 18 plans one catalogue query (materialized-view dependencies) with a merge join that
# takes ~40 s once a database holds ~200k relations (1,000 restaurants); every other plan is as
# fast without it (docs/adr/0006-backups-restore-by-schema-rename.md, decision 7).
PG_DUMP_OPTIONS = "-c enable_mergejoin=off"


class PgToolsError(RuntimeError):
    """The client tools are missing, unreadable or of another major version than the server.

    The message says what to set (DYSA_PG_BIN_DIR); it never holds a secret.
    """


@dataclass(frozen=True)
class PgTools:
    pg_dump: str
    pg_restore: str
    psql: str
    version: str  # e.g. "18.6"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def _find(tool: str, bin_dir: str) -> str:
    if bin_dir:
        candidate = Path(bin_dir) / tool
        if not candidate.is_file():
            raise PgToolsError(f"{tool} not found in DYSA_PG_BIN_DIR={bin_dir}")
        return str(candidate)
    found = shutil.which(tool)
    if found is None:
        raise PgToolsError(
            f"{tool} not found on PATH: set DYSA_PG_BIN_DIR to the bin folder of a PostgreSQL "
            "client matching the server's major version"
        )
    return found


def _tool_version(path: str) -> str:
    try:
        output = subprocess.run(
            [path, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PgToolsError(f"cannot run {path} --version: {exc}") from exc
    match = _VERSION.search(output)
    if match is None:
        raise PgToolsError(f"cannot read the version of {path}: {output.strip()!r}")
    return f"{match.group(1)}.{match.group(2) or 0}"


@cache
def _tools_in(bin_dir: str) -> PgTools:
    paths = {tool: _find(tool, bin_dir) for tool in TOOLS}
    versions = {tool: _tool_version(path) for tool, path in paths.items()}
    majors = {version.split(".")[0] for version in versions.values()}
    if len(majors) != 1:
        raise PgToolsError(f"pg_dump, pg_restore and psql versions differ: {versions}")
    return PgTools(version=versions["pg_dump"], **paths)


def pg_tools(*, server_version_num: int | None = None) -> PgTools:
    """The client binaries, checked against the server (`server_version_num`, e.g. 180006;
    by default the version of the server behind Django's default connection)."""
    tools = _tools_in(settings.DYSA_PG_BIN_DIR)
    if server_version_num is None:
        server_version_num = django_server_version_num()
    server_major = server_version_num // 10000
    if tools.major != server_major:
        raise PgToolsError(
            f"pg_dump {tools.version} ({tools.pg_dump}) cannot safely dump or restore a "
            f"PostgreSQL {server_major} server: set DYSA_PG_BIN_DIR to the bin folder of "
            f"PostgreSQL {server_major} client tools"
        )
    return tools


# --- connections ----------------------------------------------------------------------------


def _libpq_params() -> dict[str, str]:
    """libpq connection parameters of Django's default database (empty ones left out).

    The live connection's settings: under pytest its NAME is the test database.
    """
    db = dict(connections["default"].settings_dict)
    options = db.get("OPTIONS") or {}
    params = {
        "dbname": db["NAME"],
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "sslmode": options.get("sslmode"),
        "sslrootcert": options.get("sslrootcert"),
        "application_name": APPLICATION_NAME,
        "connect_timeout": 10,
    }
    return {key: str(value) for key, value in params.items() if value}


_LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def libpq_env() -> dict[str, str]:
    """Environment for pg_dump/pg_restore/psql: the password travels here, never on a
    command line (where `ps` would show it)."""
    return {_LIBPQ_ENV[key]: value for key, value in _libpq_params().items()}


def pg_dump_env() -> dict[str, str]:
    """libpq_env() plus the planner setting that keeps pg_dump fast on a large catalogue."""
    return {**libpq_env(), "PGOPTIONS": PG_DUMP_OPTIONS}


def connect(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection of its own (outside Django's), for snapshots and DDL around restores."""
    return psycopg.connect(make_conninfo("", **_libpq_params()), autocommit=autocommit)


def server_version_num(conn: psycopg.Connection[Any]) -> int:
    return int(conn.info.server_version)


def django_server_version_num() -> int:
    connection = connections["default"]
    connection.ensure_connection()
    return server_version_num(connection.connection)
