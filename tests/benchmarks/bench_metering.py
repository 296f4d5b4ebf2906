"""Nightly usage metering over a fleet of restaurants (1,000 by default).

Measured: the nightly run's work, one batch of DYSA_BILLING_METER_BATCH restaurants per task
(one UNION ALL query over their schemas and one upsert per batch), back to back in one process;
then the real thing: `usage_meter_nightly` queued to a Celery worker process (2 processes, its
own Redis database as broker), timed from queueing the fan-out until every restaurant's row
is stored. Baseline, in the same run: the naive loop, switching to each schema in turn and
counting each table with the ORM, then saving each restaurant's row. All must store the same
counts.

Target: under 2 minutes for 1,000 restaurants.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from tests.benchmarks.fleet import ensure_fleet
from tests.benchmarks.harness import (
    BenchContext,
    celery_worker,
    prepare_bench_database,
    target,
)

DAY = date(2026, 1, 15)
CONVERSATIONS_PER_RESTAURANT = 4
MESSAGES_PER_CONVERSATION = 6


def _seed_activity(slugs: list[str]) -> None:
    """A day of activity in each schema (kept between runs; seeded once)."""
    from django_tenants.utils import schema_context

    from tenant_apps.conversations.models import Conversation, Message
    from tenants.models import Restaurant

    at = datetime.combine(DAY, clock(13), tzinfo=UTC)
    schemas = Restaurant.objects.filter(slug__in=slugs).values_list("schema_name", flat=True)
    for index, schema in enumerate(schemas):
        with schema_context(schema):
            if Conversation.objects.filter(created__date=DAY).exists():
                continue
            conversations = Conversation.objects.bulk_create(
                Conversation(channel="web" if n % 2 else "whatsapp", language="es")
                for n in range(CONVERSATIONS_PER_RESTAURANT)
            )
            Message.objects.bulk_create(
                Message(
                    conversation=conversation,
                    channel=conversation.channel,
                    direction="in" if m % 2 else "out",
                    sender="customer" if m % 2 else "bot",
                    text="hola",
                )
                for conversation in conversations
                for m in range(MESSAGES_PER_CONVERSATION)
            )
            Conversation.objects.update(created=at)
            Message.objects.update(created=at)
        if index % 200 == 199:
            print(f"  seeded {index + 1} schemas", flush=True)  # noqa: T201


def _nightly(restaurant_ids: list[int]) -> None:
    from django.conf import settings

    from shared_apps.billing.metering import batches, usage_meter

    for group in batches(restaurant_ids, settings.DYSA_BILLING_METER_BATCH):
        usage_meter(restaurant_ids=group, start=DAY, end=DAY + timedelta(days=1))


def _naive(restaurants: list[Any]) -> None:
    """One schema after another, one ORM query per table (the baseline)."""
    from django.db.models import Count, Sum
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared_apps.billing.models import UsageDay
    from tenant_apps.assistant.models import ModelCall
    from tenant_apps.conversations.models import Conversation, Message
    from tenant_apps.orders.models import Order
    from tenant_apps.reservations.models import Reservation

    start = datetime.combine(DAY, clock.min, tzinfo=UTC)
    window = {"created__gte": start, "created__lt": start + timedelta(days=1)}
    for restaurant in restaurants:
        with schema_context(restaurant.schema_name):
            messages: dict[str, dict[str, int]] = {}
            rows = Message.objects.filter(**window).values("channel", "direction")
            for row in rows.annotate(n=Count("id")):
                messages.setdefault(row["channel"], {"in": 0, "out": 0})[row["direction"]] = row[
                    "n"
                ]
            tokens = ModelCall.objects.filter(**window).aggregate(
                t=Sum("prompt_tokens") + Sum("completion_tokens")
            )["t"]
            values = {
                "conversations": Conversation.objects.filter(**window).count(),
                "orders": Order.objects.filter(**window).count(),
                "reservations": Reservation.objects.filter(**window).count(),
                "model_tokens": tokens or 0,
                "messages": messages,
                "counted_at": timezone.now(),
            }
        UsageDay.objects.update_or_create(restaurant=restaurant, day=DAY, defaults=values)


def _through_celery(ids: list[int], *, timeout: float = 600.0) -> float:
    """Queue the nightly fan-out to a real worker; seconds until every row is stored."""
    from django.conf import settings

    from config.celery_app import app
    from shared_apps.billing.models import UsageDay

    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/6"
    worker = celery_worker(
        broker=broker,
        log_name="metering-worker.log",
        options=["--concurrency", "2", "--queues", "interactive,batch"],
    )
    configured = app.conf.broker_url
    try:
        app.conf.broker_url = broker
        time.sleep(3)  # the worker's start-up is not part of the nightly run
        started = time.perf_counter()
        app.send_task(
            "shared_apps.billing.tasks.usage_meter_nightly",
            kwargs={"day": DAY.isoformat()},
            headers={"_schema_name": "public"},
        )
        while UsageDay.objects.filter(day=DAY, restaurant_id__in=ids).count() < len(ids):
            if time.perf_counter() - started > timeout or worker.poll() is not None:
                raise RuntimeError("the Celery fan-out did not store every restaurant's row")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        app.conf.broker_url = configured
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def _stored(ids: list[int]) -> list[tuple[Any, ...]]:
    from shared_apps.billing.models import UsageDay

    return list(
        UsageDay.objects.filter(day=DAY, restaurant_id__in=ids)
        .order_by("restaurant_id")
        .values_list("restaurant_id", "conversations", "orders", "model_tokens", "messages")
    )


def run(ctx: BenchContext) -> dict[str, object]:
    from shared_apps.billing.models import UsageDay
    from tenants.models import Restaurant

    logging.getLogger("audit").setLevel(logging.WARNING)
    prepare_bench_database()
    count = ctx.size(ctx.tenants, 50)
    slugs = ensure_fleet(count)
    _seed_activity(slugs)
    restaurants = list(Restaurant.objects.filter(slug__in=slugs).order_by("pk"))
    ids = [restaurant.pk for restaurant in restaurants]

    UsageDay.objects.filter(day=DAY).delete()
    started = time.perf_counter()
    _naive(restaurants)
    baseline_s = time.perf_counter() - started
    expected = _stored(ids)

    UsageDay.objects.filter(day=DAY).delete()
    started = time.perf_counter()
    _nightly(ids)
    nightly_s = time.perf_counter() - started
    first = _stored(ids)
    started = time.perf_counter()
    _nightly(ids)  # the same night again: replaces, never adds
    rerun_s = time.perf_counter() - started
    if first != expected or _stored(ids) != expected:
        raise RuntimeError("the batched metering and the naive loop stored different counts")
    UsageDay.objects.filter(day=DAY).delete()
    celery_s = _through_celery(ids)
    if _stored(ids) != expected:
        raise RuntimeError("the Celery fan-out and the naive loop stored different counts")

    limit = 120.0 * count / 1000
    return {
        "restaurants": count,
        "nightly_s": round(nightly_s, 2),
        "nightly_rerun_s": round(rerun_s, 2),
        "nightly_through_celery_worker_s": round(celery_s, 2),
        "baseline_naive_loop_s": round(baseline_s, 2),
        "speedup_vs_baseline": round(baseline_s / nightly_s, 1),
        "targets": {
            f"nightly metering of {count} restaurants (scaled from 2 min per 1,000)": target(
                nightly_s, limit, unit="s"
            ),
            "the same through a Celery worker": target(celery_s, limit, unit="s"),
            "faster than the naive loop": target(
                baseline_s / nightly_s, 1.0, unit="x", higher_is_better=True
            ),
        },
    }
