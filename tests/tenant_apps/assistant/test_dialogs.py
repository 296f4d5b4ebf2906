"""The scripted dialog corpus (dialogs.yaml): each dialog must reach its expected end state.

The success rate is printed at the end of the run (see conftest.py here).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenant_apps.menu.models import MenuItem
from tenants.models import Restaurant
from tests.tenant_apps.assistant.dialogs import run_dialog
from tests.tenant_apps.assistant.restaurant import (
    seed_demo_menu_restaurant,
    seed_dialog_restaurant,
)

CORPUS: list[dict[str, Any]] = yaml.safe_load(
    Path(__file__).with_name("dialogs.yaml").read_text(encoding="utf-8")
)
RESULTS: dict[str, bool] = {}


def _seed(dialog: dict[str, Any], restaurant: Restaurant) -> dict[str, MenuItem]:
    """The dialog restaurant, or one of the demo restaurants (`restaurant: mexican`)."""
    cuisine = dialog.get("restaurant")
    if cuisine is None:
        return seed_dialog_restaurant()
    return seed_demo_menu_restaurant(
        cuisine=cuisine, restaurant=restaurant, real_hours=bool(dialog.get("real_hours"))
    )


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 80
    assert len({dialog["id"] for dialog in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("dialog", CORPUS, ids=[d["id"] for d in CORPUS])
def test_dialog_reaches_its_end_state(dialog: dict[str, Any], in_tenant_a: Restaurant) -> None:
    outcome = run_dialog(dialog, _seed(dialog, in_tenant_a))
    if os.environ.get("DIALOG_TRANSCRIPTS"):  # `DIALOG_TRANSCRIPTS=1 pytest -s -k <id>`
        sys.stdout.write("\n".join(["", f"== {dialog['id']}", *outcome.transcript, ""]))

    RESULTS[dialog["id"]] = not outcome.failures
    if outcome.failures and dialog.get("known_gap"):
        pytest.xfail("known gap: " + "; ".join(outcome.failures))
    assert not outcome.failures, "\n".join([*outcome.failures, "--", *outcome.transcript])
