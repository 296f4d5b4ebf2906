"""pg_dump / pg_restore / psql: finding them, checking versions, connection environment.

Binaries come from settings.DYSA_PG_BIN_DIR (local and test settings fill in the embedded
PostgreSQL's own bin folder), else from PATH. Their major version must equal the server's:
a newer pg_dump writes SQL an older server may reject, an older one refuses newer servers.
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

from shared_apps.backups.errors import BackupConfigError

TOOLS = ("pg_dump", "pg_restore", "psql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
APPLICATION_NAME = "dysa-backup"


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
            raise BackupConfigError(f"{tool} not found in DYSA_PG_BIN_DIR={bin_dir}")
        return str(candidate)
    found = shutil.which(tool)
    if found is None:
        raise BackupConfigError(
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
        raise BackupConfigError(f"cannot run {path} --version: {exc}") from exc
    match = _VERSION.search(output)
    if match is None:
        raise BackupConfigError(f"cannot read the version of {path}: {output.strip()!r}")
    return f"{match.group(1)}.{match.group(2) or 0}"


@cache
def _tools_in(bin_dir: str) -> PgTools:
    paths = {tool: _find(tool, bin_dir) for tool in TOOLS}
    versions = {tool: _tool_version(path) for tool, path in paths.items()}
    majors = {version.split(".")[0] for version in versions.values()}
    if len(majors) != 1:
        raise BackupConfigError(f"pg_dump, pg_restore and psql versions differ: {versions}")
    return PgTools(version=versions["pg_dump"], **paths)


def pg_tools(*, server_version_num: int) -> PgTools:
    """The client binaries, checked against the server (`server_version_num`, e.g. 180006)."""
    tools = _tools_in(settings.DYSA_PG_BIN_DIR)
    server_major = server_version_num // 10000
    if tools.major != server_major:
        raise BackupConfigError(
            f"pg_dump {tools.version} ({tools.pg_dump}) cannot back up and restore a PostgreSQL "
            f"{server_major} server safely: set DYSA_PG_BIN_DIR to the bin folder of PostgreSQL "
            f"{server_major} client tools"
        )
    return tools


# --- connections ----------------------------------------------------------------------------


def _settings_dict() -> dict[str, Any]:
    # The live connection's settings: under pytest its NAME is the test database.
    return dict(connections["default"].settings_dict)


def libpq_env() -> dict[str, str]:
    """Environment for pg_dump/psql: the password travels here, never on a command line."""
    db = _settings_dict()
    env = {
        "PGDATABASE": str(db["NAME"]),
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGAPPNAME": APPLICATION_NAME,
        "PGCONNECT_TIMEOUT": "10",
    }
    options = db.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            env[variable] = str(options[option])
    return {key: value for key, value in env.items() if value}


def connect(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection of its own (outside Django's), for snapshots and DDL around restores."""
    db = _settings_dict()
    params: dict[str, Any] = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "application_name": APPLICATION_NAME,
        "connect_timeout": 10,
    }
    options = db.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert"):
        if options.get(option):
            params[option] = options[option]
    return psycopg.connect(
        autocommit=autocommit, **{key: value for key, value in params.items() if value is not None}
    )


def server_version_num(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0])


def schema_exists(conn: psycopg.Connection[Any], schema_name: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name]).fetchone()
    return row is not None
