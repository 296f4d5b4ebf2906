"""pg_dump/pg_restore/psql: found in DYSA_PG_BIN_DIR, of the server's major version, or a clear
error; the template schema falls back (onboarding by migrating) when they do not fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tenants import pgtools, schema_template


def fake_pg_bin(folder: Path, version: str) -> str:
    """A bin folder whose tools only answer `--version`."""
    folder.mkdir()
    for tool in pgtools.TOOLS:
        path = folder / tool
        path.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) {version}'\n")
        path.chmod(0o755)
    return str(folder)


def test_client_major_version_must_match_the_server(tmp_path: Path, settings: Any) -> None:
    settings.DYSA_PG_BIN_DIR = fake_pg_bin(tmp_path / "pg17", "17.4")

    with pytest.raises(pgtools.PgToolsError, match=r"pg_dump 17\.4 .* PostgreSQL 18 server"):
        pgtools.pg_tools(server_version_num=180006)
    assert pgtools.pg_tools(server_version_num=170002).version == "17.4"


def test_missing_binaries_are_a_clear_error(tmp_path: Path, settings: Any) -> None:
    settings.DYSA_PG_BIN_DIR = str(tmp_path)

    with pytest.raises(pgtools.PgToolsError, match="pg_dump not found in DYSA_PG_BIN_DIR"):
        pgtools.pg_tools(server_version_num=180006)


def test_embedded_binaries_match_the_embedded_server(db: None) -> None:
    with pgtools.connect(autocommit=True) as conn:
        version = pgtools.server_version_num(conn)

    assert pgtools.pg_tools(server_version_num=version).major == 18
    assert pgtools.django_server_version_num() == version


def test_tools_connect_through_the_environment_not_the_command_line(db: None) -> None:
    env = pgtools.pg_dump_env()

    assert env["PGDATABASE"].startswith("test_")
    assert env["PGOPTIONS"] == pgtools.PG_DUMP_OPTIONS


def test_the_template_is_not_built_with_a_mismatched_pg_dump(
    tmp_path: Path, settings: Any, db: None
) -> None:
    settings.DYSA_PG_BIN_DIR = fake_pg_bin(tmp_path / "pg17", "17.4")

    with pytest.raises(schema_template.TemplateUnavailableError, match="PostgreSQL 18 server"):
        schema_template.template_build()
