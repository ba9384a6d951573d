"""The daily rollup behind long dashboard ranges: stored per-day figures plus live counts for the rest.

A *figure* is a whole number that adds up across days (a count, a sum in cents), keyed by a string
such as `visits:consult:completed`. Each metrics module that has them defines
`daily_figures(slices) -> Counter`: the figures of the rows that fall in any of the slices, a slice
being (location id, since, until). The same function fills the rollup and counts live, so the two
cannot disagree by construction (and `tests/test_dashboard_rollup.py` checks that they do not).

- `roll_up()` (the beat task `medspa.tasks.roll_up_dashboards`) stores one `DailyFigures` row per
  location and ended local day, newest first, for the last `settings.DASHBOARD_ROLLUP_DAYS` days. A saved
  or deleted visit, inbox item or call drops the stored days around it (`forget`), so the next read counts
  those days live and the next run stores them again: a figure is never stale, only slower for a few minutes.
- `figures(f)` answers a dashboard filter: the stored days that lie wholly inside the range (in each
  location's own time zone) plus one live count over everything else -- the range's edges, today's
  partial day, days not stored yet. A 365-day range costs 365 small rows per location and two edges.
"""

import operator
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce

from django.conf import settings
from django.db import connection
from django.db.models import Q, signals
from django.utils import timezone

from ..models import DailyFigures, Location
from . import overview_figures, sections
from .filters import DashboardFilter
from .session import analytics

BATCH = 200  # location-days stored per run, so the first run after an install stays short

Slice = tuple[int, datetime, datetime]


def day_start(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def count(slices: list[Slice]) -> Counter:
    """Every module's figures over the slices, counted live."""
    total = Counter()
    if slices:
        for source in [overview_figures.daily_figures, *sections.figure_sources()]:
            total.update(source(slices))
    return total


def figures(f: DashboardFilter) -> Counter:
    """The filter's figures: stored days wholly inside the range, and one live count for the rest.
    Computed once per filter (a page's sections share them)."""
    if "figures" not in f.memo:
        f.memo["figures"] = _figures(f)
    return f.memo["figures"]


def _figures(f: DashboardFilter) -> Counter:
    locations = [loc for loc in f.locations if loc.pk in f.location_ids]
    spans = {}
    for loc in locations:
        tz = loc.tz
        first = f.since.astimezone(tz).date()
        if day_start(first, tz) < f.since:
            first += timedelta(days=1)
        last = f.until.astimezone(tz).date()  # exclusive: days before it end by the range's end
        spans[loc.pk] = (tz, first, last)
    stored: dict[int, set[date]] = {}
    wanted = [(pk, first, last) for pk, (_tz, first, last) in spans.items() if first < last]
    total = Counter()
    if wanted:
        q = Q(pk__in=[])
        for pk, first, last in wanted:
            q |= Q(location_id=pk, day__gte=first, day__lt=last)
        stored, total = _stored(DailyFigures.objects.filter(q))
    live: list[Slice] = []
    for pk, (tz, first, last) in spans.items():
        if first >= last:
            live.append((pk, f.since, f.until))
            continue
        have = stored.get(pk, set())
        edge = f.since
        day = first
        while day < last:
            if day in have:
                if edge < day_start(day, tz):
                    live.append((pk, edge, day_start(day, tz)))
                edge = day_start(day + timedelta(days=1), tz)
            day += timedelta(days=1)
        if edge < f.until:
            live.append((pk, edge, f.until))
    total.update(count(live))
    return total


# The stored days and their figures summed, in one statement (one snapshot: a day dropped meanwhile is either
# counted and listed, or neither). PostgreSQL adds the figures up itself, so a year of days (each with a few
# hundred keys, mostly follow-up histogram bins) reaches Python as one row per key.
SUM_STORED = """WITH days AS ({days})
SELECT location_id, day, NULL::text, NULL::numeric FROM days
UNION ALL
SELECT NULL, NULL, key, sum(value::bigint) FROM days CROSS JOIN LATERAL jsonb_each_text(figures) GROUP BY key"""


def _stored(days) -> tuple[dict[int, set[date]], Counter]:
    """(location id -> the stored days, the sum of their figures) for a DailyFigures queryset."""
    stored: dict[int, set[date]] = {}
    total = Counter()
    rows = days.values_list("location_id", "day", "figures")
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(SUM_STORED.replace("{days}", sql), params)  # Django's own compiled SQL, params apart
            for location_id, day, key, value in cursor.fetchall():
                if key is None:
                    stored.setdefault(location_id, set()).add(day)
                else:
                    total[key] = int(value)
        return stored, total
    for location_id, day, day_figures in rows:  # SQLite (`make run`): a few days of demo data
        stored.setdefault(location_id, set()).add(day)
        total.update(day_figures)
    return stored, total


def roll_up(now: datetime | None = None, batch: int = BATCH) -> int:
    """Store the figures of up to `batch` ended local days not stored yet (newest first). Returns how many."""
    now = now or timezone.now()
    done = 0
    for loc in Location.objects.order_by("pk"):
        tz = loc.tz
        yesterday = now.astimezone(tz).date() - timedelta(days=1)
        oldest = yesterday - timedelta(days=settings.DASHBOARD_ROLLUP_DAYS - 1)
        have = set(DailyFigures.objects.filter(location=loc, day__gte=oldest).values_list("day", flat=True))
        day = yesterday
        while day >= oldest and done < batch:
            if day not in have:
                since, until = day_start(day, tz), day_start(day + timedelta(days=1), tz)
                with analytics():  # one transaction, PostgreSQL's JIT off (session.py)
                    day_figures = {key: value for key, value in count([(loc.pk, since, until)]).items() if value}
                    DailyFigures.objects.update_or_create(
                        location=loc, day=day, defaults={"figures": day_figures, "computed_at": now}
                    )
                done += 1
            day -= timedelta(days=1)
        DailyFigures.objects.filter(location=loc, day__lt=oldest).delete()
    return done


def forget(places) -> None:
    """Rows at these (location id, moment) places changed: drop the stored days that may hold them (the UTC
    day and its neighbours, which covers every time zone), in one statement. Reads count those days live
    until the next run stores them again."""
    days = {(location_id, moment.astimezone(UTC).date()) for location_id, moment in places
            if location_id is not None and isinstance(moment, datetime)}
    if days:
        DailyFigures.objects.filter(reduce(operator.or_, [
            Q(location_id=location_id, day__gte=day - timedelta(days=1), day__lte=day + timedelta(days=1))
            for location_id, day in days
        ])).delete()


def watch(model, *fields: str, related=None) -> None:
    """Keep the rollup honest about `model`: a saved or deleted row drops the stored days it was (and is) in.

    Called from each app's AppConfig.ready for the models its `daily_figures` count, with the time fields
    that place a row on a day (a visit's appointment and booking times, an item's opening, a call's start).
    `related(instance)` may name more (location id, moment) pairs whose figures depend on this row (a
    later visit of the same patient, an event call the visit shows up for)."""

    def place(instance) -> set:
        return {(instance.__dict__.get("location_id"), instance.__dict__.get(name)) for name in fields}

    def remember(sender, instance, **kwargs):
        instance._rollup_was = place(instance)

    def changed(sender, instance, **kwargs):
        now = place(instance)
        forget([*now, *getattr(instance, "_rollup_was", ()), *(related(instance) if related else ())])
        if fields:
            instance._rollup_was = now

    uid = f"dashboards-rollup-{model._meta.label}-{related.__module__}.{related.__name__}" if related else \
        f"dashboards-rollup-{model._meta.label}"
    if fields:  # where the row was when loaded, so a moved row drops its old days too
        signals.post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    signals.post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    signals.post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
