"""Quantities in words and digits; relative and absolute dates and times."""

from __future__ import annotations

from datetime import date, time

import pytest

from tenant_apps.assistant.nlu.datetimes import parse_when
from tenant_apps.assistant.nlu.fuzzy import word_similarity
from tenant_apps.assistant.nlu.normalize import tokens
from tenant_apps.assistant.nlu.numbers import find_numbers

TUESDAY = date(2025, 3, 18)


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("dos", 2),
        ("a dozen", 12),
        ("una docena", 12),
        ("half a dozen", 6),
        ("media docena", 6),
        ("veintidos", 22),
        ("twenty-two", 22),
        ("treinta y cinco", 35),
        ("a couple of", 2),
        ("x3", 3),
        ("3x", 3),
        ("12", 12),
        ("un par de", 2),
    ],
)
def test_numbers_in_words_and_digits(said: str, value: int) -> None:
    assert find_numbers(tokens(said))[0].value == value


def test_articles_are_weak_numbers() -> None:
    assert find_numbers(tokens("una coca"))[0].weak


@pytest.mark.parametrize(
    ("said", "day", "at"),
    [
        ("mañana a las 9", date(2025, 3, 19), time(21, 0)),
        ("el viernes 21:30", date(2025, 3, 21), time(21, 30)),
        ("tomorrow at 7pm", date(2025, 3, 19), time(19, 0)),
        ("el sábado a las nueve y media", date(2025, 3, 22), time(21, 30)),
        ("pasado mañana a las 2 de la tarde", date(2025, 3, 20), time(14, 0)),
        ("el 21 de marzo a las 20:00", date(2025, 3, 21), time(20, 0)),
        ("21/03 a las 8", date(2025, 3, 21), time(20, 0)),
        ("2025-04-02 at 8:15pm", date(2025, 4, 2), time(20, 15)),
        ("tonight at 9", TUESDAY, time(21, 0)),
        ("next friday at 9", date(2025, 3, 21), time(21, 0)),
        ("el martes que viene a las 13:00", date(2025, 3, 25), time(13, 0)),
        ("hoy a mediodía", TUESDAY, time(12, 0)),
        ("el 2 a las 9 menos cuarto", date(2025, 4, 2), time(20, 45)),
        ("march 30 at 10am", date(2025, 3, 30), time(10, 0)),
    ],
)
def test_dates_and_times(said: str, day: date, at: time) -> None:
    when = parse_when(tokens(said), today=TUESDAY)

    assert (when.day, when.at) == (day, at)


@pytest.mark.parametrize("said", ["quiero 2 tacos", "for 4 people", "at a table", "somos 4"])
def test_quantities_are_not_times(said: str) -> None:
    when = parse_when(tokens(said), today=TUESDAY)

    assert when.at is None
    assert when.day is None


def test_relative_times_and_asap() -> None:
    assert parse_when(tokens("en 30 minutos"), today=TUESDAY).minutes_from_now == 30
    assert parse_when(tokens("in half an hour"), today=TUESDAY).minutes_from_now == 30
    assert parse_when(tokens("lo antes posible"), today=TUESDAY).asap
    assert parse_when(tokens("asap please"), today=TUESDAY).asap


@pytest.mark.parametrize(
    ("said", "known"),
    [
        ("hamburgesa", "hamburguesa"),
        ("jalapeno", "jalapeno"),
        ("tacos", "taco"),
        ("pastr", "pastor"),
        ("alitas", "alita"),
        ("burguer", "burger"),
    ],
)
def test_typos_and_plurals_match(said: str, known: str) -> None:
    assert word_similarity(said, known) > 0


@pytest.mark.parametrize(("said", "known"), [("cola", "hola"), ("mesa", "masa")])
def test_short_keywords_do_not_match_strictly(said: str, known: str) -> None:
    assert word_similarity(said, known, strict=True) == 0
