"""Every regular expression over customer text reads a bounded slice of it.

Times nothing: what is checked is the size of the input each pattern is given, and that the
crafted inputs of the security review are read correctly.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

from tenant_apps import assistant
from tenant_apps.assistant.engine import parse as parse_module
from tenant_apps.assistant.nlu.patterns import (
    MAX_CHARACTER_INPUT,
    MAX_PATTERN_INPUT,
    BoundedPattern,
    bounded,
)
from tenant_apps.conversations.services import MAX_TEXT_LENGTH

# The packages that read what customers type, and the model's answer about it (services.py
# and llm/egress.py validate staff settings, not chat text).
CUSTOMER_TEXT_PACKAGES = ("engine", "nlu")
CUSTOMER_TEXT_MODULES = ("tenant_apps.assistant.llm.proposal",)
RAW_REGEX_CALL = re.compile(
    r"\bre\.(?:compile|search|match|fullmatch|findall|finditer|sub|split)\("
)


def _modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(assistant.__path__, prefix=f"{assistant.__name__}.")
        if info.name.split(".")[2] in CUSTOMER_TEXT_PACKAGES
    ] + list(CUSTOMER_TEXT_MODULES)
    return [importlib.import_module(name) for name in names]


def _patterns(module: ModuleType) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern | BoundedPattern)
    }


def test_every_module_pattern_over_customer_text_is_bounded() -> None:
    found = {
        f"{module.__name__}.{name}": pattern
        for module in _modules()
        for name, pattern in _patterns(module).items()
    }

    assert len(found) >= 15  # the walk did find the parser's, normaliser's and dates' patterns
    raw = [name for name, pattern in found.items() if not isinstance(pattern, BoundedPattern)]
    assert raw == []
    assert all(
        isinstance(p, BoundedPattern) and 0 < p.limit <= MAX_CHARACTER_INPUT for p in found.values()
    )


def test_no_regular_expression_is_applied_outside_a_bounded_pattern() -> None:
    root = Path(assistant.__file__).parent
    offending = [
        f"{path.relative_to(root)}:{number}"
        for package in CUSTOMER_TEXT_PACKAGES
        for path in [
            *sorted((root / package).rglob("*.py")),
            root / "llm" / "proposal.py",
        ]
        if path.name != "patterns.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if RAW_REGEX_CALL.search(line)
    ]

    assert offending == []


def test_a_bounded_pattern_sees_no_more_than_its_limit() -> None:
    anything = bounded(r".+", limit=10)

    match = anything.search("x" * 5000)

    assert match is not None
    assert len(match.group()) == 10
    assert anything.sub("", "y" * 5000) == ""
    assert len(anything.clip("z" * 5000)) == 10


def test_patterns_over_whole_messages_see_less_than_a_message() -> None:
    # A phone or an address beyond the cap is not read: the pattern never saw it.
    beyond = "a" * MAX_PATTERN_INPUT + " 612 345 678 my address is Calle Luna 5"

    assert parse_module._phone(beyond) == ""
    assert parse_module._address(beyond, delivery=True) == ""
    assert MAX_PATTERN_INPUT < MAX_TEXT_LENGTH


@pytest.mark.parametrize("limit", [0, MAX_CHARACTER_INPUT + 1])
def test_a_pattern_cannot_be_made_unbounded(limit: int) -> None:
    with pytest.raises(ValueError, match="at most"):
        bounded(r"x", limit=limit)


def test_the_crafted_address_of_the_review_is_read_as_no_address() -> None:
    crafted = "my address is " + " ," * 993 + "x"

    assert parse_module._address(crafted, delivery=False) == ""
    assert parse_module._address(crafted, delivery=True) == ""


def test_an_address_still_ends_before_the_time_or_courtesy_said_after_it() -> None:
    assert parse_module._address("mi dirección es Calle Luna 5, 3ºB por favor", delivery=False) == (
        "Calle Luna 5, 3ºB"
    )
    assert parse_module._address("a domicilio en Calle Luna 5, , a las 9", delivery=True) == (
        "Calle Luna 5"
    )
    assert parse_module._address("deliver to 5 Camden Road,  please", delivery=True) == (
        "5 Camden Road"
    )
