"""Texts go out between 08:00 and 21:00 in the patient's location time zone, never at night."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEND_FROM = time(8, 0)
SEND_UNTIL = time(21, 0)


def may_send(moment: datetime, tz: ZoneInfo) -> bool:
    local = moment.astimezone(tz)
    return SEND_FROM <= local.time() < SEND_UNTIL


def morning_of(day: date, tz: ZoneInfo) -> datetime:
    """08:00 local on `day` (aware)."""
    return datetime.combine(day, SEND_FROM, tzinfo=tz)


def next_send_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` itself when texting is allowed, else the next 08:00 local."""
    if may_send(moment, tz):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.time() < SEND_FROM else local.date() + timedelta(days=1)
    return morning_of(day, tz)
