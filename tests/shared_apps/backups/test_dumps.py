from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared_apps.backups.dumps import SchemaRenamer, dump_batch, validate_schema_name
from shared_apps.backups.errors import BackupConfigError, RestoreError
from tests.tenants.test_pgtools import fake_pg_bin


def _rewrite(renamer: SchemaRenamer, text: str) -> str:
    return "".join(renamer.line(line.encode()).decode() for line in text.splitlines(True))


def test_renamer_moves_schema_qualified_names_and_leaves_data_alone() -> None:
    script = (
        "CREATE SCHEMA t_shop;\n"
        "CREATE TABLE t_shop.menu (id bigint DEFAULT nextval('t_shop.menu_id_seq'::regclass));\n"
        "COMMENT ON SCHEMA t_shop IS 'x';\n"
        "COPY t_shop.menu (id, note) FROM stdin;\n"
        "1\tt_shop.menu is mentioned in data\n"
        "2\tSCHEMA t_shop 't_shop'\n"
        "\\.\n"
        "SELECT pg_catalog.setval('t_shop.menu_id_seq', 2, true);\n"
        "SELECT pg_restore_relation_stats('schemaname', 't_shop', 'relname', 'menu');\n"
        "CREATE TABLE t_shop_other.x (t_shop_col int);\n"
    )

    out = _rewrite(SchemaRenamer("t_shop", "t_copy", keep=set()), script)

    assert out.splitlines() == [
        "CREATE SCHEMA t_copy;",
        "CREATE TABLE t_copy.menu (id bigint DEFAULT nextval('t_copy.menu_id_seq'::regclass));",
        "COMMENT ON SCHEMA t_copy IS 'x';",
        "COPY t_copy.menu (id, note) FROM stdin;",
        "1\tt_shop.menu is mentioned in data",
        "2\tSCHEMA t_shop 't_shop'",
        "\\.",
        "SELECT pg_catalog.setval('t_copy.menu_id_seq', 2, true);",
        "SELECT pg_restore_relation_stats('schemaname', 't_copy', 'relname', 'menu');",
        "CREATE TABLE t_shop_other.x (t_shop_col int);",
    ]


def test_renamer_keeps_extension_objects_in_their_schema() -> None:
    renamer = SchemaRenamer("public", "public_copy", keep={"unaccent", "gin_trgm_ops", "%"})

    out = _rewrite(
        renamer,
        "CREATE INDEX i ON public.names USING gin (public.unaccent(name) "
        "public.gin_trgm_ops) WHERE a OPERATOR(public.%) b AND c = public.x;\n",
    )

    assert out == (
        "CREATE INDEX i ON public_copy.names USING gin (public.unaccent(name) "
        "public.gin_trgm_ops) WHERE a OPERATOR(public.%) b AND c = public_copy.x;\n"
    )


@pytest.mark.parametrize("name", ["t_abc", "bk_verify_1_ab", "_x", "a" * 63])
def test_valid_schema_names(name: str) -> None:
    assert validate_schema_name(name) == name


@pytest.mark.parametrize("name", ["", "T_abc", "a-b", "pg_x", "a" * 64, "a;drop", '"q"'])
def test_invalid_schema_names(name: str) -> None:
    with pytest.raises(RestoreError, match="invalid schema name"):
        validate_schema_name(name)


def test_mismatched_client_tools_are_a_backup_config_error(
    tmp_path: Path, settings: Any, db: None
) -> None:
    settings.DYSA_PG_BIN_DIR = fake_pg_bin(tmp_path / "pg17", "17.4")

    with pytest.raises(BackupConfigError, match=r"pg_dump 17\.4 .* PostgreSQL 18 server"):
        dump_batch(schema_names=["public"], folder=tmp_path)
