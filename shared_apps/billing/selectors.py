"""Reads of billing: plans, a restaurant's subscription and usage against its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet, Sum

from shared_apps.billing.models import BillingEvent, Invoice, Plan, Subscription, UsageDay
from tenants.models import Restaurant


@dataclass
class UsageTotals:
    conversations: int = 0
    orders: int = 0
    reservations: int = 0
    model_tokens: int = 0
    messages: dict[str, dict[str, int]] = field(default_factory=dict)


def usage_totals(*, restaurant_id: int, start: date, end: date) -> UsageTotals:
    """Metered usage of the days in [start, end)."""
    days = UsageDay.objects.filter(restaurant_id=restaurant_id, day__gte=start, day__lt=end)
    sums = days.aggregate(
        conversations=Sum("conversations"),
        orders=Sum("orders"),
        reservations=Sum("reservations"),
        model_tokens=Sum("model_tokens"),
    )
    totals = UsageTotals(
        conversations=int(sums["conversations"] or 0),
        orders=int(sums["orders"] or 0),
        reservations=int(sums["reservations"] or 0),
        model_tokens=int(sums["model_tokens"] or 0),
    )
    for messages in days.values_list("messages", flat=True):
        for channel, counts in messages.items():
            into = totals.messages.setdefault(channel, {"in": 0, "out": 0})
            for direction, value in counts.items():
                into[direction] = into.get(direction, 0) + int(value)
    return totals


def usage_days(*, restaurant_id: int, start: date, end: date) -> QuerySet[UsageDay]:
    return UsageDay.objects.filter(
        restaurant_id=restaurant_id, day__gte=start, day__lt=end
    ).order_by("day")


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.order_by("monthly_price", "code")


def subscription_list(*, status: str | None = None) -> QuerySet[Subscription]:
    queryset = Subscription.objects.select_related("restaurant", "plan", "next_plan")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("restaurant__slug")


def subscription_of(*, restaurant: Restaurant) -> Subscription | None:
    found: Subscription | None = (
        Subscription.objects.select_related("restaurant", "plan", "next_plan")
        .filter(restaurant=restaurant)
        .first()
    )
    return found


def invoice_list(
    *, restaurant: Restaurant | None = None, status: str | None = None
) -> QuerySet[Invoice]:
    queryset = Invoice.objects.prefetch_related("lines")
    if restaurant is not None:
        queryset = queryset.filter(restaurant=restaurant)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created", "-id")


def tax_rate_for(country: str) -> Decimal:
    """The configured tax rate (percent) of a billing country (DYSA_BILLING_TAX_RATES)."""
    table: dict[str, Decimal] = {}
    for entry in settings.DYSA_BILLING_TAX_RATES.split(","):
        code, _, rate = entry.partition("=")
        if code.strip() and rate.strip():
            table[code.strip().upper()] = Decimal(rate.strip())
    return table.get(country.upper(), Decimal(settings.DYSA_BILLING_DEFAULT_TAX_RATE))


def billing_events(*, restaurant: Restaurant) -> QuerySet[BillingEvent]:
    return BillingEvent.objects.filter(restaurant_slug=restaurant.slug).order_by("-created", "-id")
