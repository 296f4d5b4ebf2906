"""Reads of promotions, and the discount a promotion gives an order (no writes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from core.cache import RESOURCE_TTLS, cached
from core.filters import apply_filters
from tenant_apps.customers.models import Customer
from tenant_apps.promotions.models import Promotion, PromotionRedemption

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PricedLine:
    """What a promotion needs to know about one order line."""

    item_id: int
    category_id: int
    line_total: Decimal


@dataclass(frozen=True)
class PromotionDiscount:
    promotion: Promotion
    discount: Decimal


def _with_scope(queryset: QuerySet[Promotion]) -> QuerySet[Promotion]:
    return queryset.prefetch_related("categories", "items")


class PromotionFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    kind = django_filters.ChoiceFilter(choices=Promotion.Kind.choices)
    automatic = django_filters.BooleanFilter(field_name="code", lookup_expr="isnull")

    class Meta:
        model = Promotion
        fields: list[str] = []


def promotion_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Promotion]:
    return apply_filters(PromotionFilter, filters, _with_scope(Promotion.objects.all()))


def promotion_get(*, promotion_id: int) -> Promotion | None:
    return _with_scope(Promotion.objects.filter(pk=promotion_id)).first()


@dataclass(frozen=True)
class _Uses:
    total: int = 0
    by_customer: int = 0


_NO_USES: Final = _Uses()


def _limited(promotion: Promotion, customer: Customer | None) -> bool:
    return promotion.max_redemptions is not None or (
        customer is not None and promotion.max_redemptions_per_customer is not None
    )


def _uses(promotions: Sequence[Promotion], customer: Customer | None) -> dict[int, _Uses]:
    """How often each promotion with a limit has been used, in all and by `customer`: one
    query for all of them, none when no limit applies (promotions never used are missing)."""
    limited = [promotion.pk for promotion in promotions if _limited(promotion, customer)]
    if not limited:
        return {}
    rows = (
        PromotionRedemption.objects.filter(promotion_id__in=limited)
        .order_by()
        .values("promotion_id")
        .annotate(
            total=Count("id"),
            by_customer=Count("id", filter=Q(customer=customer))
            if customer is not None
            else Value(0),
        )
    )
    return {row["promotion_id"]: _Uses(row["total"], row["by_customer"]) for row in rows}


def _current_from_database() -> list[Promotion]:
    """Active, not used up, and running now or starting before this list's cache entry expires
    (readers filter by the time they ask for, so the cache never holds back a start)."""
    now = timezone.now()
    horizon = now + timedelta(seconds=RESOURCE_TTLS["promotions"])
    not_ended = Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    starts_soon = Q(starts_at__isnull=True) | Q(starts_at__lte=horizon)
    running = list(_with_scope(Promotion.objects.filter(not_ended, starts_soon, is_active=True)))
    uses = _uses(running, None)
    return [
        promotion
        for promotion in running
        if promotion.max_redemptions is None
        or uses.get(promotion.pk, _NO_USES).total < promotion.max_redemptions
    ]


def promotion_list_current(*, at: datetime | None = None) -> list[Promotion]:
    """Active promotions inside their validity window at `at` (default now) and not used up.

    The list behind it is cached for a minute; the window is checked at each call.
    """
    at = at or timezone.now()
    candidates = cached("promotions", "current", _current_from_database)
    return [promotion for promotion in candidates if _window_problem(promotion, at) is None]


def _eligible_subtotal(promotion: Promotion, lines: Sequence[PricedLine]) -> Decimal:
    category_ids = {category.pk for category in promotion.categories.all()}
    item_ids = {item.pk for item in promotion.items.all()}
    if not category_ids and not item_ids:
        return sum((line.line_total for line in lines), Decimal("0"))
    return sum(
        (
            line.line_total
            for line in lines
            if line.item_id in item_ids or line.category_id in category_ids
        ),
        Decimal("0"),
    )


def _window_problem(promotion: Promotion, at: datetime) -> str | None:
    if not promotion.is_active:
        return "This promotion is not active."
    if promotion.starts_at and at < promotion.starts_at:
        return "This promotion has not started yet."
    if promotion.ends_at and at >= promotion.ends_at:
        return "This promotion has ended."
    return None


def _order_problem(promotion: Promotion, lines: Sequence[PricedLine]) -> str | None:
    subtotal = sum((line.line_total for line in lines), Decimal("0"))
    if subtotal < promotion.min_order_total:
        return f"This promotion needs an order of at least {promotion.min_order_total}."
    if _eligible_subtotal(promotion, lines) <= 0:
        return "No item in this order qualifies for this promotion."
    return None


def _limit_problem(promotion: Promotion, customer: Customer | None, uses: _Uses) -> str | None:
    if promotion.max_redemptions is not None and uses.total >= promotion.max_redemptions:
        return "This promotion has been used up."
    per_customer = promotion.max_redemptions_per_customer
    if customer is not None and per_customer is not None and uses.by_customer >= per_customer:
        return "You have already used this promotion."
    return None


def promotion_ineligibility(
    *,
    promotion: Promotion,
    lines: Sequence[PricedLine],
    customer: Customer | None,
    at: datetime | None = None,
) -> str | None:
    """Why `promotion` does not apply to these lines, or None when it does."""
    return (
        _window_problem(promotion, at or timezone.now())
        or _order_problem(promotion, lines)
        or _limit_problem(
            promotion, customer, _uses([promotion], customer).get(promotion.pk, _NO_USES)
        )
    )


def promotion_discount_amount(*, promotion: Promotion, lines: Sequence[PricedLine]) -> Decimal:
    eligible = _eligible_subtotal(promotion, lines)
    if promotion.kind == Promotion.Kind.PERCENT:
        discount = (eligible * promotion.value / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    else:
        discount = promotion.value
    return min(discount, eligible).quantize(CENT)


def promotion_for_order(
    *,
    code: str | None,
    lines: Sequence[PricedLine],
    customer: Customer | None,
    at: datetime | None = None,
) -> PromotionDiscount | None:
    """The promotion an order gets: the code's (or a 400 saying why not), else the best
    automatic one. One promotion per order."""
    if code:
        promotion = _with_scope(Promotion.objects.filter(code=code.strip().upper())).first()
        if promotion is None:
            raise ValidationError({"promotion_code": ["Unknown promotion code."]})
        reason = promotion_ineligibility(promotion=promotion, lines=lines, customer=customer, at=at)
        if reason:
            raise ValidationError({"promotion_code": [reason]})
        return PromotionDiscount(
            promotion, promotion_discount_amount(promotion=promotion, lines=lines)
        )
    at = at or timezone.now()
    candidates = [
        promotion
        for promotion in promotion_list_current(at=at)
        if promotion.is_automatic and not _order_problem(promotion, lines)
    ]
    # The limits of every candidate in one query, not one or two per promotion.
    uses = _uses(candidates, customer)
    best: PromotionDiscount | None = None
    for promotion in candidates:
        if _limit_problem(promotion, customer, uses.get(promotion.pk, _NO_USES)):
            continue
        discount = promotion_discount_amount(promotion=promotion, lines=lines)
        if best is None or discount > best.discount:
            best = PromotionDiscount(promotion, discount)
    return best
