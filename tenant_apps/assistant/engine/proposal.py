"""What a language model proposes for one message: the engine's input from the model.

The model proposes, the engine decides: ids are checked against the menu, contact details
against the customer's own words, and a confirmation is read from the customer's words only.
Built from the model's answer by `llm/proposal.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from tenant_apps.assistant.nlu.intents import Intent


@dataclass
class ProposedItem:
    item_id: int
    quantity: int
    option_ids: list[int] = field(default_factory=list)


@dataclass
class Proposal:
    intents: set[Intent] = field(default_factory=set)
    items: list[ProposedItem] = field(default_factory=list)
    party_size: int | None = None
    day: date | None = None
    at: time | None = None
    order_type: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    language: str | None = None
    reply: str = ""
    smalltalk: bool = False
