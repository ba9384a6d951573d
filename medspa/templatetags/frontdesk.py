"""Display helpers shared by every page: clinic-local times, callback deadlines, captured values."""

import zoneinfo
from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timesince

from medspa.routes import Route

register = template.Library()


def _zone(location):
    name = getattr(location, "time_zone", None) or (location if isinstance(location, str) else None)
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _moment(value) -> datetime | None:
    """A stored datetime, or the ISO text inbox contexts carry ("2026-12-01T21:25:48+00:00")."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


@register.filter
def local(value, location=None) -> str:
    """`{{ when|local:item.location }}` -> "Tue Nov 24, 2:30 p.m. PST" in that location's zone.

    The one rule for times: stored in UTC, shown in the location's zone with its abbreviation."""
    moment = _moment(value)
    if moment is None:
        return str(value) if value else "—"
    moment = moment.astimezone(_zone(location))
    return f"{format_date(moment, 'D M j, g:i a')} {moment.tzname()}"


@register.filter
def local_day(value, location=None) -> str:
    """`{{ visit.starts_at|local_day:visit.location }}` -> "Nov 24, 2026": the calendar day at that location."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return format_date(moment.astimezone(_zone(location)), "M j, Y")


@register.filter
def due_label(value: datetime | None) -> str:
    """"in 2 hours" while there is time, "overdue by 3 days" once it has passed."""
    if not value:
        return ""
    now = timezone.now()
    if value >= now:
        return f"in {timesince(now, value, depth=1)}"
    return f"overdue by {timesince(value, now, depth=1)}"


@register.filter
def is_overdue(value: datetime | None) -> bool:
    return bool(value) and value < timezone.now()


@register.filter
def show(value) -> str:
    """Captured values for people: lists joined, booleans as yes/no, empty as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {show(v)}" for k, v in value.items())
    return str(value)


@register.simple_tag
def dev_phone_enabled() -> bool:
    """The dev phone (recall/views/dev_phone.py) exists only while texts go to the console."""
    return settings.SMS_BACKEND == "console"


@register.filter
def route_label(value: str) -> str:
    """A route value as people say it: "staff_review" -> "Staff review"."""
    try:
        return Route(value).label
    except ValueError:
        return label(value) if value else "—"


# Call fields whose plain label would read oddly ("Deposit question": yes).
FIELD_LABELS = {
    "service_interest": "Interested in", "deposit_question": "Asked about deposits",
    "credit_question": "Asked about credits", "renewal_question": "Asked about renewal",
    "cancellation_question": "Asked about cancelling", "financing_question": "Asked about financing",
    "bundle_context": "Bundle", "patient_status": "New or returning", "event_source": "Heard about us from",
    "clinical_question": "Clinical question (exact words)", "staff_question": "Staff-only question (exact words)",
    "adverse_event_language": "Symptom words (exact)", "provider_preference": "Provider preference",
    "callback_window": "Best time to call back", "member_status": "Member status",
}


@register.filter
def field_label(key: str) -> str:
    """A captured call field for people: "deposit_question" -> "Asked about deposits"."""
    return FIELD_LABELS.get(str(key)) or label(key)


@register.filter
def label(key: str) -> str:
    """A field key as a label: "callback_window" -> "Callback window"."""
    return str(key).replace("_", " ").capitalize()
