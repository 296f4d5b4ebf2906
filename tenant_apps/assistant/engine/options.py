"""Options said with a dish ("con queso extra", "large", "12 wings"), matched against the
dish's own option groups."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenant_apps.assistant.engine.catalog import (
    FILLER,
    CatalogItem,
    GroupEntry,
    OptionEntry,
)
from tenant_apps.assistant.nlu.fuzzy import word_similarity
from tenant_apps.assistant.nlu.numbers import number_at


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Hit:
    option: OptionEntry
    score: float
    positions: frozenset[int]
    whole: bool


@dataclass
class OptionMatch:
    option_ids: list[int] = field(default_factory=list)
    positions: frozenset[int] = frozenset()
    portion: bool = False  # an option named the quantity said ("12 wings", "5 tacos")


def _compact(words: list[str], lower: int, limit: int) -> list[_Token]:
    """The window's words, numbers written as digits ("a dozen" -> "12") to match "12 wings"."""
    out: list[_Token] = []
    i = max(0, lower)
    while i < limit:
        span = number_at(words, i)
        if span is not None and not span.weak and span.end <= limit:
            out.append(_Token(str(span.value), i, span.end))
            i = span.end
        else:
            out.append(_Token(words[i], i, i + 1))
            i += 1
    return out


def _same_word(said: str, known: str) -> bool:
    if said.isdigit() or known.isdigit():
        return said == known
    return word_similarity(said, known, strict=True) > 0


def _keywords(group: GroupEntry, option: OptionEntry) -> set[str]:
    """Words of an option that no other option of its group has: "grande" in "Grande (50
    cl)", "habanero" in "Habanero (muy picante)"; enough to pick it on their own."""
    others = {w for o in group.options if o is not option for v in o.variants for w in v}
    return {
        w
        for v in option.variants
        for w in v
        if w not in others and w not in FILLER and (w.isdigit() or len(w) >= 3)
    }


def _option_hit(
    tokens: list[_Token],
    group: GroupEntry,
    option: OptionEntry,
    *,
    name: set[int],
    quantity: set[int],
) -> _Hit | None:
    best: _Hit | None = None
    for variant in option.variants:
        size = len(variant)
        for i in range(len(tokens) - size + 1):
            run = tokens[i : i + size]
            if all(_same_word(t.text, w) for t, w in zip(run, variant, strict=True)):
                positions = frozenset(p for t in run for p in range(t.start, t.end))
                # The dish's own name is not an option ("Bacon BBQ burger" has no bacon extra).
                if positions - name and (best is None or 2.0 + size > best.score):
                    best = _Hit(option, 2.0 + size, positions, whole=True)
    keywords = _keywords(group, option)
    found = [
        t
        for t in tokens
        if t.start not in name
        and t.start not in quantity
        and any(_same_word(t.text, k) for k in keywords)
    ]
    if found and best is None:
        positions = frozenset(p for t in found for p in range(t.start, t.end))
        best = _Hit(option, 1.0 + 0.1 * len(found), positions, whole=False)
    return best


def match_options(
    item: CatalogItem,
    words: list[str],
    *,
    lower: int,
    limit: int,
    name: tuple[int, int] = (0, 0),
    quantity: tuple[int, int] | None = None,
) -> OptionMatch:
    """The item's options said in words[lower:limit], at most as many per group as allowed.

    An option is said by its whole name ("sweet potato fries") or by a word only it has in
    its group ("grande" for "Grande (50 cl)", "5" for "5 tacos"). A longer match wins over
    one inside it ("poco hecha" is not also "hecha").
    """
    tokens = _compact(words, lower, limit)
    name_positions = set(range(*name))
    quantity_positions = set(range(*quantity)) if quantity else set()
    result = OptionMatch()
    for group in item.groups:
        hits = [
            hit
            for option in group.options
            if (
                hit := _option_hit(
                    tokens, group, option, name=name_positions, quantity=quantity_positions
                )
            )
        ]
        hits.sort(key=lambda hit: -hit.score)
        chosen: list[_Hit] = []
        for hit in hits:
            if len(chosen) >= group.max_selections:
                break
            if any(hit.positions <= other.positions for other in chosen):
                continue
            chosen.append(hit)
        for hit in chosen:
            result.option_ids.append(hit.option.option_id)
            result.positions |= hit.positions
            if hit.whole and hit.positions & quantity_positions:
                result.portion = True
    return result
