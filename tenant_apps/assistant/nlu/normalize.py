"""Text normalisation: case, accents, emoji, stretched letters and chat shorthand.

Everything downstream (language detection, numbers, dates, intents, menu matching) works on
the folded tokens this module produces, so "Kiero 2 TACOS al pástor 🌮!!" and
"quiero 2 tacos al pastor taco" look alike to it.
"""

from __future__ import annotations

import unicodedata

from tenant_apps.assistant.nlu.patterns import MAX_CHARACTER_INPUT, bounded

# Emoji that carry meaning in a restaurant chat become words; every other symbol is dropped.
EMOJI_WORDS = {
    "👍": " ok ",
    "👌": " ok ",
    "✅": " ok ",
    "🙏": " gracias ",
    "❤": " gracias ",
    "👋": " hola ",
    "😀": " ",
    "🌮": " taco ",
    "🍔": " hamburguesa ",
    "🍟": " papas ",
    "🍕": " pizza ",
    "🥤": " refresco ",
    "🍺": " cerveza ",
    "🌯": " burrito ",
    "🍗": " alitas ",
    "👎": " no ",
    "❌": " no ",
}

# Chat shorthand (WhatsApp style), both languages. Keys are folded tokens.
SHORTHAND = {
    "q": "que",
    "x": "por",
    "k": "que",
    "qe": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "tbn": "tambien",
    "pls": "please",
    "plz": "please",
    "porfa": "por favor",
    "porfis": "por favor",
    "pf": "por favor",
    "xfa": "por favor",
    "xfavor": "por favor",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thank you",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pa": "para",
    "w/": "with",
    "w": "with",
    "w/o": "without",
    # Everyday names of menu items ("a large coke").
    "coke": "coca cola",
    "cokes": "coca colas",
    "cocas": "coca colas",
    "cocacola": "coca cola",
    "d": "de",
    "kiero": "quiero",
    "qiero": "quiero",
    "kero": "quiero",
    "qero": "quiero",
    "m": "me",
    "bn": "bien",
    "grax": "gracias",
    "grcs": "gracias",
    "grs": "gracias",
    "grasias": "gracias",
    "hla": "hola",
    "ola": "hola",
    "holi": "hola",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tomorow": "tomorrow",
    "tomorro": "tomorrow",
    "mnn": "manana",
    "mñn": "manana",
    "tonite": "tonight",
    "rn": "right now",
    "2nite": "tonight",
    "wanna": "want to",
    "gonna": "going to",
    "gimme": "give me",
    "pic": "picture",
    "im": "i am",
    "dont": "do not",
    "cant": "can not",
    "whats": "what is",
    "wheres": "where is",
    "ppl": "people",
    "pax": "personas",
    "msj": "mensaje",
    "xa": "para",
    "tngo": "tengo",
    "ntp": "no te preocupes",
    "okey": "ok",
    "okay": "ok",
    "oki": "ok",
    "okis": "ok",
    "sip": "si",
    "sii": "si",
    "sep": "si",
    "yep": "yes",
    "yup": "yes",
    "nop": "no",
    "nope": "no",
    "nah": "no",
    "hr": "hora",
    "hrs": "horas",
    "mins": "minutos",
    "min": "minutos",
    "tel": "telefono",
    "cel": "telefono",
    "nro": "numero",
    "num": "numero",
    "hamburgesa": "hamburguesa",
    "amburguesa": "hamburguesa",
}

_STRETCHED = bounded(r"([a-z])\1{2,}", limit=MAX_CHARACTER_INPUT)
# Keep what times, dates, prices, phones and e-mails need; everything else separates words.
_SEPARATORS = bounded(r"[^a-z0-9:/+@.,\- ]+", limit=MAX_CHARACTER_INPUT)
# Dots, commas and colons only survive between digits (12,50 / 21:30 / 3.5).
_TRAILING_PUNCT = bounded(r"(?<![0-9])[.,:]|[.,:](?![0-9])", limit=MAX_CHARACTER_INPUT)


# Hyphens join digits (dates, phones) but separate words ("coca-cola", "twenty-two").
_HYPHEN = bounded(r"(?<![0-9])-|-(?![0-9])", limit=MAX_CHARACTER_INPUT)


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string: long keyword lists read best that way."""
    return frozenset(text.split())


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


FOOD_EMOJI = frozenset("🌮🍔🍟🍕🥤🍺🌯🍗")
# Words that say nothing about which dish: "quiero 🍔" still names it by the emoji.
_NOT_A_DISH = word_set(
    "quiero quisiera ponme dame pones please porfa favor otra otro another more want like "
    "give also tambien thanks gracias"
)


def _emoji_as_words(text: str) -> str:
    """Emoji to words; food emoji only when no words name the food ("🍔🍔 2 classic burgers"
    is two burgers, "🍺" alone is a beer), a repeated one said once."""
    plain = "".join(" " if ch in FOOD_EMOJI else ch for ch in text)
    words = [w for w in plain.lower().split() if w.isalpha() and len(w) >= 4]
    decoration = any(w not in _NOT_A_DISH for w in words)
    out: list[str] = []
    for ch in text:
        if ch in FOOD_EMOJI and (decoration or (out and out[-1] == ch)):
            continue
        out.append(ch)
    text = "".join(out)
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    return text


def fold(text: str) -> str:
    """Lowercase, emoji to words, no accents, no stretched letters, single spaces."""
    text = _emoji_as_words(text)
    text = strip_accents(text.lower())
    # Apostrophes vanish ("that's" -> "thats") so typed-without-them matches too.
    text = text.replace("¿", " ").replace("¡", " ").replace("\u2019", "").replace("'", "")
    text = _SEPARATORS.sub(" ", text)
    text = _TRAILING_PUNCT.sub(" ", text)
    text = _HYPHEN.sub(" ", text)
    text = _STRETCHED.sub(r"\1", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Folded words with shorthand expanded (one shorthand may become several words)."""
    out: list[str] = []
    for token in fold(text).split():
        expanded = SHORTHAND.get(token)
        out.extend(expanded.split() if expanded else [token])
    return out


def normalized(text: str) -> str:
    return " ".join(tokens(text))
