"""The menu as the assistant sees it: folded names in every language, read through the menu
app's selectors (never its tables). Finding dishes in a message is `engine/mentions.py`;
options said with a dish, `engine/options.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tenant_apps.assistant.nlu.normalize import tokens as to_tokens
from tenant_apps.assistant.nlu.normalize import word_set

FILLER = word_set(
    "de del la el los las con al a the of with y and en in un una uno an estilo style"
)
# Words in a dish name that do not identify it on their own.
GENERIC = word_set(
    "grande pequena pequeno mediana mediano large small medium regular doble double extra "
    "clasica clasico classic especial special casa house normal simple"
)
MAX_GAP = 2


@dataclass(frozen=True)
class OptionEntry:
    option_id: int
    group_id: int
    names: dict[str, str]
    variants: tuple[tuple[str, ...], ...]
    price_delta: Decimal

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), "")


@dataclass(frozen=True)
class GroupEntry:
    group_id: int
    names: dict[str, str]
    required: bool
    min_selections: int
    max_selections: int
    options: tuple[OptionEntry, ...]
    default_option_ids: tuple[int, ...]


@dataclass(frozen=True)
class CatalogItem:
    item_id: int
    names: dict[str, str]
    descriptions: dict[str, str]
    variants: tuple[tuple[str, ...], ...]  # folded core words of each name
    category_id: int
    price: Decimal
    orderable: bool
    allergens: tuple[str, ...]
    dietary_tags: tuple[str, ...]
    groups: tuple[GroupEntry, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), "")

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or next(iter(self.descriptions.values()), "")


@dataclass(frozen=True)
class CategoryEntry:
    category_id: int
    names: dict[str, str]
    variants: tuple[tuple[str, ...], ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), "")


@dataclass
class Mention:
    start: int
    end: int  # exclusive
    candidates: list[CatalogItem]
    quantity: int = 1
    quantity_said: bool = False
    quantity_start: int | None = None
    quantity_end: int | None = None
    option_ids: list[int] = field(default_factory=list)
    option_positions: frozenset[int] = frozenset()
    score: float = 0.0
    full: bool = True
    hits: int = 0
    similarity: float = 0.0
    # Words asking for an option the dish does not have ("light", "piña extra"), in order.
    unknown_options: tuple[str, ...] = ()

    @property
    def item(self) -> CatalogItem | None:
        return self.candidates[0] if len(self.candidates) == 1 else None

    def item_id_or_zero(self) -> int:
        return self.item.item_id if self.item is not None else 0


def core_words(text: str) -> tuple[str, ...]:
    return tuple(word for word in to_tokens(text) if word not in FILLER)


def _variants(names: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    seen: list[tuple[str, ...]] = []
    for text in names.values():
        words = core_words(str(text))
        if words and words not in seen:
            seen.append(words)
    return tuple(seen)


def _item_entry(item: Any) -> CatalogItem:
    groups = []
    for group in item.option_groups.all():
        options = tuple(
            OptionEntry(
                option_id=option.pk,
                group_id=group.pk,
                names=dict(option.name),
                variants=_variants(dict(option.name)),
                price_delta=option.price_delta,
            )
            for option in group.options.all()
            if option.is_available
        )
        groups.append(
            GroupEntry(
                group_id=group.pk,
                names=dict(group.name),
                required=group.min_selections > 0,
                min_selections=group.min_selections,
                max_selections=group.max_selections,
                options=options,
                default_option_ids=tuple(o.pk for o in group.options.all() if o.is_default),
            )
        )
    return CatalogItem(
        item_id=item.pk,
        names=dict(item.name),
        descriptions=dict(item.description or {}),
        variants=_variants(dict(item.name)),
        category_id=item.category_id,
        price=item.price,
        orderable=bool(item.is_available and not item.out_of_stock),
        allergens=tuple(item.allergens),
        dietary_tags=tuple(item.dietary_tags),
        groups=tuple(groups),
    )


@dataclass
class Catalog:
    items: list[CatalogItem]
    categories: list[CategoryEntry]
    by_id: dict[int, CatalogItem] = field(default_factory=dict)
    word_owners: dict[str, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {item.item_id: item for item in self.items}
        for item in self.items:
            for variant in item.variants:
                for word in variant:
                    self.word_owners.setdefault(word, set()).add(item.item_id)

    def in_category(self, category_id: int) -> list[CatalogItem]:
        return [item for item in self.items if item.category_id == category_id]


def catalog_load() -> Catalog:
    """The assistant's view of the menu, cached with the menu resource.

    Every menu write replaces the menu's cache version, so a changed price, name or stock
    flag is seen by the next turn; without Redis this reads the database each time. Nothing
    here is trusted for money or stock: quotes and orders are checked by the order services.
    """
    from core.cache import cached

    return cached("menu", "assistant-catalog", _catalog_from_database)


def _catalog_from_database() -> Catalog:
    from tenant_apps.menu.selectors import menu_category_list, menu_item_list

    categories = [
        CategoryEntry(category_id=c.pk, names=dict(c.name), variants=_variants(dict(c.name)))
        for c in menu_category_list(visible_only=True)
    ]
    visible = {c.category_id for c in categories}
    items = [
        _item_entry(item)
        for item in menu_item_list(available_only=False)
        if item.category_id in visible and item.is_available
    ]
    return Catalog(items=items, categories=categories)
