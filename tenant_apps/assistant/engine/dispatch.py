"""The one table the dialog manager routes through: every flow module's SPEC, merged.

Adding a flow: write `engine/flows/<name>.py` ending in a `SPEC`, and add it to `FLOWS`.

Steps run in the order of their numbers, first taker wins:
  10 promotion code          20 the customer's booking     30 empty (or replace) the cart
  40 cancel a placed order   50 remove dishes              60 corrections, swaps
  65 a question about the restaurant in the middle of a task (dialog.py), then back to it
  70 order status            80 book a table               90 questions about dishes
 100 add dishes             105 "I'll take three" (the dish just asked about)
 110 options for the last dish                            120 list a category
 130 show the cart          140 pickup/delivery           150 checkout
 160 checkout, empty cart   170 restaurant facts          then the dialog manager's fallbacks
After a question about a dish, the question pending before it is asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from tenant_apps.assistant.engine.flows import (
    booking,
    booking_changes,
    dish_questions,
    handoff,
    information,
    order_items,
    order_status,
    ordering,
)
from tenant_apps.assistant.engine.flows.base import Carry, FlowSpec, Step
from tenant_apps.assistant.engine.state import Awaiting, Flow

K = TypeVar("K")
V = TypeVar("V")

FLOWS: tuple[FlowSpec, ...] = (
    handoff.SPEC,
    ordering.SPEC,
    order_items.SPEC,
    order_status.SPEC,
    booking.SPEC,
    booking_changes.SPEC,
    dish_questions.SPEC,
    information.SPEC,
)


def _merged(tables: Iterable[Mapping[K, V]]) -> dict[K, V]:
    """One mapping from each flow's own; a key claimed twice is a bug in the table."""
    merged: dict[K, V] = {}
    for table in tables:
        for key, value in table.items():
            if key in merged:
                raise ValueError(f"{key!r} is claimed by two flows")
            merged[key] = value
    return merged


def ordered(steps: Iterable[tuple[int, Step]]) -> tuple[Step, ...]:
    return tuple(step for _place, step in sorted(steps, key=lambda placed: placed[0]))


# The answer to each question the assistant asks (name and phone are the dialog manager's).
ANSWERS: dict[Awaiting, Step] = _merged(spec.answers for spec in FLOWS)
# How each flow carries on once the customer said who they are.
RESUME: dict[Flow, Carry] = _merged(spec.resume for spec in FLOWS)
# How each flow asks its pending question again after a digression.
REASK: dict[Flow, Carry] = _merged(spec.reask for spec in FLOWS)
PLACED_STEPS: tuple[tuple[int, Step], ...] = tuple(step for spec in FLOWS for step in spec.steps)
INTERRUPTS: tuple[Step, ...] = ordered(step for spec in FLOWS for step in spec.interrupts)
