"""What an assistant turn reads: the cached menu catalog and engine settings, fresh after writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.assistant.engine.catalog import catalog_load
from tenant_apps.assistant.llm.engine import assistant_settings_get, model_enabled
from tenant_apps.assistant.services import assistant_settings_update
from tenant_apps.menu.models import MenuItem
from tenant_apps.menu.services import menu_item_update
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

    menu_item_update(item=menu["pastor"], changes={"price": Decimal("4.25"), "out_of_stock": True})

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
