"""The rules engine's dialog manager: one message in, replies out, state and actions applied.

Order of business for a message: language switch, a request for a human, the answer to the
question asked last (slot filling), then the message's own intents by priority. Orders and
bookings are only created after an explicit "yes" to a summary that shows real totals and
real availability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.catalog import (
    EXTRA_WORDS,
    FILLER,
    Catalog,
    CatalogItem,
    Mention,
    catalog_load,
    match_options,
)
from tenant_apps.assistant.engine.parse import QUESTION_INTENTS, Parse, parse
from tenant_apps.assistant.engine.runner import TurnResult
from tenant_apps.assistant.engine.state import CartLine, Dialog
from tenant_apps.assistant.llm.proposal import Proposal
from tenant_apps.assistant.nlu.datetimes import combine
from tenant_apps.assistant.nlu.fuzzy import phrase_in
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import fold, word_set
from tenant_apps.conversations.models import Conversation

MAX_QUANTITY = 50
ORDINALS = {
    "primero": 0,
    "primera": 0,
    "first": 0,
    "segundo": 1,
    "segunda": 1,
    "second": 1,
    "tercero": 2,
    "tercera": 2,
    "third": 2,
    "ultimo": -1,
    "ultima": -1,
    "last": -1,
}
TAG_WORDS = {
    "vegetarian": ("vegetariano", "vegetariana", "vegetarian", "sin carne", "meatless"),
    "vegan": ("vegano", "vegana", "vegan"),
    "gluten_free": ("sin gluten", "gluten free", "celiaco"),
    "spicy": ("picante", "pica", "spicy", "hot"),
    "halal": ("halal",),
}


# "¿Estáis abiertos ahora?": whether we are open now, not the week's hours.
NOW_QUESTION = word_set("ahora now ya todavia aun still currently actualmente tonight hoy today")
# "¿Hacéis envíos?", "do you deliver?": a question about the service, not a choice.
SERVICE_QUESTION = word_set("haceis hacen hay teneis tienen do does can se puedo podeis")
HOW_LONG = word_set("tarda tardan tardais long")
ORDER_WORDS = word_set("pedido order comanda")
# Words of a request for the kitchen ("sin cebolla", "extra salsa", "no onions please").
KITCHEN_REQUEST = word_set(
    "sin without no extra poco poca mucho mucha bien alergia alergico alergica allergic "
    "allergy aparte separado separate side salsa sauce cubiertos cutlery servilletas napkins "
    "cebolla onion onions cilantro picante spicy hielo ice"
)
# A whole answer to "¿para cuándo?" that means as soon as possible ("ya", "ahora", "now").
NOW_WORDS = word_set("ya ahora now para pues right away")
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


TAG_VOCABULARY = frozenset(
    word for words in TAG_WORDS.values() for w in words for word in w.split()
)


_CODE_TOKEN = re.compile(r"[\w-]{2,32}")
# Words after which the customer types a promotion code.
CODE_WORDS = word_set("codigo code cupon coupon promo promocion descuento voucher")


def promo_code_candidates(raw: str) -> list[tuple[str, bool]]:
    """Tokens that may be a promotion code: written in capitals (TACOTUESDAY) or right after
    "código"/"code"; with whether a code word came before."""
    found: list[tuple[str, bool]] = []
    previous = ""
    for match in _CODE_TOKEN.finditer(raw):
        token = match.group()
        after_word = fold(previous) in CODE_WORDS
        shaped = token.isascii() and len(token) >= 3
        if shaped and (after_word or (token.isupper() and len(token) >= 4 and not token.isdigit())):
            found.append((token.upper(), after_word))
        previous = token
    return found


# Answers to an optional group's question that choose none of its options.
NO_OPTION_WORDS = word_set("ninguno ninguna nada sin asi none nothing plain without")


def said_as(raw: str, words: tuple[str, ...]) -> str:
    """The customer's own spelling of folded words ("piña" for "pina"), for quoting back."""
    spelled = {fold(w): w for w in re.findall(r"[^\W_]+", raw)}
    return " ".join(spelled.get(word, word) for word in words)


def _digit_count(text: str) -> int:
    return sum(1 for ch in text if ch.isdigit())


def _merge_options(item: CatalogItem, first: list[int], then: list[int]) -> list[int]:
    """Options said earlier, replaced group by group by those said now."""
    groups_now = {g.group_id for g in item.groups for o in g.options if o.option_id in then}
    kept = [
        option_id
        for g in item.groups
        if g.group_id not in groups_now
        for o in g.options
        if (option_id := o.option_id) in first
    ]
    return [*kept, *then]


def _domain_error(exc: Exception) -> str:
    """A customer-readable reason from a domain ValidationError/Conflict."""
    if isinstance(exc, ValidationError):
        messages = exc.messages
    elif isinstance(exc, APIException):
        messages = [str(exc.detail)]
    else:
        messages = [str(exc)]
    return " ".join(str(m) for m in messages)[:300]


def _written_in(value: str, text: str) -> bool:
    """Every word of `value` is in `text` (ignoring case, accents and punctuation)."""
    words = fold(value).split()
    return bool(words) and set(words) <= set(fold(text).split())


def _digits_written_in(phone: str, text: str) -> bool:
    """The number's national part (its last nine digits) was typed in `text`."""
    digits = "".join(c for c in phone if c.isdigit())[-9:]
    return len(digits) >= 6 and digits in "".join(c for c in text if c.isdigit())


def _apply_entities(p: Parse, proposal: Proposal) -> None:
    """Slots the model read (dates, sizes, contact details) over the rules' reading."""
    if proposal.party_size:
        p.party_size = proposal.party_size
    if proposal.day is not None:
        p.when.day = proposal.day
    if proposal.at is not None:
        p.when.at = proposal.at
    if proposal.order_type in {"pickup", "delivery", "dine_in"}:
        p.order_type = proposal.order_type
    # Contact details go on the order or booking unseen by the customer: only what they
    # actually wrote in this message, never a name or number the model made up.
    if proposal.name and _written_in(proposal.name, p.raw):
        p.name = proposal.name
    if proposal.phone and _digits_written_in(proposal.phone, p.raw):
        p.phone = proposal.phone
    if proposal.language:
        p.language = proposal.language


@dataclass
class Context:
    catalog: Catalog
    profile: Any
    now: datetime

    @property
    def today(self) -> date:
        return self.now.date()


def context_load() -> Context:
    """What every turn reads: the menu, the restaurant's profile, its local time."""
    profile = domain.profile()
    return Context(
        catalog=catalog_load(),
        profile=profile,
        now=datetime.now(tz=profile.tz).replace(second=0, microsecond=0),
    )


class DialogManager:
    def __init__(
        self,
        *,
        conversation: Conversation,
        dialog: Dialog,
        context: Context,
        proposal: Proposal | None = None,
    ) -> None:
        self.conversation = conversation
        self.d = dialog
        self.out: list[str] = []
        self.result = TurnResult(replies=self.out)
        self.ctx = context
        self.proposal = proposal
        # The model named dishes and none of them is on the menu (nor in the message).
        self.unknown_items = False
        # Details answered ahead of their question this turn ("soy Javier" while asked
        # pickup or delivery).
        self.noted = False
        # A dish or option question whose answer was not understood: asked again if nothing
        # else in the message was.
        self.unanswered: tuple[str, dict[str, Any]] | None = None

    # --- helpers -----------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.d.language

    def say(self, key: str, **values: Any) -> None:
        self.out.append(r.say(key, self.lang, **values))

    def money(self, amount: Decimal) -> str:
        return r.money(amount, currency=self.ctx.profile.currency, language=self.lang)

    def when_text(self, moment: datetime) -> str:
        return r.when_text(moment, today=self.ctx.today, language=self.lang)

    def item_name(self, item: CatalogItem) -> str:
        return item.name(self.lang)

    def customer(self) -> Any:
        customer_id = self.result.customer_id or self.conversation.customer_id
        return domain.customer_get(customer_id=customer_id) if customer_id else None

    # --- entry -------------------------------------------------------------------------------

    def handle(self, text: str) -> TurnResult:
        self.d.turns += 1
        p = parse(
            text,
            catalog=self.ctx.catalog,
            today=self.ctx.today,
            current_language=self.d.language,
            last_item=self.ctx.catalog.by_id.get(self.d.last_item_id or 0),
        )
        if self.proposal is not None:
            self.apply_proposal(p, self.proposal)
        if p.switch_language:
            self.d.language = p.switch_language
            if not (p.mentions or p.intents - {Intent.GREET}):
                self.say("switched")
                self.reask()
                return self.result
        elif p.language:
            self.d.language = p.language
        if not p.words:
            self.say("empty")
            return self.result
        if p.has(Intent.HUMAN):
            self.say("handoff")
            self.result.handoff = True
            return self.result
        if self.d.awaiting and self.answer_awaiting(p):
            return self.result
        self.dispatch(p)
        return self.result

    def resume(self) -> TurnResult:
        """The customer took back the request for a person: carry on where the dialog was
        (the pending question again, or the order so far)."""
        self.d.turns += 1
        self.say("resumed")
        if self.d.awaiting and self.d.flow in {"order", "booking", "reschedule"}:
            self.reask()
        elif self.d.cart:
            self.show_cart()
        else:
            self.say("empty")
        return self.result

    def apply_proposal(self, p: Parse, proposal: Proposal) -> None:
        """The model's reading replaces the rules' where it said something; ids are checked.

        A model that proposes nothing (small talk, a reply without a tool call) leaves the
        rules' reading alone. At a confirmation step yes and no are read from the customer's
        own words only: a model's "yes" never places an order or a booking by itself.
        """
        rules = set(p.intents)
        if proposal.intents:
            p.intents = set(proposal.intents) | (rules & {Intent.CORRECTION})
        if self.d.awaiting.startswith("confirm"):
            p.intents = (p.intents - {Intent.YES, Intent.NO}) | (rules & {Intent.YES, Intent.NO})
        mentions = self.proposed_mentions(proposal)
        self.unknown_items = bool(proposal.items) and not mentions and not p.mentions
        if mentions:
            p.mentions = mentions
        elif proposal.intents and not proposal.intents & {
            Intent.ADD,
            Intent.REMOVE,
            *QUESTION_INTENTS,
        }:
            p.mentions = []
        _apply_entities(p, proposal)

    def proposed_mentions(self, proposal: Proposal) -> list[Mention]:
        """The dishes the model named that are on the menu, with their valid options."""
        mentions = []
        for proposed in proposal.items:
            item = self.ctx.catalog.by_id.get(proposed.item_id)
            if item is None:
                continue  # an id the model made up
            valid = {o.option_id for g in item.groups for o in g.options}
            mentions.append(
                Mention(
                    start=0,
                    end=0,
                    candidates=[item],
                    quantity=proposed.quantity,
                    quantity_said=True,
                    option_ids=[o for o in proposed.option_ids if o in valid],
                )
            )
        return mentions

    def reask(self) -> None:
        """Repeat the pending question after a digression (e.g. a language switch)."""
        awaiting = self.d.awaiting
        if self.d.flow == "order" and awaiting:
            self.continue_order()
        elif self.d.flow in {"booking", "reschedule"} and awaiting:
            self.continue_booking()

    # --- slot answers ------------------------------------------------------------------------

    def answer_awaiting(self, p: Parse) -> bool:  # noqa: PLR0911, PLR0912 - one branch per slot
        awaiting = self.d.awaiting
        self.keep_details_given_early(p)
        if awaiting == "pick_item":
            return self.answer_pick_item(p)
        if awaiting == "option":
            return self.answer_option(p)
        if awaiting == "order_type" and p.order_type:
            self.set_order_type(p)
            if p.when.found:  # "paso a recogerlo a las 8"
                self.set_order_time(p)
            self.continue_order()
            return True
        if awaiting == "address" and self.looks_like_address(p):
            self.d.address = p.address or p.raw.strip()[:255]
            self.continue_order()
            return True
        if awaiting == "table" and (p.numbers or self.looks_like_free_text(p)):
            self.d.table = str(p.numbers[0]) if p.numbers else p.raw.strip()[:20]
            self.continue_order()
            return True
        if awaiting == "order_time" and (
            p.when.found or p.has(Intent.YES) or set(p.words) <= NOW_WORDS
        ):
            self.set_order_time(p)
            self.continue_order()
            return True
        if awaiting == "name":
            name = p.name or self.bare_name(p)
            if name:
                self.d.name = name
                if p.phone:
                    self.d.phone = p.phone
                self.continue_flow()
                return True
        if awaiting in {"phone", "phone_lookup"} and not p.phone and _digit_count(p.raw) >= 3:
            # Digits that do not make a number: say so rather than ask the same again.
            self.say("bad_phone", example=domain.phone_example())
            return True
        if awaiting in {"phone", "phone_lookup"} and p.phone:
            self.d.phone = p.phone
            if p.name:
                self.d.name = p.name
            self.continue_flow()
            return True
        if awaiting == "confirm_order":
            return self.answer_confirm_order(p)
        if awaiting == "party_size":
            size = p.party_size or (p.numbers[0] if len(p.numbers) == 1 else None)
            if size:
                self.d.party_size = size
                self.d.last_target = "party_size"
                self.apply_when_to_booking(p)
                self.continue_booking()
                return True
        if awaiting in {"booking_day", "booking_time"} and p.when.found:
            self.apply_when_to_booking(p)
            if p.party_size:
                self.d.party_size = p.party_size
            self.continue_booking()
            return True
        if awaiting == "pick_slot":
            return self.answer_pick_slot(p)
        if awaiting == "confirm_booking":
            return self.answer_confirm_booking(p)
        if awaiting == "confirm_cancel":
            return self.answer_confirm_cancel(p)
        if awaiting in {"confirm_cancel_order", "offer_handoff"}:
            return self.answer_order_cancel(p)
        return False

    def take_request(self, p: Parse) -> bool:
        """A request the engine cannot act on, passed on to the restaurant as a note: during
        a booking anything of a few words ("es un cumpleaños, ¿nos ponéis en la terraza?"),
        during an order what sounds like one ("sin cebolla", "extra de salsa")."""
        if p.intents - {Intent.GREET, Intent.THANKS} or p.mentions or len(p.words) < 2:
            return False
        note = " ".join(p.raw.split())[:200]
        if self.d.flow == "booking" and len(p.words) >= 3 and self.d.awaiting != "pick_slot":
            self.d.booking_notes = f"{self.d.booking_notes} {note}".strip()[:500]
        elif self.d.cart and any(w in KITCHEN_REQUEST for w in p.words):
            self.d.order_notes = f"{self.d.order_notes} {note}".strip()[:500]
        else:
            return False
        self.say("request_noted", note=note)
        return True

    def keep_details_given_early(self, p: Parse) -> None:
        """Contact details or a time given ahead of their question are kept for it (and the
        customer hears they were, before the question comes again)."""
        awaiting = self.d.awaiting
        if self.d.flow in {"order", "booking"} and awaiting not in {"name", "phone"}:
            self.noted = bool(p.phone or p.name)
            self.d.phone = p.phone or self.d.phone
            self.d.name = p.name or self.d.name
        if awaiting in {"order_type", "address", "table"} and p.when.found:
            self.set_order_time(p)
            self.noted = True

    def looks_like_free_text(self, p: Parse) -> bool:
        blocking = {
            Intent.NO,
            Intent.CHECKOUT,
            Intent.SHOW_CART,
            Intent.MENU,
            Intent.BOOK,
            Intent.CLEAR_CART,
            Intent.REMOVE,
        }
        return len(p.words) >= 2 and not p.mentions and not (p.intents & blocking)

    def looks_like_address(self, p: Parse) -> bool:
        """Free text that is not a phone number or only a time ("8:30pm" is not where to)."""
        leftover = [w for i, w in enumerate(p.words) if i not in p.when.consumed]
        return (
            self.looks_like_free_text(p)
            and not p.phone
            and sum(1 for w in leftover if any(ch.isalpha() for ch in w)) >= 1
            and len(leftover) >= 2
            # "sin cebolla por favor" is for the kitchen, not where to deliver.
            and (_digit_count(p.raw) > 0 or not any(w in KITCHEN_REQUEST for w in p.words))
        )

    def bare_name(self, p: Parse) -> str:
        """A reply that is just a name ("Ana", "Juan Pérez")."""
        words = p.raw.strip().strip(".!").split()
        if not 1 <= len(words) <= 4 or p.mentions or p.intents - {Intent.GREET, Intent.THANKS}:
            return ""
        if any(not w.replace("-", "").replace("'", "").isalpha() for w in words):
            return ""
        return " ".join(w.capitalize() if w.islower() else w for w in words)[:80]

    def answer_pick_item(self, p: Parse) -> bool:
        pending = self.d.pending_choice
        candidates = [
            self.ctx.catalog.by_id[i]
            for i in pending.get("candidates", [])
            if i in self.ctx.catalog.by_id
        ]
        chosen: CatalogItem | None = None
        for mention in p.mentions:
            matching = [c for c in mention.candidates if c in candidates]
            if len(matching) == 1:
                chosen = matching[0]
                break
        if chosen is None:
            index = self.ordinal(p)
            if index is not None and -len(candidates) <= index < len(candidates):
                chosen = candidates[index]
        if chosen is None:
            for candidate in candidates:
                distinct = [
                    w
                    for v in candidate.variants
                    for w in v
                    if len(self.ctx.catalog.word_owners.get(w, ())) == 1
                ]
                if any(w in p.words for w in distinct):
                    chosen = candidate
                    break
        self.d.pending_choice = {}
        self.d.awaiting = ""
        if chosen is None:
            self.unanswered = ("pick_item", pending)
            return False
        words = [str(w) for w in pending.get("words", [])]
        start, end = (int(x) for x in pending.get("name", [0, 0]))
        said = match_options(chosen, words, lower=0, limit=len(words), name=(start, end))
        current = match_options(chosen, p.words, lower=0, limit=len(p.words))
        mention = Mention(
            start=0,
            end=0,
            candidates=[chosen],
            quantity=int(pending.get("quantity", 1)),
            option_ids=_merge_options(chosen, said.option_ids, current.option_ids),
        )
        self.add_mentions([mention], p)
        return True

    def ordinal(self, p: Parse) -> int | None:
        for word in p.words:
            if word in ORDINALS:
                return ORDINALS[word]
        if len(p.numbers) == 1 and 1 <= p.numbers[0] <= 9 and len(p.words) <= 3:
            return p.numbers[0] - 1
        return None

    def answer_option(self, p: Parse) -> bool:
        pending = self.d.pending_item
        item = self.ctx.catalog.by_id.get(int(pending.get("item_id", 0)))
        self.d.awaiting = ""
        self.d.pending_item = {}
        if item is None:
            return False
        group = next((g for g in item.groups if g.group_id == pending.get("group_id")), None)
        if group is None:
            return False
        in_group = {o.option_id for o in group.options}
        said = match_options(item, p.words, lower=0, limit=len(p.words))
        chosen = [option_id for option_id in said.option_ids if option_id in in_group]
        if not chosen:
            index = self.ordinal(p)
            if index is not None and -len(group.options) <= index < len(group.options):
                chosen = [group.options[index].option_id]
        if not chosen and not (group.required or group.min_selections) and self.wants_none(p):
            chosen = []  # "sin extras, gracias": the dish as it is
        elif not chosen:
            self.unanswered = ("option", pending)
            return False
        mention = Mention(
            start=0,
            end=0,
            candidates=[item],
            quantity=int(pending.get("quantity", 1)),
            option_ids=[*pending.get("option_ids", []), *chosen[: group.max_selections]],
        )
        self.add_mentions([mention], p)
        return True

    def wants_none(self, p: Parse) -> bool:
        """ "no", "ninguno", "sin extras", "just plain": no option from an optional group."""
        return p.has(Intent.NO) or bool(set(p.words) & NO_OPTION_WORDS)

    # --- intents -----------------------------------------------------------------------------

    def dispatch(self, p: Parse) -> None:  # noqa: PLR0911, PLR0912 - a priority list
        if self.take_promo_code(p):
            return
        if self.about_my_booking(p):
            return
        if p.has(Intent.CLEAR_CART) and self.d.cart:
            self.d.reset_order()
            self.say("cart_cleared")
            return
        if p.has(Intent.CLEAR_CART) and any(w in ORDER_WORDS for w in p.words):
            # Nothing in the cart: the order already placed.
            self.d.flow = "cancel_order"
            self.d.phone = p.phone or self.d.phone
            self.cancel_placed_order()
            return
        if p.has(Intent.REMOVE) and p.mentions:
            self.remove_mentions(p)
            return
        if (
            p.has(Intent.CORRECTION)
            or (p.has(Intent.NO) and (p.numbers or p.when.found or p.party_size))
        ) and self.apply_correction(p):
            return
        if p.has(Intent.ORDER_STATUS):
            self.order_status(p)
            return
        if self.is_booking(p):
            self.start_booking(p)
            return
        if self.answer_questions(p):
            return
        if p.mentions:
            self.add_mentions(p.mentions, p)
            return
        if self.options_for_last_line(p):
            return
        if p.categories and not p.has(Intent.CHECKOUT):
            self.list_category(p)
            return
        if p.has(Intent.SHOW_CART):
            self.show_cart()
            return
        if self.choose_fulfilment(p):
            return
        if self.d.cart and (
            p.has(Intent.CHECKOUT)
            or p.order_type
            or (self.d.flow == "order" and (p.when.found or p.has(Intent.YES)))
        ):
            self.set_order_type(p)
            if p.when.found:
                self.set_order_time(p)
            if self.noted and not p.order_type:
                self.say("noted")
            self.continue_order()
            return
        if p.has(Intent.CHECKOUT):
            self.say("cart_empty")
            return
        if self.answer_info(p):
            return
        if self.unknown_items:
            self.say("not_on_menu")
            return
        if self.take_request(p):
            self.reask()
            return
        if self.unanswered is not None:
            self.ask_again(*self.unanswered)
            return
        if self.d.flow in {"order", "booking", "reschedule"} and self.d.awaiting:
            if self.noted:
                self.say("noted")
            self.reask()
            return
        # The model's own wording only for small talk: when it proposed an action the engine
        # did not take, its words would claim something that did not happen.
        if self.proposal is not None and self.proposal.smalltalk and self.proposal.reply:
            self.out.append(self.proposal.reply)
            return
        self.out.append(r.say("fallback", self.lang) + r.say("capabilities", self.lang))

    # --- restaurant facts ----------------------------------------------------------------------

    def answer_info(self, p: Parse) -> bool:
        """The restaurant's facts and small talk, in order of precedence."""
        if p.has(Intent.MENU):
            self.show_menu()
        elif p.has(Intent.PROMOTIONS):
            self.show_promotions()
        elif p.has(Intent.HOURS):
            self.show_hours(p)
        elif p.has(Intent.ADDRESS):
            self.show_address()
        elif p.has(Intent.GREET):
            self.out.append(self.ctx.profile.greeting(self.lang))
        elif p.has(Intent.THANKS):
            self.say("thanks")
        elif p.has(Intent.GOODBYE):
            self.say("goodbye")
        elif p.has(Intent.CAPABILITIES):
            self.say("capabilities")
        else:
            return False
        return True

    def show_hours(self, p: Parse) -> None:
        """Today's hours and whether we are open when asked about now/today/tonight, one
        day's when asked about a day, else the week."""
        today = self.ctx.today
        if p.when.day == today or any(w in NOW_QUESTION for w in p.words):
            hours = self.hours_on(today)
            if domain.is_open(at=self.ctx.now):
                self.say("open_now", hours=hours)
                return
            opening = next(
                (
                    start
                    for offset in range(8)
                    for start, _end in domain.open_intervals(day=today + timedelta(days=offset))
                    if start > self.ctx.now
                ),
                None,
            )
            if opening is None:
                self.say("closed_now_until", when="-")
            else:
                self.say("closed_now_until", when=self.when_text(opening))
            return
        if p.when.day is not None:
            day = r.day_text(p.when.day, today=today, language=self.lang)
            self.say("day_hours", day=day[:1].upper() + day[1:], hours=self.hours_on(p.when.day))
            return
        self.show_week_hours()

    def hours_on(self, day: date) -> str:
        intervals = domain.open_intervals(day=day)
        if not intervals:
            return r.say("closed_day", self.lang)
        return " / ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in intervals)

    def show_week_hours(self) -> None:
        profile = self.ctx.profile
        days = r.WEEKDAYS[self.lang if self.lang in r.WEEKDAYS else "es"]
        per_day = []
        for weekday in range(7):
            shifts = profile.shifts_on(weekday)
            text = " / ".join(f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in shifts)
            per_day.append(text or r.say("closed_day", self.lang))
        if len(set(per_day)) == 1:
            every = "todos los días" if self.lang == "es" else "every day"
            hours = f"{every} {per_day[0]}"
        else:
            hours = "; ".join(f"{days[i]} {text}" for i, text in enumerate(per_day))
        self.say("hours", hours=hours)

    def show_address(self) -> None:
        profile = self.ctx.profile
        if profile.address:
            text = r.say("address", self.lang, address=profile.address)
            if profile.phone:
                text += (" Teléfono: " if self.lang == "es" else " Phone: ") + profile.phone
            self.out.append(text)
        else:
            self.say("no_address", name=profile.name)

    def show_promotions(self) -> None:
        found = domain.promotions()
        if not found:
            self.say("no_promotions")
            return
        texts = []
        for promotion in found[:5]:
            name = promotion.name.get(self.lang) or next(iter(promotion.name.values()), "")
            value = (
                f"{promotion.value.normalize():f}%"
                if promotion.kind == "percent"
                else f"-{self.money(promotion.value)}"
            )
            extra = ""
            if promotion.code:
                extra = (
                    f" con el código {promotion.code}"
                    if self.lang == "es"
                    else f" with code {promotion.code}"
                )
            description = promotion.description_in(self.lang).strip().rstrip(".")
            texts.append(
                f"- {name} ({value}{extra})" + (f". {description}." if description else ".")
            )
        self.say("promotions", promotions="\n".join(texts))

    # --- menu and items ----------------------------------------------------------------------

    def examples(self) -> str:
        names = [self.item_name(i) for i in self.ctx.catalog.items[:3]]
        return r.join(names, self.lang)

    def show_menu(self) -> None:
        catalog = self.ctx.catalog
        if not catalog.items:
            self.say("menu_empty")
            return
        lines = []
        for category in catalog.categories:
            items = [i for i in catalog.in_category(category.category_id) if i.orderable]
            if items:
                listed = ", ".join(f"{self.item_name(i)} ({self.money(i.price)})" for i in items)
                lines.append(f"{category.name(self.lang)}: {listed}")
        self.out.append(
            r.say("menu_intro", self.lang)
            + "\n"
            + "\n".join(lines)
            + "\n"
            + r.say("menu_outro", self.lang)
        )

    def list_category(self, p: Parse) -> None:
        for category in p.categories:
            items = [i for i in self.ctx.catalog.in_category(category.category_id) if i.orderable]
            listed = ", ".join(f"{self.item_name(i)} ({self.money(i.price)})" for i in items)
            self.out.append(
                r.say("category_intro", self.lang, category=category.name(self.lang))
                + " "
                + listed
                + "."
            )
        self.say("menu_outro")

    def list_by_tag(self, p: Parse) -> None:
        tag = self.tag_asked(p.words) or "vegetarian"
        items = [
            i
            for i in self.ctx.catalog.items
            if i.orderable
            and (tag in i.dietary_tags or (tag == "vegetarian" and "vegan" in i.dietary_tags))
        ]
        if items:
            self.say(
                "tag_list",
                tag=r.tag_name(tag, self.lang, plural=True).capitalize()
                if self.lang == "en"
                else r.tag_name(tag, self.lang, plural=True),
                items=r.join([self.item_name(i) for i in items], self.lang),
            )
        else:
            self.say("tag_none", tag=r.tag_name(tag, self.lang, plural=True))

    def only_tag_words(self, p: Parse, mention: Mention) -> bool:
        said = [w for w in p.words[mention.start : mention.end] if w not in FILLER]
        return bool(said) and all(w in TAG_VOCABULARY for w in said)

    def tag_asked(self, words: list[str]) -> str:
        for tag, phrases in TAG_WORDS.items():
            if any(phrase_in(words, phrase.split()) for phrase in phrases):
                return tag
        return ""

    def answer_questions(self, p: Parse) -> bool:  # noqa: PLR0911 - a priority list
        """Questions about dishes: named, followed up ("y los de nopal?") or implied ("¿lleva
        gluten?" about the dish just talked about)."""
        quantities = any(m.quantity_said for m in p.mentions)
        if (
            p.categories
            and not any(m.item for m in p.mentions)
            and p.has(Intent.DESCRIBE, Intent.MENU)
            and self.asks_for_a_list(p)
            and not (quantities or p.has(Intent.ADD))
        ):
            # "what burgers do u have?": the category's dishes and prices.
            self.list_category(p)
            return True
        if p.mentions and p.has(*QUESTION_INTENTS) and not p.has(Intent.ADD):
            if p.has(Intent.DIETARY) and all(self.only_tag_words(p, m) for m in p.mentions):
                # "¿qué tienen vegetariano?" names a diet, not the veggie burger.
                self.list_by_tag(p)
            else:
                self.answer_item_question(p, self.question_of(p))
            return True
        if p.mentions and not (quantities or p.has(Intent.ADD)) and self.is_follow_up(p):
            self.answer_item_question(p, Question.from_json(self.d.last_question))
            return True
        if p.mentions or not p.has(*QUESTION_INTENTS) or p.has(Intent.ADD):
            return False
        last = self.ctx.catalog.by_id.get(self.d.last_item_id or 0)
        question = self.question_of(p)
        if question.kind == "allergen" and (last is None or self.asks_for_a_list(p)):
            # "¿tenéis algo sin lactosa?": the dishes whose declared allergens leave it out.
            self.answer_about_several(self.ctx.catalog.items, question)
            return True
        if p.has(Intent.DIETARY) and (last is None or self.asks_for_a_list(p)):
            self.list_by_tag(p)
            return True
        if p.categories:
            return False
        just_asked = self.d.last_question_turn == self.d.turns - 1
        if self.d.cart and p.has(Intent.PRICE) and not just_asked:
            # "how much is it?" while ordering: the order's total.
            self.show_cart()
            return True
        if last is None:
            self.say("which_item", examples=self.examples())
            return True
        p.mentions = [Mention(start=0, end=0, candidates=[last])]
        self.answer_item_question(p, self.question_of(p))
        return True

    def is_follow_up(self, p: Parse) -> bool:
        """ "y los de nopal?", "what about the fries?" right after a question about a dish."""
        if not self.d.last_question or self.d.last_question_turn != self.d.turns - 1:
            return False
        return "?" in p.raw or p.words[0] in {"y", "and", "what", "how", "e", "tambien"}

    def asks_for_a_list(self, p: Parse) -> bool:
        """ "¿qué tienen vegano?" lists dishes; "¿es vegano?" and "does it have gluten?" ask
        about the last one."""
        return any(w in LIST_WORDS for w in p.words) and not any(w in PRONOUNS for w in p.words)

    def question_of(self, p: Parse) -> Question:
        """What is asked about a dish, read first from the words around its name."""
        asked = (p.outside_intents & QUESTION_INTENTS) or (p.intents & QUESTION_INTENTS)
        outside = p.outside_words
        tag = self.tag_asked(outside) or self.tag_asked(p.words)
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

    def answer_item_question(self, p: Parse, question: Question) -> None:
        for mention in p.mentions:
            if len(mention.candidates) > 1:
                self.answer_about_several(mention.candidates, question)
                continue
            item = mention.candidates[0]
            self.answer_about(item, question)
            if not item.orderable:
                self.say("sold_out", item=self.item_name(item))
            self.d.last_item_id = item.item_id
        self.d.last_question = question.to_json()
        self.d.last_question_turn = self.d.turns

    def answer_about_several(self, items: list[CatalogItem], question: Question) -> None:
        """ "do you do gluten free burgers?": which of those dishes fit, not the first one."""
        items = [item for item in items if item.orderable]
        names = r.join([self.item_name(item) for item in items], self.lang)
        if question.kind == "allergen":
            tag = {"gluten": "gluten_free", "milk": "lactose_free"}.get(question.code, "")
            free = [
                item
                for item in items
                if question.code not in item.allergens or (tag and tag in item.dietary_tags)
            ]
            allergen = r.allergen_name(question.code, self.lang)
            if free:
                listed = r.join([self.item_name(item) for item in free], self.lang)
                self.say("allergen_free_list", allergen=allergen, items=listed)
            else:
                self.say("allergen_in_all", allergen=allergen, items=names)
            return
        if question.kind == "tag":
            fitting = [
                item
                for item in items
                if question.code in item.dietary_tags
                or (question.code == "vegetarian" and "vegan" in item.dietary_tags)
            ]
            tag = r.tag_name(question.code, self.lang, plural=True)
            if fitting:
                listed = r.join([self.item_name(item) for item in fitting], self.lang)
                self.say(
                    "tag_list", tag=tag.capitalize() if self.lang == "en" else tag, items=listed
                )
            else:
                self.say("tag_none_of", tag=r.tag_name(question.code, self.lang), items=names)
            return
        for item in items[:6]:
            self.answer_about(item, question)

    def answer_about(self, item: CatalogItem, question: Question) -> None:
        name = self.item_name(item)
        declared = r.join([r.allergen_name(a, self.lang) for a in item.allergens], self.lang)
        if question.kind == "allergen":
            tag = {"gluten": "gluten_free", "milk": "lactose_free"}.get(question.code, "")
            if tag and tag in item.dietary_tags:
                self.say("tag_yes", item=name, tag=r.tag_name(tag, self.lang))
                return
            self.say(
                "allergen_yes" if question.code in item.allergens else "allergen_no",
                item=name,
                allergen=r.allergen_name(question.code, self.lang),
                allergens=declared or r.say("none", self.lang),
            )
        elif question.kind == "allergens":
            if item.allergens:
                self.say("allergens", item=name, allergens=declared)
            else:
                self.say("no_allergens", item=name)
        elif question.kind == "tag":
            tag = question.code
            has_tag = tag in item.dietary_tags or (
                tag == "vegetarian" and "vegan" in item.dietary_tags
            )
            self.say("tag_yes" if has_tag else "tag_no", item=name, tag=r.tag_name(tag, self.lang))
        elif question.kind == "describe" and item.description(self.lang):
            self.say("describe", item=name, description=item.description(self.lang))
            self.say("price", item=name, price=self.money(item.price))
        else:
            self.say("price", item=name, price=self.money(item.price))

    def add_mentions(self, mentions: list[Mention], p: Parse) -> None:  # noqa: PLR0912 - one branch per kind of mention
        added: list[str] = []
        # Dishes asked with an option they do not have come last: the rest of the message is
        # added before the question about them ("a diet coke and a cheeseburger").
        for mention in sorted(mentions, key=lambda m: bool(m.unknown_options)):
            if mention.item is None:
                if len(mention.candidates) > 1:
                    if added:
                        self.say("added", lines=r.join(added, self.lang))
                    self.ask_pick_item(mention, p)
                    return
                continue
            item = mention.item
            if not item.orderable:
                self.say("sold_out", item=self.item_name(item))
                continue
            if mention.unknown_options:
                if self.refuse_unknown_option(item, mention, p, added=added):
                    return
                continue
            missing = self.missing_required_group(item, mention.option_ids)
            if missing is not None:
                if added:
                    self.say("added", lines=r.join(added, self.lang))
                self.ask_option(item, missing, mention)
                return
            quantity = min(MAX_QUANTITY, max(1, mention.quantity))
            self.add_to_cart(item, quantity, mention.option_ids)
            added.append(
                f"{quantity}x {self.item_name(item)}{self.options_text(item, mention.option_ids)}"
            )
        if not added:
            if not self.out:
                self.say("which_item", examples=self.examples())
            return
        self.d.flow = "order"
        self.say("added", lines=r.join(added, self.lang))
        if p.has(Intent.CHECKOUT) or p.order_type or (self.d.awaiting == "" and p.when.found):
            self.set_order_type(p)
            if p.when.found:
                self.set_order_time(p)
            self.continue_order()
            return
        if self.d.awaiting == "confirm_order":
            self.continue_order()
            return
        self.cart_summary()
        self.say("anything_else")

    def refuse_unknown_option(
        self, item: CatalogItem, mention: Mention, p: Parse, *, added: list[str]
    ) -> bool:
        """ "una coca cola light", "con piña extra" when the menu has no such option: say so
        and offer the options it has, never the plain dish as if it had been asked for.
        What the message added before is said first (and `added` emptied). True when an
        option question is now pending."""
        if added:
            self.d.flow = "order"
            self.say("added", lines=r.join(added, self.lang))
            added.clear()
        self.d.last_item_id = item.item_id
        self.say(
            "option_unavailable",
            item=self.item_name(item),
            asked=said_as(p.raw, mention.unknown_options),
        )
        if not item.groups:
            self.say("only_as_is", item=self.item_name(item))
            if self.d.cart:
                self.say("anything_else")
            return False
        chosen = set(mention.option_ids)
        extra = any(word in EXTRA_WORDS for word in mention.unknown_options)
        # An extra is asked among the optional extras; a kind ("light") among what the dish
        # must be chosen by (its size); groups already answered last.
        groups = sorted(
            item.groups,
            key=lambda g: (
                bool(chosen & {o.option_id for o in g.options}),
                g.required if extra else not g.required,
            ),
        )
        self.ask_option(item, groups[0], mention)
        return True

    def add_to_cart(self, item: CatalogItem, quantity: int, option_ids: list[int]) -> None:
        options = sorted(option_ids)
        for index, line in enumerate(self.d.cart):
            if line.item_id == item.item_id and sorted(line.option_ids) == options:
                self.d.last_item_id = item.item_id
                line.quantity = min(MAX_QUANTITY, line.quantity + quantity)
                self.d.last_target = f"cart:{index}"
                return
        self.d.last_item_id = item.item_id
        self.d.cart.append(CartLine(item_id=item.item_id, quantity=quantity, option_ids=options))
        self.d.last_target = f"cart:{len(self.d.cart) - 1}"

    def missing_required_group(self, item: CatalogItem, option_ids: list[int]) -> Any:
        chosen = set(option_ids)
        for group in item.groups:
            if not group.required:
                continue
            picked = [o for o in group.options if o.option_id in chosen]
            if len(picked) >= group.min_selections:
                continue
            if group.default_option_ids:
                option_ids.extend(group.default_option_ids[: group.min_selections])
                continue
            return group
        return None

    def ask_option(self, item: CatalogItem, group: Any, mention: Mention) -> None:
        self.d.awaiting = "option"
        self.d.pending_item = {
            "item_id": item.item_id,
            "group_id": group.group_id,
            "quantity": mention.quantity,
            "option_ids": mention.option_ids,
        }
        options = r.join(
            [
                o.name(self.lang) + (f" (+{self.money(o.price_delta)})" if o.price_delta else "")
                for o in group.options
            ],
            self.lang,
        )
        self.say(
            "pick_option",
            group=group.names.get(self.lang) or next(iter(group.names.values()), ""),
            item=self.item_name(item),
            options=options,
        )

    def ask_again(self, awaiting: str, pending: dict[str, Any]) -> None:
        """The dish or option question again, when its answer was not understood."""
        if awaiting == "pick_item":
            candidates = [
                self.ctx.catalog.by_id[i]
                for i in pending.get("candidates", [])
                if i in self.ctx.catalog.by_id
            ]
            if len(candidates) > 1:
                self.d.awaiting, self.d.pending_choice = awaiting, pending
                options = r.join(
                    [f"{self.item_name(c)} ({self.money(c.price)})" for c in candidates],
                    self.lang,
                )
                self.say("pick_item", options=options)
                return
        item = self.ctx.catalog.by_id.get(int(pending.get("item_id", 0)))
        group = next(
            (g for g in (item.groups if item else ()) if g.group_id == pending.get("group_id")),
            None,
        )
        if awaiting == "option" and item is not None and group is not None:
            mention = Mention(
                start=0,
                end=0,
                candidates=[item],
                quantity=int(pending.get("quantity", 1)),
                option_ids=list(pending.get("option_ids", [])),
            )
            self.ask_option(item, group, mention)
            return
        self.out.append(r.say("fallback", self.lang) + r.say("capabilities", self.lang))

    def ask_pick_item(self, mention: Mention, p: Parse) -> None:
        self.d.awaiting = "pick_item"
        # The words around the name keep the options said ("2 burgers w/ extra cheese") for
        # when the customer says which one.
        self.d.pending_choice = {
            "candidates": [c.item_id for c in mention.candidates],
            "quantity": mention.quantity,
            "words": p.words[max(0, mention.start - 2) : mention.end + 8],
            "name": [min(2, mention.start), min(2, mention.start) + mention.end - mention.start],
        }
        options = r.join(
            [f"{self.item_name(c)} ({self.money(c.price)})" for c in mention.candidates], self.lang
        )
        self.say("pick_item", options=options)

    def options_text(self, item: CatalogItem, option_ids: list[int]) -> str:
        names = [
            o.name(self.lang) for g in item.groups for o in g.options if o.option_id in option_ids
        ]
        return f" ({', '.join(names)})" if names else ""

    def remove_mentions(self, p: Parse) -> None:
        for mention in p.mentions:
            item = mention.item or mention.candidates[0]
            index = next(
                (i for i, line in enumerate(self.d.cart) if line.item_id == item.item_id), None
            )
            if index is None:
                self.say("not_in_cart", item=self.item_name(item))
                continue
            line = self.d.cart[index]
            # "quita una cerveza" takes one away; "quita la cerveza" the whole line.
            if mention.quantity_start is not None and mention.quantity < line.quantity:
                line.quantity -= mention.quantity
                self.say(
                    "removed_some",
                    quantity=mention.quantity,
                    item=self.item_name(item),
                    left=line.quantity,
                )
            else:
                self.d.cart.pop(index)
                self.say("removed", item=self.item_name(item))
        self.d.last_target = ""
        if self.d.cart:
            self.after_cart_change()
        else:
            self.say("cart_empty")

    def after_cart_change(self) -> None:
        if self.d.awaiting == "confirm_order":
            self.continue_order()
        else:
            self.cart_summary()
            self.say("anything_else")

    def apply_correction(self, p: Parse) -> bool:  # noqa: PLR0911 - one branch per form
        """ "no, mejor 3", "make it two", "mejor a las 10", "no, una hamburguesa"."""
        target = self.d.last_target
        if p.mentions and self.correct_cart_lines(p):
            return True
        if p.mentions and target.startswith("cart:"):
            index = int(target.split(":")[1])
            if index < len(self.d.cart):
                old = self.d.cart.pop(index)
                for mention in p.mentions:
                    if not mention.quantity_said:
                        mention.quantity = old.quantity
                self.add_mentions(p.mentions, p)
                return True
        if p.mentions:
            return False
        if self.d.flow in {"booking", "reschedule"} and (p.when.found or p.party_size or p.numbers):
            # A bare number in a booking is the party ("no, mejor 3"); times come with
            # "a las"/"at", which the date parser reads.
            if p.party_size or (p.numbers and not p.when.found):
                self.d.party_size = p.party_size or p.numbers[0]
                self.d.last_target = "party_size"
            self.apply_when_to_booking(p)
            self.continue_booking()
            return True
        line_index = self.corrected_line(target)
        if p.numbers and not p.when.found and line_index is not None:
            self.d.cart[line_index].quantity = min(MAX_QUANTITY, max(1, p.numbers[0]))
            self.d.last_target = f"cart:{line_index}"
            self.after_cart_change()
            return True
        if self.d.flow == "order" and p.when.found:
            self.set_order_time(p)
            self.continue_order()
            return True
        if self.d.flow == "order" and p.order_type:
            self.set_order_type(p)
            self.continue_order()
            return True
        return False

    def correct_cart_lines(self, p: Parse) -> bool:
        """ "mejor 3 margaritas", "las croquetas que sean ración entera", "make the coke large":
        dishes already in the order get the quantity or options said, not a second line."""
        changes: list[tuple[int, Mention]] = []
        for mention in p.mentions:
            item = mention.item
            index = next(
                (
                    i
                    for i in range(len(self.d.cart) - 1, -1, -1)
                    if item is not None and self.d.cart[i].item_id == item.item_id
                ),
                None,
            )
            if index is None or not (mention.quantity_said or mention.option_ids):
                return False
            changes.append((index, mention))
        for index, mention in changes:
            line = self.d.cart[index]
            item = self.ctx.catalog.by_id[line.item_id]
            if mention.quantity_said:
                line.quantity = min(MAX_QUANTITY, max(1, mention.quantity))
            if mention.option_ids:
                line.option_ids = sorted(_merge_options(item, line.option_ids, mention.option_ids))
            self.d.last_target = f"cart:{index}"
            self.d.last_item_id = item.item_id
        self.after_cart_change()
        return True

    def options_for_last_line(self, p: Parse) -> bool:
        """ "grande", "con queso", "make it large" right after adding a dish: its options."""
        index = self.corrected_line(self.d.last_target)
        if index is None or p.mentions:
            return False
        line = self.d.cart[index]
        item = self.ctx.catalog.by_id.get(line.item_id)
        if item is None:
            return False
        said = match_options(item, p.words, lower=0, limit=len(p.words))
        if not said.option_ids:
            return False
        line.option_ids = sorted(_merge_options(item, line.option_ids, said.option_ids))
        self.after_cart_change()
        return True

    def corrected_line(self, target: str) -> int | None:
        """The cart line a bare number corrects: the one just added, or the only one."""
        if target.startswith("cart:") and int(target.split(":")[1]) < len(self.d.cart):
            return int(target.split(":")[1])
        if self.d.flow == "order" and len(self.d.cart) == 1:
            return 0
        return None

    # --- cart and checkout -------------------------------------------------------------------

    def cart_lines_text(self, totals: Any) -> str:
        parts = []
        for line in totals.lines:
            item = self.ctx.catalog.by_id.get(line.item.pk)
            name = self.item_name(item) if item else str(line.item)
            options = (
                f" ({', '.join(o.name_in(self.lang) for o in line.options)})"
                if line.options
                else ""
            )
            parts.append(f"{line.quantity}x {name}{options} {self.money(line.line_total)}")
        return r.join(parts, self.lang)

    def totals_text(self, totals: Any) -> str:
        if totals.discount:
            return r.say(
                "cart_discount",
                self.lang,
                discount=self.money(totals.discount),
                total=self.money(totals.total),
            )
        return "Total: " + self.money(totals.total) + "."

    def quote(self) -> Any:
        """The order's totals from the order service, with the customer's promotion code while
        it applies; when it no longer does, the customer hears why and it is dropped."""
        code = self.d.promo_code or None
        try:
            return domain.quote(self.d.cart, customer=self.customer(), promotion_code=code)
        except ValidationError as exc:
            reasons = exc.message_dict.get("promotion_code") if hasattr(exc, "error_dict") else None
            if code is None or not reasons:
                raise
        self.d.promo_code = ""
        self.say("promo_refused", code=code, reason=self.promotion_reason(reasons[0]))
        return domain.quote(self.d.cart, customer=self.customer())

    def promotion_reason(self, reason: str) -> str:
        return r.promotion_reason(
            reason,
            self.lang,
            money=self.money,
        )

    def take_promo_code(self, p: Parse) -> bool:
        """A promotion code typed by the customer ("tengo el código BIENVENIDA"): kept for
        the order, checked by the order service with every quote. True when the message was
        only about the code."""
        candidates = promo_code_candidates(p.raw)
        if not candidates:
            return False
        codes = {
            str(promotion.code).upper(): promotion
            for promotion in domain.promotions()
            if promotion.code
        }
        code = next((c for c, _after_word in candidates if c in codes), None)
        about_code_only = not (
            p.mentions or p.intents - {Intent.PROMOTIONS, Intent.ADD, Intent.GREET, Intent.THANKS}
        )
        if code is None:
            if any(after_word for _c, after_word in candidates):
                self.say("promo_unknown")
                return about_code_only
            return False
        self.d.promo_code = code
        if not about_code_only:
            return False
        if self.d.cart:
            self.quote()  # says why not, and drops it, when it does not apply
            if self.d.promo_code:
                self.say("promo_taken", code=code)
            if self.d.awaiting == "confirm_order":
                self.continue_order()
            else:
                self.show_cart()
        else:
            self.say("promo_kept", code=code)
        return True

    def cart_summary(self) -> None:
        if not self.d.cart:
            self.say("cart_empty")
            return
        totals = self.quote()
        text = r.say(
            "cart",
            self.lang,
            lines=self.cart_lines_text(totals),
            subtotal=self.money(totals.subtotal),
        )
        if totals.discount:
            text += " " + self.totals_text(totals)
        self.out.append(text)

    def show_cart(self) -> None:
        self.cart_summary()
        if self.d.cart:
            self.say("anything_else")

    def choose_fulfilment(self, p: Parse) -> bool:
        """ "¿hacéis envíos a domicilio?" is answered; "para un pedido a domicilio" before
        any dish, or "mi dirección es ...", is kept for the order."""
        if p.address and not p.has(Intent.PICKUP, Intent.DINE_IN):
            self.d.order_type = "delivery"
            self.d.address = p.address
            if self.d.cart:
                self.continue_order()
            else:
                self.say("fulfilment_noted", kind=r.say("kind_delivery", self.lang))
            return True
        if not p.order_type or self.d.cart:
            return False
        if "?" in p.raw or p.words[0] in SERVICE_QUESTION:
            self.say("we_serve")
            return True
        self.set_order_type(p)
        self.say("fulfilment_noted", kind=r.say(f"kind_{p.order_type}", self.lang))
        return True

    def set_order_type(self, p: Parse) -> None:
        if p.order_type:
            self.d.order_type = p.order_type
            if p.order_type == "delivery" and p.address:
                self.d.address = p.address

    def set_order_time(self, p: Parse) -> None:
        moment = combine(p.when, now=self.ctx.now)
        if moment is not None and moment > self.ctx.now:
            self.d.order_time = moment.isoformat()
            self.d.asap = False
        else:
            self.d.order_time = ""
            self.d.asap = True
        self.d.last_target = "time"

    def continue_flow(self) -> None:
        if self.d.flow == "order":
            self.continue_order()
        elif self.d.flow == "reschedule" and not self.d.reservation_id:
            reservation = self.find_reservation()
            if reservation is not None:
                self.adopt_reservation(reservation, None)
        elif self.d.flow in {"booking", "reschedule"}:
            self.continue_booking()
        elif self.d.flow == "cancel_booking":
            self.continue_cancel()
        elif self.d.flow == "my_booking":
            self.show_booking()
        elif self.d.flow == "order_status":
            self.d.flow = ""
            self.d.awaiting = ""
            self.order_status(None)
        elif self.d.flow == "cancel_order":
            self.cancel_placed_order()

    def need_customer(self) -> bool:
        """Ask for what we need to know who the customer is; True while still asking."""
        if self.customer() is not None:
            return False
        if not self.d.name and self.d.flow in {"order", "booking"}:
            self.d.awaiting = "name"
            self.say("ask_name")
            return True
        if not self.d.phone:
            self.d.awaiting = "phone"
            self.say("ask_phone" if self.d.flow in {"order", "booking"} else "ask_phone_lookup")
            return True
        return False

    def resolve_customer(self) -> Any:
        customer = self.customer()
        if customer is not None:
            return customer
        try:
            customer = domain.customer_for_phone(
                phone=self.d.phone, name=self.d.name, language=self.lang
            )
        except ValidationError:
            self.d.phone = ""
            self.d.awaiting = "phone"
            self.say("bad_phone", example=domain.phone_example())
            return None
        self.result.customer_id = customer.pk
        return customer

    def continue_order(self) -> None:  # noqa: PLR0911 - one question at a time
        self.d.flow = "order"
        if not self.d.cart:
            self.d.awaiting = ""
            self.say("cart_empty")
            return
        if not self.d.order_type:
            self.d.awaiting = "order_type"
            self.say("ask_order_type")
            return
        if self.d.order_type == "delivery" and not self.d.address:
            self.d.awaiting = "address"
            self.say("ask_address")
            return
        if self.d.order_type == "dine_in" and not self.d.table:
            self.d.awaiting = "table"
            self.out.append(
                "¿En qué mesa estás?" if self.lang == "es" else "Which table are you at?"
            )
            return
        if not self.d.order_time and not self.d.asap:
            self.d.awaiting = "order_time"
            self.say("ask_order_time")
            return
        if self.need_customer():
            return
        if self.customer() is None and self.resolve_customer() is None:
            return
        totals = self.quote()
        self.d.awaiting = "confirm_order"
        self.say(
            "order_summary",
            lines=self.cart_lines_text(totals),
            totals=self.totals_text(totals),
            details=self.order_details(),
        )

    def order_details(self) -> str:
        kind = self.d.order_type
        text = (
            r.say(kind, self.lang, address=self.d.address)
            if kind in {"pickup", "delivery", "dine_in"}
            else ""
        )
        if kind == "dine_in" and self.d.table:
            text += f", mesa {self.d.table}" if self.lang == "es" else f", table {self.d.table}"
        when = (
            self.when_text(datetime.fromisoformat(self.d.order_time))
            if self.d.order_time
            else r.say("asap", self.lang)
        )
        notes = r.say("with_note", self.lang, note=self.d.order_notes) if self.d.order_notes else ""
        return f"{text[:1].upper()}{text[1:]}, {when}{notes}"

    def answer_confirm_order(self, p: Parse) -> bool:
        if p.has(Intent.YES) and not p.has(Intent.NO) and not p.mentions:
            self.place_order()
            return True
        if p.has(Intent.NO) and not (p.mentions or p.numbers or p.when.found or p.order_type):
            self.d.awaiting = ""
            self.say("what_to_change")
            return True
        return False

    def place_order(self) -> None:
        customer = self.resolve_customer()
        if customer is None:
            return
        requested = datetime.fromisoformat(self.d.order_time) if self.d.order_time else None
        try:
            order = domain.place_order(
                cart=self.d.cart,
                customer=customer,
                channel=self.conversation.channel,
                order_type=self.d.order_type,
                requested_time=requested,
                table=self.d.table,
                address=self.d.address,
                promotion_code=self.d.promo_code or None,
                notes=self.d.order_notes,
            )
        except (ValidationError, APIException) as exc:
            self.d.awaiting = ""
            self.say("order_failed", reason=_domain_error(exc))
            if "time" in _domain_error(exc).lower():
                self.d.order_time = ""
                self.d.asap = False
                self.d.awaiting = "order_time"
                self.say("ask_order_time")
            return
        details = self.order_details()
        self.d.reset_order()
        self.d.flow = ""
        self.d.last_order_id = order.pk
        self.say(
            "order_placed", number=order.number, total=self.money(order.total), details=details
        )

    def cancel_placed_order(self) -> None:
        """A placed order is cancelled from the chat only while the restaurant has not
        confirmed it; after that a person decides (they may be cooking it already)."""
        if self.need_customer():
            return
        customer = self.resolve_customer()
        if customer is None:
            return
        self.d.flow = ""
        self.d.awaiting = ""
        order = domain.latest_order(customer=customer)
        if order is None:
            self.say("no_orders")
            return
        self.d.last_order_id = order.pk
        status = r.ORDER_STATUS.get(order.status, {}).get(self.lang, order.status)
        if order.status == "pending":
            self.d.awaiting = "confirm_cancel_order"
            self.say("confirm_cancel_order", number=order.number, total=self.money(order.total))
        elif order.status in {"confirmed", "preparing", "ready"}:
            self.d.awaiting = "offer_handoff"
            self.say("order_too_late", number=order.number, status=status)
        else:
            self.say("order_status", number=order.number, status=status)

    def answer_order_cancel(self, p: Parse) -> bool:
        awaiting = self.d.awaiting
        if not p.has(Intent.YES, Intent.NO):
            return False
        self.d.awaiting = ""
        if p.has(Intent.NO):
            self.say("order_kept" if awaiting == "confirm_cancel_order" else "anything_else")
            return True
        if awaiting == "offer_handoff":
            self.say("handoff")
            self.result.handoff = True
            return True
        order = domain.order_get(order_id=self.d.last_order_id or 0)
        try:
            order = domain.cancel_order(order=order)
        except (ValidationError, APIException):
            # Confirmed meanwhile: the restaurant decides now.
            self.d.awaiting = "offer_handoff"
            self.say(
                "order_too_late", number=order.number, status=r.ORDER_STATUS["confirmed"][self.lang]
            )
            return True
        self.say("order_cancelled", number=order.number)
        return True

    def order_status(self, p: Parse | None) -> None:
        customer = self.customer()
        if customer is None and self.d.phone:
            customer = self.resolve_customer()
        if customer is None and p is not None and any(w in HOW_LONG for w in p.words):
            # Asked before ordering anything: there is no order to look up.
            self.say("no_eta")
            return
        if customer is None:
            self.d.flow = "order_status"
            self.d.awaiting = "phone_lookup"
            self.say("ask_phone_lookup")
            return
        order = domain.latest_order(customer=customer)
        if order is None:
            self.say("no_orders")
            return
        status = r.ORDER_STATUS.get(order.status, {}).get(self.lang, order.status)
        self.say("order_status", number=order.number, status=status)

    # --- bookings ----------------------------------------------------------------------------

    def is_booking(self, p: Parse) -> bool:
        if p.has(Intent.BOOK) and not (p.mentions and p.has(Intent.ADD) and not p.party_size):
            return True
        if self.d.flow in {"booking", "reschedule"} and (p.party_size or p.when.found):
            return True
        return bool(p.party_size and p.when.found and not p.mentions)

    def start_booking(self, p: Parse) -> None:
        if self.d.flow not in {"booking", "reschedule"}:
            self.d.reset_booking()
            self.d.flow = "booking"
        if p.has(Intent.ALLERGENS) and self.d.flow == "booking":
            # "mesa para 2 el domingo, uno es celíaco": the restaurant should know.
            note = " ".join(p.raw.split())[:200]
            self.d.booking_notes = f"{self.d.booking_notes} {note}".strip()[:500]
        if p.party_size:
            self.d.party_size = p.party_size
            self.d.last_target = "party_size"
        if p.name:
            self.d.name = p.name
        if p.phone:
            self.d.phone = p.phone
        self.apply_when_to_booking(p)
        self.continue_booking()

    def apply_when_to_booking(self, p: Parse) -> None:
        when = p.when
        if (when.asap or when.minutes_from_now is not None) and when.at is None:
            # "a table rn", "en media hora": the first bookable time from then on.
            moment = combine(when, now=self.ctx.now) or self.ctx.now
            step = domain.slot_minutes()
            minutes = moment.hour * 60 + moment.minute
            minutes = -(-minutes // step) * step
            start = datetime.combine(moment.date(), time(0, 0), tzinfo=moment.tzinfo)
            moment = start + timedelta(minutes=minutes)
            self.d.booking_day = moment.date().isoformat()
            self.d.booking_time = moment.strftime("%H:%M")
            self.d.offered_slots = []
            return
        if when.day is not None:
            self.d.booking_day = when.day.isoformat()
        if when.at is not None:
            self.d.booking_time = when.at.strftime("%H:%M")
            self.d.last_target = "time"
        if when.day is not None or when.at is not None:
            self.d.offered_slots = []

    def booking_start(self) -> datetime | None:
        if not (self.d.booking_day and self.d.booking_time):
            return None
        return datetime.combine(
            date.fromisoformat(self.d.booking_day),
            time.fromisoformat(self.d.booking_time),
            tzinfo=self.ctx.profile.tz,
        )

    def continue_booking(self) -> None:  # noqa: PLR0911 - one question at a time
        if not self.d.party_size:
            self.d.awaiting = "party_size"
            self.say("ask_party")
            return
        if not self.party_size_accepted():
            return
        if self.d.booking_time and not self.d.booking_day:
            day = self.ctx.today
            if time.fromisoformat(self.d.booking_time) <= self.ctx.now.time():
                day += timedelta(days=1)
            self.d.booking_day = day.isoformat()
        if not self.d.booking_day:
            self.d.awaiting = "booking_day"
            self.say("ask_day")
            return
        if not self.d.booking_time:
            self.d.awaiting = "booking_time"
            self.say("ask_time")
            return
        starts = self.booking_start()
        assert starts is not None
        if starts <= self.ctx.now:
            self.d.booking_time = ""
            self.d.awaiting = "booking_time"
            self.say("slot_past")
            return
        if not self.slot_is_free(starts):
            self.offer_slots(starts)
            return
        self.announce_room(starts)
        if self.d.flow == "booking" and self.need_customer():
            return
        if self.d.flow == "booking" and self.resolve_customer() is None:
            return
        self.d.awaiting = "confirm_booking"
        if self.d.flow == "reschedule":
            self.say("reschedule_summary", party=self.d.party_size, when=self.when_text(starts))
        else:
            self.say(
                "booking_summary",
                party=self.d.party_size,
                when=self.when_text(starts),
                name=self.d.name or self.customer_name(),
                notes=r.say("with_note", self.lang, note=self.d.booking_notes)
                if self.d.booking_notes
                else "",
            )

    def announce_room(self, starts: datetime) -> None:
        """Say there is room before asking who the customer is (once per time asked)."""
        if (
            self.d.flow == "booking"
            and self.customer() is None
            and not (self.d.name and self.d.phone)
            and self.d.slot_told != f"{starts.isoformat()} {self.d.party_size}"
        ):
            self.d.slot_told = f"{starts.isoformat()} {self.d.party_size}"
            self.say("slot_free", party=self.d.party_size, when=self.when_text(starts))

    def party_size_accepted(self) -> bool:
        """Within the restaurant's booking limits, or say them and ask again."""
        smallest, largest = domain.party_limits()
        if smallest <= self.d.party_size <= largest:
            return True
        phone = self.ctx.profile.phone
        self.say(
            "party_limits",
            smallest=smallest,
            largest=largest,
            call=r.say("call_us", self.lang, phone=phone) if phone else "",
        )
        self.d.party_size = 0
        self.d.awaiting = "party_size"
        return False

    def customer_name(self) -> str:
        customer = self.customer()
        return str(getattr(customer, "name", "") or "") or "-"

    def slot_is_free(self, starts: datetime) -> bool:
        slots = domain.free_slots(day=starts.date(), party_size=self.d.party_size)
        return any(slot == starts for slot in slots)

    def offer_slots(self, starts: datetime) -> None:
        # Shown (and picked by "la primera") in the order of the day, not of distance.
        nearest = sorted(
            s
            for s in domain.nearest_slots(when=starts, party_size=self.d.party_size)
            if s > self.ctx.now
        )
        if not nearest:
            self.d.booking_day = ""
            self.d.booking_time = ""
            self.d.awaiting = "booking_day"
            self.say("slot_none", party=self.d.party_size)
            return
        self.d.offered_slots = [s.isoformat() for s in nearest]
        self.d.awaiting = "pick_slot"
        self.say(
            "slot_full",
            when=self.when_text(starts),
            party=self.d.party_size,
            options=r.join([self.slot_text(s, asked=starts) for s in nearest], self.lang),
        )

    def slot_text(self, slot: datetime, *, asked: datetime) -> str:
        """An offered time; its day only when it is not the day asked for."""
        if slot.date() == asked.date():
            return ("a las " if self.lang == "es" else "at ") + slot.strftime("%H:%M")
        return self.when_text(slot)

    def offer_later_or_earlier(self, later: bool) -> None:
        """ "¿alguna más tarde?": the next free times that day after (or before) the asked one."""
        asked = self.booking_start()
        if asked is None:
            self.say("ask_time")
            return
        free = [
            s
            for s in domain.free_slots(day=asked.date(), party_size=self.d.party_size)
            if s > self.ctx.now
        ]
        pool = [s for s in free if s > asked][:3] if later else [s for s in free if s < asked][-3:]
        if not pool:
            self.say("no_later_slots" if later else "no_earlier_slots")
            return
        self.d.offered_slots = [s.isoformat() for s in pool]
        self.d.awaiting = "pick_slot"
        self.say(
            "slots_other",
            options=r.join([self.slot_text(s, asked=asked) for s in pool], self.lang),
        )

    def answer_pick_slot(self, p: Parse) -> bool:  # noqa: PLR0911 - one branch per answer
        offered = [datetime.fromisoformat(s) for s in self.d.offered_slots]
        if p.when.at is None and (phrase := self.later_or_earlier(p)):
            self.offer_later_or_earlier(later=phrase == "later")
            return True
        chosen = None
        if p.when.at is not None:
            matching = [
                s
                for s in offered
                if s.time() == p.when.at and (p.when.day is None or s.date() == p.when.day)
            ]
            if matching:
                chosen = matching[0]
            else:
                # Another time altogether: check that one instead.
                self.apply_when_to_booking(p)
                self.continue_booking()
                return True
        if chosen is None:
            index = self.ordinal(p)
            if index is not None and -len(offered) <= index < len(offered):
                chosen = offered[index]
        if chosen is None and p.has(Intent.YES) and len(offered) >= 1 and not p.has(Intent.NO):
            chosen = offered[0]
        if chosen is None and p.when.day is not None:
            self.apply_when_to_booking(p)
            self.continue_booking()
            return True
        if chosen is None:
            if p.party_size:
                self.d.party_size = p.party_size
                self.continue_booking()
                return True
            if p.has(Intent.NO):
                self.d.awaiting = "booking_time"
                self.d.offered_slots = []
                self.say("ask_time")
                return True
            return False
        self.d.booking_day = chosen.date().isoformat()
        self.d.booking_time = chosen.strftime("%H:%M")
        self.d.offered_slots = []
        self.continue_booking()
        return True

    def later_or_earlier(self, p: Parse) -> str:
        padded = f" {p.text} "
        if any(f" {w} " in padded for w in ("mas tarde", "later", "despues", "luego")):
            return "later"
        if any(f" {w} " in padded for w in ("mas pronto", "earlier", "antes", "mas temprano")):
            return "earlier"
        return ""

    def answer_confirm_booking(self, p: Parse) -> bool:
        if p.has(Intent.YES) and not p.has(Intent.NO):
            self.confirm_booking()
            return True
        if p.has(Intent.NO) and not (p.numbers or p.when.found or p.party_size):
            self.d.awaiting = ""
            self.say("what_to_change")
            return True
        return False

    def confirm_booking(self) -> None:
        starts = self.booking_start()
        assert starts is not None
        try:
            if self.d.flow == "reschedule":
                reservation = domain.reservation_get(reservation_id=self.d.reservation_id or 0)
                reservation = domain.reschedule(
                    reservation=reservation, starts_at=starts, party_size=self.d.party_size
                )
                key = "rescheduled"
            else:
                customer = self.resolve_customer()
                if customer is None:
                    return
                reservation = domain.book(
                    customer=customer,
                    starts_at=starts,
                    party_size=self.d.party_size,
                    channel=self.conversation.channel,
                    notes=self.d.booking_notes,
                )
                key = "booking_done"
        except (ValidationError, APIException) as exc:
            self.say("booking_failed", reason=_domain_error(exc))
            self.offer_slots(starts)
            return
        party = self.d.party_size
        self.d.reset_booking()
        self.d.last_reservation_id = reservation.pk
        self.say(
            key,
            party=party,
            when=self.when_text(reservation.starts_at.astimezone(self.ctx.profile.tz)),
        )

    def about_my_booking(self, p: Parse) -> bool:
        """Cancel, change or ask about the customer's booking: said outright ("cancelar mi
        reserva"), or with "it" when the booking is what we are talking about ("tengo una
        reserva y quiero cancelarla", "actually, move it to 9pm" after booking)."""
        context = p.has(Intent.MY_BOOKING) or bool(
            self.d.last_reservation_id and not self.d.cart and not self.d.flow and not p.mentions
        )
        if p.has(Intent.CANCEL_BOOKING) or (
            context and p.has(Intent.CANCEL_IT) and not p.has(Intent.CLEAR_CART)
        ):
            self.start_cancel_booking(p)
            return True
        moved = p.has(Intent.CHANGE_IT) or (
            p.has(Intent.CORRECTION) and (p.when.found or bool(p.party_size))
        )
        if p.has(Intent.CHANGE_BOOKING) or (context and moved):
            self.start_reschedule(p)
            return True
        if p.has(Intent.MY_BOOKING) and not (p.party_size or p.when.found or p.has(Intent.ADD)):
            self.d.reset_booking()
            self.d.flow = "my_booking"
            if p.phone:
                self.d.phone = p.phone
            self.show_booking()
            return True
        return False

    def show_booking(self) -> None:
        reservation = self.find_reservation()
        if reservation is None:
            return
        self.d.reset_booking()
        self.d.last_reservation_id = reservation.pk
        self.say(
            "your_booking",
            party=reservation.party_size,
            when=self.when_text(reservation.starts_at.astimezone(self.ctx.profile.tz)),
        )

    def start_cancel_booking(self, p: Parse) -> None:
        self.d.reset_booking()
        self.d.flow = "cancel_booking"
        if p.phone:
            self.d.phone = p.phone
        self.continue_cancel()

    def find_reservation(self) -> Any:
        if self.need_customer():
            return None
        customer = self.resolve_customer()
        if customer is None:
            return None
        reservation = domain.upcoming_reservation(customer=customer, now=self.ctx.now)
        if reservation is None:
            self.d.reset_booking()
            self.say("no_reservation")
        return reservation

    def continue_cancel(self) -> None:
        reservation = self.find_reservation()
        if reservation is None:
            return
        self.d.reservation_id = reservation.pk
        self.d.awaiting = "confirm_cancel"
        self.say(
            "confirm_cancel",
            party=reservation.party_size,
            when=self.when_text(reservation.starts_at.astimezone(self.ctx.profile.tz)),
        )

    def answer_confirm_cancel(self, p: Parse) -> bool:
        if p.has(Intent.YES) and not p.has(Intent.NO):
            reservation = domain.reservation_get(reservation_id=self.d.reservation_id or 0)
            if reservation is not None:
                domain.cancel(reservation=reservation)
            self.d.reset_booking()
            self.say("cancelled")
            return True
        if p.has(Intent.NO):
            self.d.reset_booking()
            self.say("kept")
            return True
        return False

    def start_reschedule(self, p: Parse) -> None:
        self.d.reset_booking()
        self.d.flow = "reschedule"
        if p.phone:
            self.d.phone = p.phone
        # "move it to 9pm": kept while we ask who the customer is.
        self.apply_when_to_booking(p)
        if p.party_size:
            self.d.party_size = p.party_size
        reservation = self.find_reservation()
        if reservation is None:
            if self.d.awaiting not in {"phone", "name"}:
                self.d.reset_booking()
            return
        self.adopt_reservation(reservation, p)

    def adopt_reservation(self, reservation: Any, p: Parse | None) -> None:
        self.d.reservation_id = reservation.pk
        starts = reservation.starts_at.astimezone(self.ctx.profile.tz)
        asked_party = self.d.party_size
        self.d.party_size = reservation.party_size
        if p is not None and (p.when.found or p.party_size):
            if p.party_size:
                self.d.party_size = p.party_size
            self.d.booking_day = starts.date().isoformat()
            self.apply_when_to_booking(p)
            self.continue_booking()
            return
        if self.d.booking_time or self.d.booking_day or asked_party:
            # Said with the request, before we knew which booking it was.
            self.d.party_size = asked_party or reservation.party_size
            self.d.booking_day = self.d.booking_day or starts.date().isoformat()
            self.d.booking_time = self.d.booking_time or starts.strftime("%H:%M")
            self.continue_booking()
            return
        self.d.awaiting = "booking_day"
        self.say("ask_new_time", party=reservation.party_size, when=self.when_text(starts))
