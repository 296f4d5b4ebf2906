"""The billing audit trail: every change of a subscription or invoice, with who made it."""

from __future__ import annotations

import logging
from typing import Any

from shared_apps.billing.models import BillingEvent
from tenants.models import Restaurant

audit = logging.getLogger("audit")

SYSTEM = "system"
STRIPE = "stripe"


def operator_actor(email: str) -> str:
    return f"operator:{email}"


def billing_event_record(
    *, restaurant: Restaurant, action: str, actor: str, **detail: Any
) -> BillingEvent:
    """Record one billing change (call inside the change's transaction)."""
    event = BillingEvent.objects.create(
        restaurant=restaurant,
        restaurant_slug=restaurant.slug,
        action=action,
        actor=actor,
        detail=detail,
    )
    audit.info(
        "billing %s", action, extra={"slug": restaurant.slug, "actor": actor, "detail": detail}
    )
    return event
