"""The numbers behind the owner dashboards, computed by the database.

Every query is an aggregate scoped to the filter's locations and date range; nothing here loops
over rows in Python, so each page costs the same handful of queries whatever the data size.

Each dashboard section is a method returning a `Table` (title, columns, rows, definitions): the
page renders it as stat cards or a chart, the `<details>` under a chart renders it as a table, and
the CSV export writes it. Adding a section means adding a method and listing it in `SECTIONS`; the
apps' own sections (calls, members, recall) live in their `metrics.py` and are found through
`sections.py`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    Value,
    When,
)

from ..models import Handoff, Service, Visit
from ..routes import Route
from . import overview_figures, rollup, sections
from .filters import DashboardFilter
from .tables import Table, display, minutes, money, share

__all__ = ["SECTIONS", "OverviewMetrics", "Table", "display", "minutes", "money", "share", "roi_defaults"]

CONSULT = Service.Category.CONSULT
V = Visit.Status
PLANNING_SOURCE = "planning default (AmSpa 2024 / guide)"


def visits_in(f: DashboardFilter):
    """Visits whose appointment time falls in the range (index visit_location_start_idx)."""
    return Visit.objects.filter(location_id__in=f.location_ids, starts_at__gte=f.since, starts_at__lt=f.until)


def handoffs_in(f: DashboardFilter):
    """Inbox items opened in the range (index handoff_location_created_idx)."""
    return Handoff.objects.filter(location_id__in=f.location_ids, created_at__gte=f.since, created_at__lt=f.until)


class OverviewMetrics:
    """First 30 days by revenue path. Each cached property is one aggregate query."""

    def __init__(self, f: DashboardFilter):
        self.f = f

    # --- queries ----------------------------------------------------------------------------

    @cached_property
    def figures(self):
        """The additive figures (visits, inbox items) through the daily rollup: stored days + live edges."""
        return rollup.figures(self.f)

    @cached_property
    def visit_totals(self) -> dict:
        totals = dict.fromkeys(["consults_booked", "consults_shown", "consults_no_show", "treatments_booked",
                                "treatments_completed", "no_shows"], 0)
        totals.update(treatments_booked_value=Decimal(0), completed_value=Decimal(0))
        for category, status, n, value in overview_figures.visit_groups(self.figures):
            consult, live = category == CONSULT, status != V.CANCELLED
            if consult:
                totals["consults_booked"] += n if live else 0
                totals["consults_shown"] += n if status == V.COMPLETED else 0
                totals["consults_no_show"] += n if status == V.NO_SHOW else 0
            elif live:
                totals["treatments_booked"] += n
                totals["treatments_booked_value"] += value
                totals["treatments_completed"] += n if status == V.COMPLETED else 0
            totals["completed_value"] += value if status == V.COMPLETED else 0
            totals["no_shows"] += n if status == V.NO_SHOW else 0
        return totals

    @cached_property
    def repeat_protected(self) -> dict:
        """Future appointments booked in the range for patients who had already completed a visit."""
        return {"visits": self.figures["repeat"], "value": Decimal(self.figures["repeat$"]) / 100}

    @cached_property
    def follow_up_speed(self) -> dict:
        """route -> {median, p90} and None -> all routes, from the rollup's follow-up histograms (whole minutes):
        percentiles do not add up across days, histograms do (`overview_figures.follow_up_percentiles`)."""
        return overview_figures.follow_up_percentiles(self.figures)

    @cached_property
    def route_rows(self) -> list[dict]:
        """Counts and follow-up percentiles per route, all from the rollup."""
        speed = self.follow_up_speed
        rows = [{"route": route, **counts, "median": speed.get(route, {}).get("median"),
                 "p90": speed.get(route, {}).get("p90")}
                for route, counts in overview_figures.handoff_routes(self.figures).items()]
        order = {route: i for i, route in enumerate(Route.values)}
        return sorted(rows, key=lambda row: (order.get(row["route"], len(order)), row["route"]))

    @cached_property
    def follow_up_all(self) -> dict:
        contacted = sum(row["contacted"] for row in overview_figures.handoff_routes(self.figures).values())
        return {"contacted": contacted, **self.follow_up_speed.get(None, {"median": None, "p90": None})}

    @cached_property
    def mix_rows(self) -> list[dict]:
        rows = [{"service__category": category, "visits": n, "value": value}
                for category, status, n, value in overview_figures.visit_groups(self.figures)
                if status == V.COMPLETED]
        return sorted(rows, key=lambda row: (-row["value"], row["service__category"]))

    # --- sections ---------------------------------------------------------------------------

    @property
    def handoff_total(self) -> int:
        return sum(row["items"] for row in self.route_rows)

    REVENUE_FORMATS = {"consult_show_rate": "percent", "treatments_booked_value": "money",
                       "completed_value": "money", "repeat_protected_value": "money"}

    def revenue_path(self) -> Table:
        v, repeat = self.visit_totals, self.repeat_protected
        booked_consult = sum(row["booked_consult"] for row in self.route_rows)
        booked_treatment = sum(row["booked_treatment"] for row in self.route_rows)
        rows = [
            ("consults_booked", "Consult appointments", v["consults_booked"],
             "Appointments for a consultation service in the range, not cancelled (0 until the catalog has one)."),
            ("consults_shown", "Consults shown", v["consults_shown"], "Consultation appointments completed."),
            ("consult_show_rate", "Consult show rate",
             share(v["consults_shown"], v["consults_shown"] + v["consults_no_show"]),
             "Consults completed / (completed + no-shows)."),
            ("treatments_booked", "Treatments booked", v["treatments_booked"],
             "Treatment appointments (not consults) in the range, not cancelled."),
            ("treatments_booked_value", "Treatment value booked", money(v["treatments_booked_value"]),
             "Value of those appointments."),
            ("treatments_completed", "Treatments completed", v["treatments_completed"], "Treatment visits completed."),
            ("completed_value", "Completed visit value", money(v["completed_value"]),
             "Value of every completed visit in the range."),
            ("no_shows", "No-shows", v["no_shows"], "Appointments in the range marked no-show."),
            ("repeat_protected", "Repeat appointments protected", repeat["visits"],
             "Future appointments booked in the range for patients with an earlier completed visit."),
            ("repeat_protected_value", "Value of protected appointments", money(repeat["value"]),
             "Value of those appointments."),
            ("inbox_booked_consult", "Inbox items resolved “Booked consult”", booked_consult,
             "Inbox items opened in the range whose outcome was a booked consult (the appointment itself "
             "counts under Consult appointments once it is on the calendar)."),
            ("inbox_booked_treatment", "Inbox items resolved “Booked treatment”", booked_treatment,
             "Inbox items opened in the range and resolved as “Booked treatment”."),
        ]
        return Table(
            "revenue-path", "Revenue path",
            [("metric", "Metric"), ("value", "Value"), ("definition", "Definition")],
            [{"key": key, "metric": label, "value": value, "definition": text,
              "value_format": self.REVENUE_FORMATS.get(key)} for key, label, value, text in rows],
        )

    def routes(self) -> Table:
        total = self.handoff_total
        rows = [
            {"route": row["route"], "label": Route(row["route"]).label, "items": row["items"],
             "share": share(row["items"], total), "contacted": row["contacted"],
             "booked": row["booked_consult"] + row["booked_treatment"]}
            for row in self.route_rows
        ]
        return Table(
            "routes", "Inbox items by route",
            [("label", "Route"), ("items", "Items"), ("share", "Share"), ("contacted", "Contacted"),
             ("booked", "Booked")],
            rows, notes=[f"{total} inbox items opened in the range."], formats={"share": "percent"},
        )

    def follow_up(self) -> Table:
        rows = [
            {"route": row["route"], "label": Route(row["route"]).label, "contacted": row["contacted"],
             "median_minutes": minutes(row["median"]), "p90_minutes": minutes(row["p90"])}
            for row in self.route_rows
        ]
        overall = self.follow_up_all
        rows.append({"route": "all", "label": "All routes", "contacted": overall["contacted"],
                     "median_minutes": minutes(overall["median"]), "p90_minutes": minutes(overall["p90"])})
        return Table(
            "follow-up", "Follow-up speed (minutes from opened to first contact)",
            [("label", "Route"), ("contacted", "Contacted"), ("median_minutes", "Median minutes"),
             ("p90_minutes", "90th percentile minutes")],
            rows, notes=["First contact is when a coordinator claimed the item. Items never claimed are left out.",
                         "Medians and 90th percentiles are to the nearest minute: they are taken over the follow-up "
                         "times rounded to whole minutes, so each is within half a minute of the exact figure."],
            formats={"median_minutes": "minutes", "p90_minutes": "minutes"},
        )

    def review_rates(self) -> Table:
        total = self.handoff_total
        by_route = {row["route"]: row for row in self.route_rows}
        summarized = sum(row["summarized"] for row in self.route_rows)
        rows = []
        # Named for their denominator: the call section's rates divide by calls, these by inbox items
        # (calls, texts, link requests, member items), so the same name must not carry two numbers.
        for route, label in [(Route.SAFETY_ESCALATION, "Safety escalations in the inbox"),
                             (Route.PROVIDER_REVIEW, "Provider reviews in the inbox"),
                             (Route.STAFF_REVIEW, "Staff reviews in the inbox")]:
            count = by_route.get(route, {}).get("items", 0)
            rows.append({"key": route.value, "metric": label, "items": count, "rate": share(count, total)})
        rows.append({"key": "summarized", "metric": "Arrived with a summary", "items": summarized,
                     "rate": share(summarized, total)})
        return Table(
            "review-rates", "Review and safety rates",
            [("metric", "Metric"), ("items", "Items"), ("rate", "Share of inbox items")],
            rows, notes=[f"Out of {total} inbox items opened in the range (calls, texts, link requests and member "
                         "items); the call rates divide by calls only."], formats={"rate": "percent"},
        )

    def time_saved(self) -> Table:
        handled = sum(row["summarized"] for row in self.route_rows)
        saved = handled * self.f.minutes_per_item
        return Table(
            "time-saved", "Coordinator time saved",
            [("metric", "Metric"), ("value", "Value")],
            [{"key": "handled", "metric": "Items that arrived already summarized", "value": handled},
             {"key": "minutes_per_item", "metric": "Minutes saved per item (assumption)",
              "value": self.f.minutes_per_item},
             {"key": "minutes", "metric": "Minutes saved", "value": saved},
             {"key": "hours", "metric": "Hours saved",
              "value": (Decimal(saved) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)}],
            notes=["Handled items x the minutes-per-item assumption from the filter (edit it there)."],
        )

    def treatment_mix(self) -> Table:
        labels = dict(Service.Category.choices)
        rows = [
            {"category": row["service__category"], "label": labels.get(row["service__category"], "Other"),
             "visits": row["visits"], "value": money(row["value"])}
            for row in self.mix_rows
        ]
        return Table(
            "treatment-mix", "Completed visit value by service category",
            [("label", "Category"), ("visits", "Completed visits"), ("value", "Value")], rows,
            formats={"value": "money"},
        )


SECTIONS = {
    "revenue-path": "revenue_path",
    "routes": "routes",
    "follow-up": "follow_up",
    "review-rates": "review_rates",
    "time-saved": "time_saved",
    "treatment-mix": "treatment_mix",
}


# --- ROI defaults ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sourced:
    """A default input value and where it came from (shown next to the input)."""

    value: Decimal | None
    source: str
    measured: bool = False


ROI_CACHE_SECONDS = 300


def roi_defaults(f: DashboardFilter) -> dict[str, Sourced]:
    """`measure_roi_defaults`, cached for five minutes per (locations, range, time zone).

    The ROI page re-renders on every input change (htmx) and the API may be polled; the defaults
    describe the last 30 days, so minutes-old figures are fine and the sources say when they were measured.
    """
    key = "dashboards:roi-defaults:" + ":".join(
        [",".join(map(str, sorted(f.location_ids))), f.start.isoformat(), f.end.isoformat(), str(f.tz)]
    )
    cached = cache.get(key)
    if cached is None:
        cached = measure_roi_defaults(f)
        cache.set(key, cached, ROI_CACHE_SECONDS)
    return cached


def measure_roi_defaults(f: DashboardFilter) -> dict[str, Sourced]:
    """Defaults for every ROI input: measured in the filter's range where data exists (two queries)."""
    consult, completed = Q(service__category=CONSULT), Q(status=V.COMPLETED)
    earlier_completed = Visit.objects.filter(
        patient_id=OuterRef("patient_id"), status=V.COMPLETED, starts_at__lt=OuterRef("starts_at")
    )
    later_treatment = Visit.objects.filter(patient_id=OuterRef("patient_id"), starts_at__gt=OuterRef("starts_at")) \
        .exclude(service__category=CONSULT).exclude(status=V.CANCELLED)
    m = (
        visits_in(f)
        .annotate(
            is_returning=Exists(earlier_completed),
            # Only completed consults need the (indexed) look-ahead for a treatment booking.
            closed=Case(When(consult & completed, then=Exists(later_treatment)), default=Value(False)),
        )
        .aggregate(
            completed=Count("id", filter=completed),
            no_show=Count("id", filter=Q(status=V.NO_SHOW)),
            avg_value=Avg("value", filter=completed),
            returning=Count("id", filter=completed & Q(is_returning=True)),
            returning_value=Avg("value", filter=completed & Q(is_returning=True)),
            booked=Count("id", filter=~Q(status=V.CANCELLED)),
            consults=Count("id", filter=consult & ~Q(status=V.CANCELLED)),
            consults_completed=Count("id", filter=consult & completed),
            consults_closed=Count("id", filter=Q(closed=True)),
        )
    )
    span = f"{f.start:%b %-d}–{f.end:%b %-d, %Y}"
    out: dict[str, Sourced] = {}

    out["monthly_calls"] = Sourced(Decimal(520), PLANNING_SOURCE)
    out["bookable_share"] = Sourced(Decimal("0.48"), PLANNING_SOURCE)
    out.update(sections.roi_defaults(f, span))  # measured by the apps that know (calls)
    out["lift"] = Sourced(Decimal("0.25"), PLANNING_SOURCE + ": recovered-booking lift from immediate answering")

    if m["completed"]:
        out["avg_visit_value"] = Sourced(
            money(m["avg_value"]), f"measured: average of {m['completed']} completed visits, {span}", True
        )
    else:
        out["avg_visit_value"] = Sourced(Decimal(527), "planning default (AmSpa 2024: $527 average spend per visit)")

    if m["completed"] + m["no_show"]:
        out["show_rate"] = Sourced(
            share(m["completed"], m["completed"] + m["no_show"]),
            f"measured: {m['completed']} completed / {m['completed'] + m['no_show']} completed or no-show, {span}",
            True,
        )
    else:
        out["show_rate"] = Sourced(Decimal(1), "assumption: every booking shows (no visits in range; edit it)")

    if m["booked"]:
        out["consult_share"] = Sourced(
            share(m["consults"], m["booked"]),
            f"measured: {m['consults']} consults of {m['booked']} booked appointments, {span}", True,
        )
    else:
        out["consult_share"] = Sourced(Decimal(0), "assumption: bookings are treatments, not consults")

    if m["consults_completed"]:
        out["consult_close_rate"] = Sourced(
            share(m["consults_closed"], m["consults_completed"]),
            f"measured: {m['consults_closed']} of {m['consults_completed']} completed consults led to a "
            f"treatment booking, {span}", True,
        )
    else:
        out["consult_close_rate"] = Sourced(Decimal(1), "assumption: every consult closes (no consults in range)")

    if m["completed"]:
        out["repeat_share"] = Sourced(
            share(m["returning"], m["completed"]),
            f"measured: {m['returning']} of {m['completed']} completed visits were by returning patients, {span}",
            True,
        )
    else:
        out["repeat_share"] = Sourced(Decimal("0.73"), "planning default (AmSpa 2024: 73% repeat patients)")

    if m["returning"]:
        out["member_value"] = Sourced(
            money(m["returning_value"]),
            f"measured: average of {m['returning']} completed visits by returning patients, {span}", True,
        )
    else:
        out["member_value"] = Sourced(out["avg_visit_value"].value, "same as average visit value (no repeat visits)")

    out["bookable_hours_left"] = Sourced(None, "not set: enter the providers' open hours this month to cap the model")
    out["avg_visit_minutes"] = Sourced(Decimal(60), "assumption: one hour per visit")
    return out
