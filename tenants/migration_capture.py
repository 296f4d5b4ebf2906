"""Migrating one schema inside one transaction, optionally capturing the statements it ran.

What the migration executor (tenants/schema_migrations.py) runs in each worker, and what the
template schema (tenants/schema_template.py) records to extend its script: a schema in the
same migration state would run the same statements.
"""

from __future__ import annotations

import re
import time
import traceback
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from core.db import tenant_connection, use_public_schema

# Reads need no replay (Django's introspection lists the whole catalog: ~100 ms per query with
# 1,000 schemas); sequence calls are not reads.
_SKIPPED = re.compile(
    r"^\s*(SET\s+search_path|SHOW\b|SELECT\b(?!.*\b(setval|nextval)\b))", re.I | re.S
)


def migrate_one(schema_name: str) -> tuple[str, bool, str, float]:
    """Migrate one schema inside one transaction (runs in a worker process)."""
    from django.core.management.commands.migrate import Command as DjangoMigrate

    started = time.perf_counter()
    try:
        with transaction.atomic():
            # The migration table must exist in the schema itself first; otherwise the
            # search_path would find public's and the schema would look fully migrated.
            tenant_connection().set_schema(schema_name, include_public=False)
            MigrationRecorder(connection).ensure_schema()
            tenant_connection().set_schema(schema_name)
            call_command(
                DjangoMigrate(),
                interactive=False,
                verbosity=0,
                skip_checks=True,
                stdout=_Silent(),
                stderr=_Silent(),
            )
    except Exception as error:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return schema_name, False, detail[:2000], time.perf_counter() - started
    finally:
        use_public_schema()
    return schema_name, True, "", time.perf_counter() - started


class _Silent:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


def migrate_one_capturing(
    schema_name: str,
) -> tuple[tuple[str, bool, str, float], list[tuple[str, Any, bool]]]:
    """Migrate one schema (one transaction) and return the statements it ran, reads left out:
    what another schema in the same state would have to run (replay, template script)."""
    statements: list[tuple[str, Any, bool]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = migrate_one(schema_name)
    return result, [s for s in statements if not _SKIPPED.match(s[0])]


def replay_problem(statements: list[tuple[str, Any, bool]], *, schema_name: str) -> str:
    """Why captured statements cannot be replayed in another schema ("" if they can)."""
    text = repr(statements)
    if schema_name in text:
        return "a captured statement names the schema"
    if "ROLLBACK TO SAVEPOINT" in text.upper():
        return "a savepoint was rolled back"
    return ""
