"""The overview's additive figures (visits and inbox items), counted per slice for the daily rollup.

Keys: `visits:<category>:<status>` and `visits$:<category>:<status>` (count, value in cents) by the
appointment time; `repeat` and `repeat$` (future appointments booked for a patient with an earlier
completed visit) by the booking time; `handoffs:<route>:<measure>` by the time the item was opened;
`follow:<route>:<minutes>`, the follow-up histogram: claimed items of the route whose time from opened to
claimed rounds to that many whole minutes (by the time the item was opened). See `rollup.py`.

Percentiles do not add up across days, but histograms do: the follow-up median and 90th percentile of any
range are read from the summed histogram (`follow_up_percentiles`), PostgreSQL's `percentile_cont` over the
follow-up times rounded to the whole minute, so within half a minute of the exact figure.
"""

import math
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q, Sum

from ..models import Handoff, Visit
from .filters import slices_q

HANDOFF_MEASURES = ("items", "contacted", "summarized", "booked_consult", "booked_treatment")
PERCENTILES = {"median": 0.5, "p90": 0.9}


class WholeMinutes(Func):
    """A duration rounded to the nearest whole minute (half a minute rounds away from zero), as an integer."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="round(extract(epoch from %(expressions)s) / 60)::integer",
                           **extra)

    def as_sqlite(self, compiler, connection, **extra):  # a duration is microseconds there (`make run`)
        return self.as_sql(compiler, connection, template="CAST(round(%(expressions)s / 60000000.0) AS integer)",
                           **extra)


FOLLOW_UP_MINUTES = WholeMinutes(ExpressionWrapper(F("claimed_at") - F("created_at"), output_field=DurationField()))


def cents(amount) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


def daily_figures(slices) -> Counter:
    out = Counter()
    visits = (Visit.objects.filter(slices_q(slices, "starts_at"))
              .values("service__category", "status").annotate(n=Count("id"), value=Sum("value")).order_by())
    for row in visits:
        key = f"{row['service__category'] or ''}:{row['status']}"
        out[f"visits:{key}"] += row["n"]
        out[f"visits$:{key}"] += cents(row["value"])
    earlier = Visit.objects.filter(
        patient_id=OuterRef("patient_id"), status=Visit.Status.COMPLETED, starts_at__lt=OuterRef("created_at")
    )
    repeat = (Visit.objects.filter(slices_q(slices, "created_at"), starts_at__gt=F("created_at"))
              .exclude(status=Visit.Status.CANCELLED).filter(Exists(earlier))
              .aggregate(n=Count("id"), value=Sum("value")))
    out["repeat"] += repeat["n"]
    out["repeat$"] += cents(repeat["value"])
    handoffs = (  # one row per route and whole follow-up minute (None: not claimed)
        Handoff.objects.filter(slices_q(slices, "created_at")).annotate(minutes=FOLLOW_UP_MINUTES)
        .values("route", "minutes")
        .annotate(
            items=Count("id"),
            contacted=Count("claimed_at"),
            summarized=Count("id", filter=~Q(summary="")),
            booked_consult=Count("id", filter=Q(outcome=Handoff.Outcome.BOOKED_CONSULT)),
            booked_treatment=Count("id", filter=Q(outcome=Handoff.Outcome.BOOKED_TREATMENT)),
        )
        .order_by()
    )
    for row in handoffs:
        for measure in HANDOFF_MEASURES:
            out[f"handoffs:{row['route']}:{measure}"] += row[measure]
        if row["minutes"] is not None:
            out[f"follow:{row['route']}:{row['minutes']}"] += row["contacted"]
    return out


def visit_groups(figures: Counter) -> list[tuple[str, str, int, Decimal]]:
    """(category, status, visits, value) for every group with visits."""
    groups = []
    for key, n in figures.items():
        if key.startswith("visits:") and n:
            _, category, status = key.split(":", 2)
            groups.append((category, status, n, Decimal(figures[f"visits$:{category}:{status}"]) / 100))
    return groups


def handoff_routes(figures: Counter) -> dict[str, dict[str, int]]:
    """route -> {measure: count} for every route with items."""
    routes: dict[str, dict[str, int]] = {}
    for key, n in figures.items():
        if key.startswith("handoffs:"):
            _, route, measure = key.split(":", 2)
            routes.setdefault(route, {})[measure] = n
    return {route: {m: row.get(m, 0) for m in HANDOFF_MEASURES} for route, row in routes.items() if row.get("items")}


def follow_up_percentiles(figures: Counter) -> dict[str | None, dict[str, timedelta | None]]:
    """route -> {median, p90} and None -> all routes, from the summed follow-up histograms: percentile_cont
    (linear interpolation between the closest ranks) over the follow-up times in whole minutes."""
    histograms: dict[str | None, Counter] = {None: Counter()}
    for key, n in figures.items():
        if key.startswith("follow:") and n:
            _, route, minutes = key.split(":", 2)
            histograms.setdefault(route, Counter())[int(minutes)] += n
            histograms[None][int(minutes)] += n
    return {route: {name: percentile(histogram, p) for name, p in PERCENTILES.items()}
            for route, histogram in histograms.items()}


def percentile(histogram: Counter, p: float) -> timedelta | None:
    """PostgreSQL's percentile_cont(p) over a multiset given as value -> count (whole minutes)."""
    total = sum(histogram.values())
    if not total:
        return None
    pos = p * (total - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    at_lo = at_hi = None
    seen = 0
    for minutes in sorted(histogram):
        seen += histogram[minutes]
        if at_lo is None and seen > lo:
            at_lo = minutes
        if seen > hi:
            at_hi = minutes
            break
    return timedelta(minutes=at_lo + (at_hi - at_lo) * (pos - lo))


def later_bookings(visit) -> list[tuple[int, object]]:
    """Where a visit's change can move the `repeat` figure: the same patient's later bookings."""
    if visit.patient_id is None or visit.starts_at is None:
        return []
    return list(Visit.objects.filter(patient_id=visit.patient_id, created_at__gt=visit.starts_at,
                                     starts_at__gt=F("created_at")).values_list("location_id", "created_at"))
