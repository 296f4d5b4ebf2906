"""Schema-level SQL: the one place that writes statements about whole schemas.

Identifiers are quoted here, never by callers.
"""

from __future__ import annotations

from django.db import connection

DIGEST_BATCH = 250


def migration_digests(schema_names: list[str]) -> dict[str, str]:
    """md5 of each schema's sorted migration records, computed in the database."""
    found: dict[str, str] = {}
    for start in range(0, len(schema_names), DIGEST_BATCH):
        batch = schema_names[start : start + DIGEST_BATCH]
        query = " UNION ALL ".join(
            f"SELECT %s, md5(coalesce(string_agg(app || '.' || name, ',' "  # noqa: S608
            f'ORDER BY app COLLATE "C", name COLLATE "C"), \'\')) FROM "{name}".django_migrations'
            for name in batch
        )
        with connection.cursor() as cursor:
            cursor.execute(query, batch)
            found.update({row[0]: row[1] for row in cursor.fetchall()})
    return found
