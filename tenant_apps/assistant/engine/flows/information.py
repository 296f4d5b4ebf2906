"""The restaurant's facts and small talk: menu, categories, promotions, hours, address."""

from __future__ import annotations

from datetime import date, timedelta

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.turn import Turn
from tenant_apps.assistant.nlu.intents import Intent
from tenant_apps.assistant.nlu.normalize import word_set

# "¿Estáis abiertos ahora?": whether we are open now, not the week's hours.
NOW_QUESTION = word_set("ahora now ya todavia aun still currently actualmente tonight hoy today")


def answer_info(t: Turn, p: Parse) -> bool:
    """The restaurant's facts and small talk, in order of precedence."""
    if p.has(Intent.MENU):
        show_menu(t)
    elif p.has(Intent.PROMOTIONS):
        show_promotions(t)
    elif p.has(Intent.HOURS):
        show_hours(t, p)
    elif p.has(Intent.ADDRESS):
        show_address(t)
    elif p.has(Intent.GREET):
        t.out.append(t.ctx.profile.greeting(t.lang))
    elif p.has(Intent.THANKS):
        t.say("thanks")
    elif p.has(Intent.GOODBYE):
        t.say("goodbye")
    elif p.has(Intent.CAPABILITIES):
        t.say("capabilities")
    else:
        return False
    return True


def show_hours(t: Turn, p: Parse) -> None:
    """Today's hours and whether we are open when asked about now/today/tonight, one
    day's when asked about a day, else the week."""
    today = t.ctx.today
    if p.when.day == today or any(w in NOW_QUESTION for w in p.words):
        hours = hours_on(t, today)
        if domain.is_open(at=t.ctx.now):
            t.say("open_now", hours=hours)
            return
        opening = next(
            (
                start
                for offset in range(8)
                for start, _end in domain.open_intervals(day=today + timedelta(days=offset))
                if start > t.ctx.now
            ),
            None,
        )
        if opening is None:
            t.say("closed_now_until", when="-")
        else:
            t.say("closed_now_until", when=t.when_text(opening))
        return
    if p.when.day is not None:
        day = r.day_text(p.when.day, today=today, language=t.lang)
        t.say("day_hours", day=day[:1].upper() + day[1:], hours=hours_on(t, p.when.day))
        return
    show_week_hours(t)


def hours_on(t: Turn, day: date) -> str:
    intervals = domain.open_intervals(day=day)
    if not intervals:
        return r.say("closed_day", t.lang)
    return " / ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in intervals)


def show_week_hours(t: Turn) -> None:
    profile = t.ctx.profile
    days = r.WEEKDAYS[t.lang if t.lang in r.WEEKDAYS else "es"]
    per_day = []
    for weekday in range(7):
        shifts = profile.shifts_on(weekday)
        text = " / ".join(f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in shifts)
        per_day.append(text or r.say("closed_day", t.lang))
    if len(set(per_day)) == 1:
        every = "todos los días" if t.lang == "es" else "every day"
        hours = f"{every} {per_day[0]}"
    else:
        hours = "; ".join(f"{days[i]} {text}" for i, text in enumerate(per_day))
    t.say("hours", hours=hours)


def show_address(t: Turn) -> None:
    profile = t.ctx.profile
    if profile.address:
        text = r.say("address", t.lang, address=profile.address)
        if profile.phone:
            text += (" Teléfono: " if t.lang == "es" else " Phone: ") + profile.phone
        t.out.append(text)
    else:
        t.say("no_address", name=profile.name)


def show_promotions(t: Turn) -> None:
    found = domain.promotions()
    if not found:
        t.say("no_promotions")
        return
    texts = []
    for promotion in found[:5]:
        name = promotion.name.get(t.lang) or next(iter(promotion.name.values()), "")
        value = (
            f"{promotion.value.normalize():f}%"
            if promotion.kind == "percent"
            else f"-{t.money(promotion.value)}"
        )
        extra = ""
        if promotion.code:
            extra = (
                f" con el código {promotion.code}"
                if t.lang == "es"
                else f" with code {promotion.code}"
            )
        description = promotion.description_in(t.lang).strip().rstrip(".")
        texts.append(f"- {name} ({value}{extra})" + (f". {description}." if description else "."))
    t.say("promotions", promotions="\n".join(texts))


def show_menu(t: Turn) -> None:
    catalog = t.ctx.catalog
    if not catalog.items:
        t.say("menu_empty")
        return
    lines = []
    for category in catalog.categories:
        items = [i for i in catalog.in_category(category.category_id) if i.orderable]
        if items:
            listed = ", ".join(f"{t.item_name(i)} ({t.money(i.price)})" for i in items)
            lines.append(f"{category.name(t.lang)}: {listed}")
    t.out.append(
        r.say("menu_intro", t.lang) + "\n" + "\n".join(lines) + "\n" + r.say("menu_outro", t.lang)
    )


def list_category(t: Turn, p: Parse) -> None:
    for category in p.categories:
        items = [i for i in t.ctx.catalog.in_category(category.category_id) if i.orderable]
        listed = ", ".join(f"{t.item_name(i)} ({t.money(i.price)})" for i in items)
        t.out.append(
            r.say("category_intro", t.lang, category=category.name(t.lang)) + " " + listed + "."
        )
    t.say("menu_outro")


def list_named_categories(t: Turn, p: Parse) -> bool:
    """ "¿qué bebidas tenéis?", "postres": the category's dishes and prices."""
    if not p.categories or p.has(Intent.CHECKOUT):
        return False
    list_category(t, p)
    return True


SPEC = FlowSpec(name="information", steps=((120, list_named_categories), (170, answer_info)))
