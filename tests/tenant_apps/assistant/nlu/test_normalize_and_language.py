"""Folding and language detection tolerate case, accents, emoji and chat shorthand."""

from __future__ import annotations

import pytest

from tenant_apps.assistant.nlu.language import detect, requested_switch
from tenant_apps.assistant.nlu.normalize import normalized, tokens


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Kiero 2 TACOS al pástor!!", "quiero 2 tacos al pastor"),
        ("¿Dónde está mi pedido?", "donde esta mi pedido"),
        ("holaaaa q tal 👋", "hola que tal hola"),
        ("coca-cola grande x favor", "coca cola grande por favor"),
        ("mañana a las 9:30, somos 4", "manana a las 9:30 somos 4"),
        ("precio: 12,50€", "precio 12,50"),
        ("thx, that's all", "thanks thats all"),
    ],
)
def test_messages_are_folded_to_plain_words(said: str, expected: str) -> None:
    assert normalized(said) == expected


def test_digits_joined_by_hyphens_stay_together() -> None:
    assert "2025-03-21" in tokens("el 2025-03-21")


@pytest.mark.parametrize(
    ("said", "language"),
    [
        ("hola, quiero dos tacos por favor", "es"),
        ("hi, I would like two tacos please", "en"),
        ("kiero reservar una mesa pa mañana", "es"),
        ("can i get a burger", "en"),
    ],
)
def test_language_is_detected_from_the_message(said: str, language: str) -> None:
    assert detect(tokens(said)) == language


def test_a_single_ambiguous_word_does_not_switch_the_conversation() -> None:
    assert detect(tokens("ok"), current="es") is None
    assert detect(tokens("tacos"), current="en") is None


@pytest.mark.parametrize(
    ("said", "language"),
    [
        ("in english please", "en"),
        ("¿hablas español?", "es"),
        ("en inglés por favor", "en"),
    ],
)
def test_explicit_switch_requests(said: str, language: str) -> None:
    assert requested_switch(normalized(said)) == language
