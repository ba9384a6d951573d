"""Call metrics for the overview: who called, when, about what, and how the calls were handled.

Five aggregate queries whatever the number of calls (`CallMetrics`): totals per location, calls per
local hour x weekday, per source, per event, per provider preference, plus one per service category.
Hours and weekdays are each location's wall clock (`LocalPart` reads `location.time_zone` per row).

Definitions (also shown next to each figure):
- bookable call: routed booking, rebooking, event follow-up, member support or bundle help -- the
  routes where answering at once can turn into a visit or a member's use of credits (the ROI model's
  "share with bookable or member-use intent");
- call with a question: the caller asked something the call plan covers or must leave to staff
  (`answers_given` or `not_promised` is not empty); safety escalations are left out of both sides,
  since their emergency script is read whatever was asked;
- approved-answer rate: calls with a question that got at least one approved answer / calls with a question;
- summary completeness: average of the finalised calls' completeness scores (captured / applicable fields);
- event consult booked: a call attributed to an event whose inbox item was resolved "Booked consult";
  shown: that caller (the call's or the inbox item's patient) completed a consultation after the call.
"""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Round

from medspa.dashboards import charts, rollup
from medspa.dashboards.aggregates import LocalPart
from medspa.dashboards.filters import DashboardFilter, slices_q
from medspa.dashboards.metrics import Sourced
from medspa.dashboards.tables import Table, panel, share
from medspa.models import Handoff, Service, Visit
from medspa.routes import Route

from .models import Call, Event

BOOKABLE_ROUTES = (Route.BOOKING, Route.REBOOKING, Route.EVENT_FOLLOW_UP, Route.MEMBER_SUPPORT, Route.BUNDLE_HELP)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOT_SAFETY = ~Q(route=Route.SAFETY_ESCALATION)
ANSWERED = ~Q(answers_given=[]) & NOT_SAFETY
QUESTION = (~Q(answers_given=[]) | ~Q(not_promised=[])) & NOT_SAFETY
NO_INTEREST = Q(fields__service_interest__isnull=True) | Q(fields__service_interest=[])


def calls_in(f: DashboardFilter):
    """Calls that started in the range (index call_location_started_idx)."""
    return Call.objects.filter(location_id__in=f.location_ids, started_at__gte=f.since, started_at__lt=f.until)


def hour_label(hour: int) -> str:
    return f"{(hour % 12) or 12} {'am' if hour < 12 else 'pm'}"


CATEGORY_SQL = {
    # One row per (call, named service); a call naming two services of one category counts once there.
    "postgresql": """
        SELECT s.category, COUNT(DISTINCT c.id)
        FROM {call} c
        CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(c.fields -> 'service_interest') = 'array'
                 THEN c.fields -> 'service_interest' ELSE '[]'::jsonb END) AS interest(name)
        JOIN {service} s ON s.name = interest.name
        WHERE {where}
        GROUP BY s.category""",
    "sqlite": """
        SELECT s.category, COUNT(DISTINCT c.id)
        FROM {call} c, json_each(c.fields, '$.service_interest') AS interest
        JOIN {service} s ON s.name = interest.value
        WHERE {where}
        GROUP BY s.category""",
}

LOCATION_MEASURES = ("calls", "after_hours", "bookable", "questions", "answered", "staff_review", "provider_review",
                     "safety", "finalized", "completeness_micro", "no_interest", "event_calls")


def category_counts(slices) -> dict[str, int]:
    """Calls per service category named (a call naming two services of one category counts once there)."""
    vendor = connection.vendor if connection.vendor in CATEGORY_SQL else "postgresql"
    ops = connection.ops
    where = " OR ".join(["(c.location_id = %s AND c.started_at >= %s AND c.started_at < %s)"] * len(slices))
    params = [value for location_id, since, until in slices for value in
              (location_id, ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(until))]
    sql = CATEGORY_SQL[vendor].format(call=Call._meta.db_table, service=Service._meta.db_table, where=where)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _by_field(calls, key: str) -> list[dict]:
    # A missing key and an empty string are both "not stated": one group.
    return list(
        calls.annotate(value=Coalesce(KeyTextTransform(key, "fields"), Value(""), output_field=TextField()))
        .values("value").annotate(calls=Count("id")).order_by()
    )


def daily_figures(slices) -> Counter:
    """The overview's call figures for the daily rollup (medspa/dashboards/rollup.py): per location
    `calls:<location>:<measure>`, `heat:<weekday>:<hour>`, `source:<value>`, `provider:<value>`,
    `category:<category>`."""
    out = Counter()
    calls = Call.objects.filter(slices_q(slices, "started_at"))
    finalized = Q(finalized_at__isnull=False)
    for row in calls.values("location_id").annotate(
        calls=Count("id"),
        after_hours=Count("id", filter=Q(after_hours=True)),
        bookable=Count("id", filter=Q(route__in=BOOKABLE_ROUTES)),
        questions=Count("id", filter=QUESTION),
        answered=Count("id", filter=ANSWERED),
        staff_review=Count("id", filter=Q(route=Route.STAFF_REVIEW)),
        provider_review=Count("id", filter=Q(route=Route.PROVIDER_REVIEW)),
        safety=Count("id", filter=Q(route=Route.SAFETY_ESCALATION)),
        finalized=Count("id", filter=finalized),
        # Whole millionths, so the sum is the same whichever days it is added up from.
        completeness_micro=Sum(Round(F("completeness") * 1_000_000), filter=finalized),
        no_interest=Count("id", filter=NO_INTEREST),
        event_calls=Count("id", filter=Q(event__isnull=False)),
    ).order_by():
        for measure in LOCATION_MEASURES:
            out[f"calls:{row['location_id']}:{measure}"] += int(row[measure] or 0)
    heat = (calls.annotate(dow=LocalPart("started_at", "location__time_zone", "isodow"),
                           hour=LocalPart("started_at", "location__time_zone", "hour"))
            .values("dow", "hour").annotate(n=Count("id")).order_by())
    for row in heat:
        out[f"heat:{row['dow']}:{row['hour']}"] += row["n"]
    for prefix, key in (("source", "event_source"), ("provider", "provider_preference")):
        for row in _by_field(calls, key):
            out[f"{prefix}:{row['value']}"] += row["calls"]
    for category, n in category_counts(slices).items():
        out[f"category:{category}"] += n
    for row in event_figures(calls):
        for measure in ("calls", "consults_booked", "consults_shown"):
            out[f"event:{row['event_id']}:{measure}"] += row[measure]
    return out


def event_figures(calls) -> list[dict]:
    """Per event: calls, consults booked (the call's inbox item resolved so), consults shown (that caller
    completed a consultation after the call)."""
    booked = Q(handoff__outcome=Handoff.Outcome.BOOKED_CONSULT)
    consult_after = Visit.objects.filter(
        patient_id=Coalesce(OuterRef("patient_id"), OuterRef("handoff__patient_id")),
        service__category=Service.Category.CONSULT, status=Visit.Status.COMPLETED,
        starts_at__gt=OuterRef("started_at"),
    )
    return list(
        calls.filter(event__isnull=False)
        # Only calls that booked a consult need the (indexed) look-ahead for the visit.
        .annotate(shown=Case(When(booked, then=Exists(consult_after)), default=Value(False)))
        .values("event_id")
        .annotate(calls=Count("id"), consults_booked=Count("id", filter=booked),
                  consults_shown=Count("id", filter=Q(shown=True)))
        .order_by()
    )


def calls_shown_by(visit) -> list[tuple[int, object]]:
    """Where a visit's change can move `consults_shown`: the patient's event calls before it (rollup.watch)."""
    if visit.patient_id is None or visit.starts_at is None:
        return []
    return list(Call.objects.filter(Q(patient_id=visit.patient_id) | Q(handoff__patient_id=visit.patient_id),
                                    event__isnull=False, started_at__lt=visit.starts_at)
                .values_list("location_id", "started_at"))


def call_of(handoff) -> list[tuple[int, object]]:
    """Where an inbox item's change can move a call figure (its outcome): its call (rollup.watch)."""
    return list(Call.objects.filter(handoff_id=handoff.pk).values_list("location_id", "started_at"))


def _prefixed(figures: Counter, prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: n for key, n in figures.items() if key.startswith(prefix) and n}


class CallMetrics:
    """Call sections of the overview. Each cached property is one aggregate query."""

    def __init__(self, f: DashboardFilter):
        self.f = f

    # --- queries ----------------------------------------------------------------------------

    @cached_property
    def figures(self) -> Counter:
        """The additive call figures through the daily rollup: stored days + live edges."""
        return rollup.figures(self.f)

    @cached_property
    def call_locations(self) -> list[dict]:
        names = {loc.pk: loc.name for loc in self.f.locations}
        rows = []
        for location_id in self.f.location_ids:
            row = {measure: self.figures[f"calls:{location_id}:{measure}"] for measure in LOCATION_MEASURES}
            if row["calls"]:
                row["completeness"] = Decimal(row.pop("completeness_micro")) / 1_000_000
                rows.append({"location_id": location_id, "location__name": names.get(location_id, ""), **row})
        return sorted(rows, key=lambda row: row["location__name"])

    @cached_property
    def call_totals(self) -> dict:
        keys = ("calls", "after_hours", "bookable", "questions", "answered", "staff_review", "provider_review",
                "safety", "finalized", "no_interest", "event_calls")
        totals = {key: sum(row[key] for row in self.call_locations) for key in keys}
        totals["completeness"] = sum(row["completeness"] for row in self.call_locations)
        return totals

    @cached_property
    def call_heat(self) -> dict[tuple[int, int], int]:
        """(ISO weekday 1-7, local hour 0-23) -> calls."""
        return {tuple(int(part) for part in key.split(":")): n for key, n in _prefixed(self.figures, "heat:").items()}

    def _field_rows(self, prefix: str) -> list[dict]:
        rows = [{"value": value, "calls": n} for value, n in _prefixed(self.figures, prefix).items()]
        return sorted(rows, key=lambda row: (-row["calls"], row["value"]))

    @cached_property
    def source_rows(self) -> list[dict]:
        return self._field_rows("source:")

    @cached_property
    def provider_rows(self) -> list[dict]:
        return self._field_rows("provider:")

    @cached_property
    def event_rows(self) -> list[dict]:
        counts: dict[int, dict] = {}
        for key, n in _prefixed(self.figures, "event:").items():
            event_id, measure = key.split(":")
            counts.setdefault(int(event_id), {"calls": 0, "consults_booked": 0, "consults_shown": 0})[measure] = n
        events = Event.objects.filter(pk__in=[pk for pk, row in counts.items() if row["calls"]])
        rows = [{"event_id": e.pk, "event__name": e.name, "event__kind": e.kind, "event__starts_at": e.starts_at,
                 **counts[e.pk]} for e in events]
        return sorted(rows, key=lambda row: (-row["calls"], row["event__name"]))

    @cached_property
    def category_counts(self) -> dict[str, int]:
        return _prefixed(self.figures, "category:")

    # --- sections ---------------------------------------------------------------------------

    CALL_FORMATS = {"after_hours_share": "percent", "bookable_share": "percent", "approved_answer_rate": "percent",
                    "staff_review_rate": "percent", "provider_review_rate": "percent", "safety_rate": "percent",
                    "completeness": "percent", "event_show_rate": "percent"}

    def calls_summary(self) -> Table:
        t = self.call_totals
        booked = sum(row["consults_booked"] for row in self.event_rows)
        shown = sum(row["consults_shown"] for row in self.event_rows)
        rows = [
            ("calls", "Calls", t["calls"], "Calls that started in the range (every intake path)."),
            ("after_hours_share", "After-hours share", share(t["after_hours"], t["calls"]),
             "Calls outside the location's business hours / all calls."),
            ("bookable_share", "Bookable share", share(t["bookable"], t["calls"]),
             "Calls routed booking, rebooking, event follow-up, member support or bundle help / all calls."),
            ("approved_answer_rate", "Approved-answer rate", share(t["answered"], t["questions"]),
             f"Calls answered with approved wording / the {t['questions']} calls with a question "
             "(plan-covered or left for staff; safety calls excluded)."),
            ("staff_review_rate", "Calls sent to staff review", share(t["staff_review"], t["calls"]),
             "Calls routed to staff review / all calls."),
            ("provider_review_rate", "Calls sent to a provider", share(t["provider_review"], t["calls"]),
             "Calls routed to a provider / all calls."),
            ("safety_rate", "Calls escalated for safety", share(t["safety"], t["calls"]),
             "Calls escalated for safety / all calls."),
            ("completeness", "Summary completeness", share(t["completeness"], t["finalized"]),
             f"Average share of applicable fields captured, over {t['finalized']} finalised calls."),
            ("event_calls", "Event calls", t["event_calls"], "Calls attributed to an event or campaign."),
            ("event_consults_booked", "Event consults booked", booked,
             "Event calls whose inbox item was resolved “Booked consult”."),
            ("event_consults_shown", "Event consults shown", shown,
             "Of those, callers who completed a consultation after the call."),
        ]
        return Table(
            "calls", "Calls",
            [("metric", "Metric"), ("value", "Value"), ("definition", "Definition")],
            [{"key": key, "metric": label, "value": value, "definition": text,
              "value_format": self.CALL_FORMATS.get(key)} for key, label, value, text in rows],
        )

    def calls_heat(self) -> Table:
        heat = self.call_heat
        columns = [("day", "Day")] + [(f"h{h}", hour_label(h)) for h in range(24)] + [("total", "Total")]
        rows = []
        for dow, day in enumerate(WEEKDAYS, start=1):
            row = {"day": day, **{f"h{h}": heat.get((dow, h), 0) for h in range(24)}}
            row["total"] = sum(row[f"h{h}"] for h in range(24))
            rows.append(row)
        return Table("calls-heat", "Calls by weekday and hour (local time)", columns, rows,
                     notes=["Each call at its own location's local time."])

    def calls_by_hour(self) -> Table:
        total = self.call_totals["calls"]
        counts = [sum(n for (_dow, hour), n in self.call_heat.items() if hour == h) for h in range(24)]
        rows = [{"hour": h, "label": hour_label(h), "calls": n, "share": share(n, total)}
                for h, n in enumerate(counts)]
        return Table("calls-by-hour", "Calls by hour of day (local time)",
                     [("label", "Hour"), ("calls", "Calls"), ("share", "Share")], rows if total else [],
                     formats={"share": "percent"})

    def calls_by_weekday(self) -> Table:
        total = self.call_totals["calls"]
        rows = []
        for dow, day in enumerate(WEEKDAYS, start=1):
            n = sum(count for (d, _hour), count in self.call_heat.items() if d == dow)
            rows.append({"day": day, "calls": n, "share": share(n, total)})
        return Table("calls-by-weekday", "Calls by day of week", [("day", "Day"), ("calls", "Calls"),
                                                                  ("share", "Share")],
                     rows if total else [], formats={"share": "percent"})

    def _counted(self, key, title, label, rows, empty_label) -> Table:
        total = self.call_totals["calls"]
        out = [{"value": row["value"] or "", "label": row["value"] or empty_label, "calls": row["calls"],
                "share": share(row["calls"], total)} for row in rows]
        out.sort(key=lambda row: (row["value"] == "", -row["calls"], row["label"]))  # "not stated" last
        return Table(key, title, [("label", label), ("calls", "Calls"), ("share", "Share of calls")], out,
                     formats={"share": "percent"})

    def calls_by_source(self) -> Table:
        return self._counted("calls-by-source", "Calls by source", "Source", self.source_rows, "Not stated")

    def calls_by_provider(self) -> Table:
        return self._counted("calls-by-provider", "Calls by provider asked for", "Provider", self.provider_rows,
                             "No preference")

    def calls_by_event(self) -> Table:
        kinds = dict(Event.Kind.choices)
        rows = [{"event": row["event__name"], "kind": kinds.get(row["event__kind"], row["event__kind"]),
                 "calls": row["calls"], "consults_booked": row["consults_booked"],
                 "consults_shown": row["consults_shown"]} for row in self.event_rows]
        t = self.call_totals
        return Table("calls-by-event", "Calls by event / campaign",
                     [("event", "Event"), ("kind", "Kind"), ("calls", "Calls"),
                      ("consults_booked", "Consults booked"), ("consults_shown", "Consults shown")], rows,
                     notes=[f"{t['calls'] - t['event_calls']} calls were not attributed to an event."])

    def calls_by_category(self) -> Table:
        total, labels = self.call_totals["calls"], dict(Service.Category.choices)
        rows = [{"category": cat, "label": labels.get(cat, cat), "calls": n, "share": share(n, total)}
                for cat, n in sorted(self.category_counts.items(), key=lambda item: (-item[1], item[0]))]
        if total:
            none = self.call_totals["no_interest"]
            rows.append({"category": "", "label": "No service named", "calls": none, "share": share(none, total)})
        return Table("calls-by-category", "Calls by service category",
                     [("label", "Category"), ("calls", "Calls"), ("share", "Share of calls")], rows,
                     notes=["A call naming services in two categories counts in both."], formats={"share": "percent"})

    def calls_by_location(self) -> Table:
        rows = [{"location": row["location__name"], "calls": row["calls"], "after_hours": row["after_hours"],
                 "after_hours_share": share(row["after_hours"], row["calls"]),
                 "bookable_share": share(row["bookable"], row["calls"]),
                 "approved_answer_rate": share(row["answered"], row["questions"])} for row in self.call_locations]
        return Table("calls-by-location", "Calls by location",
                     [("location", "Location"), ("calls", "Calls"), ("after_hours", "After hours"),
                      ("after_hours_share", "After-hours share"), ("bookable_share", "Bookable share"),
                      ("approved_answer_rate", "Approved-answer rate")], rows,
                     formats={"after_hours_share": "percent", "bookable_share": "percent",
                              "approved_answer_rate": "percent"})


CALL_SECTIONS = {
    "calls": "calls_summary", "calls-heat": "calls_heat", "calls-by-hour": "calls_by_hour",
    "calls-by-weekday": "calls_by_weekday", "calls-by-source": "calls_by_source", "calls-by-event": "calls_by_event",
    "calls-by-category": "calls_by_category", "calls-by-provider": "calls_by_provider",
    "calls-by-location": "calls_by_location",
}


# --- what the dashboard shell finds here (settings.DASHBOARD_SECTIONS, medspa/dashboards/sections.py) ---

Metrics = CallMetrics
SECTIONS = CALL_SECTIONS
EVENT_SERIES = [("calls", "Calls"), ("consults_booked", "Consults booked"), ("consults_shown", "Consults shown")]


def heat_cells(table: Table) -> list[dict]:
    """The weekday x hour grid with a 0-1 intensity per cell (the heat strip; numbers in the cells)."""
    hours = [key for key, _ in table.columns if key.startswith("h")]
    peak = max([row[key] for row in table.rows for key in hours] or [0]) or 1
    return [{"day": row["day"], "total": row["total"],
             "cells": [{"n": row[key], "alpha": round(row[key] / peak, 2), "hour": label}
                       for key, label in table.columns if key in hours]} for row in table.rows]


def overview_context(f: DashboardFilter) -> dict:
    """The call panels of the overview page."""
    m = CallMetrics(f)
    calls = m.calls_summary()
    if not m.call_totals["calls"]:
        return {"calls": calls, "has_calls": False}
    heat, by_hour, weekday = m.calls_heat(), m.calls_by_hour(), m.calls_by_weekday()
    source, event, category = m.calls_by_source(), m.calls_by_event(), m.calls_by_category()
    provider, location = m.calls_by_provider(), m.calls_by_location()
    return {
        "calls": calls, "has_calls": True,
        "heat_panel": {**panel(heat, None, f), "grid": heat_cells(heat),
                       "hours": [label for key, label in heat.columns if key.startswith("h")]},
        "hour_panel": panel(by_hour, charts.bar(by_hour, "label", [("calls", "Calls")]), f),
        "weekday_panel": panel(weekday, charts.bar(weekday, "day", [("calls", "Calls")]), f),
        "source_panel": panel(source, charts.doughnut(source, "label", "calls"), f),
        "event_panel": panel(event, charts.bar(event, "event", EVENT_SERIES, horizontal=True) if event.rows else None,
                             f),
        "category_panel": panel(category, charts.bar(category, "label", [("calls", "Calls")], horizontal=True), f),
        "provider_panel": panel(provider, charts.bar(provider, "label", [("calls", "Calls")], horizontal=True), f),
        "location_panel": panel(location, None, f),
    }


def roi_defaults(f: DashboardFilter, span: str) -> dict[str, Sourced]:
    """Monthly calls and bookable share measured from the clinic's calls in the range (one query).

    Monthly calls = calls in the range scaled to 30 days (the range is 30 days by default).
    Bookable share = calls routed booking, rebooking, event follow-up, member support or bundle help
    (`BOOKABLE_ROUTES`: a visit or a member's use of credits can follow) / all calls.
    Empty when no call was recorded in the range: the planning defaults apply and say so.
    """
    m = calls_in(f).aggregate(calls=Count("id"), bookable=Count("id", filter=Q(route__in=BOOKABLE_ROUTES)))
    if not m["calls"]:
        return {}
    monthly = (Decimal(m["calls"]) * 30 / f.days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    scaled = "" if f.days == 30 else f" (scaled from {f.days} days to 30)"
    return {
        "monthly_calls": Sourced(monthly, f"measured: {m['calls']} calls, {span}{scaled}", True),
        "bookable_share": Sourced(
            share(m["bookable"], m["calls"]),
            f"measured: {m['bookable']} of {m['calls']} calls were routed booking, rebooking, event follow-up, "
            f"member support or bundle help, {span}", True),
    }
