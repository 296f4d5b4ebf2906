"""Dates and times in Spanish and English, relative and absolute, on folded tokens.

"mañana a las 9", "el viernes 21:30", "tomorrow at 7pm", "pasado mañana a las nueve y media",
"el 21 de marzo", "21/03", "2025-03-21", "tonight", "en 30 minutos", "lo antes posible".
Resolution against "now" happens in the restaurant's timezone (the caller passes local now).
Hours 1-11 without am/pm or "de la mañana" mean the evening: this is a restaurant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tenant_apps.assistant.nlu.numbers import number_at
from tenant_apps.assistant.nlu.patterns import MAX_TOKEN_INPUT, bounded

WEEKDAYS = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "sabados": 5,
    "domingos": 6,
}
MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MORNING = frozenset({"am", "a.m", "morning"})
EVENING = frozenset({"pm", "p.m", "tarde", "noche", "evening", "night", "afternoon", "tonight"})
TIME_LEADS = frozenset({"las", "la", "at", "around", "sobre", "tipo", "hacia", "@", "by"})
ASAP_PHRASES = (
    "lo antes posible",
    "cuanto antes",
    "lo mas pronto",
    "ya mismo",
    "asap",
    "as soon as possible",
    "right now",
    "ahora mismo",
    "lo antes que se pueda",
    "en cuanto se pueda",
    "en cuanto podais",
    "enseguida",
    "para ya",
    "para ahora",
    "right away",
    "now please",
)

_HHMM = bounded(r"^(\d{1,2})[:.h](\d{2})(am|pm|h|hs)?$", limit=MAX_TOKEN_INPUT)
_HOUR_SUFFIX = bounded(r"^(\d{1,2})(am|pm|h|hs)$", limit=MAX_TOKEN_INPUT)
_DMY = bounded(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?$", limit=MAX_TOKEN_INPUT)
_ISO = bounded(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", limit=MAX_TOKEN_INPUT)
_ORDINAL = bounded(r"^(\d{1,2})(st|nd|rd|th|º|o)?$", limit=MAX_TOKEN_INPUT)


@dataclass
class When:
    day: date | None = None
    at: time | None = None
    minutes_from_now: int | None = None
    asap: bool = False
    consumed: set[int] = field(default_factory=set)

    @property
    def found(self) -> bool:
        return bool(self.day or self.at or self.minutes_from_now is not None or self.asap)


def _next_weekday(today: date, weekday: int, *, skip_this_week: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if skip_this_week and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _future_day(today: date, day: int, month: int | None, year: int | None) -> date | None:
    try:
        if month is None:
            candidate = date(today.year, today.month, day)
            if candidate < today:
                month_after = today.month % 12 + 1
                year_after = today.year + (1 if today.month == 12 else 0)
                candidate = date(year_after, month_after, day)
            return candidate
        if year is None:
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
        return date(year if year > 99 else 2000 + year, month, day)
    except ValueError:
        return None


def _hour_24(hour: int, minute: int, meridiem: str | None) -> time | None:
    if meridiem in MORNING:
        hour = 0 if hour == 12 else hour
    elif meridiem in EVENING or (meridiem is None and 1 <= hour <= 11):
        hour = hour + 12 if hour < 12 else hour
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _meridiem_after(tokens: list[str], i: int) -> tuple[str | None, int]:
    """am/pm or "de la noche" / "in the evening" right after a time; returns (marker, length)."""
    window = tokens[i : i + 4]
    if window[:1] and window[0] in MORNING | {"pm", "p.m"}:
        return window[0], 1
    if window[:2] in (["de", "la"], ["por", "la"], ["in", "the"]) and len(window) > 2:
        word = window[2]
        if word in MORNING or word == "manana":
            return "am", 3
        if word in EVENING:
            return "pm", 3
    if window[:2] in (["de", "noche"], ["at", "night"], ["en", "la"]):
        return "pm", 2
    if window[:1] and window[0] in {"oclock", "o'clock", "horas", "hrs", "h"}:
        marker, length = _meridiem_after(tokens, i + 1)
        return marker, length + 1
    return None, 0


def _minutes_after(tokens: list[str], i: int) -> tuple[int, int]:
    """ "y media", "y cuarto", "menos cuarto", "y 20", "thirty" after an hour."""
    window = tokens[i : i + 2]
    if window == ["y", "media"]:
        return 30, 2
    if window == ["y", "cuarto"]:
        return 15, 2
    if window == ["menos", "cuarto"]:
        return -15, 2
    if window[:1] == ["y"] and len(window) == 2:
        span = number_at(tokens, i + 1)
        if span is not None and not span.weak and 0 < span.value < 60:
            return span.value, 1 + span.end - span.start
    if window[:1] and window[0] in {"thirty", "fifteen", "forty", "twenty"}:
        span = number_at(tokens, i)
        if span is not None and span.value < 60:
            return span.value, span.end - span.start
    return 0, 0


CLOCK_FRACTIONS = {("half", "past"): 30, ("quarter", "past"): 15, ("quarter", "to"): -15}


def _parse_clock_phrase(tokens: list[str], i: int, when: When) -> int:
    """ "half past eight", "quarter to nine", "quarter past 7 pm": English clock phrases."""
    minutes = CLOCK_FRACTIONS.get((tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""))
    if minutes is None or i + 2 >= len(tokens):
        return 0
    span = number_at(tokens, i + 2)
    if span is None or not 1 <= span.value <= 12:
        return 0
    marker, used_marker = _meridiem_after(tokens, span.end)
    hour = (span.value - 1 or 12) if minutes < 0 else span.value
    parsed = _hour_24(hour, minutes % 60, marker)
    if parsed is None:
        return 0
    when.at = parsed
    return 2 + (span.end - span.start) + used_marker


def _parse_time(tokens: list[str], i: int, when: When) -> int:  # noqa: PLR0911 - one branch per form
    """Try to read a time at word i; returns how many tokens it used (0 if none)."""
    word = tokens[i]
    if word in {"mediodia", "noon", "midday"}:
        when.at = time(12, 0)
        return 1
    if word in {"medianoche", "midnight"}:
        when.at = time(0, 0)
        return 1
    match = _HHMM.match(word)
    if match:
        marker, extra = _meridiem_after(tokens, i + 1)
        if match.group(3) in {"am", "pm"}:
            marker = match.group(3)
        parsed = _hour_24(int(match.group(1)), int(match.group(2)), marker)
        if parsed is None:
            return 0
        when.at = parsed
        return 1 + extra
    match = _HOUR_SUFFIX.match(word)
    if match:
        hour = int(match.group(1))
        suffix = match.group(2)
        minutes, used_minutes = (0, 0) if suffix in {"am", "pm"} else _minutes_after(tokens, i + 1)
        marker = suffix if suffix in {"am", "pm"} else None
        parsed = _hour_24(hour, max(minutes, 0), marker)
        if parsed is not None:
            when.at = parsed
            return 1 + used_minutes
        return 0
    prev = tokens[i - 1] if i > 0 else ""
    lead = prev in TIME_LEADS
    span = number_at(tokens, i)
    if span is None or not (0 <= span.value <= 24):
        return 0
    if span.weak and not (word == "una" and prev == "la"):
        return 0
    after = span.end
    minutes, used_minutes = _minutes_after(tokens, after)
    marker, used_marker = _meridiem_after(tokens, after + used_minutes)
    if not lead and marker is None:
        return 0
    hour = span.value
    if minutes < 0:
        hour, minutes = hour - 1, 60 + minutes
    parsed = _hour_24(hour, minutes, marker)
    if parsed is None:
        return 0
    when.at = parsed
    return (span.end - span.start) + used_minutes + used_marker


def _parse_day(tokens: list[str], i: int, when: When, today: date) -> int:  # noqa: PLR0911 - one branch per form
    word = tokens[i]
    prev = tokens[i - 1] if i > 0 else ""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in {"hoy", "today", "tonight"} or (word == "esta" and nxt in {"noche", "tarde"}):
        when.day = today
        return 2 if word == "esta" else 1
    if word == "this" and nxt in {"evening", "afternoon"}:
        when.day = today
        return 2
    if word == "pasado" and nxt == "manana":
        when.day = today + timedelta(days=2)
        return 2
    if word == "day" and tokens[i + 1 : i + 3] == ["after", "tomorrow"]:
        when.day = today + timedelta(days=2)
        return 3
    if word == "manana" and prev not in {"la", "por", "de", "pasado"}:
        when.day = today + timedelta(days=1)
        return 1
    if word == "tomorrow":
        when.day = today + timedelta(days=1)
        return 1
    if word in WEEKDAYS:
        # "el viernes" said on a Friday means next week's ("hoy" is how people say today).
        when.day = _next_weekday(today, WEEKDAYS[word], skip_this_week=True)
        return 1
    return _parse_calendar_day(tokens, i, when, today)


def _parse_calendar_day(tokens: list[str], i: int, when: When, today: date) -> int:  # noqa: PLR0911 - one branch per form
    word = tokens[i]
    match = _ISO.match(word)
    if match:
        when.day = _future_day(today, int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return 1 if when.day else 0
    match = _DMY.match(word)
    if match:
        year = int(match.group(3)) if match.group(3) else None
        when.day = _future_day(today, int(match.group(1)), int(match.group(2)), year)
        return 1 if when.day else 0
    # "21 de marzo", "21 march", "march 21", "the 21st", "el dia 21", "el 21"
    if word in MONTHS and i + 1 < len(tokens):
        match = _ORDINAL.match(tokens[i + 1])
        if match and 1 <= int(match.group(1)) <= 31:
            when.day = _future_day(today, int(match.group(1)), MONTHS[word], None)
            return 2 if when.day else 0
    match = _ORDINAL.match(word)
    if not match or not 1 <= int(match.group(1)) <= 31:
        return 0
    day = int(match.group(1))
    rest = tokens[i + 1 : i + 3]
    if rest[:1] == ["de"] and len(rest) > 1 and rest[1] in MONTHS:
        when.day = _future_day(today, day, MONTHS[rest[1]], None)
        return 3 if when.day else 0
    if rest[:1] and rest[0] in MONTHS:
        when.day = _future_day(today, day, MONTHS[rest[0]], None)
        return 2 if when.day else 0
    prev = tokens[i - 1] if i > 0 else ""
    if prev in {"dia", "the"} or (match.group(2) and prev != "at"):
        when.day = _future_day(today, day, None, None)
        return 1 if when.day else 0
    if prev == "el" and not (i + 1 < len(tokens) and tokens[i + 1] in {"de", "y"}):
        when.day = _future_day(today, day, None, None)
        return 1 if when.day else 0
    return 0


def _parse_relative(tokens: list[str], i: int, when: When) -> int:  # noqa: PLR0911 - one branch per form
    """ "en 30 minutos", "in an hour", "en media hora", "in 2 days"."""
    if tokens[i] not in {"en", "in", "within", "dentro"}:
        return 0
    j = i + 1
    if j < len(tokens) and tokens[j] == "de":
        j += 1
    if tokens[j : j + 2] in (["media", "hora"], ["half", "hour"]):
        when.minutes_from_now = 30
        return j + 2 - i
    if tokens[j : j + 3] == ["half", "an", "hour"]:
        when.minutes_from_now = 30
        return j + 3 - i
    span = number_at(tokens, j) if j < len(tokens) else None
    if span is None:
        return 0
    unit = tokens[span.end] if span.end < len(tokens) else ""
    if unit.startswith(("min",)):
        when.minutes_from_now = span.value
    elif unit in {"hora", "horas", "hour", "hours", "h", "hr", "hrs"}:
        when.minutes_from_now = span.value * 60
    elif unit in {"dia", "dias", "day", "days"}:
        return 0
    else:
        return 0
    return span.end + 1 - i


def parse_when(tokens: list[str], *, today: date) -> When:
    when = When()
    text = f" {' '.join(tokens)} "
    when.asap = any(f" {phrase} " in text for phrase in ASAP_PHRASES)
    i = 0
    while i < len(tokens):
        used = 0
        if when.minutes_from_now is None:
            used = _parse_relative(tokens, i, when)
        if not used and when.day is None:
            used = _parse_day(tokens, i, when, today)
        if not used and when.at is None:
            used = _parse_clock_phrase(tokens, i, when) or _parse_time(tokens, i, when)
        if used:
            when.consumed.update(range(i, i + used))
            i += used
        else:
            i += 1
    return when


def combine(when: When, *, now: datetime) -> datetime | None:
    """A full local datetime from what was said: today if only a time, None if no time."""
    if when.minutes_from_now is not None:
        return now + timedelta(minutes=when.minutes_from_now)
    if when.at is None:
        return None
    day = when.day or now.date()
    return datetime.combine(day, when.at, tzinfo=now.tzinfo)
