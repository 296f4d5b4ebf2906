"""Questions about dishes: price, description, allergens, diets; named, followed up ("y los
de nopal?") or about the dish just talked about ("¿lleva gluten?")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.catalog import (
    FILLER,
    CatalogItem,
    Mention,
)
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.flows.cart import show_cart
from tenant_apps.assistant.engine.flows.information import list_category
from tenant_apps.assistant.engine.parse import QUESTION_INTENTS, Parse
from tenant_apps.assistant.engine.turn import Turn
from tenant_apps.assistant.nlu.fuzzy import phrase_in
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import word_set

TAG_WORDS = {
    "vegetarian": ("vegetariano", "vegetariana", "vegetarian", "sin carne", "meatless"),
    "vegan": ("vegano", "vegana", "vegan"),
    "gluten_free": ("sin gluten", "gluten free", "celiaco"),
    "spicy": ("picante", "pica", "spicy", "hot"),
    "halal": ("halal",),
}
TAG_VOCABULARY = frozenset(
    word for words in TAG_WORDS.values() for w in words for word in w.split()
)
PRONOUNS = word_set("it this that lo la esto este esta eso ese esa")
# Specific allergens a customer asks about ("¿lleva gluten?", "is it dairy free?").
ALLERGEN_WORDS = {
    "gluten": ("gluten", "celiaco", "celiaca", "celiacos", "celiac", "coeliac", "trigo", "wheat"),
    "milk": ("lactosa", "leche", "lacteos", "lacteo", "dairy", "milk", "lactose"),
    "eggs": ("huevo", "huevos", "egg", "eggs"),
    "nuts": ("frutos secos", "nueces", "nuts", "tree nuts"),
    "peanuts": ("cacahuete", "cacahuetes", "mani", "peanut", "peanuts"),
    "crustaceans": ("marisco", "crustaceos", "shellfish", "crustaceans"),
    "molluscs": ("moluscos", "molluscs"),
    "fish": ("pescado", "fish"),
    "soybeans": ("soja", "soy", "soya"),
    "sesame": ("sesamo", "sesame"),
    "mustard": ("mostaza", "mustard"),
    "celery": ("apio", "celery"),
    "sulphites": ("sulfitos", "sulphites", "sulfites"),
    "lupin": ("altramuces", "lupin"),
}
# Words of a question that wants a list of dishes rather than an answer about one.
LIST_WORDS = word_set(
    "que what which cuales tienen tienes teneis have hay any anything algo opciones options "
    "platos dishes something"
)


def allergen_asked(words: list[str]) -> str:
    for code, phrases in ALLERGEN_WORDS.items():
        if any(phrase_in(words, phrase.split()) for phrase in phrases):
            return code
    return ""


@dataclass(frozen=True)
class Question:
    """What was asked about a dish: price, describe, allergens, allergen <code>, tag <code>."""

    kind: str
    code: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "code": self.code}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(kind=str(data.get("kind", "price")), code=str(data.get("code", "")))


def list_by_tag(t: Turn, p: Parse) -> None:
    tag = tag_asked(t, p.words) or "vegetarian"
    items = [
        i
        for i in t.ctx.catalog.items
        if i.orderable
        and (tag in i.dietary_tags or (tag == "vegetarian" and "vegan" in i.dietary_tags))
    ]
    if items:
        t.say(
            "tag_list",
            tag=r.tag_name(tag, t.lang, plural=True).capitalize()
            if t.lang == "en"
            else r.tag_name(tag, t.lang, plural=True),
            items=r.join([t.item_name(i) for i in items], t.lang),
        )
    else:
        t.say("tag_none", tag=r.tag_name(tag, t.lang, plural=True))


def only_tag_words(t: Turn, p: Parse, mention: Mention) -> bool:
    said = [w for w in p.words[mention.start : mention.end] if w not in FILLER]
    return bool(said) and all(w in TAG_VOCABULARY for w in said)


def tag_asked(t: Turn, words: list[str]) -> str:
    for tag, phrases in TAG_WORDS.items():
        if any(phrase_in(words, phrase.split()) for phrase in phrases):
            return tag
    return ""


def answer_questions(t: Turn, p: Parse) -> bool:
    """Questions about dishes: named, followed up ("y los de nopal?") or implied ("¿lleva
    gluten?" about the dish just talked about)."""
    return (
        category_list_asked(t, p)
        or named_dish_question(t, p)
        or (not p.mentions and unnamed_dish_question(t, p))
    )


def category_list_asked(t: Turn, p: Parse) -> bool:
    """ "what burgers do u have?": the category's dishes and prices."""
    if not (
        p.categories
        and not any(m.item for m in p.mentions)
        and p.has(Intent.DESCRIBE, Intent.MENU)
        and asks_for_a_list(t, p)
        and not (any(m.quantity_said for m in p.mentions) or p.has(Intent.ADD))
    ):
        return False
    list_category(t, p)
    return True


def named_dish_question(t: Turn, p: Parse) -> bool:
    if not p.mentions or p.has(Intent.ADD):
        return False
    if p.has(*QUESTION_INTENTS):
        if p.has(Intent.DIETARY) and all(only_tag_words(t, p, m) for m in p.mentions):
            # "¿qué tienen vegetariano?" names a diet, not the veggie burger.
            list_by_tag(t, p)
        else:
            answer_item_question(t, p, question_of(t, p))
        return True
    if not any(m.quantity_said for m in p.mentions) and is_follow_up(t, p):
        answer_item_question(t, p, Question.from_json(t.d.last_question))
        return True
    return False


def unnamed_dish_question(t: Turn, p: Parse) -> bool:
    """A question naming no dish: about the whole menu, the order, or the dish just talked
    about."""
    if not p.has(*QUESTION_INTENTS) or p.has(Intent.ADD):
        return False
    last = t.ctx.catalog.by_id.get(t.d.last_item_id or 0)
    if (last is None or asks_for_a_list(t, p)) and menu_wide_question(t, p):
        return True
    if p.categories:
        return False
    just_asked = t.d.last_question_turn == t.d.turns - 1
    if t.d.cart and p.has(Intent.PRICE) and not just_asked:
        # "how much is it?" while ordering: the order's total.
        show_cart(t)
    elif last is None:
        t.say("which_item", examples=t.examples())
    else:
        p.mentions = [Mention(start=0, end=0, candidates=[last])]
        answer_item_question(t, p, question_of(t, p))
    return True


def menu_wide_question(t: Turn, p: Parse) -> bool:
    question = question_of(t, p)
    if question.kind == "allergen":
        # "¿tenéis algo sin lactosa?": the dishes whose declared allergens leave it out.
        answer_about_several(t, t.ctx.catalog.items, question)
        return True
    if p.has(Intent.DIETARY):
        list_by_tag(t, p)
        return True
    return False


def is_follow_up(t: Turn, p: Parse) -> bool:
    """ "y los de nopal?", "what about the fries?" right after a question about a dish."""
    if not t.d.last_question or t.d.last_question_turn != t.d.turns - 1:
        return False
    return "?" in p.raw or p.words[0] in {"y", "and", "what", "how", "e", "tambien"}


def asks_for_a_list(t: Turn, p: Parse) -> bool:
    """ "¿qué tienen vegano?" lists dishes; "¿es vegano?" and "does it have gluten?" ask
    about the last one."""
    return any(w in LIST_WORDS for w in p.words) and not any(w in PRONOUNS for w in p.words)


def question_of(t: Turn, p: Parse) -> Question:
    """What is asked about a dish, read first from the words around its name."""
    asked = (p.outside_intents & QUESTION_INTENTS) or (p.intents & QUESTION_INTENTS)
    outside = p.outside_words
    tag = tag_asked(t, outside) or tag_asked(t, p.words)
    allergen = allergen_asked(outside) or allergen_asked(p.words)
    if allergen and (Intent.ALLERGENS in asked or tag in {"gluten_free", "lactose_free"}):
        return Question(kind="allergen", code=allergen)
    if Intent.ALLERGENS in asked:
        return Question(kind="allergens")
    if Intent.DIETARY in asked and tag:
        return Question(kind="tag", code=tag)
    if Intent.DESCRIBE in asked:
        return Question(kind="describe")
    return Question(kind="price")


def answer_item_question(t: Turn, p: Parse, question: Question) -> None:
    for mention in p.mentions:
        if len(mention.candidates) > 1:
            answer_about_several(t, mention.candidates, question)
            continue
        item = mention.candidates[0]
        answer_about(t, item, question)
        if not item.orderable:
            t.say("sold_out", item=t.item_name(item))
        t.d.last_item_id = item.item_id
    t.d.last_question = question.to_json()
    t.d.last_question_turn = t.d.turns


def answer_about_several(t: Turn, items: list[CatalogItem], question: Question) -> None:
    """ "do you do gluten free burgers?": which of those dishes fit, not the first one."""
    items = [item for item in items if item.orderable]
    names = r.join([t.item_name(item) for item in items], t.lang)
    if question.kind == "allergen":
        tag = {"gluten": "gluten_free", "milk": "lactose_free"}.get(question.code, "")
        free = [
            item
            for item in items
            if question.code not in item.allergens or (tag and tag in item.dietary_tags)
        ]
        allergen = r.allergen_name(question.code, t.lang)
        if free:
            listed = r.join([t.item_name(item) for item in free], t.lang)
            t.say("allergen_free_list", allergen=allergen, items=listed)
        else:
            t.say("allergen_in_all", allergen=allergen, items=names)
        return
    if question.kind == "tag":
        fitting = [
            item
            for item in items
            if question.code in item.dietary_tags
            or (question.code == "vegetarian" and "vegan" in item.dietary_tags)
        ]
        tag = r.tag_name(question.code, t.lang, plural=True)
        if fitting:
            listed = r.join([t.item_name(item) for item in fitting], t.lang)
            t.say("tag_list", tag=tag.capitalize() if t.lang == "en" else tag, items=listed)
        else:
            t.say("tag_none_of", tag=r.tag_name(question.code, t.lang), items=names)
        return
    for item in items[:6]:
        answer_about(t, item, question)


def answer_about(t: Turn, item: CatalogItem, question: Question) -> None:
    name = t.item_name(item)
    declared = r.join([r.allergen_name(a, t.lang) for a in item.allergens], t.lang)
    if question.kind == "allergen":
        tag = {"gluten": "gluten_free", "milk": "lactose_free"}.get(question.code, "")
        if tag and tag in item.dietary_tags:
            t.say("tag_yes", item=name, tag=r.tag_name(tag, t.lang))
            return
        t.say(
            "allergen_yes" if question.code in item.allergens else "allergen_no",
            item=name,
            allergen=r.allergen_name(question.code, t.lang),
            allergens=declared or r.say("none", t.lang),
        )
    elif question.kind == "allergens":
        if item.allergens:
            t.say("allergens", item=name, allergens=declared)
        else:
            t.say("no_allergens", item=name)
    elif question.kind == "tag":
        tag = question.code
        has_tag = tag in item.dietary_tags or (tag == "vegetarian" and "vegan" in item.dietary_tags)
        t.say("tag_yes" if has_tag else "tag_no", item=name, tag=r.tag_name(tag, t.lang))
    elif question.kind == "describe" and item.description(t.lang):
        t.say("describe", item=name, description=item.description(t.lang))
        t.say("price", item=name, price=t.money(item.price))
    else:
        t.say("price", item=name, price=t.money(item.price))


SPEC = FlowSpec(name="dish questions", steps=((90, answer_questions),))
