"""Writes to the menu. Every write invalidates the cached menu."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.actors import Actor
from core.api_errors import Conflict
from core.cache import invalidate
from core.i18n import clean_translations
from core.services import model_update
from shared_apps.billing.limits import Limit, plan_limit_enforce
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.menu.models import Allergen, Category, DietaryTag, MenuItem, Option, OptionGroup

CATEGORY_FIELDS = ("name", "description", "position", "is_visible")
ITEM_FIELDS = (
    "category",
    "name",
    "description",
    "price",
    "is_available",
    "out_of_stock",
    "image_url",
    "allergens",
    "dietary_tags",
    "position",
)


@dataclass(frozen=True)
class OptionInput:
    name: dict[str, str]
    price_delta: Decimal = Decimal("0")
    is_default: bool = False
    is_available: bool = True


@dataclass(frozen=True)
class OptionGroupInput:
    name: dict[str, str]
    options: Sequence[OptionInput] = field(default_factory=tuple)
    min_selections: int = 0
    max_selections: int = 1


def _texts(value: Any, *, field_name: str, max_length: int, required: bool) -> dict[str, str]:
    try:
        return clean_translations(value, field=field_name, max_length=max_length, required=required)
    except ValueError as exc:
        raise ValidationError({field_name: [str(exc)]}) from exc


def _choices(values: Iterable[str], *, allowed: Iterable[str], field_name: str) -> list[str]:
    values = list(dict.fromkeys(values))
    allowed_set = set(allowed)
    bad = [value for value in values if value not in allowed_set]
    if bad:
        raise ValidationError({field_name: [f"Unknown value(s) {bad}; use {sorted(allowed_set)}."]})
    return values


def _clean_item_data(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    if "name" in cleaned:
        cleaned["name"] = _texts(cleaned["name"], field_name="name", max_length=120, required=True)
    if "description" in cleaned:
        cleaned["description"] = _texts(
            cleaned["description"] or {}, field_name="description", max_length=1000, required=False
        )
    if "allergens" in cleaned:
        cleaned["allergens"] = _choices(
            cleaned["allergens"], allowed=Allergen.values, field_name="allergens"
        )
    if "dietary_tags" in cleaned:
        cleaned["dietary_tags"] = _choices(
            cleaned["dietary_tags"], allowed=DietaryTag.values, field_name="dietary_tags"
        )
    return cleaned


def _next_position(queryset: Any) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else int(highest) + 1


@transaction.atomic
def category_create(
    *,
    actor: Actor,
    name: dict[str, str],
    description: dict[str, str] | None = None,
    position: int | None = None,
    is_visible: bool = True,
) -> Category:
    category = Category(
        name=_texts(name, field_name="name", max_length=80, required=True),
        description=_texts(
            description or {}, field_name="description", max_length=500, required=False
        ),
        position=_next_position(Category.objects.all()) if position is None else position,
        is_visible=is_visible,
    )
    category.full_clean()
    category.save()
    invalidate("menu")
    audit_record(
        actor=actor, action="menu.category.create", target=category, after=snapshot(category)
    )
    return category


@transaction.atomic
def category_update(*, actor: Actor, category: Category, changes: Mapping[str, Any]) -> Category:
    before = snapshot(category)
    data = dict(changes)
    if "name" in data:
        data["name"] = _texts(data["name"], field_name="name", max_length=80, required=True)
    if "description" in data:
        data["description"] = _texts(
            data["description"] or {}, field_name="description", max_length=500, required=False
        )
    model_update(instance=category, fields=CATEGORY_FIELDS, data=data)
    invalidate("menu")
    old, new = snapshot_diff(before, snapshot(category))
    audit_record(actor=actor, action="menu.category.update", target=category, before=old, after=new)
    return category


@transaction.atomic
def category_delete(*, actor: Actor, category: Category) -> None:
    if category.items.exists():
        raise Conflict("This category still has items; move or delete them first.")
    audit_record(
        actor=actor,
        action="menu.category.delete",
        target=category,
        summary=str(category.name),
        before=snapshot(category),
    )
    category.delete()
    invalidate("menu")
    invalidate("promotions")  # a promotion scoped to it loses it (its category_ids)


def _validate_group(group: OptionGroupInput, index: int) -> None:
    where = f"option_groups[{index}]"
    if not group.options:
        raise ValidationError({where: ["An option group needs at least one option."]})
    if group.min_selections < 0 or group.max_selections < 1:
        raise ValidationError({where: ["min_selections >= 0 and max_selections >= 1."]})
    if group.min_selections > group.max_selections:
        raise ValidationError({where: ["min_selections cannot exceed max_selections."]})
    if group.min_selections > len(group.options):
        raise ValidationError({where: ["min_selections exceeds the number of options."]})
    if sum(1 for option in group.options if option.is_default) > group.max_selections:
        raise ValidationError({where: ["More default options than max_selections allows."]})


def _replace_option_groups(item: MenuItem, groups: Sequence[OptionGroupInput]) -> None:
    for index, group in enumerate(groups):
        _validate_group(group, index)
    item.option_groups.all().delete()
    for position, group in enumerate(groups):
        row = OptionGroup.objects.create(
            item=item,
            name=_texts(
                group.name,
                field_name=f"option_groups[{position}].name",
                max_length=80,
                required=True,
            ),
            min_selections=group.min_selections,
            max_selections=group.max_selections,
            position=position,
        )
        options = []
        for option_position, option in enumerate(group.options):
            built = Option(
                group=row,
                name=_texts(
                    option.name,
                    field_name=f"option_groups[{position}].options.name",
                    max_length=80,
                    required=True,
                ),
                price_delta=option.price_delta,
                is_default=option.is_default,
                is_available=option.is_available,
                position=option_position,
            )
            built.full_clean(exclude=["group"])
            options.append(built)
        Option.objects.bulk_create(options)


def _item_snapshot(item: MenuItem) -> dict[str, Any]:
    groups = [
        {
            "name": group.name,
            "min_selections": group.min_selections,
            "max_selections": group.max_selections,
            "options": [
                {"name": option.name, "price_delta": option.price_delta}
                for option in group.options.all()
            ],
        }
        for group in item.option_groups.prefetch_related("options")
    ]
    return {**snapshot(item), "option_groups": groups}


@transaction.atomic
def menu_item_create(
    *,
    actor: Actor,
    category: Category,
    name: dict[str, str],
    price: Decimal,
    description: dict[str, str] | None = None,
    is_available: bool = True,
    out_of_stock: bool = False,
    image_url: str = "",
    allergens: Sequence[str] = (),
    dietary_tags: Sequence[str] = (),
    position: int | None = None,
    option_groups: Sequence[OptionGroupInput] = (),
) -> MenuItem:
    data = _clean_item_data(
        {
            "name": name,
            "description": description or {},
            "allergens": allergens,
            "dietary_tags": dietary_tags,
        }
    )
    item = MenuItem(
        category=category,
        price=price,
        is_available=is_available,
        out_of_stock=out_of_stock,
        image_url=image_url,
        position=_next_position(category.items.all()) if position is None else position,
        **data,
    )
    item.full_clean()
    plan_limit_enforce(limit=Limit.MENU_ITEMS, in_use=MenuItem.objects.count())
    item.save()
    _replace_option_groups(item, option_groups)
    invalidate("menu")
    audit_record(actor=actor, action="menu.item.create", target=item, after=_item_snapshot(item))
    return item


@transaction.atomic
def menu_item_update(
    *,
    actor: Actor,
    item: MenuItem,
    changes: Mapping[str, Any],
    option_groups: Sequence[OptionGroupInput] | None = None,
) -> MenuItem:
    before = _item_snapshot(item)
    model_update(instance=item, fields=ITEM_FIELDS, data=_clean_item_data(changes))
    if option_groups is not None:
        _replace_option_groups(item, option_groups)
    invalidate("menu")
    old, new = snapshot_diff(before, _item_snapshot(item))
    audit_record(actor=actor, action="menu.item.update", target=item, before=old, after=new)
    return item


@transaction.atomic
def menu_item_availability_set(
    *, actor: Actor, item: MenuItem, changes: Mapping[str, bool]
) -> MenuItem:
    """Mark an item available/unavailable or sold out (`is_available`, `out_of_stock`)."""
    fields = ("is_available", "out_of_stock")
    before = snapshot(item, fields)
    model_update(instance=item, fields=fields, data=changes)
    invalidate("menu")
    audit_record(
        actor=actor,
        action="menu.item.availability",
        target=item,
        before=before,
        after=snapshot(item, fields),
    )
    return item


@transaction.atomic
def menu_item_delete(*, actor: Actor, item: MenuItem) -> None:
    audit_record(
        actor=actor,
        action="menu.item.delete",
        target=item,
        summary=str(item.name),
        before=_item_snapshot(item),
    )
    item.delete()
    invalidate("menu")
    # The delete also writes rows of other cached resources: promotions scoped to the item
    # lose it (their item_ids) and past order lines keep their copy but no longer point to it.
    invalidate("promotions")
    invalidate("orders")
