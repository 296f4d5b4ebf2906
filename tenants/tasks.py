"""Registry upkeep in the background: refill spare schemas, purge expired soft deletes."""

from __future__ import annotations

from celery import shared_task

from core.db import use_public_schema


@shared_task(name="tenants.tasks.spare_schemas_fill_task", ignore_result=True)
def spare_schemas_fill_task() -> int:
    """Idempotent: fills the pool up to DYSA_SPARE_SCHEMAS, or does nothing if full/busy."""
    from tenants.schema_template import spare_schemas_fill

    use_public_schema()
    return spare_schemas_fill()


@shared_task(name="tenants.tasks.restaurants_purge_due_task", ignore_result=True)
def restaurants_purge_due_task() -> list[str]:
    """Drop the schemas of restaurants deleted more than their grace period ago."""
    from tenants.services import restaurants_purge_due

    use_public_schema()
    return restaurants_purge_due()
