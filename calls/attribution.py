"""Which event or campaign a call belongs to.

In order: the number the caller dialled is an event's tracking number; else the event kind/date the
caller mentioned matches one of the location's events; else a source code from an invitation or ad
appears in what the caller said.
"""

import re
from datetime import date, datetime, timedelta

from medspa.models import Location

from .models import Event

NEAR = timedelta(days=45)  # kind-only matches consider events this close to the call


def event_for_number(to_number: str) -> Event | None:
    if not to_number:
        return None
    return Event.objects.select_related("location").filter(tracking_number=to_number).first()


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def attribute_event(location: Location, *, at: datetime, fields: dict, to_number: str = "",
                    text: str = "") -> Event | None:
    tracked = event_for_number(to_number)
    if tracked and tracked.location_id == location.id:
        return tracked
    events = Event.objects.filter(location=location)
    kind = fields.get("event_kind")
    when = _as_date(fields.get("event_date"))
    if kind or when:
        candidates = events.filter(ends_at__gte=at - NEAR, starts_at__lte=at + NEAR * 4)
        if kind:
            candidates = candidates.filter(kind=kind)
        if when:
            on_day = [e for e in candidates if location.local(e.starts_at).date() <= when
                      <= location.local(e.ends_at).date()]
            if on_day:
                return on_day[0]
            if not kind:
                candidates = candidates.none()
        # Prefer the next upcoming one, else the most recent past one.
        upcoming = candidates.filter(ends_at__gte=at).order_by("starts_at").first()
        if upcoming:
            return upcoming
        past = candidates.order_by("-starts_at").first()
        if past:
            return past
    haystack = " ".join([text, str(fields.get("event_source") or "")]).upper()
    if haystack.strip():
        for event in events.exclude(source_codes=[]).order_by("-starts_at"):
            for code in event.source_codes:
                if re.search(rf"(?<![A-Z0-9]){re.escape(code.upper())}(?![A-Z0-9])", haystack):
                    return event
    return None
