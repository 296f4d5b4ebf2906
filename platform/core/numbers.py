"""The one parser for whole numbers that come from outside (query parameters, token headers and
claims, path segments): ASCII digits only, bounded length.

`str.isdigit()` accepts "²" and "٣" (int() then fails or reads a different digit) and int()
of 5,000 digits is slow and overflows every database column; both were unauthenticated 500s.
Anything that is not 1 to MAX_DIGITS ASCII digits is a ValueError for the caller to turn into
its own 400 or 401.
"""

from __future__ import annotations

from typing import Final


class NotANumberError(ValueError):
    """What came in is not a whole number this parser accepts."""


# A PostgreSQL bigint holds up to 9223372036854775807 (19 digits); 18 always fit.
MAX_DIGITS: Final = 18


def parse_whole_number(raw: object, *, minimum: int = 0, max_digits: int = MAX_DIGITS) -> int:
    """`raw` (ASCII digits, or an int) as an int >= `minimum`; NotANumberError otherwise."""
    if isinstance(raw, bool):  # True is an int to Python, not a number to a client
        raise NotANumberError(raw)
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise NotANumberError(raw)
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdigit()):
        raise NotANumberError(raw)
    value = int(text)
    if value < minimum:
        raise NotANumberError(raw)
    return value


def parse_id(raw: object) -> int:
    """A database id or version number: 1 up, at most MAX_DIGITS digits."""
    return parse_whole_number(raw, minimum=1)
