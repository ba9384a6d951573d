"""Staff pages: the recall dashboard (counts, outcomes, due list) and the owner's history upload."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from medspa.htmx import for_htmx
from medspa.models import Location, log_action, log_reads
from medspa.permissions import owner_required, staff_required

from .. import metrics
from ..forms import DueFilterForm, ImportForm
from ..importer import HeaderError, import_history
from ..models import CallOutcome, RecallSchedule
from ..models.schedules import OWING_STATES

PERIODS = {"30": 30, "90": 90, "365": 365}


@staff_required
@for_htmx(if_hx_target="due-list", use_template="recall/_due_list.html")
def dashboard(request):
    days = PERIODS.get(request.GET.get("days", "30"), 30)
    end = timezone.now()
    start = end - timedelta(days=days)
    filters = DueFilterForm(request.GET or None, user=request.user)
    location_ids = request.user.location_ids()
    schedules = (RecallSchedule.objects.visible_to(request.user)
                 .select_related("patient__location", "service").order_by("due_date", "id"))
    state = ""
    if filters.is_valid():
        data = filters.cleaned_data
        if data["service"]:
            schedules = schedules.filter(service=data["service"])
        if data["location"]:
            schedules = schedules.filter(patient__location=data["location"])
            location_ids = [data["location"].pk]
        state = data["state"]
    schedules = schedules.filter(state=state) if state else schedules.filter(state__in=OWING_STATES)
    page = Paginator(schedules, 50).get_page(request.GET.get("page"))
    calls = metrics.call_outcomes(location_ids, start, end)
    log_reads(request, "recall.due_list_viewed", [s.patient for s in page])
    context = {"page": page, "filters": filters, "days": days,
               "summary": metrics.summary(location_ids, start, end),
               "by_kind": metrics.recovered_by_kind(location_ids, start, end),
               "by_channel": metrics.recovered_by_channel(location_ids, start, end),
               "calls": [(label, calls[key]) for key, label in CallOutcome.Outcome.choices],
               "to_call": metrics.to_call_count(location_ids)}
    return TemplateResponse(request, "recall/dashboard.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_history(form.cleaned_data["file"], consent=form.cleaned_data["consent"],
                                    locations=Location.objects.visible_to(request.user))
        except (HeaderError, UnicodeDecodeError) as exc:
            form.add_error("file", str(exc) if isinstance(exc, HeaderError) else "The file is not UTF-8 text.")
        else:
            log_action(request.user, "recall.history_imported", None, file=form.cleaned_data["file"].name,
                       rows=report.rows_read, imported=report.visits_imported, rejected=len(report.rejected))
            messages.success(request, f"Imported {report.visits_imported} visits from {report.rows_read} rows.")
    return render(request, "recall/import.html", {"form": form, "report": report})
