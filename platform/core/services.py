"""Small helpers shared by every app's services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, fields: Iterable[str], data: Mapping[str, Any]) -> list[str]:
    """Set the allowed `fields` present in `data` on `instance`; validate and save the changes.

    Returns the names of the fields that changed (empty when nothing did, and then nothing is
    written). Keys of `data` outside `fields` are a validation error, never silently dropped.
    """
    allowed = set(fields)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    changed = [name for name in data if getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    if not changed:
        return []
    instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in changed])
    auto_now = [f.name for f in instance._meta.fields if getattr(f, "auto_now", False)]
    instance.save(update_fields=[*changed, *auto_now])
    return changed


def prefetched_rows_set(*, instance: models.Model, relation: str, rows: Iterable[Any]) -> None:
    """Make `instance.<relation>.all()` return `rows` without a query, as a prefetch would.

    For a service handing back what it has just written (an order and its lines): the caller
    serializes them without reading back from the database what is already in memory. `rows`
    must be exactly what a read would find, in the relation's default order; `relation` is
    a reverse foreign key's related_name.
    """
    queryset = getattr(instance, relation).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation] = queryset
