"""One turn of the dialog: what every flow reads and writes while it handles a message.

The flows (`engine/flows/`) are functions of a `Turn`: the conversation, its remembered
state, the replies said so far, the turn's context (menu, profile, clock) and the helpers
every flow speaks and identifies the customer with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.catalog import Catalog, CatalogItem, catalog_load
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.proposal import Proposal
from tenant_apps.assistant.engine.runner import TurnResult
from tenant_apps.assistant.engine.state import Awaiting, Dialog, Flow
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.conversations.models import Conversation

if TYPE_CHECKING:
    from tenant_apps.customers.models import Customer
    from tenant_apps.restaurant.selectors import RestaurantProfileData

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


@dataclass
class Context:
    catalog: Catalog
    profile: RestaurantProfileData
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


def domain_error(exc: Exception) -> str:
    """A customer-readable reason from a domain ValidationError/Conflict."""
    if isinstance(exc, ValidationError):
        messages = exc.messages
    elif isinstance(exc, APIException):
        messages = [str(exc.detail)]
    else:
        messages = [str(exc)]
    return " ".join(str(m) for m in messages)[:300]


def digit_count(text: str) -> int:
    return sum(1 for ch in text if ch.isdigit())


def explicit_yes(p: Parse) -> bool:
    """A yes to the summary shown, and nothing but: "vale, gracias, adiós", "ok bye", "no,
    mejor no" or a dish named with it are not a yes (nothing is placed or booked on them)."""
    return p.has(Intent.YES) and not p.has(Intent.NO, Intent.DECLINE, Intent.GOODBYE)


def answer_not_a_yes(t: Turn, p: Parse) -> bool:
    """At a summary awaiting its yes, with nothing new in the message: a "no" asks what to
    change, and a goodbye, thanks or a hedged yes says a plain yes is needed (the flows'
    shared answers; each flow handles its own yes and decline first)."""
    if p.has(Intent.NO):
        t.d.awaiting = Awaiting.NOTHING
        t.d.shown = ""
        t.say("what_to_change")
        return True
    if p.has(Intent.GOODBYE, Intent.THANKS, Intent.YES):
        t.say("needs_yes")
        return True
    return False


class Turn:
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
        self.unanswered: tuple[Awaiting, dict[str, Any]] | None = None

    # --- speaking ------------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.d.language

    def say(self, key: str, **values: Any) -> None:
        self.out.append(r.say(key, self.lang, **values))

    def ask(self, awaiting: Awaiting, key: str, **values: Any) -> bool:
        """Ask a question and expect its answer next; False, as in "not known yet"."""
        self.d.awaiting = awaiting
        self.say(key, **values)
        return False

    def propose(self, awaiting: Awaiting, key: str, **values: Any) -> None:
        """Show the summary of what a yes will commit, and remember exactly what it showed."""
        self.d.shown = self.d.proposal_digest()
        self.ask(awaiting, key, **values)

    def still_as_shown(self) -> bool:
        return bool(self.d.shown) and self.d.shown == self.d.proposal_digest()

    def money(self, amount: Decimal) -> str:
        return r.money(amount, currency=self.ctx.profile.currency, language=self.lang)

    def when_text(self, moment: datetime) -> str:
        return r.when_text(moment, today=self.ctx.today, language=self.lang)

    def item_name(self, item: CatalogItem) -> str:
        return item.name(self.lang)

    def examples(self) -> str:
        names = [self.item_name(i) for i in self.ctx.catalog.items[:3]]
        return r.join(names, self.lang)

    def fallback(self) -> None:
        self.out.append(r.say("fallback", self.lang) + r.say("capabilities", self.lang))

    def ordinal(self, p: Parse) -> int | None:
        """ "la primera", "the last one", "2": a position in a list just offered."""
        for word in p.words:
            if word in ORDINALS:
                return ORDINALS[word]
        if len(p.numbers) == 1 and 1 <= p.numbers[0] <= 9 and len(p.words) <= 3:
            return p.numbers[0] - 1
        return None

    # --- who the customer is -------------------------------------------------------------------

    def customer(self) -> Customer | None:
        customer_id = self.result.customer_id or self.conversation.customer_id
        return domain.customer_get(customer_id=customer_id) if customer_id else None

    def customer_name(self) -> str:
        customer = self.customer()
        return str(getattr(customer, "name", "") or "") or "-"

    def need_customer(self) -> bool:
        """Ask for what we need to know who the customer is; True while still asking."""
        if self.customer() is not None:
            return False
        if not self.d.name and self.d.flow in {Flow.ORDER, Flow.BOOKING}:
            self.d.awaiting = Awaiting.NAME
            self.say("ask_name")
            return True
        if not self.d.phone:
            self.d.awaiting = Awaiting.PHONE
            self.say(
                "ask_phone" if self.d.flow in {Flow.ORDER, Flow.BOOKING} else "ask_phone_lookup"
            )
            return True
        return False

    def phone_usable(self) -> bool:
        """Whether the typed phone is a phone number (nothing is created); asks again if not."""
        if self.customer() is not None:
            return True
        try:
            domain.customer_by_phone(phone=self.d.phone)
        except ValidationError:
            self.d.phone = ""
            self.d.awaiting = Awaiting.PHONE
            self.say("bad_phone", example=domain.phone_example())
            return False
        return True

    @property
    def on_web(self) -> bool:
        return str(self.conversation.channel) == "web"

    def own_order_id(self) -> int | None:
        """Web: the order this conversation placed (or was shown after proof)."""
        return self.d.last_order_id if self.on_web else None

    def own_reservation_id(self) -> int | None:
        """Web: the booking this conversation made (or was shown after proof)."""
        return self.d.last_reservation_id if self.on_web else None

    def lookup_customer(self) -> Customer | None:
        """The customer whose existing orders and bookings may be shown or changed here, or
        None after asking for what is missing.

        WhatsApp: the sender the provider verified (the conversation's customer). Web: a typed
        phone proves nothing (anyone can type anyone's number): the visitor proves it with a
        one-time code sent to that customer, or came with the restaurant's signed link.
        """
        if not self.on_web:
            if self.need_customer():
                return None
            return self.resolve_customer()
        if self.d.verified_customer_id:
            return domain.customer_get(customer_id=self.d.verified_customer_id)
        linked = self.customer()
        if not self.d.phone and linked is not None:
            self.d.phone = str(linked.phone)
        if not self.d.phone:
            self.d.awaiting = Awaiting.PHONE
            self.say("ask_phone_lookup")
            return None
        self.send_code()
        return None

    def send_code(self) -> None:
        """Send the typed phone's customer a one-time code and ask for it. The answer is the
        same whether or not that phone is a customer, so the chat tells nobody who is one."""
        try:
            existing = domain.customer_by_phone(phone=self.d.phone)
        except ValidationError:
            self.d.phone = ""
            self.d.awaiting = Awaiting.PHONE
            self.say("bad_phone", example=domain.phone_example())
            return
        if existing is not None:
            domain.verification_start(
                customer=existing, restaurant=str(self.ctx.profile.name), language=self.lang
            )
        self.d.verifying_customer_id = existing.pk if existing is not None else 0
        self.d.awaiting = Awaiting.VERIFY_CODE
        self.say("verify_code_sent")

    def resolve_customer(self) -> Customer | None:
        customer = self.customer()
        if customer is not None:
            return customer
        try:
            customer = domain.customer_for_phone(
                phone=self.d.phone, name=self.d.name, language=self.lang
            )
        except ValidationError:
            self.d.phone = ""
            self.d.awaiting = Awaiting.PHONE
            self.say("bad_phone", example=domain.phone_example())
            return None
        self.result.customer_id = customer.pk
        return customer
