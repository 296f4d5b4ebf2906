"""The cart: its lines, its totals from the order service, and how they are said."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.catalog import (
    CatalogItem,
)
from tenant_apps.assistant.engine.state import CartLine, Flow
from tenant_apps.assistant.engine.turn import MAX_QUANTITY, Turn


def add_to_cart(t: Turn, item: CatalogItem, quantity: int, option_ids: list[int]) -> None:
    options = sorted(option_ids)
    for index, line in enumerate(t.d.cart):
        if line.item_id == item.item_id and sorted(line.option_ids) == options:
            t.d.last_item_id = item.item_id
            line.quantity = min(MAX_QUANTITY, line.quantity + quantity)
            t.d.last_target = f"cart:{index}"
            return
    t.d.last_item_id = item.item_id
    t.d.cart.append(CartLine(item_id=item.item_id, quantity=quantity, option_ids=options))
    t.d.last_target = f"cart:{len(t.d.cart) - 1}"


def missing_required_group(t: Turn, item: CatalogItem, option_ids: list[int]) -> Any:
    chosen = set(option_ids)
    for group in item.groups:
        if not group.required:
            continue
        picked = [o for o in group.options if o.option_id in chosen]
        if len(picked) >= group.min_selections:
            continue
        if group.default_option_ids:
            option_ids.extend(group.default_option_ids[: group.min_selections])
            continue
        return group
    return None


def options_text(t: Turn, item: CatalogItem, option_ids: list[int]) -> str:
    names = [o.name(t.lang) for g in item.groups for o in g.options if o.option_id in option_ids]
    return f" ({', '.join(names)})" if names else ""


def corrected_line(t: Turn, target: str) -> int | None:
    """The cart line a bare number corrects: the one just added, or the only one."""
    if target.startswith("cart:") and int(target.split(":")[1]) < len(t.d.cart):
        return int(target.split(":")[1])
    if t.d.flow == Flow.ORDER and len(t.d.cart) == 1:
        return 0
    return None


def cart_lines_text(t: Turn, totals: Any) -> str:
    parts = []
    for line in totals.lines:
        item = t.ctx.catalog.by_id.get(line.item.pk)
        name = t.item_name(item) if item else str(line.item)
        options = f" ({', '.join(o.name_in(t.lang) for o in line.options)})" if line.options else ""
        parts.append(f"{line.quantity}x {name}{options} {t.money(line.line_total)}")
    return r.join(parts, t.lang)


def totals_text(t: Turn, totals: Any) -> str:
    if totals.discount:
        return r.say(
            "cart_discount",
            t.lang,
            discount=t.money(totals.discount),
            total=t.money(totals.total),
        )
    return "Total: " + t.money(totals.total) + "."


def quote(t: Turn) -> Any:
    """The order's totals from the order service, with the customer's promotion code while
    it applies; when it no longer does, the customer hears why and it is dropped."""
    code = t.d.promo_code or None
    try:
        return domain.quote(t.d.cart, customer=t.customer(), promotion_code=code)
    except ValidationError as exc:
        reasons = exc.message_dict.get("promotion_code") if hasattr(exc, "error_dict") else None
        if code is None or not reasons:
            raise
    t.d.promo_code = ""
    t.say("promo_refused", code=code, reason=promotion_reason(t, reasons[0]))
    return domain.quote(t.d.cart, customer=t.customer())


def promotion_reason(t: Turn, reason: str) -> str:
    return r.promotion_reason(
        reason,
        t.lang,
        money=t.money,
    )


def cart_summary(t: Turn) -> None:
    if not t.d.cart:
        t.say("cart_empty")
        return
    totals = quote(t)
    text = r.say(
        "cart",
        t.lang,
        lines=cart_lines_text(t, totals),
        subtotal=t.money(totals.subtotal),
    )
    if totals.discount:
        text += " " + totals_text(t, totals)
    t.out.append(text)


def show_cart(t: Turn) -> None:
    cart_summary(t)
    if t.d.cart:
        t.say("anything_else")
