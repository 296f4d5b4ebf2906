"""Editing a plan's price and limits (operators). An edit applies from each subscription's
next period: subscriptions keep the terms they started their period with."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction

from shared_apps.billing.models import Plan

audit = logging.getLogger("audit")

EDITABLE_FIELDS = (
    "monthly_price",
    "trial_days",
    "staff_seats",
    "menu_items",
    "conversations_per_month",
    "whatsapp_allowed",
    "llm_allowed",
)


def plan_update(
    *,
    plan: Plan,
    actor: str,
    monthly_price: Decimal,
    trial_days: int,
    staff_seats: int | None,
    menu_items: int | None,
    conversations_per_month: int | None,
    whatsapp_allowed: bool,
    llm_allowed: bool,
) -> Plan:
    """Set a plan's price and limits (None = unlimited); validated by the model's rules."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = {name: str(getattr(locked, name)) for name in EDITABLE_FIELDS}
        locked.monthly_price = monthly_price
        locked.trial_days = trial_days
        locked.staff_seats = staff_seats
        locked.menu_items = menu_items
        locked.conversations_per_month = conversations_per_month
        locked.whatsapp_allowed = whatsapp_allowed
        locked.llm_allowed = llm_allowed
        locked.full_clean()
        locked.save()
    after = {name: str(getattr(locked, name)) for name in EDITABLE_FIELDS}
    changed = {name: after[name] for name in EDITABLE_FIELDS if before[name] != after[name]}
    audit.info(
        "billing plan.update", extra={"plan": locked.code, "actor": actor, "detail": changed}
    )
    return locked
