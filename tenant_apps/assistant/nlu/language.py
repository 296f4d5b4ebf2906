"""Spanish or English? Scored on function words and chat vocabulary, per message.

A conversation keeps its language until a message is clearly in the other one, or the
customer asks to switch ("in English please", "en español").
"""

from __future__ import annotations

from tenant_apps.assistant.nlu.normalize import word_set

SPANISH = word_set(
    "hola buenas buenos dias tardes noches que quiero quisiera queria dame me mi para por "
    "favor gracias una uno unos unas dos tres el la los las de del y con sin tienen tiene hay "
    "cuanto cuesta cuestan precio pedido pedir mesa reservar reserva somos personas manana "
    "hoy pasado a las es son esta estan donde cuando como menu carta bebidas postres si no "
    "tambien quisieramos queremos nada eso todo mejor recoger domicilio llevar aqui comer "
    "horario abren cierran direccion adios chao hasta luego vale perfecto necesito ayuda "
    "persona humano hablar alguien mi nombre soy telefono al pastor picante alergenos "
    "vegetariano cancelar cambiar quitar agrega anade ponme pon lleva llevan cual cuales "
    "tengo ok"
)
ENGLISH = word_set(
    "hi hello hey good morning afternoon evening what want would like i me my for please "
    "thanks thank you a an one two three the of and with without have has do does how much "
    "cost price order book table reservation we are people tomorrow today tonight at is it "
    "where when menu drinks desserts yes no also nothing that all instead pickup delivery "
    "dine in here eat hours open close address bye goodbye see later ok great need help "
    "person human talk someone name phone spicy allergens vegetarian cancel change remove add "
    "get can could some any which there this these those to be my our us party"
)
# Words that are the same in both languages say nothing.
_SHARED = SPANISH & ENGLISH

SWITCH_TO_ENGLISH = ("in english", "english please", "speak english", "en ingles", "english")
SWITCH_TO_SPANISH = (
    "en espanol",
    "in spanish",
    "habla espanol",
    "hablas espanol",
    "espanol",
    "spanish please",
    "castellano",
)


def scores(tokens: list[str]) -> tuple[int, int]:
    spanish = sum(1 for t in tokens if t in SPANISH and t not in _SHARED)
    english = sum(1 for t in tokens if t in ENGLISH and t not in _SHARED)
    return spanish, english


def detect(tokens: list[str], *, current: str | None = None) -> str | None:
    """The message's language, or None when it gives too little evidence to move off `current`."""
    spanish, english = scores(tokens)
    margin = 1 if current is None else 2
    if spanish - english >= margin:
        return "es"
    if english - spanish >= margin:
        return "en"
    return None


def requested_switch(text: str) -> str | None:
    """An explicit request to change language, on folded text."""
    padded = f" {text} "
    if any(f" {phrase} " in padded for phrase in SWITCH_TO_ENGLISH):
        return "en"
    if any(f" {phrase} " in padded for phrase in SWITCH_TO_SPANISH):
        return "es"
    return None
