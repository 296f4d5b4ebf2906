"""Billing fixtures: the default plans, a subscription for tenant A, the fake Stripe server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from shared_apps.billing.default_plans import DEFAULT_PLANS
from shared_apps.billing.models import Plan, Subscription
from shared_apps.billing.terms import PlanTerms, add_months
from tenants.models import Restaurant
from tests.shared_apps.billing.fake_stripe import FakeStripe, start_fake_stripe
from tests.tenants.factories import TenantHandle

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def plans(db: None) -> dict[str, Plan]:
    """The built-in plans (a transactional test elsewhere may have emptied the table)."""
    found = {}
    for data in DEFAULT_PLANS:
        plan, _ = Plan.objects.get_or_create(code=data["code"], defaults=data)
        found[plan.code] = plan
    return found


def subscribe(
    restaurant: Restaurant,
    plan: Plan,
    *,
    status: str = Subscription.Status.ACTIVE,
    start: datetime | None = None,
    **fields: Any,
) -> Subscription:
    """Give `restaurant` a subscription (replacing any) in a period starting at `start`."""
    start = start or timezone.now() - timedelta(days=3)
    Subscription.objects.filter(restaurant=restaurant).delete()
    values: dict[str, Any] = {
        "plan": plan,
        "terms": PlanTerms.of(plan).to_json(),
        "status": status,
        "country": "ES",
        "billing_email": f"billing@{restaurant.slug}.example",
        "current_period_start": start,
        "current_period_end": add_months(start),
        **fields,
    }
    subscription: Subscription = Subscription.objects.create(restaurant=restaurant, **values)
    return subscription


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.DYSA_STRIPE_API_BASE = fake.url
    settings.DYSA_STRIPE_TIMEOUT = 2.0
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def tenant_a_restaurant(tenant_a: TenantHandle, db: None) -> Restaurant:
    return tenant_a.restaurant
