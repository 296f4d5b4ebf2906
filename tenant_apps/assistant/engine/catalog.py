"""The menu as the assistant sees it: folded names in every language, and mention finding.

Read through the menu app's selectors (never its tables). Finding "dos tacos al pastor y una
coca grande" in a message is done here: names are matched word by word with typo tolerance,
in order, allowing filler words between them; a partial name counts when its words point to
one item only ("coca" -> Coca-Cola), and to several items it is an ambiguous mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tenant_apps.assistant.nlu.fuzzy import word_similarity
from tenant_apps.assistant.nlu.normalize import tokens as to_tokens
from tenant_apps.assistant.nlu.normalize import word_set
from tenant_apps.assistant.nlu.numbers import NumberSpan, number_at

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
    option_ids: list[int] = field(default_factory=list)
    score: float = 0.0

    @property
    def item(self) -> CatalogItem | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


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
    from config.cache import cached

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


# --- finding mentions -------------------------------------------------------------------------


def _match_variant(words: list[str], variant: tuple[str, ...]) -> tuple[int, int, int, float]:
    """Best in-order fuzzy match of a name's words in the message: (start, end, hits, score)."""
    best = (0, 0, 0, 0.0)
    for start, word in enumerate(words):
        first = word_similarity(word, variant[0])
        if first == 0.0:
            continue
        hits, score, position, last = 1, first, start + 1, start
        for name_word in variant[1:]:
            for offset in range(MAX_GAP + 1):
                index = position + offset
                if index >= len(words):
                    break
                similarity = word_similarity(words[index], name_word)
                if similarity > 0.0:
                    hits, score, last, position = hits + 1, score + similarity, index, index + 1
                    break
        if (hits, score) > (best[2], best[3]):
            best = (start, last + 1, hits, score)
    # A name may also be matched from a later word ("la de pastor" -> tacos al pastor).
    if best[2] == 0 and len(variant) > 1:
        for k, name_word in enumerate(variant[1:], start=1):
            for index, word in enumerate(words):
                similarity = word_similarity(word, name_word)
                if similarity > 0.0:
                    hits = 1 + sum(
                        1
                        for later in variant[k + 1 :]
                        if any(word_similarity(w, later) > 0 for w in words[index + 1 : index + 3])
                    )
                    return index, index + hits, hits, similarity * hits
    return best


def _distinctive(catalog: Catalog, words: list[str], start: int, end: int) -> bool:
    """Whether the matched words point to few enough items to count as a mention."""
    matched = [w for w in words[start:end] if w not in FILLER and w not in GENERIC]
    return bool(matched)


def find_mentions(catalog: Catalog, words: list[str], *, skip: set[int]) -> list[Mention]:
    """Item mentions in the message, left to right, without overlaps."""
    candidates: list[tuple[float, int, int, CatalogItem, bool]] = []
    usable = [word if i not in skip else "\0" for i, word in enumerate(words)]
    for item in catalog.items:
        best: tuple[float, int, int, bool] | None = None
        for variant in item.variants:
            start, end, hits, score = _match_variant(usable, variant)
            if hits == 0 or not _distinctive(catalog, usable, start, end):
                continue
            full = hits == len(variant)
            # Full names beat partial ones; among partial, more matched words win.
            rank = score + (10.0 if full else 0.0) + hits / len(variant)
            if best is None or rank > best[0]:
                best = (rank, start, end, full)
        if best is not None:
            candidates.append((best[0], best[1], best[2], item, best[3]))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    mentions: list[Mention] = []
    taken: set[int] = set()
    for rank, start, end, item, _full in candidates:
        span = set(range(start, end))
        overlapping = [m for m in mentions if set(range(m.start, m.end)) & span]
        if overlapping:
            # The same words, equally good, for another item: an ambiguous mention.
            for mention in overlapping:
                if (mention.start, mention.end) == (start, end) and abs(
                    mention.score - rank
                ) < 0.05:
                    mention.candidates.append(item)
            continue
        if span & taken:
            continue
        taken |= span
        mentions.append(Mention(start=start, end=end, candidates=[item], score=rank))
    mentions.sort(key=lambda m: m.start)
    for index, mention in enumerate(mentions):
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(words)
        _attach_quantity(usable, mention)
        _attach_options(usable, mention, limit=limit)
    return mentions


def _attach_quantity(words: list[str], mention: Mention) -> None:
    """A number just before the name ("dos tacos", "una docena de alitas") or "x2" after."""
    for back in (1, 2, 3, 4):
        start = mention.start - back
        if start < 0:
            break
        span: NumberSpan | None = number_at(words, start)
        if span is None:
            continue
        between = words[span.end : mention.start]
        if span.end <= mention.start and all(w in FILLER or w in GENERIC for w in between):
            span = _widest_number(words, span)
            mention.quantity = max(1, span.value)
            mention.quantity_said = not span.weak
            mention.quantity_start = span.start
            return
    if mention.end < len(words):
        after = words[mention.end]
        if after.startswith("x") and after[1:].isdigit():
            mention.quantity = max(1, int(after[1:]))
            mention.quantity_said = True


def _widest_number(words: list[str], span: NumberSpan) -> NumberSpan:
    """The longest number ending where `span` ends: "media docena", not just "docena"."""
    for start in (span.start - 2, span.start - 1):
        if start >= 0:
            wider = number_at(words, start)
            if wider is not None and wider.end == span.end:
                return wider
    return span


def _attach_options(words: list[str], mention: Mention, *, limit: int) -> None:
    item = mention.item
    if item is None:
        return
    window = words[max(0, mention.start - 2) : limit]
    chosen: dict[int, list[int]] = {}
    for group in item.groups:
        for option in group.options:
            if any(_phrase_found(window, variant) for variant in option.variants):
                picks = chosen.setdefault(group.group_id, [])
                if len(picks) < group.max_selections:
                    picks.append(option.option_id)
    mention.option_ids = [option_id for picks in chosen.values() for option_id in picks]


def _phrase_found(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(
        all(word_similarity(words[i + k], phrase[k], strict=True) > 0 for k in range(size))
        for i in range(len(words) - size + 1)
    )


def find_categories(catalog: Catalog, words: list[str]) -> list[CategoryEntry]:
    found = []
    for category in catalog.categories:
        for variant in category.variants:
            if variant and _phrase_found(words, variant):
                found.append(category)
                break
    return found
