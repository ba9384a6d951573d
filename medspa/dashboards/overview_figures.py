"""The overview's additive figures (visits and inbox items), counted per slice for the daily rollup.

Keys: `visits:<category>:<status>` and `visits$:<category>:<status>` (count, value in cents) by the
appointment time; `repeat` and `repeat$` (future appointments booked for a patient with an earlier
completed visit) by the booking time; `handoffs:<route>:<measure>` by the time the item was opened.
See `rollup.py`.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from ..models import Handoff, Visit
from .filters import slices_q

HANDOFF_MEASURES = ("items", "contacted", "summarized", "booked_consult", "booked_treatment")


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
    handoffs = (
        Handoff.objects.filter(slices_q(slices, "created_at")).values("route")
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


def later_bookings(visit) -> list[tuple[int, object]]:
    """Where a visit's change can move the `repeat` figure: the same patient's later bookings."""
    if visit.patient_id is None or visit.starts_at is None:
        return []
    return list(Visit.objects.filter(patient_id=visit.patient_id, created_at__gt=visit.starts_at,
                                     starts_at__gt=F("created_at")).values_list("location_id", "created_at"))
