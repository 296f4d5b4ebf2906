"""Finding "dos tacos al pastor y una coca grande" in a message: names are matched word by
word with typo tolerance, in order, allowing filler words between them; a partial name counts
when its words point to one item only ("coca" -> Coca-Cola), and to several items it is an
ambiguous mention.
"""

from __future__ import annotations

from collections.abc import Callable

from tenant_apps.assistant.engine.catalog import (
    FILLER,
    GENERIC,
    MAX_GAP,
    Catalog,
    CatalogItem,
    CategoryEntry,
    GroupEntry,
    Mention,
)
from tenant_apps.assistant.engine.options import match_options
from tenant_apps.assistant.nlu.fuzzy import word_similarity
from tenant_apps.assistant.nlu.normalize import word_set
from tenant_apps.assistant.nlu.numbers import NumberSpan, number_at

# --- finding mentions -------------------------------------------------------------------------

# Words that tie what follows to the dish before: "tacos con queso", "burger w/ extra cheese".
WITH_WORDS = word_set("con with extra plus")


def _starts_a_count(words: list[str], index: int) -> bool:
    """Whether a number or an article ("un", "a", "dos") is at `index`: a new dish begins."""
    return number_at(words, index) is not None


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
                if offset and _starts_a_count(words, index - 1):
                    break  # "pastor y un taco": the name does not run into the next dish
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
    said = [w for w in words[start:end] if w not in FILLER]
    # A word that rarely names a dish ("clásica", "especial") still does when one dish only
    # has it in its name: "una clásica muy hecha" on a menu with one classic burger.
    return any(w not in GENERIC or len(catalog.word_owners.get(w, ())) == 1 for w in said)


# "one of those", "dos de esos": the dish just talked about.
THOSE = word_set("those them esos esas estos estas")


def _those(words: list[str], item: CatalogItem | None, taken: list[Mention]) -> list[Mention]:
    if item is None:
        return []
    covered = {i for m in taken for i in range(m.start, m.end)}
    return [
        Mention(start=i, end=i + 1, candidates=[item], score=1.0)
        for i, word in enumerate(words)
        if word in THOSE and i > 0 and words[i - 1] in {"of", "de"} and i not in covered
    ]


def find_mentions(
    catalog: Catalog, words: list[str], *, skip: set[int], last_item: CatalogItem | None = None
) -> list[Mention]:
    """Item mentions in the message, left to right, without overlaps, with their options."""
    usable = [word if i not in skip else "\0" for i, word in enumerate(words)]
    mentions = _best_mentions(catalog, usable)
    mentions = sorted(mentions + _those(usable, last_item, mentions), key=lambda m: m.start)
    for mention in mentions:
        _widen_to_category(catalog, usable, mention)
        _attach_quantity(usable, mention)
    mentions = _absorb_options(usable, mentions)
    mentions = _split_ellipses(usable, mentions)
    lower = 0
    for index, mention in enumerate(mentions):
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(words)
        _attach_options(usable, mention, lower=max(lower, mention.start - 2), limit=limit)
        lower = mention.end
    _find_unknown_options(usable, mentions)
    return mentions


# Words asking for a kind of a dish ("coca cola light", "diet coke"): when neither a dish nor
# an option has them, the plain dish is not what was asked for.
KIND_WORDS = word_set("light diet zero descafeinado descafeinada decaf")
KIND_PHRASES = (("sin", "azucar"), ("sugar", "free"), ("sin", "alcohol"), ("alcohol", "free"))
EXTRA_WORDS = word_set("extra extras")
# Words that end the phrase of an extra ("con piña extra y una coca", "extra bacon please").
_NOT_AN_EXTRA = word_set(
    "y and e o or por favor please pls plz porfa para for to go llevar recoger pickup "
    "domicilio delivery todo all mas more tambien also gracias thanks"
)


def _taken_positions(mentions: list[Mention]) -> set[int]:
    taken: set[int] = set()
    for mention in mentions:
        taken |= set(range(mention.start, mention.end)) | set(mention.option_positions)
        if mention.quantity_start is not None and mention.quantity_end is not None:
            taken |= set(range(mention.quantity_start, mention.quantity_end))
    return taken


def _find_unknown_options(words: list[str], mentions: list[Mention]) -> None:
    """Mark the words around each dish that ask for an option it does not have."""
    taken = _taken_positions(mentions)

    def free(i: int) -> bool:
        return 0 <= i < len(words) and i not in taken and words[i] != "\0"

    for index, mention in enumerate(mentions):
        if mention.item is None:
            continue
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(words)
        asked = {i for i in (mention.start - 1, mention.end) if free(i) and words[i] in KIND_WORDS}
        end = mention.end
        for phrase in KIND_PHRASES:
            if tuple(words[end : end + len(phrase)]) == phrase and all(
                free(i) for i in range(end, end + len(phrase))
            ):
                asked |= set(range(end, end + len(phrase)))
        for i in range(mention.end, limit):
            if free(i) and words[i] in EXTRA_WORDS:
                asked |= _extra_phrase(words, i, limit, free)
        mention.unknown_options = tuple(words[i] for i in sorted(asked))


def _extra_phrase(words: list[str], at: int, limit: int, free: Callable[[int], bool]) -> set[int]:
    """ "extra" and the thing asked for: the word after it ("extra de piña", "extra pineapple")
    or before it ("con piña extra"); nothing when that word is an option or another dish."""

    def content(i: int) -> bool:
        return free(i) and words[i] not in FILLER and words[i] not in _NOT_AN_EXTRA

    after = next((i for i in range(at + 1, min(limit, at + 3)) if words[i] not in FILLER), None)
    if after is not None and content(after):
        return {at, after}
    if at - 1 >= 0 and content(at - 1):
        return {at - 1, at}
    return set()


def _best_mentions(catalog: Catalog, usable: list[str]) -> list[Mention]:
    candidates: list[tuple[float, int, int, CatalogItem, bool, int, float]] = []
    for item in catalog.items:
        best: tuple[float, int, int, bool, int, float] | None = None
        for variant in item.variants:
            start, end, hits, score = _match_variant(usable, variant)
            if hits == 0 or not _distinctive(catalog, usable, start, end):
                continue
            full = hits == len(variant)
            # Full names beat partial ones; among partial, more matched words win.
            rank = score + (10.0 if full else 0.0) + hits / len(variant)
            if best is None or rank > best[0]:
                best = (rank, start, end, full, hits, score)
        if best is not None:
            candidates.append((best[0], best[1], best[2], item, best[3], best[4], best[5]))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    mentions: list[Mention] = []
    taken: set[int] = set()
    for rank, start, end, item, full, hits, score in candidates:
        span = set(range(start, end))
        overlapping = [m for m in mentions if set(range(m.start, m.end)) & span]
        if overlapping:
            # The same words, equally good, for another item: an ambiguous mention ("burger"
            # is part of "Classic burger" and of "Bacon BBQ burger" alike).
            for mention in overlapping:
                if (mention.start, mention.end) == (start, end) and (
                    abs(mention.score - rank) < 0.05
                    or (
                        not full
                        and not mention.full
                        and mention.hits == hits
                        and abs(mention.similarity - score) < 0.05
                    )
                ):
                    mention.candidates.append(item)
            continue
        if span & taken:
            continue
        taken |= span
        mentions.append(
            Mention(
                start=start,
                end=end,
                candidates=[item],
                score=rank,
                full=full,
                hits=hits,
                similarity=score,
            )
        )
    mentions.sort(key=lambda m: m.start)
    return mentions


def _widen_to_category(catalog: Catalog, words: list[str], mention: Mention) -> None:
    """A partial name that is a whole category's name ("burgers") means any of its dishes."""
    if mention.full:
        return
    said = words[mention.start : mention.end]
    for category in catalog.categories:
        if any(variant and _phrase_found(said, variant) for variant in category.variants):
            known = {c.item_id for c in mention.candidates}
            mention.candidates.extend(
                item
                for item in catalog.in_category(category.category_id)
                if item.orderable and item.item_id not in known
            )
            order = {item.item_id: index for index, item in enumerate(catalog.items)}
            mention.candidates.sort(key=lambda item: order[item.item_id])
            return


def _option_words(mention: Mention) -> frozenset[str]:
    return frozenset(
        word
        for item in mention.candidates
        for group in item.groups
        for option in group.options
        for variant in option.variants
        for word in variant
    )


# Words that count servings of a dish: "dos raciones de aros", "two orders of wings".
SERVINGS = word_set(
    "racion raciones porcion porciones orden ordenes plato platos portion portions order orders "
    "serving servings plate plates"
)


def _attach_quantity(words: list[str], mention: Mention) -> None:
    """A number just before the name ("dos tacos", "una docena de alitas", "2 chocolate
    milkshakes") or "x2" after."""
    described = _option_words(mention)
    for back in (1, 2, 3, 4):
        start = mention.start - back
        if start < 0:
            break
        span: NumberSpan | None = number_at(words, start)
        if span is None:
            continue
        between = words[span.end : mention.start]
        # "uno con guacamole" is one of something with guacamole, not one guacamole.
        if (
            span.end <= mention.start
            and all(w in FILLER or w in GENERIC or w in SERVINGS or w in described for w in between)
            and not any(w in WITH_WORDS for w in between)
        ):
            span = _widest_number(words, span)
            mention.quantity = max(1, span.value)
            mention.quantity_said = not span.weak
            mention.quantity_start = span.start
            mention.quantity_end = span.end
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


def _absorb_options(words: list[str], mentions: list[Mention]) -> list[Mention]:
    """Drop mentions that are really options of the dish before them.

    "tacos de pollo con queso" is tacos with the cheese extra, not a cheese quesadilla too;
    "cheeseburger with sweet potato fries" is its side, not a portion of fries. Only after a
    "con"/"with" and without a number or article of their own ("y un guacamole" is a dish).
    """
    kept: list[Mention] = []
    for mention in mentions:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.item is not None
            and mention.quantity_start is None
            and any(w in WITH_WORDS for w in words[previous.end : mention.start])
        ):
            found = match_options(
                previous.item,
                words,
                lower=previous.end,
                limit=mention.end,
                name=(previous.start, previous.end),
            )
            if found.positions & set(range(mention.start, mention.end)):
                continue
        kept.append(mention)
    return kept


# "y otra normal", "and another large one": one more of the dish before.
ANOTHER = word_set("otra otro another")
AND_WORDS = word_set("y and e")


def _split_ellipses(words: list[str], mentions: list[Mention]) -> list[Mention]:
    """Portions of the dish just named with other options, without naming it again.

    "2 chocolate milkshakes and a strawberry one", "una coca grande y otra normal",
    "2 tacos con queso y uno con guacamole": one more, with its own options. "2 classic
    burgers, one well done and one rare", "3 cocas, una grande": when the dish was named
    without options, the portions share out its quantity (the rest keep the defaults).
    """
    out: list[Mention] = []
    for index, mention in enumerate(mentions):
        item = mention.item
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(words)
        portions = _portions_after(words, mention, limit) if item and item.groups else []
        if portions and item is not None:
            own = match_options(
                item,
                words,
                lower=max(0, mention.start - 2),
                limit=portions[0].quantity_start or mention.end,
                name=(mention.start, mention.end),
            )
            shared = sum(p.quantity for p in portions)
            if not own.option_ids and mention.quantity_said and shared <= mention.quantity:
                mention.quantity -= shared
        if mention.quantity > 0:
            out.append(mention)
        out.extend(portions)
    return out


def _portions_after(words: list[str], mention: Mention, limit: int) -> list[Mention]:
    """The "<and> <number|otra> <options>" segments after a mention, each with its options'
    window ending where the next one starts."""
    starts: list[tuple[int, int, int]] = []  # (quantity start, quantity end, quantity)
    for at in range(mention.end, limit):
        if at != mention.end and words[at - 1] not in AND_WORDS:
            continue
        if words[at] in ANOTHER:
            starts.append((at, at + 1, 1))
            continue
        span = number_at(words, at)
        if span is not None and span.end <= limit:
            starts.append((at, span.end, span.value))
    item = mention.item
    portions: list[Mention] = []
    for k, (begin, end, quantity) in enumerate(starts):
        upto = starts[k + 1][0] if k + 1 < len(starts) else limit
        if item is None or end >= upto:
            continue
        found = match_options(item, words, lower=end, limit=upto)
        if not found.option_ids or min(found.positions) > end + 2:
            continue
        portions.append(
            Mention(
                start=end,
                end=end,
                candidates=[item],
                quantity=max(1, quantity),
                quantity_said=True,
                quantity_start=begin,
                quantity_end=end,
            )
        )
    return portions


def _attach_options(words: list[str], mention: Mention, *, lower: int, limit: int) -> None:
    item = mention.item
    if item is None:
        return
    quantity = (
        (mention.quantity_start, mention.quantity_end)
        if mention.quantity_start is not None and mention.quantity_end is not None
        else None
    )
    found = match_options(
        item,
        words,
        lower=min(lower, mention.quantity_start if mention.quantity_start is not None else lower),
        limit=limit,
        name=(mention.start, mention.end),
        quantity=quantity,
    )
    mention.option_ids = found.option_ids
    mention.option_positions = found.positions
    counted = _count_option(item, mention.quantity) if mention.quantity_said else None
    if counted is not None:
        # "3 de pastor" with portions of "3 tacos"/"5 tacos": one portion of three, as
        # "3 tacos al pastor" is.
        group, option = counted
        in_group = {o.option_id for o in group.options}
        mention.option_ids = [o for o in found.option_ids if o not in in_group] + [option]
        mention.quantity = 1
    elif found.portion:
        # "a dozen wings" with a "12 wings" portion on the menu: one portion of twelve.
        mention.quantity = 1


def _count_option(item: CatalogItem, quantity: int) -> tuple[GroupEntry, int] | None:
    """The option of a group of counted portions ("3 tacos", "5 tacos") for that many."""
    for group in item.groups:
        if len(group.options) < 2 or not all(
            v and v[0].isdigit() for o in group.options for v in o.variants
        ):
            continue
        for option in group.options:
            if any(v[0] == str(quantity) for v in option.variants):
                return group, option.option_id
    return None


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
