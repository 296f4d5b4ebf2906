"""Intent keywords in both languages, typo tolerant."""

from __future__ import annotations

import pytest

from tenant_apps.assistant.nlu.intents import Intent, classify, stays_with_bot
from tenant_apps.assistant.nlu.normalize import tokens


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("hola buenas", Intent.GREET),
        ("hi there", Intent.GREET),
        ("¿dónde está mi pedido?", Intent.ORDER_STATUS),
        ("where is my order", Intent.ORDER_STATUS),
        ("quiero reservar una mesa", Intent.BOOK),
        ("book a table", Intent.BOOK),
        ("quiero hablar con una persona", Intent.HUMAN),
        ("can I talk to a human", Intent.HUMAN),
        ("eso es todo", Intent.CHECKOUT),
        ("that's all", Intent.CHECKOUT),
        ("a que hora abren", Intent.HOURS),
        ("what are your opening hours", Intent.HOURS),
        ("tienen promociones?", Intent.PROMOTIONS),
        ("any deals?", Intent.PROMOTIONS),
        ("cancelar mi reserva", Intent.CANCEL_BOOKING),
        ("reschedule my booking", Intent.CHANGE_BOOKING),
        ("cuanto cuesta", Intent.PRICE),
        ("tiene gluten", Intent.ALLERGENS),
        ("no, mejor 3", Intent.CORRECTION),
        ("para llevar", Intent.PICKUP),
        ("a domicilio", Intent.DELIVERY),
        ("para comer aquí", Intent.DINE_IN),
        ("sí, confirmo", Intent.YES),
        ("reservaion for 2", Intent.BOOK),
    ],
)
def test_intents_are_recognised(said: str, intent: Intent) -> None:
    assert intent in classify(tokens(said))


def test_an_item_name_is_not_a_greeting() -> None:
    assert Intent.GREET not in classify(tokens("una coca cola grande"))


@pytest.mark.parametrize(
    ("said", "stays"),
    [
        ("da igual, sigo contigo", True),
        ("no hace falta", True),
        ("never mind, I'll keep ordering with you", True),
        ("nevermind", True),
        ("hola?", False),
        ("2 tacos al pastor", False),
        ("never mind the bot, a real person please", False),
    ],
)
def test_taking_back_a_request_for_a_person(said: str, stays: bool) -> None:
    assert stays_with_bot(tokens(said)) is stays
