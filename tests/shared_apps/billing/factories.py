"""Billing objects other apps' tests need (the isolation test's invoice of tenant A)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared_apps.billing.models import Invoice, Subscription
from shared_apps.billing.subscriptions import plan_get, subscription_renew
from shared_apps.billing.terms import PlanTerms, add_months
from tenants.models import Restaurant


def issued_invoice(restaurant: Restaurant) -> Invoice:
    """An open invoice of `restaurant` for a finished period on the starter plan."""
    plan = plan_get(code="starter")
    start = datetime(2025, 6, 1, tzinfo=UTC)
    Subscription.objects.filter(restaurant=restaurant).delete()
    subscription = Subscription.objects.create(
        restaurant=restaurant,
        plan=plan,
        terms=PlanTerms.of(plan).to_json(),
        status=Subscription.Status.ACTIVE,
        current_period_start=start,
        current_period_end=add_months(start),
    )
    invoice = subscription_renew(subscription=subscription, now=add_months(start))
    assert invoice is not None
    return invoice
