"""Owner dashboards: the ROI model, the first 30 days by revenue path, members and recall.

Every view is owner-only and reads through `filters.filter_for`, which scopes to the owner's own
locations; the numbers come from `metrics` (a fixed handful of aggregate queries per page).
"""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from ..models import log_read
from ..permissions import owner_required
from . import charts
from .csvexport import csv_response
from .filters import filter_for
from .forms import PERCENT_FIELDS, RoiForm
from .members import MEMBER_SECTIONS, MemberMetrics
from .metrics import SECTIONS, OverviewMetrics, Table, roi_defaults
from .recall import RECALL_SECTIONS, RecallMetrics
from .roi import model
from .session import analytics_view


def panel(table: Table, chart: dict | None, f) -> dict:
    return {
        "table": table,
        "chart": chart,
        "chart_id": f"chart-{table.key}",
        "csv_url": reverse("dashboards:export", args=[table.key]) + "?" + f.query_string(),
    }


def heat_cells(table: Table) -> list[dict]:
    """The weekday x hour grid with a 0-1 intensity per cell (the heat strip; numbers in the cells)."""
    hours = [key for key, _ in table.columns if key.startswith("h")]
    peak = max([row[key] for row in table.rows for key in hours] or [0]) or 1
    return [{"day": row["day"], "total": row["total"],
             "cells": [{"n": row[key], "alpha": round(row[key] / peak, 2), "hour": label}
                       for key, label in table.columns if key in hours]} for row in table.rows]


EVENT_SERIES = [("calls", "Calls"), ("consults_booked", "Consults booked"), ("consults_shown", "Consults shown")]


def call_panels(m: OverviewMetrics, f) -> dict:
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


@owner_required
@analytics_view
def overview(request):
    form, f = filter_for(request)
    m = OverviewMetrics(f)
    revenue, routes, follow_up = m.revenue_path(), m.routes(), m.follow_up()
    funnel = Table(revenue.key, revenue.title, revenue.columns,
                   [revenue.row(k) for k in ("consults_booked", "consults_shown", "treatments_booked",
                                             "treatments_completed", "repeat_protected")])
    mix = m.treatment_mix()
    context = {
        "form": form,
        "f": f,
        "revenue": revenue,
        "revenue_panel": panel(revenue, charts.bar(funnel, "metric", [("value", "Visits")]), f),
        "routes_panel": panel(routes, charts.doughnut(routes, "label", "items", colors=charts.route_colors(routes))
                              if routes.rows else None, f),
        "follow_up_panel": panel(
            follow_up,
            charts.bar(follow_up, "label", [("median_minutes", "Median"), ("p90_minutes", "90th percentile")],
                       horizontal=True) if routes.rows else None,
            f,
        ),
        "review_panel": panel(m.review_rates(), None, f),
        "time_saved": panel(m.time_saved(), None, f),
        "mix_panel": panel(mix, charts.bar(mix, "label", [("value", "Value ($)")], money=True)
                           if mix.rows else None, f),
        **call_panels(m, f),
    }
    return render(request, "dashboards/overview.html", context)


def roi_table(result, sources: dict) -> Table:
    rows = []
    for name, field in RoiForm.base_fields.items():
        value = getattr(result.inputs, name)
        if value is not None and name in PERCENT_FIELDS:
            value = (value * 100).quantize(Decimal("0.01"))  # the label says (%)
        rows.append({"key": name, "item": field.label, "value": value, "source": sources.get(name, ""),
                     "value_format": "money" if name in ("avg_visit_value", "member_value") else None})
    outputs = [
        ("recovered_bookings", "Recovered bookings per month", result.recovered_bookings, None),
        ("modeled_monthly_value", "Modeled monthly visit value", result.modeled_monthly_value, "money"),
        ("shown_visits", "Visits that show", result.shown_visits, None),
        ("treatment_visits", "Treatments after consult close rate", result.treatment_visits, None),
        ("capacity_visits", "Capacity (visits)", result.capacity_visits, None),
        ("adjusted_visits", "Adjusted visits", result.adjusted_visits, None),
        ("blended_visit_value", "Blended visit value", result.blended_visit_value, "money"),
        ("adjusted_monthly_value", "Adjusted monthly visit value", result.adjusted_monthly_value, "money"),
    ]
    for key, label, value, fmt in outputs:
        if isinstance(value, Decimal):
            value = value.quantize(Decimal("0.1"))
        rows.append({"key": key, "item": label, "value": value, "value_format": fmt, "source": "model output"})
    return Table("roi", "ROI model", [("item", "Item"), ("value", "Value"), ("source", "Source")], rows)


@owner_required
@analytics_view
def roi(request):
    form, f = filter_for(request)
    defaults = roi_defaults(f)
    initial = RoiForm.initial_data(defaults)
    data = {**initial, **{name: request.GET[name] for name in RoiForm.base_fields if name in request.GET}}
    roi_form = RoiForm(data)
    result = model(roi_form.to_inputs()) if roi_form.is_valid() else None
    context = {"form": form, "f": f, "roi_form": roi_form, "result": result,
               "fields": [(roi_form[name], defaults[name]) for name in RoiForm.base_fields]}
    if result:
        sources = {name: "edited by you" if data[name] != initial[name] else defaults[name].source
                   for name in RoiForm.base_fields}
        table = roi_table(result, sources)
        compare = Table("roi", "Monthly visit value", [("label", ""), ("value", "")], [
            {"label": "Modeled", "value": result.modeled_monthly_value},
            {"label": "Adjusted", "value": result.adjusted_monthly_value},
        ])
        context["roi_panel"] = panel(table, charts.bar(compare, "label", [("value", "Monthly value ($)")],
                                                       money=True, colors=["#7a3e6d", "#12b76a"]), f)
        query = request.GET.copy()
        for name, value in {**data, "format": "csv"}.items():
            query[name] = value
        context["roi_panel"]["csv_url"] = reverse("dashboards:roi") + "?" + query.urlencode()
        if request.GET.get("format") == "csv":
            return csv_response(table, f)
    template = "dashboards/_roi_results.html" if request.htmx else "dashboards/roi.html"
    return render(request, template, context)


@owner_required
@analytics_view
def members(request):
    form, f = filter_for(request)
    m = MemberMetrics(f)
    summary, plans, bundles = m.members_summary(), m.members_by_plan(), m.bundle_liability()
    context = {
        "form": form, "f": f, "summary": summary,
        "plans_panel": panel(plans, charts.bar(plans, "plan", [("active", "Active"), ("past_due", "Past due"),
                                                                ("frozen", "Frozen"), ("cancelling", "Cancelling")])
                             if plans.rows else None, f),
        "bundles_panel": panel(bundles, charts.bar(bundles, "service", [("liability", "Liability ($)")], money=True,
                                                   horizontal=True) if bundles.rows else None, f),
    }
    return render(request, "dashboards/members.html", context)


FUNNEL_COLORS = ["#7a3e6d", "#2e90fa", "#f79009", "#12b76a"]


@owner_required
@analytics_view
def recall(request):
    form, f = filter_for(request)
    m = RecallMetrics(f)
    services, funnel = m.recall_by_service(), m.recall_funnel()
    kinds, days = m.recall_by_kind(), m.recall_days_after_due()
    has_recovered = any(row["recovered"] for row in services.rows)
    context = {
        "form": form, "f": f, "has_schedules": bool(services.rows),
        "funnel_panel": panel(funnel, charts.bar(funnel, "stage", [("schedules", "Patients x services")],
                                                 colors=FUNNEL_COLORS) if funnel.rows else None, f),
        "services_panel": panel(services, charts.bar(services, "service", [("revenue", "Revenue recovered ($)")],
                                                     money=True, horizontal=True) if has_recovered else None, f),
        "lapse_panel": panel(m.recall_lapse(), None, f),
        "kinds_panel": panel(kinds, charts.bar(kinds, "label", [("touches", "Touches sent"),
                                                                ("recovered", "Visits recovered")])
                             if any(row["touches"] or row["recovered"] for row in kinds.rows) else None, f),
        "days_panel": panel(days, charts.bar(days, "label", [("recovered", "Visits recovered")])
                            if has_recovered else None, f),
    }
    return render(request, "dashboards/recall.html", context)


# CSV export: section key -> (metrics class, method); one registry for every dashboard page.
EXPORTS = {
    **{key: (OverviewMetrics, name) for key, name in SECTIONS.items()},
    **{key: (MemberMetrics, name) for key, name in MEMBER_SECTIONS.items()},
    **{key: (RecallMetrics, name) for key, name in RECALL_SECTIONS.items()},
}


@owner_required
@analytics_view
def export(request, section):
    if section not in EXPORTS:
        raise Http404("No such dashboard section.")
    _form, f = filter_for(request)
    metrics, name = EXPORTS[section]
    log_read(request, "export.csv", section=section, filters=f.query_string())
    return csv_response(getattr(metrics(f), name)(), f)
