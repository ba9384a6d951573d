"""Resolve spoken and texted dates against the clinic's local "now".

Rules (all relative to today's date in the clinic time zone):
- "today"/"tonight" = today; "tomorrow" (tmrw, tmr) = today + 1; "day after tomorrow" = today + 2.
- "Friday" and "this Friday" = the next Friday on or after today (today counts).
- "next Friday" = the Friday of next calendar week (weeks start on Monday).  Said on a Saturday or Sunday
  this is simply the coming Friday; said on a Wednesday it skips this week's Friday.
- "this weekend" = the Saturday on or after today (today if it is Sunday); "next weekend" = Saturday of
  next calendar week.
- "the 12th" = the next 12th on or after today (months without that day are skipped).
- "December 5", "Dec 5th", "5th of December", "12/5" (US month/day): that date this year, or next year if
  it has already passed; an explicit year is kept.
- Abbreviations "mon", "wed", "sat", "sun" only count after this/next/on/by/until ("avoid the sun").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
AMBIGUOUS_WEEKDAYS = frozenset({"mon", "wed", "sat", "sun"})
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_WEEKDAY = r"(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)"

PATTERNS = [
    ("month_day", re.compile(rf"\b{_MONTH}\.?\s+(?P<day>\d{{1,2}}){_ORD}?\b(?:,?\s+(?P<year>\d{{4}}))?")),
    ("month_day", re.compile(
        rf"\b(?:the\s+)?(?P<day>\d{{1,2}}){_ORD}?\s+(?:of\s+)?{_MONTH}\b(?:,?\s+(?P<year>\d{{4}}))?"
    )),
    ("numeric", re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b(?!\s*(?:off|price))")),
    ("ordinal", re.compile(
        rf"\b(?:(?:the|on)\s+)(?:the\s+)?(?P<day>\d{{1,2}}){_ORD}\b"
        r"(?!\s+(?:session|time|visit|treatment|appointment|round|syringe|one|floor|try))"
    )),
    ("relative", re.compile(r"\b(?P<rel>day after tomorrow|today|tonight|tomorrow|tomorow|tmrw|tmr|2morrow)\b")),
    ("weekend", re.compile(r"\b(?P<q>this|next|this coming|coming)\s+weekend\b")),
    ("weekday", re.compile(
        r"(?<!black )(?<!cyber )"
        rf"\b(?:(?P<q>this coming|this|next|coming|on|by|until|till|til|before)\s+)?{_WEEKDAY}\b\.?"
    )),
]


@dataclass(frozen=True)
class FoundDate:
    start: int  # span in the normalised text
    end: int
    value: date


def _next_day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None


def _month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def weekday_on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def weekday_next_week(today: date, weekday: int) -> date:
    next_monday = today + timedelta(days=7 - today.weekday())
    return next_monday + timedelta(days=weekday)


def _resolve(kind: str, m: re.Match, today: date) -> date | None:
    if kind == "month_day":
        year = int(m["year"]) if m["year"] else None
        return _month_day(today, MONTHS[m["mon"]], int(m["day"]), year)
    if kind == "numeric":
        month, day = int(m["m"]), int(m["d"])
        year = int(m["y"]) if m["y"] else None
        if year is not None and year < 100:
            year += 2000
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return _month_day(today, month, day, year)
    if kind == "ordinal":
        day = int(m["day"])
        return _next_day_of_month(today, day) if 1 <= day <= 31 else None
    if kind == "relative":
        rel = m["rel"]
        offset = 2 if rel == "day after tomorrow" else 0 if rel in ("today", "tonight") else 1
        return today + timedelta(days=offset)
    if kind == "weekend":
        if m["q"] == "next":
            return weekday_next_week(today, 5)
        return today if today.weekday() == 6 else weekday_on_or_after(today, 5)
    if kind == "weekday":
        word, qualifier = m["wd"], m["q"]
        if word in AMBIGUOUS_WEEKDAYS and not qualifier:
            return None
        if qualifier == "next":
            return weekday_next_week(today, WEEKDAYS[word])
        return weekday_on_or_after(today, WEEKDAYS[word])
    return None


def find_dates(text: str, today: date) -> list[FoundDate]:
    """Every date expression in normalised `text`, resolved, in order of appearance, without overlaps."""
    found: list[FoundDate] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            value = _resolve(kind, m, today)
            if value is not None:
                start = m.start("wd") if kind == "weekday" and m["q"] in ("on", "by", "until", "till", "til",
                                                                             "before") else m.start()
                found.append(FoundDate(start, m.end(), value))
    return sorted(found, key=lambda f: f.start)


DEADLINE_BEFORE = re.compile(
    r"(?<!stop )(?<!drop )(?<!swing )(?<!come )(?<!pop )"
    r"\b(?:rsvp(?:\s+(?:by|before))?|deadline(?:\s+is)?|ends?|ending|expires?|expiring|until|till|til|last day"
    r"(?:\s+is)?|by|before|no later than|through|thru|valid (?:through|until)|cutoff(?:\s+is)?)\s+(?:on\s+)?$"
)
DEADLINE_AFTER = re.compile(r"^\s*(?:is|was)\s+the\s+(?:deadline|last day|cutoff|final day)\b")


def is_deadline(text: str, found: FoundDate) -> bool:
    return bool(DEADLINE_BEFORE.search(text[max(0, found.start - 40):found.start])
                or DEADLINE_AFTER.search(text[found.end:found.end + 30]))
