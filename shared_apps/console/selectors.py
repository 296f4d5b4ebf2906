"""Reads for the console pages: the restaurants table, one restaurant's overview, platform
health, and read-only records of one restaurant for support."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from core.i18n import localized
from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.selectors import backup_list
from shared_apps.billing.models import Subscription, UsageDay
from shared_apps.health.selectors import CheckResult, readiness
from tenants.models import Restaurant, SchemaMigrationFailure, TenantSecret
from tenants.selectors import restaurant_list, restaurant_primary_url

PAGE_SIZE = 50


@dataclass(frozen=True)
class MonthUsage:
    conversations: int = 0
    orders: int = 0
    reservations: int = 0


@dataclass(frozen=True)
class RestaurantRow:
    restaurant: Restaurant
    last_backup: BackupRecord | None
    migration_error: str
    plan: str = ""
    subscription_status: str = ""
    usage: MonthUsage = field(default_factory=MonthUsage)


def _month_start() -> date:
    return timezone.localdate().replace(day=1)


def _billing_of(ids: list[int]) -> tuple[dict[int, Subscription], dict[int, MonthUsage]]:
    """Each restaurant's subscription and metered usage this month (billing's tables)."""
    subscriptions = {
        s.restaurant_id: s
        for s in Subscription.objects.filter(restaurant_id__in=ids).select_related("plan")
    }
    usage = {
        row["restaurant_id"]: MonthUsage(
            int(row["conversations"] or 0), int(row["orders"] or 0), int(row["reservations"] or 0)
        )
        for row in UsageDay.objects.filter(restaurant_id__in=ids, day__gte=_month_start())
        .values("restaurant_id")
        .annotate(
            conversations=Sum("conversations"), orders=Sum("orders"),
            reservations=Sum("reservations"),
        )
    }  # fmt: skip
    return subscriptions, usage


def restaurant_rows(*, search: str = "", status: str = "", page: int = 1) -> Page[RestaurantRow]:
    restaurants = restaurant_list(status=status or None, search=search).order_by("-created")
    paginated = Paginator(restaurants, PAGE_SIZE).get_page(page)
    schemas = [r.schema_name for r in paginated.object_list]
    latest: dict[str, BackupRecord] = {}
    for record in (
        BackupRecord.objects.filter(schema_name__in=schemas, status=BackupRecord.Status.SUCCEEDED)
        .order_by("schema_name", "-created_at")
        .distinct("schema_name")
    ):
        latest[record.schema_name] = record
    failures = dict(
        SchemaMigrationFailure.objects.filter(schema_name__in=schemas).values_list(
            "schema_name", "error"
        )
    )
    subscriptions, usage = _billing_of([r.pk for r in paginated.object_list])
    rows = []
    for r in paginated.object_list:
        subscription = subscriptions.get(r.pk)
        rows.append(
            RestaurantRow(
                r, latest.get(r.schema_name), failures.get(r.schema_name, ""),
                plan=subscription.plan.code if subscription else r.plan,
                subscription_status=subscription.status if subscription else "",
                usage=usage.get(r.pk, MonthUsage()),
            )
        )  # fmt: skip
    return Page(rows, paginated.number, paginated.paginator)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SecretMeta:
    kind: str
    version: int
    created: datetime
    retired_at: datetime | None


@dataclass
class RestaurantOverview:
    restaurant: Restaurant
    url: str
    domains: list[str]
    owners: list[str]
    secrets: list[SecretMeta]
    backups: list[BackupRecord]
    migration_error: str
    subscription: Subscription | None = None
    usage: MonthUsage = field(default_factory=MonthUsage)


def restaurant_overview(*, restaurant: Restaurant) -> RestaurantOverview:
    owners: list[str] = []
    if restaurant.status != Restaurant.Status.DELETED:
        from tenant_apps.staff.selectors import staff_list

        with schema_context(restaurant.schema_name):
            owners = list(staff_list(role="owner").values_list("email", flat=True))
    secrets = [
        SecretMeta(s.kind, s.version, s.created, s.retired_at)
        for s in TenantSecret.objects.filter(schema_name=restaurant.schema_name).order_by(
            "kind", "-version"
        )
    ]
    failure = SchemaMigrationFailure.objects.filter(schema_name=restaurant.schema_name).first()
    subscriptions, usage = _billing_of([restaurant.pk])
    return RestaurantOverview(
        restaurant=restaurant,
        url=restaurant_primary_url(restaurant),
        domains=sorted(d.domain for d in restaurant.domains.all()),
        owners=owners,
        secrets=secrets,
        backups=backup_list(schema_name=restaurant.schema_name, limit=10),
        migration_error=failure.error[:300] if failure else "",
        subscription=subscriptions.get(restaurant.pk),
        usage=usage.get(restaurant.pk, MonthUsage()),
    )


@dataclass(frozen=True)
class PlatformHealth:
    checks: list[CheckResult]
    queue_depth: int | None
    migration_failures: list[SchemaMigrationFailure]
    last_backup_run: BackupRun | None
    restaurants: dict[str, int]


def _celery_queue_depth() -> int | None:
    """Messages waiting in the default Celery queue (a Redis list), None if unknown."""
    try:
        # The current app is config's (created at start-up); config is not imported here.
        from celery import current_app

        with current_app.connection_for_read() as conn:
            channel: Any = conn.default_channel  # kombu's Redis channel carries its client
            return int(channel.client.llen("celery"))
    except Exception:
        return None


def platform_health() -> PlatformHealth:
    counts = {
        status: Restaurant.objects.exclude(schema_name="public").filter(status=status).count()
        for status in Restaurant.Status.values
    }
    return PlatformHealth(
        checks=readiness(),
        queue_depth=_celery_queue_depth(),
        migration_failures=list(SchemaMigrationFailure.objects.order_by("-failed_at")[:20]),
        last_backup_run=BackupRun.objects.order_by("-started_at").first(),
        restaurants=counts,
    )


# --- support: one record of one restaurant, read-only ---------------------------------------


@dataclass(frozen=True)
class RecordView:
    title: str
    fields: list[tuple[str, str]]
    lines: list[tuple[str, str]]


def _customer(record_id: int) -> RecordView | None:
    from tenant_apps.customers.selectors import customer_get_uncached

    c = customer_get_uncached(customer_id=record_id)
    if c is None:
        return None
    return RecordView(
        title=c.name or "(no name)",
        fields=[("Phone", c.phone), ("Email", c.email), ("Language", c.language),
                ("Created", f"{c.created:%Y-%m-%d %H:%M}")],
        lines=[],
    )  # fmt: skip


def _order(record_id: int) -> RecordView | None:
    from tenant_apps.orders.selectors import order_get

    o = order_get(order_id=record_id)
    if o is None:
        return None
    return RecordView(
        title=f"Order #{o.number}",
        fields=[("Status", o.status), ("Type", o.order_type), ("Channel", o.channel),
                ("Total", f"{o.total} {o.currency}"), ("Created", f"{o.created:%Y-%m-%d %H:%M}"),
                ("Customer", o.customer.name if o.customer else "")],
        lines=[(f"{line.quantity} x", localized(line.name, "en")) for line in o.lines.all()],
    )  # fmt: skip


def _reservation(record_id: int) -> RecordView | None:
    from tenant_apps.reservations.selectors import reservation_get

    r = reservation_get(reservation_id=record_id)
    if r is None:
        return None
    return RecordView(
        title=f"Reservation {r.starts_at:%Y-%m-%d %H:%M} UTC",
        fields=[("Status", r.status), ("Party", str(r.party_size)), ("Channel", r.channel),
                ("Customer", r.customer.name), ("Table", str(r.table or ""))],
        lines=[],
    )  # fmt: skip


def _conversation(record_id: int) -> RecordView | None:
    from tenant_apps.conversations.selectors import conversation_get, message_list

    v = conversation_get(conversation_id=record_id)
    if v is None:
        return None
    messages = list(message_list(conversation=v))[-100:]
    return RecordView(
        title=f"Conversation {v.pk} ({v.channel})",
        fields=[("Status", v.status), ("Language", v.language),
                ("Started", f"{v.created:%Y-%m-%d %H:%M}")],
        lines=[(f"{m.created:%m-%d %H:%M} {m.sender}", m.text) for m in messages],
    )  # fmt: skip


_READERS = {
    "customer": _customer,
    "order": _order,
    "reservation": _reservation,
    "conversation": _conversation,
}


def support_record(*, restaurant: Restaurant, kind: str, record_id: int) -> RecordView | None:
    """One record read inside its own restaurant's schema; None if there is no such record."""
    reader = _READERS.get(kind)
    if reader is None or restaurant.status == Restaurant.Status.DELETED:
        return None
    with schema_context(restaurant.schema_name):
        return reader(record_id)
