"""Invoice numbers stay gapless and unique when many invoices are generated at once, on real
threads with their own database connections, some of them rolling back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, transaction

from shared_apps.billing.invoices import invoice_for_period
from shared_apps.billing.models import Invoice, Subscription
from shared_apps.billing.terms import PlanTerms, add_months
from tests.shared_apps.billing.conftest import subscribe
from tests.tenants.factories import TenantHandle

THREADS = 6
PER_THREAD = 5
START = datetime(2024, 1, 15, tzinfo=UTC)


class _RolledBackError(Exception):
    pass


def _generate(subscription_id: int, periods: list[int], failures: list[BaseException]) -> None:
    try:
        subscription = Subscription.objects.select_related("restaurant", "plan").get(
            pk=subscription_id
        )
        terms = PlanTerms.from_json(subscription.terms)
        for index in periods:
            start = add_months(START, index)
            try:
                with transaction.atomic():
                    invoice_for_period(
                        subscription=subscription,
                        period_start=start,
                        period_end=add_months(start),
                        terms=terms,
                    )
                    if index % 4 == 3:
                        raise _RolledBackError  # took a number, then gave it back
            except _RolledBackError:
                pass
    except BaseException as error:
        failures.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_numbers_invoices_without_gaps_or_repeats(
    tenant_a: TenantHandle, tenant_b: TenantHandle, plans: dict[str, Any]
) -> None:
    subscriptions = [
        subscribe(tenant_a.restaurant, plans["starter"]).pk,
        subscribe(tenant_b.restaurant, plans["pro"]).pk,
    ]
    failures: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_generate,
            args=(
                subscriptions[n % 2],
                [(n // 2) * PER_THREAD + k for k in range(PER_THREAD)],
                failures,
            ),
        )
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    invoices = list(Invoice.objects.exclude(number=None).values_list("series", "number"))
    kept = THREADS * PER_THREAD - sum(
        1 for n in range(THREADS) for k in range(PER_THREAD) if ((n // 2) * PER_THREAD + k) % 4 == 3
    )
    numbers = sorted(number for _series, number in invoices if number is not None)
    assert len({series for series, _ in invoices}) == 1
    assert len(numbers) == kept
    assert numbers == list(range(numbers[0], numbers[0] + kept))
