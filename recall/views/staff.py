"""Staff pages: the recall dashboard (counts, outcomes, due list) and the owner's history upload."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from medspa.htmx import for_htmx
from medspa.models import Location, log_action, log_reads
from medspa.permissions import owner_required, staff_required

from .. import imports, metrics
from ..forms import DueFilterForm, ImportForm
from ..models import CallOutcome, ImportJob, RecallSchedule
from ..models.schedules import OWING_STATES
from ..queue import enqueue_import

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
    """The upload answers at once: the file is stored with a job and a Celery worker imports it."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            created_by=request.user, file_name=upload.name[:255], file_size=upload.size, data=upload.read(),
            consent=form.cleaned_data["consent"], location_ids=request.user.location_ids())
        log_action(request.user, "recall.history_uploaded", job, file=upload.name, size=upload.size)
        transaction.on_commit(lambda: enqueue_import(job.pk))
        return redirect("recall:import_job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).defer("data", "report")[:10]
    return render(request, "recall/import.html", {"form": form, "jobs": jobs,
                                                  "location": Location.objects.visible_to(request.user).first()},
                  status=400 if form.errors else 200)


@owner_required
def import_job(request, pk):
    """Progress while the worker imports (htmx polls the partial), then the data-quality report."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).defer("data"), pk=pk)
    rejected = Paginator((job.report or {}).get("rejected", []), 200).get_page(request.GET.get("page"))
    context = {"job": job, "c": job.counts or {}, "rejected": rejected,
               "warnings": (job.report or {}).get("warnings", []), "can_retry": job.can_retry()}
    if request.htmx and request.htmx.target == "import-progress":
        return render(request, "recall/_import_progress.html", context)
    return render(request, "recall/import_job.html", context)


@owner_required
@require_POST
def import_retry(request, pk):
    """"Try again" on a failed import whose file is kept: it resumes after the rows already written."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).defer("data"), pk=pk)
    if not imports.retry(job, request.user):
        messages.error(request, "This import cannot be tried again: upload the file again.")
    return redirect("recall:import_job", pk=job.pk)
