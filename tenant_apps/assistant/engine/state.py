"""What the assistant remembers between turns, stored as JSON in DialogState.data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

STATE_VERSION = 1


class Flow(StrEnum):
    """The task in progress. Stored by value, so states saved before the enum read back."""

    NONE = ""
    ORDER = "order"
    BOOKING = "booking"
    RESCHEDULE = "reschedule"
    CANCEL_BOOKING = "cancel_booking"
    MY_BOOKING = "my_booking"
    ORDER_STATUS = "order_status"
    CANCEL_ORDER = "cancel_order"


class Awaiting(StrEnum):
    """The question the assistant asked last and expects an answer to."""

    NOTHING = ""
    PICK_ITEM = "pick_item"  # which of several dishes ("¿cuál de los tacos?")
    OPTION = "option"  # a dish's option ("¿qué tamaño?")
    ORDER_TYPE = "order_type"
    ADDRESS = "address"
    TABLE = "table"
    ORDER_TIME = "order_time"
    NAME = "name"
    PHONE = "phone"
    PHONE_LOOKUP = "phone_lookup"  # to find the customer's existing order
    CONFIRM_ORDER = "confirm_order"
    PARTY_SIZE = "party_size"
    BOOKING_DAY = "booking_day"
    BOOKING_TIME = "booking_time"
    PICK_SLOT = "pick_slot"
    CONFIRM_BOOKING = "confirm_booking"
    CONFIRM_CANCEL = "confirm_cancel"  # of a booking
    CONFIRM_CANCEL_ORDER = "confirm_cancel_order"
    OFFER_HANDOFF = "offer_handoff"
    VERIFY_CODE = "verify_code"  # the one-time code proving a web visitor is the customer

    @property
    def is_confirmation(self) -> bool:
        return self.value.startswith("confirm")


E = TypeVar("E", bound=StrEnum)
BOOKING_FLOWS = frozenset({Flow.BOOKING, Flow.RESCHEDULE, Flow.CANCEL_BOOKING, Flow.MY_BOOKING})


def _member(enum: type[E], value: object, default: E) -> E:
    """A stored value as its enum member; a value no longer known reads as the default."""
    try:
        return enum(str(value or ""))
    except ValueError:
        return default


@dataclass
class CartLine:
    item_id: int
    quantity: int
    option_ids: list[int] = field(default_factory=list)


@dataclass
class Dialog:
    version: int = STATE_VERSION
    language: str = "es"
    cart: list[CartLine] = field(default_factory=list)
    flow: Flow = Flow.NONE
    awaiting: Awaiting = Awaiting.NOTHING
    order_type: str = ""
    order_time: str = ""  # local ISO datetime; empty with asap=True means "as soon as possible"
    asap: bool = False
    address: str = ""
    table: str = ""
    promo_code: str = ""  # typed by the customer; the order service decides if it applies
    # Requests for the restaurant ("sin cebolla", "¿podemos estar en la terraza?").
    order_notes: str = ""
    booking_notes: str = ""
    name: str = ""
    phone: str = ""
    booking_day: str = ""  # ISO date
    booking_time: str = ""  # HH:MM
    party_size: int = 0
    offered_slots: list[str] = field(default_factory=list)  # ISO datetimes
    # The free slot already announced ("Hay mesa para 4 ..."), so asking for the name and
    # then the phone does not repeat it.
    slot_told: str = ""
    reservation_id: int | None = None  # the booking being changed or cancelled
    # That booking's day: "a las nueve y media" moves it within its own day, not to today.
    rescheduled_day: str = ""  # ISO date
    # What "no, mejor 3" corrects: "cart:<index>", "party_size", "time".
    last_target: str = ""
    # An item waiting for a required option ("¿qué tamaño?").
    pending_item: dict[str, Any] = field(default_factory=dict)
    # Items the customer named ambiguously ("tacos" with several kinds on the menu).
    pending_choice: dict[str, Any] = field(default_factory=dict)
    # The dish talked about last and the question asked about it, for "¿lleva gluten?" and
    # "y los de nopal?" (a follow-up only right after the question).
    last_item_id: int | None = None
    last_question: dict[str, str] = field(default_factory=dict)
    last_question_turn: int = 0
    last_order_id: int | None = None
    last_reservation_id: int | None = None
    # Web chat: the customer this visitor proved to be (one-time code or signed link), and the
    # one a code was sent to (0 when the typed phone is no customer: every code then fails).
    verified_customer_id: int | None = None
    verifying_customer_id: int = 0
    turns: int = 0
    # What the summary awaiting a yes showed (`proposal_digest`): a yes commits only that.
    shown: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Dialog:
        """Tolerant: unknown keys are dropped and missing ones take defaults."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["flow"] = _member(Flow, values.get("flow"), Flow.NONE)
        values["awaiting"] = _member(Awaiting, values.get("awaiting"), Awaiting.NOTHING)
        values["cart"] = [
            CartLine(int(line["item_id"]), int(line["quantity"]), list(line.get("option_ids", [])))
            for line in values.get("cart", []) or []
            if isinstance(line, dict) and "item_id" in line
        ]
        return cls(**values)

    def proposal_digest(self) -> str:
        """The order or booking as it stands, to tell whether the summary the customer is
        saying yes to is still what would be placed or booked."""
        if self.flow == Flow.ORDER:
            parts: dict[str, Any] = {
                "cart": [asdict(line) for line in self.cart],
                "order": [self.order_type, self.order_time, self.asap, self.address, self.table],
                "extra": [self.promo_code, self.order_notes],
            }
        else:
            parts = {
                "booking": [self.booking_day, self.booking_time, self.party_size],
                "extra": [self.booking_notes, self.reservation_id],
            }
        return json.dumps({"flow": str(self.flow), **parts}, sort_keys=True)

    def reset_order(self) -> None:
        self.shown = ""
        self.cart = []
        self.flow = Flow.NONE if self.flow == Flow.ORDER else self.flow
        self.awaiting = Awaiting.NOTHING
        self.order_type = self.order_time = self.address = self.table = self.promo_code = ""
        self.order_notes = ""
        self.asap = False
        self.pending_item = {}
        self.pending_choice = {}
        self.last_target = ""

    def reset_booking(self) -> None:
        self.shown = ""
        self.flow = Flow.NONE if self.flow in BOOKING_FLOWS else self.flow
        self.awaiting = Awaiting.NOTHING
        self.booking_day = self.booking_time = self.booking_notes = ""
        self.party_size = 0
        self.offered_slots = []
        self.slot_told = ""
        self.reservation_id = None
        self.rescheduled_day = ""
        self.last_target = ""
