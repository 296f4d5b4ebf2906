"""One message, understood: intents and entities, before the dialog manager decides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tenant_apps.assistant.engine.catalog import (
    Catalog,
    CatalogItem,
    CategoryEntry,
    Mention,
)
from tenant_apps.assistant.engine.mentions import find_categories, find_mentions
from tenant_apps.assistant.nlu import language as lang
from tenant_apps.assistant.nlu.datetimes import When, parse_when
from tenant_apps.assistant.nlu.intents import Intent, classify
from tenant_apps.assistant.nlu.normalize import fold, tokens, word_set
from tenant_apps.assistant.nlu.numbers import find_numbers, number_at
from tenant_apps.assistant.nlu.patterns import MAX_TOKEN_INPUT, bounded

# "delivery to 5 Camden Road", "a domicilio en Calle Luna 5, 3ºB", "envíamelo a c/ Sol 3".
_ADDRESS = bounded(
    r"(?:deliver(?:y|ed)?|domicilio|env[ií]a(?:lo|mela|melo|mel[oa])?|send it|bring it)"
    r"\s++(?:to|a|en|at|al)\s++(?P<address>.{4,})$",
    re.IGNORECASE,
)
# Where an address said with the delivery ends: a time or a courtesy after it. The run of
# separators before it is tried once, from its start (not from each of its characters, which
# made "my address is" + " ," * 1000 quadratic).
_ADDRESS_END = bounded(
    r"(?<![\s,])[\s,]++(?:at \d|a las|para las|sobre las|lo antes|cuanto antes|asap|as soon|"
    r"en \d+ min|in \d+ min|por favor|porfa|please|pls|thanks|gracias)\b.*$",
    re.IGNORECASE,
)
# "mi dirección es Avenida de América 12, 4ºB", "my address is 5 Camden Road".
_CUSTOMER_ADDRESS = bounded(
    r"(?:\b(?:mi|la|my|the)\s+(?:direcci[oó]n|address)(?:\s+(?:es|is))?|\bdirecci[oó]n\s*:"
    r"|\baddress\s*:|\bvivo en|\bi live (?:at|in))\s*(?P<address>.{4,})$",
    re.IGNORECASE,
)
_PHONE = bounded(r"(?<![\d+])(\+?\d[\d\s().-]{6,18}\d)(?!\d)")
_NOT_PHONE_DIGITS = bounded(r"[^\d+]", limit=MAX_TOKEN_INPUT)
_NAME_LEADS = (
    ("me", "llamo"),
    ("mi", "nombre", "es"),
    ("a", "nombre", "de"),
    ("my", "name", "is"),
    ("name", "is"),
    ("under", "the", "name", "of"),
    ("under", "the", "name"),
    ("put", "it", "under"),
    ("under",),
    ("en", "nombre", "de"),
    ("soy",),
    ("this", "is"),
    ("i", "am"),
    ("nombre",),
    ("name",),
)
PARTY_WORDS = frozenset(
    {
        "personas",
        "persona",
        "people",
        "person",
        "pax",
        "comensales",
        "guests",
        "adultos",
        "adults",
        "of",
        "us",
    }
)
_NOT_NAMES = word_set(
    "hola si no ok vale gracias yes no thanks hi hello quiero i want the el la un una"
)


@dataclass
class Parse:
    raw: str
    text: str  # folded words joined
    words: list[str]
    intents: set[Intent]
    mentions: list[Mention]
    categories: list[CategoryEntry]
    when: When
    numbers: list[int] = field(default_factory=list)  # free numbers (not dates, items, phones)
    party_size: int | None = None
    phone: str = ""
    name: str = ""
    order_type: str = ""
    address: str = ""
    # "estamos en la mesa 4", "table 12 here": the customer is at that table (dine-in).
    table: str = ""
    language: str | None = None
    switch_language: str | None = None
    # The intents and words outside dish names: "¿cuánto cuesta la paella de marisco?" asks
    # a price, whatever "marisco" says about allergens.
    outside_intents: set[Intent] = field(default_factory=set)
    outside_words: list[str] = field(default_factory=list)

    def has(self, *intents: Intent) -> bool:
        return any(intent in self.intents for intent in intents)


def _phone(raw: str) -> str:
    for match in _PHONE.finditer(raw):
        digits = _NOT_PHONE_DIGITS.sub("", match.group(1))
        if 8 <= len(digits.lstrip("+")) <= 15:
            return digits
    return ""


def _address(raw: str, *, delivery: bool) -> str:
    """The customer's address, said with the delivery request ("a domicilio en ...") or as
    theirs ("mi dirección es ..."), if it has a number in it."""
    match = (_ADDRESS.search(raw.strip()) if delivery else None) or _CUSTOMER_ADDRESS.search(
        raw.strip()
    )
    if match is None:
        return ""
    address = _ADDRESS_END.sub("", match.group("address")).strip(" .,;!?")
    return address[:255] if any(ch.isdigit() for ch in address) else ""


def _party_size(words: list[str], skip: set[int]) -> tuple[int | None, set[int]]:
    """ "somos 4", "para 4 personas", "for two", "party of 6", "mesa para 2", "4 people"."""
    for i in range(len(words)):
        if i in skip:
            continue
        span = number_at(words, i)
        if span is None or span.value <= 0 or span.value > 60:
            continue
        prev = words[i - 1] if i > 0 else ""
        prev2 = words[i - 2] if i > 1 else ""
        nxt = words[span.end] if span.end < len(words) else ""
        if span.weak and nxt not in PARTY_WORDS:
            continue
        if (
            nxt in PARTY_WORDS
            or prev in {"somos", "seremos", "party", "grupo", "were"}
            # "we are 2", "we'll be 4", "we will be 3" ("we're" folds to "were")
            or (prev in {"are", "be"} and prev2 in {"we", "well", "will", "gonna"})
            or (nxt == "of" and span.end + 1 < len(words) and words[span.end + 1] == "us")
            or (
                prev in {"para", "for"}
                and prev2
                in {"mesa", "table", "reserva", "reservar", "book", "booking", "reservation"}
            )
            or (
                prev in {"para", "for"}
                and nxt
                in {
                    "",
                    "a",
                    "at",
                    "el",
                    "la",
                    "on",
                    "tomorrow",
                    "manana",
                    "hoy",
                    "today",
                    "tonight",
                    "y",
                    "and",
                    "este",
                    "this",
                    "next",
                    "proximo",
                }
            )
        ):
            return span.value, set(range(span.start, span.end))
    return None, set()


def _name(raw: str, words: list[str]) -> str:
    """ "me llamo Ana García" -> "Ana García" (original casing, from the raw text)."""
    raw_words = fold(raw).split()
    original = raw.split()
    for lead in _NAME_LEADS:
        size = len(lead)
        for i in range(len(raw_words) - size + 1):
            if tuple(raw_words[i : i + size]) == lead:
                name_words = [
                    w.strip(".,;:!?¡¿")
                    for w in original[i + size : i + size + 4]
                    if not any(ch.isdigit() for ch in w)
                ]
                stop = next(
                    (
                        k
                        for k, w in enumerate(name_words)
                        if fold(w) in {"y", "and", "mi", "my", "telefono", "phone"}
                    ),
                    None,
                )
                name_words = name_words[:stop]
                if name_words and fold(name_words[0]) not in _NOT_NAMES:
                    return " ".join(name_words)[:80]
    return ""


def _order_type(intents: set[Intent]) -> str:
    if Intent.DELIVERY in intents:
        return "delivery"
    if Intent.PICKUP in intents:
        return "pickup"
    if Intent.DINE_IN in intents:
        return "dine_in"
    return ""


# Words after which a customer corrects what they just wrote ("3 tacos... no, mejor 4").
_CORRECTION_MARKERS = word_set("mejor no espera wait actually sorry perdon rather corrijo")


def _corrected_in_message(words: list[str], mentions: list[Mention], used: set[int]) -> bool:
    """Self-corrections inside one message, applied to its mentions: "quiero 3 tacos al
    pastor, no espera, mejor 4" orders four; "2 coronas, no, mejor 3 coronas" orders three
    (the later mention of a dish replaces the earlier one)."""
    changed = False
    for i, word in enumerate(words):
        if word not in _CORRECTION_MARKERS:
            continue
        before = [m for m in mentions if m.end <= i and m.item is not None]
        if not before:
            continue
        target = before[-1]
        if any(
            m.start > i and m.item is not None and m.item.item_id == target.item_id_or_zero()
            for m in mentions
        ):
            mentions.remove(target)
            changed = True
            continue
        for j in range(i + 1, min(i + 4, len(words))):
            span = number_at(words, j)
            if span is None or span.weak or j in used:
                continue
            target.quantity = max(1, span.value)
            target.quantity_said = True
            used |= set(range(span.start, span.end))
            changed = True
            break
    return changed


QUESTION_INTENTS = frozenset({Intent.PRICE, Intent.DESCRIBE, Intent.ALLERGENS, Intent.DIETARY})
# A message opening with one of these asks something even without a question mark.
_QUESTION_OPENERS = word_set(
    "es son esta estan lleva llevan tiene tienen pica pican que cual cuales cuanto cuanta como "
    "is are does do has have what which how whats"
)


_ASKING = word_set("saber preguntar preguntaros preguntarte consultar know ask")
_QUESTION_VERBS = word_set(
    "es son lleva llevan tiene tienen teneis tienes hay is are does do has have comes"
)


def _intents(raw: str, words: list[str], mentions: list[Mention]) -> set[Intent]:
    """The message's intents, without the words that named a dish or its options.

    "a dozen wings with hot buffalo sauce" orders (hot is the sauce, not a question about
    spice) and "cheeseburger well done" does not finish the order. A question word inside a
    dish's name ("2 alitas picantes") asks nothing unless the message is a question.
    """
    options = {i for mention in mentions for i in mention.option_positions}
    unmasked = [w if i not in options else "\0" for i, w in enumerate(words)]
    intents = classify(unmasked)
    asking = "?" in raw or (bool(words) and words[0] in _QUESTION_OPENERS)
    if (
        "?" in raw
        and mentions
        and not intents & (QUESTION_INTENTS | {Intent.ADD})
        and not any(m.quantity_said for m in mentions)
        and any(w in _QUESTION_VERBS for w in words)
    ):
        # "¿la paella es para 2?", "do you have churros?": about the dish, not an order.
        intents.add(Intent.DESCRIBE)
    if asking or not intents & QUESTION_INTENTS:
        return intents
    names = {i for m in mentions for i in range(m.start, m.end)}
    outside = classify([w if i not in names else "\0" for i, w in enumerate(unmasked)])
    return (intents - QUESTION_INTENTS) | (outside & QUESTION_INTENTS)


TABLE_WORDS = frozenset({"mesa", "table"})
NUMBER_MARKS = frozenset({"numero", "number", "no", "n", "nº", "num", "#"})


def _table(words: list[str]) -> tuple[str, set[int]]:
    """The table the customer sits at: "mesa 4", "table no. 12" (never "mesa para 4")."""
    for i, word in enumerate(words[:-1]):
        if word not in TABLE_WORDS:
            continue
        at = i + 2 if words[i + 1] in NUMBER_MARKS and i + 2 < len(words) else i + 1
        if words[at].isdigit() and len(words[at]) <= 3:
            return words[at], set(range(i, at + 1))
    return "", set()


def parse(
    raw: str,
    *,
    catalog: Catalog,
    today: date,
    current_language: str | None,
    last_item: CatalogItem | None = None,
) -> Parse:
    words = tokens(raw)
    table, table_span = _table(words)
    when = parse_when(
        [w if i not in table_span else "\0" for i, w in enumerate(words)], today=today
    )
    phone = _phone(raw)
    skip = set(when.consumed) | table_span
    if phone:
        skip |= {
            i
            for i, w in enumerate(words)
            if any(ch.isdigit() for ch in w)
            and len(w) >= 2
            and w.lstrip("+").replace("-", "").isdigit()
            and w in phone + " " + raw
        }
    party_size, party_span = _party_size(words, skip)
    skip |= party_span
    mentions = find_mentions(catalog, words, skip=skip, last_item=last_item)
    used = set(skip)
    for mention in mentions:
        used |= set(range(mention.start, mention.end))
        if mention.quantity_start is not None:
            used |= set(range(mention.quantity_start, mention.start))
    corrected = _corrected_in_message(words, mentions, used)
    free_numbers = [
        span.value for span in find_numbers(words) if not span.weak and span.start not in used
    ]
    intents = _intents(raw, words, mentions)
    if Intent.ADD in intents and any(w in _ASKING for w in words):
        # "quería saber si...", "I'd like to know": a question, not an order.
        intents.discard(Intent.ADD)
    if table:
        # At a table already: what they ask for is an order for it, not a booking.
        intents.discard(Intent.BOOK)
        intents.add(Intent.DINE_IN)
    if corrected:
        # Already applied to the dishes of this message; nothing earlier is being corrected.
        intents -= {Intent.CORRECTION, Intent.NO}
    named = {i for m in mentions for i in (*range(m.start, m.end), *m.option_positions)}
    outside_words = [w if i not in named else "\0" for i, w in enumerate(words)]
    text = " ".join(words)
    return Parse(
        raw=raw,
        text=text,
        words=words,
        intents=intents,
        mentions=mentions,
        categories=find_categories(catalog, words),
        when=when,
        numbers=free_numbers,
        party_size=party_size,
        phone=phone,
        name=_name(raw, words),
        order_type=_order_type(intents),
        address=_address(raw, delivery=Intent.DELIVERY in intents),
        table=table,
        language=lang.detect(words, current=current_language),
        switch_language=lang.requested_switch(text),
        outside_intents=classify(outside_words) if mentions else set(intents),
        outside_words=outside_words,
    )
