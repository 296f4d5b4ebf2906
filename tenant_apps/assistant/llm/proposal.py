"""What a language model may propose, and how its answer becomes a proposal for the engine.

The model sees the restaurant's facts, the menu items retrieved for the message (with ids)
and the dialog so far; it answers with one intent, entities (item ids and quantities, party
size, date, time...) and wording. It never states prices: the engine computes every price,
total and availability from the database and writes those sentences itself.
"""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any

from tenant_apps.assistant.engine.proposal import Proposal, ProposedItem
from tenant_apps.assistant.llm.clients import ChatResult, InvalidOutputError
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.patterns import bounded

INTENTS = [intent.value for intent in Intent] + ["smalltalk", "unknown"]
MAX_REPLY_CHARS = 1000
# The model's wording may not carry figures: prices, totals, times and quantities are the
# engine's, from the database. Wording with a digit or a currency is dropped, not edited.
_FIGURES = bounded(
    r"\d|[€$£¥₱]|\b(eur|euros?|usd|mxn|d[oó]lar(es)?|dollars?|pesos?|cents?|c[eé]ntimos?)\b",
    re.IGNORECASE,
)
_ITEMS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "item_id": {"type": "integer"},
            "quantity": {"type": "integer", "minimum": 1},
            "option_ids": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["item_id", "quantity"],
    },
}
_ENTITIES: dict[str, Any] = {
    "items": _ITEMS,
    "party_size": {"type": "integer", "minimum": 1},
    "date": {"type": "string", "description": "YYYY-MM-DD"},
    "time": {"type": "string", "description": "HH:MM, 24h"},
    "order_type": {"type": "string", "enum": ["pickup", "delivery", "dine_in"]},
    "name": {"type": "string"},
    "phone": {"type": "string"},
    "address": {"type": "string"},
}
TURN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": INTENTS},
        "language": {"type": "string", "enum": ["es", "en"]},
        **_ENTITIES,
        "reply": {"type": "string", "description": "short friendly wording, no prices"},
    },
    "required": ["intent", "reply"],
}


def _tool(tool_name: str, description: str, **properties: Any) -> dict[str, Any]:
    return {
        "name": tool_name,
        "description": description,
        "parameters": {"type": "object", "properties": properties},
    }


TOOLS: list[dict[str, Any]] = [
    _tool("add_to_order", "Add menu items (by id) to the customer's order.", items=_ITEMS),
    _tool("remove_from_order", "Remove menu items from the order.", items=_ITEMS),
    _tool(
        "checkout",
        "The customer has finished choosing; continue to confirm the order.",
        order_type=_ENTITIES["order_type"],
        time=_ENTITIES["time"],
        address=_ENTITIES["address"],
    ),
    _tool(
        "book_table",
        "Book a table.",
        party_size=_ENTITIES["party_size"],
        date=_ENTITIES["date"],
        time=_ENTITIES["time"],
    ),
    _tool(
        "change_booking",
        "Move the customer's booking.",
        party_size=_ENTITIES["party_size"],
        date=_ENTITIES["date"],
        time=_ENTITIES["time"],
    ),
    _tool("cancel_booking", "Cancel the customer's booking."),
    _tool("order_status", "Tell the customer the status of their latest order."),
    _tool("answer_yes", "The customer agrees / confirms."),
    _tool("answer_no", "The customer declines."),
    _tool(
        "give_contact",
        "The customer gives their name and/or phone.",
        name=_ENTITIES["name"],
        phone=_ENTITIES["phone"],
    ),
    _tool("talk_to_human", "The customer wants a person."),
    _tool("show_menu", "Show the menu."),
    _tool(
        "item_question",
        "A question about menu items (price, ingredients, allergens).",
        items=_ITEMS,
        topic={"type": "string", "enum": ["price", "describe", "allergens", "dietary"]},
    ),
    _tool(
        "restaurant_info",
        "Opening hours, address or promotions.",
        topic={"type": "string", "enum": ["hours", "address", "promotions"]},
    ),
]
TOOL_INTENTS = {
    "add_to_order": Intent.ADD,
    "remove_from_order": Intent.REMOVE,
    "checkout": Intent.CHECKOUT,
    "book_table": Intent.BOOK,
    "change_booking": Intent.CHANGE_BOOKING,
    "cancel_booking": Intent.CANCEL_BOOKING,
    "order_status": Intent.ORDER_STATUS,
    "answer_yes": Intent.YES,
    "answer_no": Intent.NO,
    "talk_to_human": Intent.HUMAN,
    "show_menu": Intent.MENU,
}
TOPIC_INTENTS = {
    "price": Intent.PRICE,
    "describe": Intent.DESCRIBE,
    "allergens": Intent.ALLERGENS,
    "dietary": Intent.DIETARY,
    "hours": Intent.HOURS,
    "address": Intent.ADDRESS,
    "promotions": Intent.PROMOTIONS,
}


def safe_reply(text: str) -> str:
    """The model's wording, or "" when it states a figure the engine did not compute."""
    text = text.strip()[:MAX_REPLY_CHARS]
    return "" if _FIGURES.search(text) else text


def _items(raw: Any) -> list[ProposedItem]:
    """Well-formed entries only; a quantity below one is a broken proposal, not a one."""
    items = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        try:
            item_id = int(entry["item_id"])
            quantity = int(entry.get("quantity", 1))
            option_ids = [int(o) for o in entry.get("option_ids") or []]
        except (KeyError, TypeError, ValueError):
            continue
        if quantity < 1:
            continue
        items.append(
            ProposedItem(item_id=item_id, quantity=min(quantity, 50), option_ids=option_ids)
        )
    return items


def _merge_entities(proposal: Proposal, data: dict[str, Any]) -> None:
    if data.get("items"):
        proposal.items.extend(_items(data["items"]))
    size = data.get("party_size")
    if isinstance(size, int) and 0 < size <= 60:
        proposal.party_size = size
    try:
        if isinstance(data.get("date"), str) and data["date"]:
            proposal.day = date.fromisoformat(data["date"])
        if isinstance(data.get("time"), str) and data["time"]:
            proposal.at = time.fromisoformat(data["time"])
    except ValueError:
        pass
    for key in ("order_type", "name", "phone", "address"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            setattr(proposal, key, value.strip()[:255])
    if data.get("language") in {"es", "en"}:
        proposal.language = data["language"]


def proposal_from_json(content: str) -> Proposal:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidOutputError("the model's answer is not JSON") from exc
    if not isinstance(data, dict) or data.get("intent") not in INTENTS:
        raise InvalidOutputError("the model's answer does not follow the schema")
    proposal = Proposal(reply=safe_reply(str(data.get("reply") or "")))
    intent = data["intent"]
    if intent in {"smalltalk", "unknown"}:
        proposal.smalltalk = True
    else:
        proposal.intents.add(Intent(intent))
    _merge_entities(proposal, data)
    return proposal


def proposal_from_tools(result: ChatResult) -> Proposal:
    proposal = Proposal(reply=safe_reply(result.content))
    for call in result.tool_calls:
        if call.name not in {t["name"] for t in TOOLS}:
            continue
        intent = TOOL_INTENTS.get(call.name) or TOPIC_INTENTS.get(
            str(call.arguments.get("topic", ""))
        )
        if intent is not None:
            proposal.intents.add(intent)
        _merge_entities(proposal, call.arguments)
    if not result.tool_calls:
        proposal.smalltalk = True
    return proposal
