from __future__ import annotations

from datetime import date, timedelta

from core.db import use_public_schema, use_tenant
from shared_apps.billing.metering import usage_meter
from shared_apps.billing.models import UsageDay
from shared_apps.billing.selectors import usage_totals
from tests.shared_apps.billing.activity import conversations_on, order_on, reservation_on
from tests.tenants.factories import TenantHandle

DAY = date(2026, 3, 10)


def _activity(tenant: TenantHandle) -> None:
    use_tenant(tenant.restaurant)
    conversations_on(DAY, count=2, tokens=1000)
    conversations_on(DAY, count=1, channel="whatsapp")
    conversations_on(DAY + timedelta(days=1), count=1)
    order_on(DAY)
    reservation_on(DAY)
    use_public_schema()


def test_a_day_is_counted_from_the_restaurant_schema(tenant_a: TenantHandle, db: None) -> None:
    _activity(tenant_a)

    written = usage_meter(restaurant_ids=[tenant_a.restaurant.pk], start=DAY, end=DAY)
    usage_meter(restaurant_ids=[tenant_a.restaurant.pk], start=DAY, end=DAY + timedelta(days=1))

    assert written == 0
    row = UsageDay.objects.get(restaurant=tenant_a.restaurant, day=DAY)
    assert (row.conversations, row.orders, row.reservations) == (3, 1, 1)
    assert row.model_tokens == 2000
    assert row.messages == {"web": {"in": 2, "out": 4}, "whatsapp": {"in": 1, "out": 2}}


def test_counting_a_day_again_replaces_it_and_never_double_counts(
    tenant_a: TenantHandle, db: None
) -> None:
    _activity(tenant_a)
    ids = [tenant_a.restaurant.pk]

    usage_meter(restaurant_ids=ids, start=DAY, end=DAY + timedelta(days=1))
    usage_meter(restaurant_ids=ids, start=DAY, end=DAY + timedelta(days=1))
    use_tenant(tenant_a.restaurant)
    conversations_on(DAY, count=1)
    use_public_schema()
    usage_meter(restaurant_ids=ids, start=DAY, end=DAY + timedelta(days=1))

    rows = UsageDay.objects.filter(restaurant=tenant_a.restaurant, day=DAY)
    assert [row.conversations for row in rows] == [4]


def test_a_backfill_counts_every_past_day_and_stores_days_without_activity(
    tenant_a: TenantHandle, tenant_b: TenantHandle, db: None
) -> None:
    _activity(tenant_a)
    use_tenant(tenant_b.restaurant)
    conversations_on(DAY + timedelta(days=2), count=5)
    use_public_schema()
    start, end = DAY - timedelta(days=1), DAY + timedelta(days=4)

    written = usage_meter(
        restaurant_ids=[tenant_a.restaurant.pk, tenant_b.restaurant.pk], start=start, end=end
    )

    assert written == 2 * 5
    a = usage_totals(restaurant_id=tenant_a.restaurant.pk, start=start, end=end)
    b = usage_totals(restaurant_id=tenant_b.restaurant.pk, start=start, end=end)
    assert (a.conversations, a.orders, a.reservations, a.model_tokens) == (4, 1, 1, 2000)
    assert a.messages["web"] == {"in": 3, "out": 6}
    assert (b.conversations, b.orders) == (5, 0)
    quiet = UsageDay.objects.get(restaurant=tenant_a.restaurant, day=start)
    assert (quiet.conversations, quiet.messages) == (0, {})
