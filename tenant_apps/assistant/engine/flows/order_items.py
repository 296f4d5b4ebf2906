"""Dishes into and out of the cart from what the customer says: which dish of several,
its options, removals, corrections ("no, mejor 3") and requests for the kitchen."""

from __future__ import annotations

from typing import Any

from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.catalog import CatalogItem, Mention
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.flows.booking import correct_booking
from tenant_apps.assistant.engine.flows.cart import (
    add_to_cart,
    cart_summary,
    corrected_line,
    missing_required_group,
    options_text,
)
from tenant_apps.assistant.engine.flows.ordering import (
    KITCHEN_REQUEST,
    after_cart_change,
    continue_order,
    correct_order_time_or_type,
    set_order_time,
    set_order_type,
)
from tenant_apps.assistant.engine.mentions import EXTRA_WORDS
from tenant_apps.assistant.engine.options import match_options
from tenant_apps.assistant.engine.parse import QUESTION_INTENTS, Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import MAX_QUANTITY, Turn
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import fold, word_set
from tenant_apps.assistant.nlu.patterns import bounded

_WORD = bounded(r"[^\W_]+")
# Answers to an optional group's question that choose none of its options.
NO_OPTION_WORDS = word_set("ninguno ninguna nada sin asi none nothing plain without")


def said_as(raw: str, words: tuple[str, ...]) -> str:
    """The customer's own spelling of folded words ("piña" for "pina"), for quoting back."""
    spelled = {fold(w): w for w in _WORD.findall(raw)}
    return " ".join(spelled.get(word, word) for word in words)


def _merge_options(item: CatalogItem, first: list[int], then: list[int]) -> list[int]:
    """Options said earlier, replaced group by group by those said now."""
    groups_now = {g.group_id for g in item.groups for o in g.options if o.option_id in then}
    kept = [
        option_id
        for g in item.groups
        if g.group_id not in groups_now
        for o in g.options
        if (option_id := o.option_id) in first
    ]
    return [*kept, *then]


def answer_pick_item(t: Turn, p: Parse) -> bool:
    pending = t.d.pending_choice
    candidates = [
        t.ctx.catalog.by_id[i] for i in pending.get("candidates", []) if i in t.ctx.catalog.by_id
    ]
    chosen: CatalogItem | None = None
    for mention in p.mentions:
        matching = [c for c in mention.candidates if c in candidates]
        if len(matching) == 1:
            chosen = matching[0]
            break
    if chosen is None:
        index = t.ordinal(p)
        if index is not None and -len(candidates) <= index < len(candidates):
            chosen = candidates[index]
    if chosen is None:
        for candidate in candidates:
            distinct = [
                w
                for v in candidate.variants
                for w in v
                if len(t.ctx.catalog.word_owners.get(w, ())) == 1
            ]
            if any(w in p.words for w in distinct):
                chosen = candidate
                break
    t.d.pending_choice = {}
    t.d.awaiting = Awaiting.NOTHING
    if chosen is None:
        t.unanswered = (Awaiting.PICK_ITEM, pending)
        return False
    words = [str(w) for w in pending.get("words", [])]
    start, end = (int(x) for x in pending.get("name", [0, 0]))
    said = match_options(chosen, words, lower=0, limit=len(words), name=(start, end))
    current = match_options(chosen, p.words, lower=0, limit=len(p.words))
    mention = Mention(
        start=0,
        end=0,
        candidates=[chosen],
        quantity=int(pending.get("quantity", 1)),
        option_ids=_merge_options(chosen, said.option_ids, current.option_ids),
    )
    add_mentions(t, [mention], p)
    return True


def answer_option(t: Turn, p: Parse) -> bool:
    pending = t.d.pending_item
    item = t.ctx.catalog.by_id.get(int(pending.get("item_id", 0)))
    t.d.awaiting = Awaiting.NOTHING
    t.d.pending_item = {}
    if item is None:
        return False
    group = next((g for g in item.groups if g.group_id == pending.get("group_id")), None)
    if group is None:
        return False
    in_group = {o.option_id for o in group.options}
    said = match_options(item, p.words, lower=0, limit=len(p.words))
    chosen = [option_id for option_id in said.option_ids if option_id in in_group]
    if not chosen:
        index = t.ordinal(p)
        if index is not None and -len(group.options) <= index < len(group.options):
            chosen = [group.options[index].option_id]
    if not chosen and not (group.required or group.min_selections) and wants_none(t, p):
        chosen = []  # "sin extras, gracias": the dish as it is
    elif not chosen:
        t.unanswered = (Awaiting.OPTION, pending)
        return False
    mention = Mention(
        start=0,
        end=0,
        candidates=[item],
        quantity=int(pending.get("quantity", 1)),
        option_ids=[*pending.get("option_ids", []), *chosen[: group.max_selections]],
    )
    add_mentions(t, [mention], p)
    return True


def wants_none(t: Turn, p: Parse) -> bool:
    """ "no", "ninguno", "sin extras", "just plain": no option from an optional group."""
    return p.has(Intent.NO) or bool(set(p.words) & NO_OPTION_WORDS)


def add_mentions(t: Turn, mentions: list[Mention], p: Parse) -> None:
    added: list[str] = []
    # Dishes asked with an option they do not have come last: the rest of the message is
    # added before the question about them ("a diet coke and a cheeseburger").
    for mention in sorted(mentions, key=lambda m: bool(m.unknown_options)):
        if add_one(t, mention, p, added=added):
            return
    if not added:
        if not t.out:
            t.say("which_item", examples=t.examples())
        return
    t.d.flow = Flow.ORDER
    t.say("added", lines=r.join(added, t.lang))
    if p.has(Intent.CHECKOUT) or p.order_type or (not t.d.awaiting and p.when.found):
        set_order_type(t, p)
        if p.when.found:
            set_order_time(t, p)
        continue_order(t)
    elif t.d.awaiting == Awaiting.CONFIRM_ORDER:
        continue_order(t)
    else:
        cart_summary(t)
        t.say("anything_else")


def add_one(t: Turn, mention: Mention, p: Parse, *, added: list[str]) -> bool:
    """Put one named dish in the cart (its line goes to `added`), or ask what is missing
    about it: which dish of several, a required option. True when a question is pending."""
    item = mention.item
    if item is None:
        if len(mention.candidates) <= 1:
            return False
        say_added(t, added)
        ask_pick_item(t, mention, p)
        return True
    if not item.orderable:
        t.say("sold_out", item=t.item_name(item))
        return False
    if mention.unknown_options:
        return refuse_unknown_option(t, item, mention, p, added=added)
    missing = missing_required_group(t, item, mention.option_ids)
    if missing is not None:
        say_added(t, added)
        ask_option(t, item, missing, mention)
        return True
    quantity = min(MAX_QUANTITY, max(1, mention.quantity))
    add_to_cart(t, item, quantity, mention.option_ids)
    added.append(f"{quantity}x {t.item_name(item)}{options_text(t, item, mention.option_ids)}")
    return False


def say_added(t: Turn, added: list[str]) -> None:
    if added:
        t.say("added", lines=r.join(added, t.lang))


def refuse_unknown_option(
    t: Turn, item: CatalogItem, mention: Mention, p: Parse, *, added: list[str]
) -> bool:
    """ "una coca cola light", "con piña extra" when the menu has no such option: say so
    and offer the options it has, never the plain dish as if it had been asked for.
    What the message added before is said first (and `added` emptied). True when an
    option question is now pending."""
    if added:
        t.d.flow = Flow.ORDER
        t.say("added", lines=r.join(added, t.lang))
        added.clear()
    t.d.last_item_id = item.item_id
    t.say(
        "option_unavailable",
        item=t.item_name(item),
        asked=said_as(p.raw, mention.unknown_options),
    )
    if not item.groups:
        t.say("only_as_is", item=t.item_name(item))
        if t.d.cart:
            t.say("anything_else")
        return False
    chosen = set(mention.option_ids)
    extra = any(word in EXTRA_WORDS for word in mention.unknown_options)
    # An extra is asked among the optional extras; a kind ("light") among what the dish
    # must be chosen by (its size); groups already answered last.
    groups = sorted(
        item.groups,
        key=lambda g: (
            bool(chosen & {o.option_id for o in g.options}),
            g.required if extra else not g.required,
        ),
    )
    ask_option(t, item, groups[0], mention)
    return True


def ask_option(t: Turn, item: CatalogItem, group: Any, mention: Mention) -> None:
    t.d.awaiting = Awaiting.OPTION
    t.d.pending_item = {
        "item_id": item.item_id,
        "group_id": group.group_id,
        "quantity": mention.quantity,
        "option_ids": mention.option_ids,
    }
    options = r.join(
        [
            o.name(t.lang) + (f" (+{t.money(o.price_delta)})" if o.price_delta else "")
            for o in group.options
        ],
        t.lang,
    )
    t.say(
        "pick_option",
        group=group.names.get(t.lang) or next(iter(group.names.values()), ""),
        item=t.item_name(item),
        options=options,
    )


def ask_again(t: Turn, awaiting: Awaiting, pending: dict[str, Any]) -> None:
    """The dish or option question again, when its answer was not understood."""
    if awaiting == Awaiting.PICK_ITEM:
        candidates = [
            t.ctx.catalog.by_id[i]
            for i in pending.get("candidates", [])
            if i in t.ctx.catalog.by_id
        ]
        if len(candidates) > 1:
            t.d.awaiting, t.d.pending_choice = awaiting, pending
            options = r.join(
                [f"{t.item_name(c)} ({t.money(c.price)})" for c in candidates],
                t.lang,
            )
            t.say("pick_item", options=options)
            return
    item = t.ctx.catalog.by_id.get(int(pending.get("item_id", 0)))
    group = next(
        (g for g in (item.groups if item else ()) if g.group_id == pending.get("group_id")),
        None,
    )
    if awaiting == Awaiting.OPTION and item is not None and group is not None:
        mention = Mention(
            start=0,
            end=0,
            candidates=[item],
            quantity=int(pending.get("quantity", 1)),
            option_ids=list(pending.get("option_ids", [])),
        )
        ask_option(t, item, group, mention)
        return
    t.out.append(r.say("fallback", t.lang) + r.say("capabilities", t.lang))


def ask_pick_item(t: Turn, mention: Mention, p: Parse) -> None:
    t.d.awaiting = Awaiting.PICK_ITEM
    # The words around the name keep the options said ("2 burgers w/ extra cheese") for
    # when the customer says which one.
    t.d.pending_choice = {
        "candidates": [c.item_id for c in mention.candidates],
        "quantity": mention.quantity,
        "words": p.words[max(0, mention.start - 2) : mention.end + 8],
        "name": [min(2, mention.start), min(2, mention.start) + mention.end - mention.start],
    }
    options = r.join([f"{t.item_name(c)} ({t.money(c.price)})" for c in mention.candidates], t.lang)
    t.say("pick_item", options=options)


def remove_mentions(t: Turn, p: Parse) -> None:
    for mention in p.mentions:
        item = mention.item or mention.candidates[0]
        index = next((i for i, line in enumerate(t.d.cart) if line.item_id == item.item_id), None)
        if index is None:
            t.say("not_in_cart", item=t.item_name(item))
            continue
        line = t.d.cart[index]
        # "quita una cerveza" takes one away; "quita la cerveza" the whole line.
        if mention.quantity_start is not None and mention.quantity < line.quantity:
            line.quantity -= mention.quantity
            t.say(
                "removed_some",
                quantity=mention.quantity,
                item=t.item_name(item),
                left=line.quantity,
            )
        else:
            t.d.cart.pop(index)
            t.say("removed", item=t.item_name(item))
    t.d.last_target = ""
    if t.d.cart:
        after_cart_change(t)
    else:
        t.say("cart_empty")


def apply_correction(t: Turn, p: Parse) -> bool:
    """ "no, mejor 3", "make it two", "mejor a las 10", "no, una hamburguesa"."""
    if p.mentions:
        return swap_lines(t, p) or correct_cart_lines(t, p) or replace_last_line(t, p)
    return correct_booking(t, p) or correct_line_quantity(t, p) or correct_order_time_or_type(t, p)


SWAP_WORDS = word_set("por for instead vez lugar swap replace sustituye cambia change cambiame")


def swap_lines(t: Turn, p: Parse) -> bool:
    """ "change the chips for a salad", "en vez de la coca, una cerveza": dishes in the cart
    named with dishes that are not: those lines go, the new dishes come (in the old quantity
    when none is said)."""
    if not any(w in SWAP_WORDS for w in p.words):
        return False
    in_cart = {line.item_id: line for line in t.d.cart}
    old = [m for m in p.mentions if m.item is not None and m.item.item_id in in_cart]
    new = [m for m in p.mentions if m not in old]
    if not old or not new:
        return False
    quantity = sum(in_cart[m.item_id_or_zero()].quantity for m in old)
    t.d.cart = [line for line in t.d.cart if line.item_id not in {m.item_id_or_zero() for m in old}]
    for mention in new:
        if not mention.quantity_said:
            mention.quantity = quantity if len(new) == 1 else 1
    t.d.last_target = ""
    add_mentions(t, new, p)
    return True


def replace_last_line(t: Turn, p: Parse) -> bool:
    """ "no, una hamburguesa" right after adding a dish: that line becomes this one."""
    target = t.d.last_target
    if not target.startswith("cart:") or int(target.split(":")[1]) >= len(t.d.cart):
        return False
    old = t.d.cart.pop(int(target.split(":")[1]))
    for mention in p.mentions:
        if not mention.quantity_said:
            mention.quantity = old.quantity
    add_mentions(t, p.mentions, p)
    return True


def correct_line_quantity(t: Turn, p: Parse) -> bool:
    line_index = corrected_line(t, t.d.last_target)
    if not p.numbers or p.when.found or line_index is None:
        return False
    t.d.cart[line_index].quantity = min(MAX_QUANTITY, max(1, p.numbers[0]))
    t.d.last_target = f"cart:{line_index}"
    after_cart_change(t)
    return True


def correct_cart_lines(t: Turn, p: Parse) -> bool:
    """ "mejor 3 margaritas", "las croquetas que sean ración entera", "make the coke large":
    dishes already in the order get the quantity or options said, not a second line."""
    changes: list[tuple[int, Mention]] = []
    for mention in p.mentions:
        item = mention.item
        index = next(
            (
                i
                for i in range(len(t.d.cart) - 1, -1, -1)
                if item is not None and t.d.cart[i].item_id == item.item_id
            ),
            None,
        )
        if index is None or not (mention.quantity_said or mention.option_ids):
            return False
        changes.append((index, mention))
    for index, mention in changes:
        line = t.d.cart[index]
        item = t.ctx.catalog.by_id[line.item_id]
        if mention.quantity_said:
            line.quantity = min(MAX_QUANTITY, max(1, mention.quantity))
        if mention.option_ids:
            line.option_ids = sorted(_merge_options(item, line.option_ids, mention.option_ids))
        t.d.last_target = f"cart:{index}"
        t.d.last_item_id = item.item_id
    after_cart_change(t)
    return True


def options_for_last_line(t: Turn, p: Parse) -> bool:
    """ "grande", "con queso", "make it large" right after adding a dish: its options."""
    index = corrected_line(t, t.d.last_target)
    if index is None or p.mentions:
        return False
    line = t.d.cart[index]
    item = t.ctx.catalog.by_id.get(line.item_id)
    if item is None:
        return False
    said = match_options(item, p.words, lower=0, limit=len(p.words))
    if not said.option_ids:
        return False
    line.option_ids = sorted(_merge_options(item, line.option_ids, said.option_ids))
    after_cart_change(t)
    return True


def take_request(t: Turn, p: Parse) -> bool:
    """A request the engine cannot act on, passed on to the restaurant as a note: during
    a booking anything of a few words ("es un cumpleaños, ¿nos ponéis en la terraza?"),
    during an order what sounds like one ("sin cebolla", "extra de salsa")."""
    if p.intents - {Intent.GREET, Intent.THANKS} or p.mentions or len(p.words) < 2:
        return False
    note = " ".join(p.raw.split())[:200]
    if t.d.flow == Flow.BOOKING and len(p.words) >= 3 and t.d.awaiting != Awaiting.PICK_SLOT:
        t.d.booking_notes = f"{t.d.booking_notes} {note}".strip()[:500]
    elif t.d.cart and any(w in KITCHEN_REQUEST for w in p.words):
        t.d.order_notes = f"{t.d.order_notes} {note}".strip()[:500]
    else:
        return False
    t.say("request_noted", note=note)
    return True


def clear_cart(t: Turn, p: Parse) -> bool:
    """ "bórralo todo": the cart emptied; "scrap all that, just one veggie wrap": replaced."""
    if not (p.has(Intent.CLEAR_CART) and t.d.cart):
        return False
    t.d.reset_order()
    if p.mentions:
        add_mentions(t, p.mentions, p)
    else:
        t.say("cart_cleared")
    return True


# Words that say what was just discussed is being asked for ("I'll take three", "ponme 2").
TAKE_WORDS = word_set("take ponme pon dame give get want quiero have those esos")


PLEASE = word_set("please pls plz porfa favor xfa")


def take_what_was_discussed(t: Turn, p: Parse) -> bool:
    """ "how much is the fish taco?" ... "great, I'll take three": the dish just asked about,
    in the quantity said (and its options said with it)."""
    item = t.ctx.catalog.by_id.get(t.d.last_item_id or 0)
    recent = t.d.last_question_turn >= t.d.turns - 2
    # "ok, 3 please": a number said with a yes or a please right after the question.
    agreed = bool(p.numbers) and (p.has(Intent.YES) or any(w in PLEASE for w in p.words))
    wants = p.has(Intent.ADD) or agreed or any(w in TAKE_WORDS for w in p.words)
    asking = "?" in p.raw or p.has(Intent.SHOW_CART, *QUESTION_INTENTS)
    if item is None or p.mentions or asking or not (recent and wants) or len(p.numbers) > 1:
        return False
    said = match_options(item, p.words, lower=0, limit=len(p.words))
    mention = Mention(
        start=0,
        end=0,
        candidates=[item],
        quantity=p.numbers[0] if p.numbers else 1,
        quantity_said=bool(p.numbers),
        option_ids=said.option_ids,
    )
    add_mentions(t, [mention], p)
    return True


def remove_named(t: Turn, p: Parse) -> bool:
    if not (p.has(Intent.REMOVE) and p.mentions):
        return False
    remove_mentions(t, p)
    return True


def correction(t: Turn, p: Parse) -> bool:
    said = p.has(Intent.CORRECTION) or (
        p.has(Intent.NO) and bool(p.numbers or p.when.found or p.party_size)
    )
    return said and apply_correction(t, p)


def add_named(t: Turn, p: Parse) -> bool:
    if not p.mentions:
        return False
    add_mentions(t, p.mentions, p)
    return True


SPEC = FlowSpec(
    name="order items",
    answers={Awaiting.PICK_ITEM: answer_pick_item, Awaiting.OPTION: answer_option},
    steps=(
        (30, clear_cart),
        (50, remove_named),
        (60, correction),
        (100, add_named),
        (105, take_what_was_discussed),
        (110, options_for_last_line),
    ),
)
