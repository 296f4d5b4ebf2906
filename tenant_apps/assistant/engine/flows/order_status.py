"""The customer's placed order: where it is, and cancelling it while the restaurant has not
confirmed it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import Turn, explicit_yes
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import word_set

if TYPE_CHECKING:
    from tenant_apps.orders.models import Order

HOW_LONG = word_set("tarda tardan tardais long")
ORDER_WORDS = word_set("pedido order comanda")


def _order_in_reach(t: Turn) -> tuple[bool, Order | None]:
    """(known, order): the order this conversation may act on. Web: the one it placed (or was
    shown after proof), else the proven customer's latest. Not known: a question was asked."""
    own = t.own_order_id()
    if own:
        return True, domain.order_get(order_id=own)
    customer = t.lookup_customer()
    if customer is None:
        return False, None
    return True, domain.latest_order(customer=customer)


def cancel_placed_order(t: Turn) -> None:
    """A placed order is cancelled from the chat only while the restaurant has not
    confirmed it; after that a person decides (they may be cooking it already)."""
    known, order = _order_in_reach(t)
    if not known:
        return
    t.d.flow = Flow.NONE
    t.d.awaiting = Awaiting.NOTHING
    if order is None:
        t.say("no_orders")
        return
    t.d.last_order_id = order.pk
    status = r.ORDER_STATUS.get(order.status, {}).get(t.lang, order.status)
    if order.status == "pending":
        t.d.awaiting = Awaiting.CONFIRM_CANCEL_ORDER
        t.say("confirm_cancel_order", number=order.number, total=t.money(order.total))
    elif order.status in {"confirmed", "preparing", "ready"}:
        t.d.awaiting = Awaiting.OFFER_HANDOFF
        t.say("order_too_late", number=order.number, status=status)
    else:
        t.say("order_status", number=order.number, status=status)


def answer_order_cancel(t: Turn, p: Parse) -> bool:
    if not p.has(Intent.YES, Intent.NO, Intent.DECLINE, Intent.GOODBYE):
        return False
    t.d.awaiting = Awaiting.NOTHING
    if not explicit_yes(p):
        t.say("order_kept")
        return True
    order = domain.order_get(order_id=t.d.last_order_id or 0)
    if order is None:
        t.say("no_orders")
        return True
    try:
        order = domain.cancel_order(order=order)
    except (ValidationError, APIException):
        # Confirmed meanwhile: the restaurant decides now.
        t.d.awaiting = Awaiting.OFFER_HANDOFF
        t.say("order_too_late", number=order.number, status=r.ORDER_STATUS["confirmed"][t.lang])
        return True
    t.say("order_cancelled", number=order.number)
    return True


def order_status(t: Turn, p: Parse | None) -> None:
    nothing_known = not (t.customer() or t.d.phone or t.own_order_id() or t.d.verified_customer_id)
    if nothing_known and p is not None and any(w in HOW_LONG for w in p.words):
        # Asked before ordering anything: there is no order to look up.
        t.say("no_eta")
        return
    if nothing_known:
        t.d.flow = Flow.ORDER_STATUS
        t.d.awaiting = Awaiting.PHONE_LOOKUP
        t.say("ask_phone_lookup")
        return
    t.d.flow = Flow.ORDER_STATUS
    known, order = _order_in_reach(t)
    if not known:
        return
    t.d.flow = Flow.NONE
    if order is None:
        t.say("no_orders")
        return
    status = r.ORDER_STATUS.get(order.status, {}).get(t.lang, order.status)
    t.say("order_status", number=order.number, status=status)


def cancel_order_asked(t: Turn, p: Parse) -> bool:
    """ "cancela mi pedido" with nothing in the cart: the order already placed."""
    if not (p.has(Intent.CLEAR_CART) and any(w in ORDER_WORDS for w in p.words)):
        return False
    t.d.flow = Flow.CANCEL_ORDER
    t.d.phone = p.phone or t.d.phone
    cancel_placed_order(t)
    return True


def order_status_asked(t: Turn, p: Parse) -> bool:
    if not p.has(Intent.ORDER_STATUS):
        return False
    order_status(t, p)
    return True


def status_once_known(t: Turn) -> None:
    t.d.flow = Flow.NONE
    t.d.awaiting = Awaiting.NOTHING
    order_status(t, None)


SPEC = FlowSpec(
    name="order status",
    answers={Awaiting.CONFIRM_CANCEL_ORDER: answer_order_cancel},
    resume={Flow.ORDER_STATUS: status_once_known, Flow.CANCEL_ORDER: cancel_placed_order},
    steps=((40, cancel_order_asked), (70, order_status_asked)),
)
