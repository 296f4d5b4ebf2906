"""Dialogs generated from templates over several menus, to measure generalisation.

Paraphrases, regional words (Spain, Mexico, UK/US), typos, chat shorthand and emoji in both
languages, each dialog with the outcome it must reach (order lines and type, booking day, time
and party, handoff, or nothing created). Seeded, so a run is repeatable; the templates are not
the corpus' sentences and the engine is never tuned on a generated dialog's wording.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NUMBER_WORDS = {
    "es": {1: "un", 2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis"},
    "en": {1: "a", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"},
}


@dataclass(frozen=True)
class Dish:
    key: str
    es: str
    en: str
    es_plural: str
    en_plural: str


# Dishes that need no option question (no required group, or one with a default).
MENUS: dict[str, tuple[Dish, ...]] = {
    "dialog": (
        Dish("pastor", "taco al pastor", "al pastor taco", "tacos al pastor", "al pastor tacos"),
        Dish("pollo", "taco de pollo", "chicken taco", "tacos de pollo", "chicken tacos"),
        Dish(
            "veggie",
            "hamburguesa vegetariana",
            "veggie burger",
            "hamburguesas vegetarianas",
            "veggie burgers",
        ),
        Dish("guacamole", "guacamole", "guacamole", "guacamoles", "guacamoles"),
        Dish("cerveza", "cerveza", "beer", "cervezas", "beers"),
        Dish("agua", "agua", "water", "aguas", "waters"),
    ),
    "mexican": (
        Dish(
            "burrito vegetariano",
            "burrito vegetariano",
            "veggie burrito",
            "burritos vegetarianos",
            "veggie burritos",
        ),
        Dish(
            "quesadilla de queso",
            "quesadilla de queso",
            "cheese quesadilla",
            "quesadillas de queso",
            "cheese quesadillas",
        ),
        Dish("elote asado", "elote asado", "grilled corn", "elotes asados", "grilled corns"),
        Dish("cerveza corona", "corona", "corona beer", "coronas", "corona beers"),
        Dish("margarita", "margarita", "margarita", "margaritas", "margaritas"),
    ),
    "burgers": (
        Dish(
            "hamburguesa clasica",
            "hamburguesa clásica",
            "classic burger",
            "hamburguesas clásicas",
            "classic burgers",
        ),
        Dish(
            "hamburguesa vegetal",
            "hamburguesa vegetal",
            "veggie burger",
            "hamburguesas vegetales",
            "veggie burgers",
        ),
        Dish(
            "aros de cebolla",
            "ración de aros de cebolla",
            "onion rings",
            "raciones de aros de cebolla",
            "portions of onion rings",
        ),
        Dish(
            "limonada casera",
            "limonada casera",
            "home-made lemonade",
            "limonadas caseras",
            "home-made lemonades",
        ),
        Dish("cerveza ipa artesana", "cerveza IPA", "craft IPA", "cervezas IPA", "craft IPAs"),
    ),
}

ORDER_LEADS = {
    "es": [
        "quiero",
        "ponme",
        "me pones",
        "me das",
        "me regalas",
        "quisiera",
        "me traes",
        "holaa, me pones",
        "buenas! quiero",
        "kiero",
    ],
    "en": [
        "I'd like",
        "can I get",
        "can i have",
        "lemme get",
        "I want",
        "could I get",
        "hi! I'd like",
        "hey, can we get",
        "i'll have",
    ],
}
COURTESY = {
    "es": ["", "", " porfa", " por favor", " xfa", " 🙏"],
    "en": ["", "", " please", " pls", " plz", " 🙏"],
}
CLOSINGS = {
    "es": [
        "eso es todo",
        "nada más",
        "na más, gracias",
        "ya está",
        "es todo",
        "nada mas gracias",
        "eso es todo 👍",
        "listo, eso es todo",
    ],
    "en": [
        "that's all",
        "that's it thx",
        "that's everything",
        "nothing else",
        "that's it",
        "all good thanks",
        "done",
        "nope that's all",
    ],
}
PICKUP = {
    "es": ["para recoger", "para llevar", "paso a recogerlo", "recoger"],
    "en": ["pickup", "to go", "I'll pick it up", "collection please"],
}
ASAP = {
    "es": ["lo antes posible", "cuanto antes", "ya", "ahora mismo"],
    "en": ["asap", "as soon as possible", "now please", "right away"],
}
YES = {
    "es": ["sí", "si", "vale", "sí, confirmo", "perfecto", "sí, gracias", "👍", "dale"],
    "en": ["yes", "yep", "yes please", "sure", "confirm", "yes thanks", "👍", "sounds good"],
}
DECLINE = {
    "es": [
        "uy no, al final no lo quiero",
        "no, déjalo",
        "mejor no, gracias",
        "no, cancela",
        "olvídalo, ya no quiero nada",
    ],
    "en": [
        "actually no, I don't want it",
        "no, forget it",
        "nah cancel that",
        "no thanks, not anymore",
        "scrap it, I changed my mind",
    ],
}
GOODBYE = {
    "es": ["gracias, adiós", "hasta luego", "vale, gracias, chao", "bueno, adiós"],
    "en": ["ok thanks bye", "bye", "thanks, see ya", "ok bye"],
}
NAMES = ["Ana", "Luis", "Marta", "Jorge", "Kim", "Sam", "Lola", "Iker", "Ruth", "Omar"]
HANDOFF = {
    "es": [
        "¿me pasas con alguien del restaurante?",
        "quiero hablar con una persona",
        "necesito hablar con el encargado",
        "¿puede atenderme alguien de verdad?",
        "pásame con un humano porfa",
    ],
    "en": [
        "can I talk to a real person?",
        "put me through to someone at the restaurant please",
        "I need to speak to the manager",
        "is there a human I can talk to?",
        "can someone from the staff help me?",
    ],
}
# (said, hh:mm) for a time tomorrow evening, on the half hours the restaurants book (a
# quarter past is not bookable there, and the engine rightly offers the nearest times).
TIMES = {
    "es": [
        ("a las 9", "21:00"),
        ("a las nueve y media", "21:30"),
        ("a las 21:30", "21:30"),
        ("a las ocho y media", "20:30"),
        ("a las 20h", "20:00"),
        ("a las diez", "22:00"),
    ],
    "en": [
        ("at 9pm", "21:00"),
        ("at half past eight", "20:30"),
        ("at 8:30 pm", "20:30"),
        ("at half past seven", "19:30"),
        ("at 7", "19:00"),
        ("at nine thirty", "21:30"),
    ],
}
DAYS = {
    "es": [("mañana", 1), ("pasado mañana", 2)],
    "en": [("tomorrow", 1), ("the day after tomorrow", 2)],
}
BOOK_LEADS = {
    "es": [
        "quiero reservar mesa para {n}",
        "mesa para {n}",
        "¿tenéis mesa para {n}",
        "reserva para {n} personas",
        "somos {n}, ¿hay sitio",
    ],
    "en": [
        "can I book a table for {n}",
        "table for {n}",
        "do you have a table for {n}",
        "I'd like to reserve for {n} people",
        "we're {n}, any room",
    ],
}


def _typo(rng: random.Random, text: str) -> str:
    """One letter swapped or dropped in one long word, a third of the time."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_words or rng.random() > 0.33:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(2, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def _dishes(rng: random.Random, menu: str, lang: str) -> tuple[str, list[list[Any]]]:
    chosen = rng.sample(MENUS[menu], k=rng.choice([1, 2]))
    parts, lines = [], []
    for dish in chosen:
        quantity = rng.choice([1, 1, 2, 3])
        said = NUMBER_WORDS[lang][quantity] if rng.random() < 0.6 else str(quantity)
        if quantity == 1 and said == "1":
            said = NUMBER_WORDS[lang][1]
        if (
            lang == "es"
            and quantity == 1
            and dish.es.split()[0]
            in {
                "hamburguesa",
                "cerveza",
                "limonada",
                "quesadilla",
                "margarita",
                "corona",
                "ración",
                "agua",
            }
        ):
            said = "una"
        name = (
            (dish.es if quantity == 1 else dish.es_plural)
            if lang == "es"
            else (dish.en if quantity == 1 else dish.en_plural)
        )
        parts.append(f"{said} {_typo(rng, name)}")
        lines.append([dish.key, quantity])
    joiner = " y " if lang == "es" else " and "
    return joiner.join(parts), lines


def _contact(rng: random.Random, lang: str, index: int) -> list[str]:
    # With the country code: the demo restaurants are in different countries.
    phone = f"+34 6123{index:05d}" if lang == "es" else f"+44 7911 {100000 + index}"
    return [rng.choice(NAMES), phone]


def _base(kind: str, menu: str, lang: str, index: int) -> dict[str, Any]:
    dialog: dict[str, Any] = {"id": f"gen-{index:03d}-{kind}-{menu}-{lang}", "language": lang}
    if menu != "dialog":
        dialog["restaurant"] = menu
    return dialog


def order_pickup(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    said, lines = _dishes(rng, menu, lang)
    opening = f"{rng.choice(ORDER_LEADS[lang])} {said}{rng.choice(COURTESY[lang])}"
    turns = [
        opening,
        rng.choice(CLOSINGS[lang]),
        rng.choice(PICKUP[lang]),
        rng.choice(ASAP[lang]),
        *_contact(rng, lang, index),
        rng.choice(YES[lang]),
    ]
    return {
        **_base("order", menu, lang, index),
        "turns": turns,
        "expect": {"order": {"lines": lines, "type": "pickup"}},
    }


def order_declined(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    dialog = order_pickup(rng, menu, lang, index)
    ending = [rng.choice(DECLINE[lang]), rng.choice(GOODBYE[lang])]
    if rng.random() < 0.5:
        ending = [rng.choice(GOODBYE[lang])]  # a goodbye at "shall I place it?"
    dialog["turns"] = [*dialog["turns"][:-1], *ending]
    dialog["id"] = dialog["id"].replace("-order-", "-declined-")
    dialog["expect"] = {"order": {"none": True}}
    return dialog


def order_at_table(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    said, lines = _dishes(rng, menu, lang)
    table = rng.randint(2, 15)
    opening = (
        rng.choice(
            [
                f"estamos en la mesa {table}, ¿nos traes {said}?",
                f"hola, mesa {table}: {said}{rng.choice(COURTESY[lang])}",
                f"desde la mesa {table}, {rng.choice(ORDER_LEADS[lang])} {said}",
            ]
        )
        if lang == "es"
        else rng.choice(
            [
                f"we're at table {table}, can we get {said}?",
                f"table {table} here, {said}{rng.choice(COURTESY[lang])}",
                f"hi, sitting at table {table}, {rng.choice(ORDER_LEADS[lang])} {said}",
            ]
        )
    )
    turns = [
        opening,
        rng.choice(CLOSINGS[lang]),
        *_contact(rng, lang, index),
        rng.choice(YES[lang]),
    ]
    return {
        **_base("table", menu, lang, index),
        "turns": turns,
        "expect": {"order": {"lines": lines, "type": "dine_in"}, "reservation": {"none": True}},
    }


def booking(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    party = rng.randint(2, 6)
    day_said, days = rng.choice(DAYS[lang])
    time_said, hhmm = rng.choice(TIMES[lang])
    lead = rng.choice(BOOK_LEADS[lang]).format(
        n=NUMBER_WORDS[lang][party] if rng.random() < 0.5 else party
    )
    opening = f"{lead} {day_said} {time_said}" + ("?" if "¿" in lead or "you" in lead else "")
    turns = [opening, *_contact(rng, lang, index), rng.choice(YES[lang])]
    return {
        **_base("booking", menu, lang, index),
        "turns": turns,
        "expect": {"reservation": {"days": days, "time": hhmm, "party": party}},
    }


def handoff(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    return {
        **_base("handoff", menu, lang, index),
        "turns": [rng.choice(HANDOFF[lang])],
        "expect": {"status": "waiting", "order": {"none": True}},
    }


def price_then_take(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    dish = rng.choice(MENUS[menu])
    quantity = rng.choice([2, 3])
    if lang == "es":
        ask = rng.choice([f"¿cuánto cuesta {dish.es}?", f"¿qué precio tiene {dish.es}?"])
        take = rng.choice(
            [
                f"vale, ponme {NUMBER_WORDS['es'][quantity]}",
                f"perfecto, quiero {quantity}",
                f"genial, {quantity} porfa",
            ]
        )
    else:
        ask = rng.choice([f"how much is the {dish.en}?", f"what's the price of the {dish.en}?"])
        take = rng.choice(
            [
                f"great, I'll take {NUMBER_WORDS['en'][quantity]}",
                f"ok, {quantity} please",
                f"cool, give me {quantity}",
            ]
        )
    turns = [
        ask,
        take,
        rng.choice(CLOSINGS[lang]),
        rng.choice(PICKUP[lang]),
        rng.choice(ASAP[lang]),
        *_contact(rng, lang, index),
        rng.choice(YES[lang]),
    ]
    return {
        **_base("anaphora", menu, lang, index),
        "turns": turns,
        "expect": {"order": {"lines": [[dish.key, quantity]]}},
    }


def question_mid_order(rng: random.Random, menu: str, lang: str, index: int) -> dict[str, Any]:
    dialog = order_pickup(rng, menu, lang, index)
    question = rng.choice(
        ["¿a qué hora cerráis hoy?", "¿hasta qué hora abrís?", "¿dónde estáis?"]
        if lang == "es"
        else ["what time do you close today?", "how late are you open?", "where are you?"]
    )
    carry_on = rng.choice(["vale, " if lang == "es" else "ok, ", ""]) + rng.choice(CLOSINGS[lang])
    dialog["turns"] = [dialog["turns"][0], question, carry_on, *dialog["turns"][2:]]
    dialog["id"] = dialog["id"].replace("-order-", "-interrupted-")
    return dialog


TEMPLATES: tuple[Callable[[random.Random, str, str, int], dict[str, Any]], ...] = (
    order_pickup,
    order_declined,
    order_at_table,
    booking,
    handoff,
    price_then_take,
    question_mid_order,
)


def generated_dialogs(count: int, *, seed: int = 17) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    dialogs = []
    for index in range(count):
        template = TEMPLATES[index % len(TEMPLATES)]
        menu = rng.choice(list(MENUS))
        lang = rng.choice(["es", "en"])
        dialogs.append(template(rng, menu, lang, index))
    return dialogs
