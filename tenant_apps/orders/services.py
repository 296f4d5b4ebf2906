"""Order totals, creation and the status machine.

`order_quote` is the one place totals are computed: the API's quote endpoint, the assistant
and `order_create` all go through it, so what a customer is quoted is what they are charged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.actors import Actor
from core.api_errors import Conflict
from core.cache import invalidate
from core.services import prefetched_rows_set
from tenant_apps.audit.services import audit_record, snapshot
from tenant_apps.customers.models import Customer
from tenant_apps.menu.models import MenuItem, Option
from tenant_apps.menu.selectors import menu_item_list
from tenant_apps.orders.models import Order, OrderLine, OrderStatusChange
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.selectors import PricedLine, promotion_for_order
from tenant_apps.promotions.services import promotion_redeem, promotion_redemption_release
from tenant_apps.restaurant.selectors import restaurant_is_open, restaurant_profile_get

MAX_LINES: Final = 50
MAX_QUANTITY: Final = 99
MAX_ADVANCE: Final = timedelta(days=14)
# A requested time a few seconds in the past is clock skew, not a mistake.
PAST_TOLERANCE: Final = timedelta(minutes=1)

S = Order.Status
ALLOWED_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    S.PENDING: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.PREPARING, S.CANCELLED),
    S.PREPARING: (S.READY,),
    S.READY: (S.COMPLETED,),
    S.COMPLETED: (),
    S.CANCELLED: (),
}


@dataclass(frozen=True)
class OrderLineInput:
    item_id: int
    quantity: int = 1
    option_ids: Sequence[int] = field(default_factory=tuple)


@dataclass(frozen=True)
class QuotedLine:
    item: MenuItem
    quantity: int
    options: tuple[Option, ...]
    unit_price: Decimal
    line_total: Decimal

    def options_snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                "id": option.pk,
                "group": option.group.name,
                "name": option.name,
                "price_delta": f"{option.price_delta:.2f}",
            }
            for option in self.options
        ]


@dataclass(frozen=True)
class OrderTotals:
    lines: tuple[QuotedLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    currency: str
    promotion: Promotion | None = None


class IllegalTransition(Conflict):
    default_detail = "This order cannot move to that status."

    def __init__(self, *, current: str, requested: str) -> None:
        allowed = list(ALLOWED_TRANSITIONS.get(current, ()))
        super().__init__(
            f"An order that is {current} cannot become {requested}. "
            f"Allowed next: {', '.join(allowed) or 'none (final status)'}."
        )
        self.problem_extra = {
            "current_status": current,
            "requested_status": requested,
            "allowed_statuses": allowed,
        }


def _chosen_options(item: MenuItem, option_ids: Sequence[int]) -> tuple[list[Option], list[str]]:
    """The options for one line (defaults filling groups left empty), and what is wrong."""
    errors: list[str] = []
    if len(set(option_ids)) != len(option_ids):
        errors.append("An option is chosen twice.")
    by_id = {
        option.pk: option for group in item.option_groups.all() for option in group.options.all()
    }
    unknown = [oid for oid in option_ids if oid not in by_id]
    if unknown:
        errors.append(f"Option(s) {unknown} do not belong to this item.")
    chosen = [by_id[oid] for oid in dict.fromkeys(option_ids) if oid in by_id]
    result: list[Option] = []
    for group in item.option_groups.all():
        picked = [option for option in chosen if option.group_id == group.pk]
        if not picked:
            picked = [
                option
                for option in group.options.all()
                if option.is_default and option.is_available
            ]
        unavailable = [option for option in picked if not option.is_available]
        if unavailable:
            errors.append(f"{unavailable[0].name_in('es')} is not available right now.")
        if len(picked) < group.min_selections:
            errors.append(f"Choose at least {group.min_selections} in {group.name_in('es')}.")
        if len(picked) > group.max_selections:
            errors.append(f"Choose at most {group.max_selections} in {group.name_in('es')}.")
        result.extend(picked)
    return result, errors


def _quote_line(
    line: OrderLineInput, item: MenuItem | None
) -> tuple[QuotedLine | None, dict[str, list[str]]]:
    if item is None:
        return None, {"item_id": ["Unknown menu item."]}
    errors: dict[str, list[str]] = {}
    if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY:
        errors["quantity"] = [f"Quantity must be between 1 and {MAX_QUANTITY}."]
    if not (item.is_orderable and item.category.is_visible):
        errors["item_id"] = [f"{item.name_in('es')} is not available right now."]
    options, option_errors = _chosen_options(item, list(line.option_ids))
    if option_errors:
        errors["option_ids"] = option_errors
    if errors:
        return None, errors
    unit_price = item.price + sum((option.price_delta for option in options), Decimal("0"))
    if unit_price < 0:
        return None, {"option_ids": ["These options make the price negative."]}
    return QuotedLine(
        item=item,
        quantity=line.quantity,
        options=tuple(options),
        unit_price=unit_price,
        line_total=unit_price * line.quantity,
    ), {}


def order_quote(
    *,
    lines: Sequence[OrderLineInput],
    promotion_code: str | None = None,
    customer: Customer | None = None,
) -> OrderTotals:
    """Price the lines and apply the promotion, writing nothing. Bad input: ValidationError
    with per-line field errors (`{"lines.1.item_id": ["... is not available right now."]}`)."""
    if not lines:
        raise ValidationError({"lines": ["An order needs at least one line."]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [f"At most {MAX_LINES} lines per order."]})
    items = menu_item_list().in_bulk([line.item_id for line in lines])
    quoted: list[QuotedLine] = []
    line_errors: list[dict[str, list[str]]] = []
    for line in lines:
        quoted_line, errors = _quote_line(line, items.get(line.item_id))
        line_errors.append(errors)
        if quoted_line is not None:
            quoted.append(quoted_line)
    if any(line_errors):
        # Flat "lines.<index>.<field>" keys: Django's ValidationError cannot nest.
        raise ValidationError(
            {
                f"lines.{index}.{name}": messages
                for index, errors in enumerate(line_errors)
                for name, messages in errors.items()
            }
        )
    subtotal = sum((line.line_total for line in quoted), Decimal("0"))
    applied = promotion_for_order(
        code=promotion_code,
        lines=[
            PricedLine(item_id=q.item.pk, category_id=q.item.category_id, line_total=q.line_total)
            for q in quoted
        ],
        customer=customer,
    )
    discount = applied.discount if applied else Decimal("0.00")
    return OrderTotals(
        lines=tuple(quoted),
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        currency=restaurant_profile_get().currency,
        promotion=applied.promotion if applied else None,
    )


def _validate_fulfilment(
    *, channel: str, order_type: str, requested_time: datetime | None, table: str, address: str
) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in Order.Channel.values:
        errors["channel"] = [f"Use one of {Order.Channel.values}."]
    if order_type not in Order.Type.values:
        errors["order_type"] = [f"Use one of {Order.Type.values}."]
    if order_type == Order.Type.DELIVERY and not address.strip():
        errors["address"] = ["A delivery order needs an address."]
    if order_type == Order.Type.DINE_IN and not table.strip():
        errors["table"] = ["A dine-in order needs a table."]
    if requested_time is not None:
        now = timezone.now()
        if timezone.is_naive(requested_time):
            errors["requested_time"] = ["Give a time zone (e.g. 2025-01-31T20:00:00+01:00)."]
        elif requested_time < now - PAST_TOLERANCE:
            errors["requested_time"] = ["This time is in the past."]
        elif requested_time > now + MAX_ADVANCE:
            errors["requested_time"] = ["Orders can be placed at most 14 days ahead."]
        elif not restaurant_is_open(at=requested_time):
            errors["requested_time"] = ["The restaurant is closed at that time."]
    if errors:
        raise ValidationError(errors)


def _next_order_number() -> int:
    """Upsert-and-increment under the counter row's lock: gapless, unique under concurrency
    (the lock is held until the order's transaction ends, so a rollback frees the number)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_ordercounter (singleton, last_number) VALUES (true, 1) "
            "ON CONFLICT (singleton) DO UPDATE "
            "SET last_number = orders_ordercounter.last_number + 1 RETURNING last_number"
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def order_create(
    *,
    customer: Customer | None,
    channel: str,
    order_type: str,
    lines: Sequence[OrderLineInput],
    requested_time: datetime | None = None,
    table: str = "",
    address: str = "",
    promotion_code: str | None = None,
    notes: str = "",
    actor: Actor,
) -> Order:
    """Place an order at the quoted price, numbered next (gapless) in this restaurant.

    The returned order carries its lines and status history: serialize it without reading it
    back.
    """
    _validate_fulfilment(
        channel=channel,
        order_type=order_type,
        requested_time=requested_time,
        table=table,
        address=address,
    )
    totals = order_quote(lines=lines, promotion_code=promotion_code, customer=customer)
    # Checked and priced above, written below in one transaction. Nested in the caller's (the
    # API view's), it takes a savepoint only when a step in it may refuse: promotion_redeem,
    # racing for a promotion's last use, raises a ValidationError that the assistant catches
    # and carries on from. Otherwise only a database error can stop it, and no caller
    # recovers from one.
    with transaction.atomic(savepoint=totals.promotion is not None):
        order = _order_insert(
            totals=totals,
            customer=customer,
            channel=channel,
            order_type=order_type,
            requested_time=requested_time,
            table=table.strip() if order_type == Order.Type.DINE_IN else "",
            address=address.strip() if order_type == Order.Type.DELIVERY else "",
            notes=notes.strip(),
            created_by_id=actor.user_id,
        )
        if totals.promotion is not None:
            promotion_redeem(
                promotion=totals.promotion,
                order_id=order.pk,
                customer=customer,
                discount=totals.discount,
            )
        audit_record(
            actor=actor,
            action="orders.order.create",
            target=order,
            after=_order_snapshot(order),
            summary=f"Order #{order.number} ({order.total} {order.currency})",
        )
    return order


def _order_snapshot(order: Order) -> dict[str, Any]:
    """The order as placed, from what was just written (no read back)."""
    return {
        **snapshot(order, ("number", "status", "channel", "order_type", "customer", "total")),
        "currency": order.currency,
        "lines": [
            {"item": line.item_id, "name": line.name, "quantity": line.quantity}
            for line in order.lines.all()
        ],
    }


def _order_insert(
    *,
    totals: OrderTotals,
    customer: Customer | None,
    channel: str,
    order_type: str,
    requested_time: datetime | None,
    table: str,
    address: str,
    notes: str,
    created_by_id: int | None,
) -> Order:
    # Before the number: from there to the commit every other order of the restaurant waits
    # on the counter row, so that stretch holds database writes only (this is a Redis write;
    # invalidate() bumps the version again once the transaction commits).
    invalidate("orders")
    order = Order.objects.create(
        number=_next_order_number(),
        customer=customer,
        channel=channel,
        order_type=order_type,
        table=table,
        address=address,
        requested_time=requested_time,
        currency=totals.currency,
        subtotal=totals.subtotal,
        discount=totals.discount,
        total=totals.total,
        promotion=totals.promotion,
        promotion_code=(totals.promotion.code or "") if totals.promotion else "",
        notes=notes,
        created_by_id=created_by_id,
    )
    order_lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            item=line.item,
            name=line.item.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            options=line.options_snapshot(),
            line_total=line.line_total,
        )
        for line in totals.lines
    )
    first_change = OrderStatusChange.objects.create(
        order=order, from_status="", to_status=order.status, actor_id=created_by_id
    )
    # The order goes back with its lines and status history, as order_get would read them.
    prefetched_rows_set(instance=order, relation="lines", rows=order_lines)
    prefetched_rows_set(instance=order, relation="status_changes", rows=[first_change])
    return order


@transaction.atomic
def order_transition(*, actor: Actor, order: Order, to_status: str, reason: str = "") -> Order:
    """Move an order along pending -> confirmed -> preparing -> ready -> completed, or cancel
    it from pending/confirmed with a reason. Anything else is an IllegalTransition (409)."""
    if to_status not in Order.Status.values:
        raise ValidationError({"status": [f"Use one of {Order.Status.values}."]})
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if to_status not in ALLOWED_TRANSITIONS[locked.status]:
        raise IllegalTransition(current=locked.status, requested=to_status)
    reason = reason.strip()
    if to_status == Order.Status.CANCELLED:
        if not reason:
            raise ValidationError({"reason": ["Say why the order is cancelled."]})
        locked.cancel_reason = reason[:255]
        promotion_redemption_release(order_id=locked.pk)
    OrderStatusChange.objects.create(
        order=locked,
        from_status=locked.status,
        to_status=to_status,
        reason=reason[:255],
        actor_id=actor.user_id,
    )
    before = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "cancel_reason", "updated"])
    invalidate("orders")
    audit_record(
        actor=actor,
        action="orders.order.status",
        target=locked,
        before={"status": before},
        after={"status": locked.status, "reason": locked.cancel_reason},
        summary=f"Order #{locked.number}: {before} -> {locked.status}",
    )
    return locked
