"""Usage metering: what each restaurant used per UTC day, counted from its schema.

One query counts a batch of restaurants (a UNION ALL over their schemas, grouped by day), and
one upsert stores the batch: re-counting a day replaces its row, so a re-run, a retry or a
backfill never counts twice. The nightly run fans out from one dispatcher task to one task per
batch (`DYSA_BILLING_METER_BATCH` restaurants each).

The counted tables are named through Django's app registry (their models belong to the
restaurant apps; billing reads their rows, never writes them): conversations and messages
(per channel and direction), orders, reservations, and language-model tokens (from the model
call records, kept DYSA_MODEL_CALL_RETENTION_DAYS, which bounds how far back a backfill of
tokens can go).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone

from shared_apps.billing.models import UsageDay
from tenants.models import Restaurant

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class DayCounts:
    conversations: int = 0
    orders: int = 0
    reservations: int = 0
    model_tokens: int = 0
    messages: dict[str, dict[str, int]] = field(default_factory=dict)


def _table(label: str) -> str:
    return str(apps.get_model(label)._meta.db_table)


def _schema_counts_sql(restaurant_id: int, schema: str) -> str:
    """The counts of one schema, grouped by day: (restaurant, metric, day, channel, dir, n)."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"unexpected schema name {schema!r}")
    rid = int(restaurant_id)
    day = "(created AT TIME ZONE 'UTC')::date"
    where = "created >= %(start)s AND created < %(end)s"

    # Only checked schema names, integer ids and model table names reach the SQL text;
    # the time bounds are parameters.
    def simple(metric: str, label: str, value: str = "count(*)") -> str:
        return (
            f"SELECT {rid}, '{metric}', {day}, '', '', {value} "  # noqa: S608
            f'FROM "{schema}"."{_table(label)}" WHERE {where} GROUP BY 3'
        )

    return " UNION ALL ".join(
        [
            simple("conversations", "conversations.Conversation"),
            f"SELECT {rid}, 'messages', {day}, channel, direction, count(*) "  # noqa: S608
            f'FROM "{schema}"."{_table("conversations.Message")}" WHERE {where} '
            "GROUP BY 3, 4, 5",
            simple("orders", "orders.Order"),
            simple("reservations", "reservations.Reservation"),
            simple(
                "model_tokens",
                "assistant.ModelCall",
                "coalesce(sum(prompt_tokens::bigint + completion_tokens), 0)",
            ),
        ]
    )


def _existing_schemas(schemas: Iterable[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(schemas)])
        return {row[0] for row in cursor.fetchall()}


def usage_count(
    *, restaurants: Sequence[tuple[int, str]], start: date, end: date
) -> dict[tuple[int, date], DayCounts]:
    """Counts per (restaurant id, day) for days in [start, end), in one query; days with no
    activity are absent."""
    present = _existing_schemas(schema for _, schema in restaurants)
    parts = [_schema_counts_sql(rid, schema) for rid, schema in restaurants if schema in present]
    counts: dict[tuple[int, date], DayCounts] = defaultdict(DayCounts)
    if not parts:
        return counts
    bounds = {
        "start": datetime.combine(start, time.min, tzinfo=UTC),
        "end": datetime.combine(end, time.min, tzinfo=UTC),
    }
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), bounds)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    for rid, metric, day, channel, direction, value in rows:
        entry = counts[(rid, day)]
        if metric == "messages":
            entry.messages.setdefault(channel, {"in": 0, "out": 0})[direction] = int(value)
        else:
            setattr(entry, metric, int(value))
    return counts


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def usage_meter(*, restaurant_ids: Sequence[int], start: date, end: date) -> int:
    """Count and store the usage of these restaurants for each day in [start, end).

    Every day of the range gets its row (zeros included), replacing any earlier count.
    Returns the number of rows written.
    """
    restaurants = list(
        Restaurant.objects.filter(pk__in=restaurant_ids)
        .exclude(status=Restaurant.Status.DELETED)
        .values_list("pk", "schema_name")
    )
    if not restaurants or end <= start:
        return 0
    counts = usage_count(restaurants=restaurants, start=start, end=end)
    now = timezone.now()
    rows = []
    for rid, _schema in restaurants:
        for day in _days(start, end):
            found = counts.get((rid, day), DayCounts())
            rows.append(
                UsageDay(
                    restaurant_id=rid,
                    day=day,
                    conversations=found.conversations,
                    orders=found.orders,
                    reservations=found.reservations,
                    model_tokens=found.model_tokens,
                    messages=found.messages,
                    counted_at=now,
                )
            )
    UsageDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["restaurant", "day"],
        update_fields=[
            "conversations",
            "orders",
            "reservations",
            "model_tokens",
            "messages",
            "counted_at",
        ],
        batch_size=2000,
    )
    return len(rows)


def meterable_restaurant_ids() -> list[int]:
    """Restaurants the nightly run counts (soft-deleted ones are left to the purge)."""
    return list(
        Restaurant.objects.exclude(schema_name="public")
        .exclude(status=Restaurant.Status.DELETED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), max(size, 1))]
