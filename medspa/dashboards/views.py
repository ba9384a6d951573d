"""Owner dashboards: the ROI model, the first 30 days by revenue path, and the apps' tabs (members, recall).

Every view is owner-only and reads through `filters.filter_for`, which scopes to the owner's own
locations; the numbers come from `metrics` and from the apps' sections (`sections.py`), a fixed
handful of aggregate queries per page.
"""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse

from ..htmx import for_htmx
from ..models import log_read
from ..permissions import owner_required
from . import charts, sections
from .csvexport import csv_response
from .filters import filter_for
from .forms import PERCENT_FIELDS, RoiForm
from .metrics import SECTIONS, OverviewMetrics, Table, roi_defaults
from .roi import model
from .session import analytics_view
from .tables import panel


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
        **sections.overview_context(f),
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
@for_htmx(use_template="dashboards/_roi_results.html")
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
    return TemplateResponse(request, "dashboards/roi.html", context)


@owner_required
@analytics_view
def page(request, slug):
    """An app's own tab (members, recall): its module fills the template's context."""
    module = sections.pages()[slug]
    form, f = filter_for(request)
    return render(request, module.PAGE[1], {"form": form, "f": f, **module.page_context(f)})


@owner_required
@analytics_view
def export(request, section):
    """CSV of any section: the overview's own (`metrics.SECTIONS`) or an app's (`sections.exports()`)."""
    exports = {**{key: (OverviewMetrics, name) for key, name in SECTIONS.items()}, **sections.exports()}
    if section not in exports:
        raise Http404("No such dashboard section.")
    _form, f = filter_for(request)
    metrics, name = exports[section]
    log_read(request, "export.csv", section=section, filters=f.query_string())
    return csv_response(getattr(metrics(f), name)(), f)
