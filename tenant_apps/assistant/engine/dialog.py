"""The rules engine's dialog manager: one message in, replies out, state and actions applied.

Order of business for a message: language switch, the requests that interrupt any flow (a
person), the answer to the question asked last (slot filling), then the message's own
intents by priority. What each flow does lives in `engine/flows/`; the routing is the one
table in `engine/dispatch.py`. Orders and bookings are only created after an explicit "yes"
to a summary that shows real totals and real availability.
"""

from __future__ import annotations

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine.catalog import Mention
from tenant_apps.assistant.engine.dispatch import (
    ANSWERS,
    INTERRUPTS,
    PLACED_STEPS,
    REASK,
    RESUME,
    ordered,
)
from tenant_apps.assistant.engine.flows.base import Step
from tenant_apps.assistant.engine.flows.cart import show_cart
from tenant_apps.assistant.engine.flows.dish_questions import answer_questions
from tenant_apps.assistant.engine.flows.information import answer_info
from tenant_apps.assistant.engine.flows.order_items import ask_again, take_request
from tenant_apps.assistant.engine.flows.ordering import set_order_time
from tenant_apps.assistant.engine.parse import QUESTION_INTENTS, Parse, parse
from tenant_apps.assistant.engine.proposal import Proposal
from tenant_apps.assistant.engine.runner import TurnResult
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import Context, Turn, context_load, digit_count
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import fold
from tenant_apps.assistant.nlu.patterns import bounded

__all__ = ["Context", "DialogManager", "context_load"]


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


def reask(t: Turn) -> None:
    """Repeat the pending question after a digression (e.g. a language switch)."""
    again = REASK.get(t.d.flow)
    if again is not None and t.d.awaiting:
        again(t)


def continue_flow(t: Turn) -> None:
    """Carry on with the flow in progress once the customer said who they are."""
    carry_on = RESUME.get(t.d.flow)
    if carry_on is not None:
        carry_on(t)


def bare_name(p: Parse) -> str:
    """A reply that is just a name ("Ana", "Juan Pérez")."""
    words = p.raw.strip().strip(".!").split()
    if not 1 <= len(words) <= 4 or p.mentions or p.intents - {Intent.GREET, Intent.THANKS}:
        return ""
    if any(not w.replace("-", "").replace("'", "").isalpha() for w in words):
        return ""
    return " ".join(w.capitalize() if w.islower() else w for w in words)[:80]


def answer_name(t: Turn, p: Parse) -> bool:
    name = p.name or bare_name(p)
    if not name:
        return False
    t.d.name = name
    if p.phone:
        t.d.phone = p.phone
    continue_flow(t)
    return True


def answer_phone(t: Turn, p: Parse) -> bool:
    if not p.phone and digit_count(p.raw) >= 3:
        # Digits that do not make a number: say so rather than ask the same again.
        t.say("bad_phone", example=domain.phone_example())
        return True
    if not p.phone:
        return False
    t.d.phone = p.phone
    if p.name:
        t.d.name = p.name
    continue_flow(t)
    return True


# A web visitor's one-time code (Turn.lookup_customer sent it). Only the start of the message
# is looked at: a code is short, and the pattern must not scan unbounded customer text.
_CODE_SCAN_CHARS = 200
_CODE = bounded(r"(?<!\d)(\d{6})(?!\d)", limit=_CODE_SCAN_CHARS)


def answer_code(t: Turn, p: Parse) -> bool:
    found = _CODE.search(p.raw[:_CODE_SCAN_CHARS])
    if found is None:
        return False
    customer = domain.customer_get(customer_id=t.d.verifying_customer_id or 0)
    if customer is None or not domain.verification_check(customer=customer, code=found.group(1)):
        t.say("verify_code_wrong")
        return True
    t.d.verified_customer_id = customer.pk
    t.d.verifying_customer_id = 0
    t.d.awaiting = Awaiting.NOTHING
    continue_flow(t)
    return True


# Who the customer is, asked by whichever flow needs it.
CONTACT_ANSWERS: dict[Awaiting, Step] = {
    Awaiting.NAME: answer_name,
    Awaiting.PHONE: answer_phone,
    Awaiting.PHONE_LOOKUP: answer_phone,
    Awaiting.VERIFY_CODE: answer_code,
}


def keep_details_given_early(t: Turn, p: Parse) -> None:
    """Contact details or a time given ahead of their question are kept for it (and the
    customer hears they were, before the question comes again)."""
    awaiting = t.d.awaiting
    if t.d.flow in {Flow.ORDER, Flow.BOOKING} and awaiting not in {Awaiting.NAME, Awaiting.PHONE}:
        t.noted = bool(p.phone or p.name)
        t.d.phone = p.phone or t.d.phone
        t.d.name = p.name or t.d.name
    if awaiting in {Awaiting.ORDER_TYPE, Awaiting.ADDRESS, Awaiting.TABLE} and p.when.found:
        set_order_time(t, p)
        t.noted = True


def answer_awaiting(t: Turn, p: Parse) -> bool:
    keep_details_given_early(t, p)
    answer = CONTACT_ANSWERS.get(t.d.awaiting) or ANSWERS.get(t.d.awaiting)
    return answer is not None and answer(t, p)


# --- what no flow took ---------------------------------------------------------------------


def not_on_menu(t: Turn, p: Parse) -> bool:
    if not t.unknown_items:
        return False
    t.say("not_on_menu")
    return True


def request_noted(t: Turn, p: Parse) -> bool:
    if not take_request(t, p):
        return False
    reask(t)
    return True


def question_not_understood(t: Turn, p: Parse) -> bool:
    if t.unanswered is None:
        return False
    ask_again(t, *t.unanswered)
    return True


def pending_question(t: Turn, p: Parse) -> bool:
    if not (t.d.flow in REASK and t.d.awaiting):
        return False
    if t.noted:
        t.say("noted")
    reask(t)
    return True


def small_talk_or_fallback(t: Turn, p: Parse) -> bool:
    # The model's own wording only for small talk: when it proposed an action the engine
    # did not take, its words would claim something that did not happen.
    if t.proposal is not None and t.proposal.smalltalk and t.proposal.reply:
        t.out.append(t.proposal.reply)
    else:
        t.fallback()
    return True


def back_to_task(t: Turn) -> None:
    """After answering a question in the middle of a task: the task's pending question again,
    or "anything else?" while ordering."""
    if t.d.awaiting and t.d.flow in REASK:
        reask(t)
    elif t.d.cart and not t.d.awaiting:
        t.say("anything_else")


def question_mid_task(t: Turn, p: Parse) -> bool:
    """ "¿a qué hora cerráis?", "where are you?" while ordering or booking: answered (a day or
    time in it is the question's, not the order's), then the task carries on."""
    in_task = bool(t.d.cart) or t.d.flow in {Flow.ORDER, Flow.BOOKING, Flow.RESCHEDULE}
    asked = p.has(Intent.HOURS, Intent.ADDRESS, Intent.PROMOTIONS)
    if not (in_task and asked) or p.mentions or p.address or p.has(Intent.BOOK) or p.party_size:
        return False
    answer_info(t, p)
    back_to_task(t)
    return True


# Steps after which the task in progress carries on where it was.
RETURNING = frozenset({answer_questions})
STEPS: tuple[Step, ...] = ordered([*PLACED_STEPS, (65, question_mid_task)])
FALLBACKS: tuple[Step, ...] = (
    not_on_menu,
    request_noted,
    question_not_understood,
    pending_question,
    small_talk_or_fallback,
)


class DialogManager(Turn):
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
                reask(self)
                return self.result
        elif p.language:
            self.d.language = p.language
        if not p.words:
            self.say("empty")
            return self.result
        if any(interrupt(self, p) for interrupt in INTERRUPTS):
            return self.result
        if self.d.awaiting and answer_awaiting(self, p):
            return self.result
        awaiting = self.d.awaiting
        for step in (*STEPS, *FALLBACKS):
            if step(self, p):
                if step in RETURNING and awaiting and self.d.awaiting == awaiting:
                    reask(self)
                break
        return self.result

    def resume(self) -> TurnResult:
        """The customer took back the request for a person: carry on where the dialog was
        (the pending question again, or the order so far)."""
        self.d.turns += 1
        self.say("resumed")
        if self.d.awaiting and self.d.flow in REASK:
            reask(self)
        elif self.d.cart:
            show_cart(self)
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
        if self.d.awaiting.is_confirmation:
            own = {Intent.YES, Intent.NO, Intent.DECLINE, Intent.GOODBYE}
            p.intents = (p.intents - own) | (rules & own)
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
