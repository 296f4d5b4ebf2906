"""Ordering, from a full cart to a placed order: how and when it is wanted, the promotion
code, the summary with real totals, and placing it on an explicit yes."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.flows.cart import (
    cart_lines_text,
    cart_summary,
    quote,
    show_cart,
    totals_text,
)
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import (
    Turn,
    answer_not_a_yes,
    digit_count,
    domain_error,
    explicit_yes,
)
from tenant_apps.assistant.nlu.datetimes import combine
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import fold, word_set
from tenant_apps.assistant.nlu.patterns import bounded

# "¿Hacéis envíos?", "do you deliver?": a question about the service, not a choice.
SERVICE_QUESTION = word_set("haceis hacen hay teneis tienen do does can se puedo podeis")
# Words of a request for the kitchen ("sin cebolla", "extra salsa", "no onions please").
KITCHEN_REQUEST = word_set(
    "sin without no extra poco poca mucho mucha bien alergia alergico alergica allergic "
    "allergy aparte separado separate side salsa sauce cubiertos cutlery servilletas napkins "
    "cebolla onion onions cilantro picante spicy hielo ice"
)
# A whole answer to "¿para cuándo?" that means as soon as possible ("ya", "ahora", "now").
NOW_WORDS = word_set("ya ahora now para pues right away")
_CODE_TOKEN = bounded(r"[\w-]{2,32}")
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


def take_promo_code(t: Turn, p: Parse) -> bool:
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
            t.say("promo_unknown")
            return about_code_only
        return False
    t.d.promo_code = code
    if not about_code_only:
        return False
    if t.d.cart:
        quote(t)  # says why not, and drops it, when it does not apply
        if t.d.promo_code:
            t.say("promo_taken", code=code)
        if t.d.awaiting == Awaiting.CONFIRM_ORDER:
            continue_order(t)
        else:
            show_cart(t)
    else:
        t.say("promo_kept", code=code)
    return True


def choose_fulfilment(t: Turn, p: Parse) -> bool:
    """ "¿hacéis envíos a domicilio?" is answered; "para un pedido a domicilio" before
    any dish, or "mi dirección es ...", is kept for the order."""
    if p.address and not p.has(Intent.PICKUP, Intent.DINE_IN):
        t.d.order_type = "delivery"
        t.d.address = p.address
        if t.d.cart:
            continue_order(t)
        else:
            t.say("fulfilment_noted", kind=r.say("kind_delivery", t.lang))
        return True
    if not p.order_type or t.d.cart:
        return False
    if "?" in p.raw or p.words[0] in SERVICE_QUESTION:
        t.say("we_serve")
        return True
    set_order_type(t, p)
    t.say("fulfilment_noted", kind=r.say(f"kind_{p.order_type}", t.lang))
    return True


def set_order_type(t: Turn, p: Parse) -> None:
    if p.table:  # "we're at table 4": served now, at that table
        t.d.table = p.table
        t.d.asap = t.d.asap or not t.d.order_time
    if p.order_type:
        t.d.order_type = p.order_type
        if p.order_type == "delivery" and p.address:
            t.d.address = p.address


def set_order_time(t: Turn, p: Parse) -> None:
    moment = combine(p.when, now=t.ctx.now)
    if moment is not None and moment > t.ctx.now:
        t.d.order_time = moment.isoformat()
        t.d.asap = False
    else:
        t.d.order_time = ""
        t.d.asap = True
    t.d.last_target = "time"


def continue_order(t: Turn) -> None:
    """The next question of the order, one at a time, then its summary."""
    t.d.flow = Flow.ORDER
    if not t.d.cart:
        t.d.awaiting = Awaiting.NOTHING
        t.say("cart_empty")
        return
    if not fulfilment_known(t) or t.need_customer():
        return
    # The phone is checked now; the customer is recorded only when the order is placed.
    if not t.phone_usable():
        return
    totals = quote(t)
    t.propose(
        Awaiting.CONFIRM_ORDER,
        "order_summary",
        lines=cart_lines_text(t, totals),
        totals=totals_text(t, totals),
        details=order_details(t),
    )


def fulfilment_known(t: Turn) -> bool:
    """How (pickup, delivery and where, which table) and when the order is wanted."""
    if not t.d.order_type:
        return t.ask(Awaiting.ORDER_TYPE, "ask_order_type")
    if t.d.order_type == "delivery" and not t.d.address:
        return t.ask(Awaiting.ADDRESS, "ask_address")
    if t.d.order_type == "dine_in" and not t.d.table:
        t.d.awaiting = Awaiting.TABLE
        t.out.append("¿En qué mesa estás?" if t.lang == "es" else "Which table are you at?")
        return False
    if not t.d.order_time and not t.d.asap:
        return t.ask(Awaiting.ORDER_TIME, "ask_order_time")
    return True


def order_details(t: Turn) -> str:
    kind = t.d.order_type
    text = (
        r.say(kind, t.lang, address=t.d.address)
        if kind in {"pickup", "delivery", "dine_in"}
        else ""
    )
    if kind == "dine_in" and t.d.table:
        text += f", mesa {t.d.table}" if t.lang == "es" else f", table {t.d.table}"
    when = (
        t.when_text(datetime.fromisoformat(t.d.order_time))
        if t.d.order_time
        else r.say("asap", t.lang)
    )
    notes = r.say("with_note", t.lang, note=t.d.order_notes) if t.d.order_notes else ""
    return f"{text[:1].upper()}{text[1:]}, {when}{notes}"


def answer_confirm_order(t: Turn, p: Parse) -> bool:
    """Commit only on an explicit yes to the summary shown, as it was shown."""
    if explicit_yes(p) and not p.mentions:
        if t.still_as_shown():
            place_order(t)
        else:
            continue_order(t)  # changed since: show what a yes would place now
        return True
    changes = p.mentions or p.numbers or p.when.found or p.order_type
    if p.has(Intent.DECLINE, Intent.CLEAR_CART) and not changes:
        t.d.reset_order()
        t.say("order_dropped")
        return True
    return not changes and answer_not_a_yes(t, p)


def place_order(t: Turn) -> None:
    customer = t.resolve_customer()
    if customer is None:
        return
    requested = datetime.fromisoformat(t.d.order_time) if t.d.order_time else None
    try:
        order = domain.place_order(
            cart=t.d.cart,
            customer=customer,
            channel=t.conversation.channel,
            order_type=t.d.order_type,
            requested_time=requested,
            table=t.d.table,
            address=t.d.address,
            promotion_code=t.d.promo_code or None,
            notes=t.d.order_notes,
        )
    except (ValidationError, APIException) as exc:
        t.d.awaiting = Awaiting.NOTHING
        t.say("order_failed", reason=domain_error(exc))
        if "time" in domain_error(exc).lower():
            t.d.order_time = ""
            t.d.asap = False
            t.d.awaiting = Awaiting.ORDER_TIME
            t.say("ask_order_time")
        return
    details = order_details(t)
    t.d.reset_order()
    t.d.flow = Flow.NONE
    t.d.last_order_id = order.pk
    t.say("order_placed", number=order.number, total=t.money(order.total), details=details)


def after_cart_change(t: Turn) -> None:
    if t.d.awaiting == Awaiting.CONFIRM_ORDER:
        continue_order(t)
    else:
        cart_summary(t)
        t.say("anything_else")


def looks_like_free_text(t: Turn, p: Parse) -> bool:
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


def looks_like_address(t: Turn, p: Parse) -> bool:
    """Free text that is not a phone number or only a time ("8:30pm" is not where to)."""
    leftover = [w for i, w in enumerate(p.words) if i not in p.when.consumed]
    return (
        looks_like_free_text(t, p)
        and not p.phone
        and sum(1 for w in leftover if any(ch.isalpha() for ch in w)) >= 1
        and len(leftover) >= 2
        # "sin cebolla por favor" is for the kitchen, not where to deliver.
        and (digit_count(p.raw) > 0 or not any(w in KITCHEN_REQUEST for w in p.words))
    )


def correct_order_time_or_type(t: Turn, p: Parse) -> bool:
    """ "no, mejor a las 9", "better make it delivery" while ordering."""
    if t.d.flow != Flow.ORDER or not (p.when.found or p.order_type):
        return False
    if p.when.found:
        set_order_time(t, p)
    else:
        set_order_type(t, p)
    continue_order(t)
    return True


def answer_order_type(t: Turn, p: Parse) -> bool:
    if not p.order_type:
        return False
    set_order_type(t, p)
    if p.when.found:  # "paso a recogerlo a las 8"
        set_order_time(t, p)
    continue_order(t)
    return True


def answer_address(t: Turn, p: Parse) -> bool:
    if not looks_like_address(t, p):
        return False
    t.d.address = p.address or p.raw.strip()[:255]
    continue_order(t)
    return True


def answer_table(t: Turn, p: Parse) -> bool:
    if not (p.table or p.numbers or looks_like_free_text(t, p)):
        return False
    t.d.table = p.table or (str(p.numbers[0]) if p.numbers else p.raw.strip()[:20])
    continue_order(t)
    return True


def answer_order_time(t: Turn, p: Parse) -> bool:
    if not (p.when.found or p.has(Intent.YES) or set(p.words) <= NOW_WORDS):
        return False
    set_order_time(t, p)
    continue_order(t)
    return True


def checkout(t: Turn, p: Parse) -> bool:
    """ "eso es todo", "para llevar", "a las 9" with dishes in the cart: on to the summary."""
    if not t.d.cart or not (
        p.has(Intent.CHECKOUT)
        or p.order_type
        or (t.d.flow == Flow.ORDER and (p.when.found or p.has(Intent.YES)))
    ):
        return False
    set_order_type(t, p)
    if p.when.found:
        set_order_time(t, p)
    if t.noted and not p.order_type:
        t.say("noted")
    continue_order(t)
    return True


def checkout_with_empty_cart(t: Turn, p: Parse) -> bool:
    if not p.has(Intent.CHECKOUT):
        return False
    t.say("cart_empty")
    return True


def show_cart_asked(t: Turn, p: Parse) -> bool:
    if not p.has(Intent.SHOW_CART):
        return False
    show_cart(t)
    return True


SPEC = FlowSpec(
    name="ordering",
    answers={
        Awaiting.ORDER_TYPE: answer_order_type,
        Awaiting.ADDRESS: answer_address,
        Awaiting.TABLE: answer_table,
        Awaiting.ORDER_TIME: answer_order_time,
        Awaiting.CONFIRM_ORDER: answer_confirm_order,
    },
    resume={Flow.ORDER: continue_order},
    reask={Flow.ORDER: continue_order},
    steps=(
        (10, take_promo_code),
        (130, show_cart_asked),
        (140, choose_fulfilment),
        (150, checkout),
        (160, checkout_with_empty_cart),
    ),
)
