"""The held-out and generated dialogs again, with the restaurant's assistant configured to use a
language model: the local fake model server (real HTTP on loopback) answers every turn.

The model proposes, the services decide, so a model that says nothing useful must leave the
outcomes where the rules engine alone puts them. The fake answers each turn with no proposal
("unknown", a short wording without figures). As in test_dialogs_heldout.py, a dialog that
misses its outcome is an expected failure and the rates are printed at the end of the run; an
order or booking the customer did not ask for always fails. A subset of the generated
dialogs runs here (GENERATED_WITH_MODEL, the first 14) to keep the added time under a
minute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tenant_apps.assistant.services import assistant_settings_update
from tenants.models import Restaurant
from tests.tenant_apps.assistant.fake_llm import (
    FakeModelServer,
    Reply,
    fake_model_server,
    ollama_message,
)
from tests.tenant_apps.assistant.test_dialogs_heldout import GENERATED, HELD_OUT, _run

GENERATED_WITH_MODEL = GENERATED[:14]  # every template twice (seven kinds, in turn)
LLM_HELD_OUT_RESULTS: dict[str, bool] = {}
LLM_GENERATED_RESULTS: dict[str, bool] = {}


def _no_proposal(request: dict[str, Any]) -> Reply:
    """A model that understood nothing it could act on."""
    return Reply(body=ollama_message(json.dumps({"intent": "unknown", "reply": "¡Claro!"})))


@pytest.fixture(scope="module")
def silent_model() -> Iterator[FakeModelServer]:
    with fake_model_server() as server:
        server.responder = _no_proposal
        yield server


@pytest.fixture
def with_model(in_tenant_a: Restaurant, silent_model: FakeModelServer) -> Restaurant:
    assistant_settings_update(
        changes={
            "provider": "ollama",
            "base_url": silent_model.url,
            "model": "phi3:mini",
            "tool_mode": "json",
            "timeout_seconds": 0.5,
        }
    )
    return in_tenant_a


@pytest.mark.parametrize("dialog", HELD_OUT, ids=[d["id"] for d in HELD_OUT])
def test_held_out_dialog_with_a_model(
    dialog: dict[str, Any], with_model: Restaurant, silent_model: FakeModelServer
) -> None:
    asked = len(silent_model.requests)
    _run(dialog, with_model, LLM_HELD_OUT_RESULTS)
    assert len(silent_model.requests) > asked, "the model was never asked"


@pytest.mark.parametrize(
    "dialog", GENERATED_WITH_MODEL, ids=[d["id"] for d in GENERATED_WITH_MODEL]
)
def test_generated_dialog_with_a_model(
    dialog: dict[str, Any], with_model: Restaurant, silent_model: FakeModelServer
) -> None:
    asked = len(silent_model.requests)
    _run(dialog, with_model, LLM_GENERATED_RESULTS)
    assert len(silent_model.requests) > asked, "the model was never asked"
