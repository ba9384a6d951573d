"""The recall clock as pure functions of dates: no database, no time of day, easy to test.

A rule (anything with interval_days, window_opens_days, late_after_days, lapsed_after_days,
max_touches, min_days_between) and the last completed visit give four dates:

    window opens = due - window_opens_days      -> state `due`, on-time reminder owed
    due date     = last visit + interval_days
    late from    = due + late_after_days         -> state `late`, late nudge owed
    lapsed from  = due + lapsed_after_days       -> state `lapsed`, reactivation owed
    closed from  = lapsed from + stop_after_lapsed_days (unless 0)
                                                 -> state `closed`, nothing owed any more

The cutoff keeps a history import from texting everyone who left years ago: a schedule that has
been lapsed for `stop_after_lapsed_days` days or more is closed without a touch.

One touch per stage, at most `max_touches` per cycle, at least `min_days_between` days apart. A
stage whose touch could not go out in time (spacing, snooze) is skipped when the next stage starts:
the patient then gets the message that fits where they are now.
"""

from datetime import date, timedelta
from typing import NamedTuple

from .models.rules import TouchKind
from .models.schedules import State

STAGE_KIND = {State.DUE: TouchKind.ON_TIME, State.LATE: TouchKind.LATE, State.LAPSED: TouchKind.REACTIVATION}


class Milestones(NamedTuple):  # a plain tuple: cheap to make for every schedule looked at
    window_opens: date
    due: date
    late_from: date
    lapsed_from: date
    closed_from: date | None = None


def due_date(last_visit: date, rule) -> date:
    return last_visit + timedelta(days=rule.interval_days)


def milestones(last_visit: date, rule) -> Milestones:
    due = due_date(last_visit, rule)
    lapsed_from = due + timedelta(days=rule.lapsed_after_days)
    cutoff = getattr(rule, "stop_after_lapsed_days", 0) or 0
    return Milestones(
        window_opens=due - timedelta(days=rule.window_opens_days),
        due=due,
        late_from=due + timedelta(days=rule.late_after_days),
        lapsed_from=lapsed_from,
        closed_from=lapsed_from + timedelta(days=cutoff) if cutoff else None,
    )


def state_on(day: date, last_visit: date, rule) -> State:
    return _state(day, milestones(last_visit, rule))


def _state(day: date, m: Milestones) -> State:
    if day < m.window_opens:
        return State.UPCOMING
    if day < m.late_from:
        return State.DUE
    if day < m.lapsed_from:
        return State.LATE
    if m.closed_from is not None and day >= m.closed_from:
        return State.CLOSED
    return State.LAPSED


def next_boundary(day: date, last_visit: date, rule) -> date | None:
    """The next day the state changes, or None once lapsed for good (or closed)."""
    return _boundary(day, milestones(last_visit, rule))


def _boundary(day: date, m: Milestones) -> date | None:
    for boundary in (m.window_opens, m.late_from, m.lapsed_from, m.closed_from):
        if boundary is not None and boundary > day:
            return boundary
    return None


class Plan(NamedTuple):
    state: State
    touch: str | None  # kind of touch owed today, if any
    next_check: date | None  # next day anything can change (None: nothing more to do this cycle)


def plan(day: date, *, last_visit: date, rule, touches_sent: int = 0, kinds_sent=frozenset(),
         last_touch_day: date | None = None, snoozed_until: date | None = None) -> Plan:
    m = milestones(last_visit, rule)
    state, boundary = _state(day, m), _boundary(day, m)
    if state == State.CLOSED:
        return Plan(state, None, None)
    if state == State.UPCOMING:
        return Plan(state, None, boundary)
    kind = STAGE_KIND[state]
    if touches_sent >= rule.max_touches or kind in kinds_sent:
        return Plan(state, None, boundary)
    earliest = day
    if last_touch_day is not None:
        earliest = max(earliest, last_touch_day + timedelta(days=rule.min_days_between))
    if snoozed_until is not None:
        earliest = max(earliest, snoozed_until)
    if earliest <= day:
        return Plan(state, kind, boundary)
    return Plan(state, None, min(earliest, boundary) if boundary else earliest)


def next_touch(day: date, *, last_visit: date, rule, touches_sent: int = 0, kinds_sent=frozenset(),
               last_touch_day: date | None = None, snoozed_until: date | None = None) -> tuple[date, str] | None:
    """When the next touch would be written, evaluating forward from `day` (nothing is stored)."""
    for _ in range(12):
        p = plan(day, last_visit=last_visit, rule=rule, touches_sent=touches_sent, kinds_sent=kinds_sent,
                 last_touch_day=last_touch_day, snoozed_until=snoozed_until)
        if p.touch:
            return day, p.touch
        if p.next_check is None:
            return None
        day = p.next_check
    return None
