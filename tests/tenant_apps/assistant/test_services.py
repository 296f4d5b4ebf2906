"""An assistant turn: what it reads (cached menu catalog and engine settings, fresh after
writes) and what a failure leaves behind (nothing but an apology)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.engine.catalog import catalog_load
from tenant_apps.assistant.engine.flows import ordering
from tenant_apps.assistant.engine.turn import Turn
from tenant_apps.assistant.llm.engine import assistant_settings_get, model_enabled
from tenant_apps.assistant.models import DialogState
from tenant_apps.assistant.services import assistant_settings_update
from tenant_apps.conversations.models import Channel
from tenant_apps.conversations.services import conversation_start
from tenant_apps.menu.models import MenuItem
from tenant_apps.menu.services import menu_item_update
from tenant_apps.messaging.services import webchat_message_post
from tenant_apps.orders.models import Order
from tests.actors import TEST_ACTOR
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant


@pytest.fixture
def menu(in_tenant_a: object) -> dict[str, MenuItem]:
    return seed_dialog_restaurant()


def test_the_catalog_comes_from_the_cache_after_the_first_read(
    menu: dict[str, MenuItem], django_assert_num_queries: Any
) -> None:
    first = catalog_load()

    with django_assert_num_queries(0):
        again = catalog_load()

    assert again.by_id.keys() == first.by_id.keys()
    assert again.by_id[menu["pastor"].pk].name("es") == "Tacos al pastor"


def test_a_menu_change_reaches_the_next_catalog(menu: dict[str, MenuItem]) -> None:
    catalog_load()

    menu_item_update(
        actor=TEST_ACTOR,
        item=menu["pastor"],
        changes={"price": Decimal("4.25"), "out_of_stock": True},
    )

    entry = catalog_load().by_id[menu["pastor"].pk]
    assert entry.price == Decimal("4.25")
    assert entry.orderable is False


def test_the_rules_engine_is_the_default(in_tenant_a: object) -> None:
    assert model_enabled(assistant_settings_get()) is False


def test_changing_the_engine_is_seen_by_the_next_turn(in_tenant_a: object) -> None:
    assistant_settings_get()

    assistant_settings_update(
        changes={"provider": "ollama", "base_url": "http://127.0.0.1:11434", "model": "phi3:mini"}
    )

    settings = assistant_settings_get()
    assert settings.provider == "ollama"
    assert settings.model == "phi3:mini"
    assert model_enabled(settings) is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"provider": "skynet"}, "provider"),
        ({"base_url": "not a url"}, "base_url"),
        ({"api_key": "sk-123"}, "api_key"),
    ],
)
def test_bad_engine_settings_are_refused_and_nothing_changes(
    in_tenant_a: object, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        assistant_settings_update(changes=changes)

    assert field in error.value.message_dict
    assert assistant_settings_get().provider == "rules"


def test_an_engine_failure_takes_back_its_writes_and_apologises(
    menu: dict[str, MenuItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = conversation_start(channel=Channel.WEB, language="es")
    for text in ["2 cervezas", "eso es todo", "para recoger", "lo antes posible", "Ana"]:
        webchat_message_post(conversation=conversation, text=text)
    webchat_message_post(conversation=conversation, text="612345678")
    place_order = ordering.place_order

    def place_then_fail(turn: Turn) -> None:
        place_order(turn)
        raise RuntimeError("a bug after the order was written")

    monkeypatch.setattr(ordering, "place_order", place_then_fail)
    turn = webchat_message_post(conversation=conversation, text="sí")

    assert [reply.text for reply in turn.replies] == [replies.say("trouble", "es")]
    assert not Order.objects.exists()
    assert DialogState.objects.get(conversation=conversation).data["awaiting"] == "confirm_order"

    monkeypatch.undo()
    webchat_message_post(conversation=conversation, text="sí")

    assert Order.objects.get().lines.get().quantity == 2
