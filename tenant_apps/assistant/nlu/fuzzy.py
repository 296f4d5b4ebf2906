"""Typo-tolerant word comparison: a bounded Damerau-Levenshtein distance and plural folding."""

from __future__ import annotations

from functools import lru_cache


def singular(word: str) -> str:
    """Crude singular for Spanish and English plurals: tacos->taco, alitas->alita, wings->wing."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "lnrdzj":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def allowed_typos(word: str, *, strict: bool = False) -> int:
    """Menu names tolerate more than keywords, whose short words collide ("hola"/"cola")."""
    size = len(word) - (2 if strict else 0)
    if size <= 4:
        return 0
    if size <= 7:
        return 1
    return 2


@lru_cache(maxsize=65536)
def distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance, giving up (returning limit+1) beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b and previous_previous:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def word_similarity(said: str, known: str, *, strict: bool = False) -> float:
    """1.0 for the same word (or its plural), less for typos, 0.0 when too different."""
    if said == known:
        return 1.0
    said_s, known_s = singular(said), singular(known)
    if said_s == known_s:
        return 0.98
    limit = min(allowed_typos(known_s, strict=strict), allowed_typos(said_s, strict=strict) + 1)
    if limit == 0:
        return 0.0
    dist = distance(said_s, known_s, limit)
    if dist > limit:
        return 0.0
    return 1.0 - 0.15 * dist


def matches(said: str, known: str, *, strict: bool = False) -> bool:
    return word_similarity(said, known, strict=strict) > 0.0


def phrase_in(tokens: list[str], phrase: list[str]) -> bool:
    """Whether the words of `phrase` appear consecutively in `tokens`, allowing a few typos."""
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if all(matches(tokens[start + k], phrase[k], strict=True) for k in range(size)):
            return True
    return False
