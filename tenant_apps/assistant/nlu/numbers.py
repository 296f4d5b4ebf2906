"""Quantities in digits or words, Spanish and English: "dos", "a dozen", "veintiuno", "x2"."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_apps.assistant.nlu.patterns import MAX_TOKEN_INPUT, bounded

UNITS = {
    # Spanish
    "cero": 0,
    "un": 1,
    "una": 1,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiuno": 21,
    "veintiun": 21,
    "veintiuna": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "cien": 100,
    # English
    "zero": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    # Typos seen in chats
    "tre": 3,
    "cuatr": 4,
    "sinco": 5,
    "sies": 6,
}
# Articles are numbers only when followed by something countable ("a taco", "una coca").
WEAK = frozenset({"a", "an", "un", "una", "uno"})
TENS = {
    "veinte": 20,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
DOZEN = frozenset({"docena", "docenas", "dozen", "dozens"})
HALF = frozenset({"media", "medio", "half"})
COUPLE = frozenset({"par", "couple", "pair"})
_DIGITS = bounded(r"^(?:x)?(\d{1,3})(?:x)?$", limit=MAX_TOKEN_INPUT)


@dataclass(frozen=True)
class NumberSpan:
    start: int
    end: int  # exclusive token index
    value: int
    weak: bool = False


def _single(tokens: list[str], i: int) -> NumberSpan | None:
    token = tokens[i]
    match = _DIGITS.match(token)
    if match:
        return NumberSpan(i, i + 1, int(match.group(1)))
    if token in UNITS:
        return NumberSpan(i, i + 1, UNITS[token], weak=token in WEAK)
    return None


def number_at(tokens: list[str], i: int) -> NumberSpan | None:  # noqa: PLR0911 - one branch per form
    """The number starting at token i, with its multiword forms, or None."""
    n = len(tokens)
    nxt = tokens[i + 1] if i + 1 < n else ""
    nxt2 = tokens[i + 2] if i + 2 < n else ""
    token = tokens[i]
    # "half a dozen", "media docena"
    if token in HALF and nxt in DOZEN:
        return NumberSpan(i, i + 2, 6)
    if token in HALF and nxt in {"a", "una"} and nxt2 in DOZEN:
        return NumberSpan(i, i + 3, 6)
    # "a dozen", "una docena", "dos docenas", "2 dozen"
    head = _single(tokens, i)
    if head is not None and nxt in DOZEN:
        return NumberSpan(i, i + 2, head.value * 12)
    if token in DOZEN:
        return NumberSpan(i, i + 1, 12)
    # "a couple of", "un par de"
    if token in {"a", "un"} and nxt in COUPLE:
        end = i + 3 if nxt2 in {"of", "de"} else i + 2
        return NumberSpan(i, end, 2)
    # "veinte y dos", "twenty two", "twenty-two" (hyphens are spaces by now)
    if token in TENS:
        if nxt == "y" and nxt2 in UNITS and 0 < UNITS[nxt2] < 10:
            return NumberSpan(i, i + 3, TENS[token] + UNITS[nxt2])
        if nxt in UNITS and 0 < UNITS[nxt] < 10 and nxt not in WEAK:
            return NumberSpan(i, i + 2, TENS[token] + UNITS[nxt])
    return head


def find_numbers(tokens: list[str]) -> list[NumberSpan]:
    spans: list[NumberSpan] = []
    i = 0
    while i < len(tokens):
        span = number_at(tokens, i)
        if span is None:
            i += 1
            continue
        spans.append(span)
        i = span.end
    return spans


def word_to_int(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return UNITS.get(token)
