"""Calendar arithmetic for monthly billing cycles.

A membership renews on the day of the month it started (clamped to short months: a member who
joined on January 31 renews on February 28, then March 31). Renewal dates are always computed
from the start date, never from the previous renewal, so clamping never drifts.
"""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, later: date) -> int:
    """Whole calendar months from `start` to `later` (ignoring the day)."""
    return (later.year - start.year) * 12 + later.month - start.month


def renewal_after(anchor: date, day: date, cycles: int = 1) -> date:
    """The renewal date `cycles` renewals after `day`, where `day` is itself a renewal of `anchor`."""
    return add_months(anchor, months_between(anchor, day) + cycles)
