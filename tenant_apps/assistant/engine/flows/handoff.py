"""Passing the conversation to a person at the restaurant: asked for at any point, or
offered when the assistant cannot help (an order already being prepared)."""

from __future__ import annotations

from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting
from tenant_apps.assistant.engine.turn import Turn
from tenant_apps.assistant.nlu.intents import Intent


def hand_off(t: Turn) -> None:
    t.say("handoff")
    t.result.handoff = True


def person_asked(t: Turn, p: Parse) -> bool:
    """ "quiero hablar con una persona": whatever question is pending."""
    if not p.has(Intent.HUMAN):
        return False
    hand_off(t)
    return True


def answer_offer_handoff(t: Turn, p: Parse) -> bool:
    if not p.has(Intent.YES, Intent.NO):
        return False
    t.d.awaiting = Awaiting.NOTHING
    if p.has(Intent.NO):
        t.say("anything_else")
    else:
        hand_off(t)
    return True


SPEC = FlowSpec(
    name="handoff",
    answers={Awaiting.OFFER_HANDOFF: answer_offer_handoff},
    interrupts=((10, person_asked),),
)
