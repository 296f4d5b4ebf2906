"""Writes to promotions and their redemptions."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import Actor
from core.cache import invalidate
from core.i18n import clean_translations
from core.services import model_update
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.customers.models import Customer
from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.promotions.models import Promotion, PromotionRedemption

PROMOTION_FIELDS = (
    "name",
    "description",
    "kind",
    "value",
    "code",
    "starts_at",
    "ends_at",
    "min_order_total",
    "max_redemptions",
    "max_redemptions_per_customer",
    "is_active",
)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for field, max_length, required in (("name", 120, True), ("description", 500, False)):
        if field in cleaned:
            try:
                cleaned[field] = clean_translations(
                    cleaned[field] or {}, field=field, max_length=max_length, required=required
                )
            except ValueError as exc:
                raise ValidationError({field: [str(exc)]}) from exc
    if "code" in cleaned:
        code = (cleaned["code"] or "").strip().upper()
        if code and not _CODE.match(code):
            raise ValidationError({"code": ["3-32 letters, digits, '-' or '_'."]})
        cleaned["code"] = code or None
    return cleaned


def _validate(promotion: Promotion) -> None:
    errors: dict[str, list[str]] = {}
    if promotion.kind == Promotion.Kind.PERCENT and promotion.value > 100:
        errors["value"] = ["A percentage cannot exceed 100."]
    if promotion.starts_at and promotion.ends_at and promotion.ends_at <= promotion.starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    if (
        promotion.code
        and Promotion.objects.filter(code=promotion.code).exclude(pk=promotion.pk).exists()
    ):
        errors["code"] = ["Another promotion already uses this code."]
    if errors:
        raise ValidationError(errors)


def _set_scope(
    promotion: Promotion, category_ids: Iterable[int] | None, item_ids: Iterable[int] | None
) -> None:
    if category_ids is not None:
        ids = list(dict.fromkeys(category_ids))
        found = list(Category.objects.filter(pk__in=ids))
        if len(found) != len(ids):
            raise ValidationError({"category_ids": ["Unknown category."]})
        promotion.categories.set(found)
    if item_ids is not None:
        ids = list(dict.fromkeys(item_ids))
        found_items = list(MenuItem.objects.filter(pk__in=ids))
        if len(found_items) != len(ids):
            raise ValidationError({"item_ids": ["Unknown menu item."]})
        promotion.items.set(found_items)


def _promotion_snapshot(promotion: Promotion) -> dict[str, Any]:
    return {
        **snapshot(promotion),
        "category_ids": sorted(promotion.categories.values_list("pk", flat=True)),
        "item_ids": sorted(promotion.items.values_list("pk", flat=True)),
    }


@transaction.atomic
def promotion_create(
    *,
    actor: Actor,
    name: dict[str, str],
    kind: str,
    value: Decimal,
    description: dict[str, str] | None = None,
    code: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    min_order_total: Decimal = Decimal("0"),
    max_redemptions: int | None = None,
    max_redemptions_per_customer: int | None = None,
    is_active: bool = True,
    category_ids: Iterable[int] = (),
    item_ids: Iterable[int] = (),
) -> Promotion:
    data = _clean({"name": name, "description": description or {}, "code": code})
    promotion = Promotion(
        kind=kind,
        value=value,
        starts_at=starts_at,
        ends_at=ends_at,
        min_order_total=min_order_total,
        max_redemptions=max_redemptions,
        max_redemptions_per_customer=max_redemptions_per_customer,
        is_active=is_active,
        **data,
    )
    _validate(promotion)
    promotion.full_clean()
    promotion.save()
    _set_scope(promotion, category_ids, item_ids)
    invalidate("promotions")
    audit_record(
        actor=actor,
        action="promotions.promotion.create",
        target=promotion,
        after=_promotion_snapshot(promotion),
    )
    return promotion


@transaction.atomic
def promotion_update(
    *,
    actor: Actor,
    promotion: Promotion,
    changes: Mapping[str, Any],
    category_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
) -> Promotion:
    before = _promotion_snapshot(promotion)
    data = _clean(changes)
    candidate = copy.copy(promotion)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate(candidate)
    model_update(instance=promotion, fields=PROMOTION_FIELDS, data=data)
    _set_scope(promotion, category_ids, item_ids)
    invalidate("promotions")
    old, new = snapshot_diff(before, _promotion_snapshot(promotion))
    audit_record(
        actor=actor,
        action="promotions.promotion.update",
        target=promotion,
        before=old,
        after=new,
    )
    return promotion


@transaction.atomic
def promotion_delete(*, actor: Actor, promotion: Promotion) -> None:
    audit_record(
        actor=actor,
        action="promotions.promotion.delete",
        target=promotion,
        before=_promotion_snapshot(promotion),
    )
    promotion.delete()
    invalidate("promotions")
    invalidate("orders")  # orders that used it keep their code but no longer point to it


@transaction.atomic
def promotion_redeem(
    *, promotion: Promotion, order_id: int, customer: Customer | None, discount: Decimal
) -> PromotionRedemption:
    """Record a use, re-checking the limits under a lock so two orders cannot both take the
    last one."""
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if locked.max_redemptions is not None and (
        locked.redemptions.count() >= locked.max_redemptions
    ):
        raise ValidationError({"promotion_code": ["This promotion has been used up."]})
    if (
        customer is not None
        and locked.max_redemptions_per_customer is not None
        and (
            locked.redemptions.filter(customer=customer).count()
            >= locked.max_redemptions_per_customer
        )
    ):
        raise ValidationError({"promotion_code": ["You have already used this promotion."]})
    redemption = PromotionRedemption.objects.create(
        promotion=locked, order_id=order_id, customer=customer, discount=discount
    )
    if locked.max_redemptions is not None:
        invalidate("promotions")
    return redemption


@transaction.atomic
def promotion_redemption_release(*, order_id: int) -> None:
    """Give a cancelled order's use back."""
    deleted, _ = PromotionRedemption.objects.filter(order_id=order_id).delete()
    if deleted:
        invalidate("promotions")
