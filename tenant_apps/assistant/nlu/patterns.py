"""Regular expressions over what customers type, each reading a bounded slice of its input.

A chat message is up to `MAX_TEXT_LENGTH` characters, and a pattern with nested repetition
can cost far more than linear time on a crafted one (a run of " ," after "my address is").
So every pattern the assistant applies to customer text is a `BoundedPattern`: it sees at
most `limit` characters (the first ones), whatever it is given. Patterns are also written so
that each starting point is tried once (anchored runs, possessive repeats).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# What a pattern over a message reads: longer than any address, phone or sentence a customer
# needs a pattern for.
MAX_PATTERN_INPUT = 600
# Patterns of single characters (separators, accents) read the whole message, as long as the
# chat accepts (conversations.services.MAX_TEXT_LENGTH): each position is looked at once.
MAX_CHARACTER_INPUT = 2000
# What a pattern over one word reads ("21:30", "x2", "21/03/2026").
MAX_TOKEN_INPUT = 32


@dataclass(frozen=True)
class BoundedPattern:
    regex: re.Pattern[str]
    limit: int

    def clip(self, text: str) -> str:
        return text[: self.limit]

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(self.clip(text))

    def match(self, text: str) -> re.Match[str] | None:
        return self.regex.match(self.clip(text))

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.regex.fullmatch(self.clip(text))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(self.clip(text))

    def findall(self, text: str) -> list[str]:
        return [match.group() for match in self.regex.finditer(self.clip(text))]

    def sub(self, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
        """The clipped text with the pattern replaced (what lies beyond the limit is dropped:
        callers pass text already within it, or want only its start)."""
        return self.regex.sub(replacement, self.clip(text))


def bounded(expression: str, flags: int = 0, *, limit: int = MAX_PATTERN_INPUT) -> BoundedPattern:
    if not 0 < limit <= MAX_CHARACTER_INPUT:
        raise ValueError(f"a pattern reads at most {MAX_CHARACTER_INPUT} characters")
    return BoundedPattern(regex=re.compile(expression, flags), limit=limit)
