"""What a flow module declares, so the dialog manager can route to it through one table.

A flow module ends with one `SPEC`: the questions it asks and answers (`answers`), how it
carries on once the customer said who they are (`resume`), how it asks its pending question
again after a digression (`reask`), and the steps it takes on a message that answers no
question (`steps`, each with its place in the priority list of `engine/dispatch.py`), and the
requests that interrupt whatever question is pending (`interrupts`, tried before its answer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import Turn

# Handles the message and says so (True), or leaves it to the next step (False).
Step = Callable[[Turn, Parse], bool]
Carry = Callable[[Turn], None]


@dataclass(frozen=True)
class FlowSpec:
    name: str
    answers: Mapping[Awaiting, Step] = field(default_factory=dict)
    resume: Mapping[Flow, Carry] = field(default_factory=dict)
    reask: Mapping[Flow, Carry] = field(default_factory=dict)
    steps: tuple[tuple[int, Step], ...] = ()
    interrupts: tuple[tuple[int, Step], ...] = ()
