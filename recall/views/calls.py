"""The call list page (front desk, phone-friendly) and its one-click outcomes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from medspa.htmx import for_htmx
from medspa.models import log_reads
from medspa.permissions import staff_required

from ..call_list import call_list, record_outcome, with_history
from ..forms import CallListFilterForm, CallOutcomeForm
from ..models import RecallSchedule

PAGE_SIZE = 25


@staff_required
@for_htmx(if_hx_target="call-rows", use_template="recall/_call_rows.html")
def call_list_page(request):
    schedules = RecallSchedule.objects.visible_to(request.user)
    filters = CallListFilterForm(request.GET or None, user=request.user)
    if filters.is_valid():
        if filters.cleaned_data["service"]:
            schedules = schedules.filter(service=filters.cleaned_data["service"])
        if filters.cleaned_data["location"]:
            schedules = schedules.filter(patient__location=filters.cleaned_data["location"])
    page = Paginator(call_list(schedules), PAGE_SIZE).get_page(request.GET.get("page"))
    with_history(page.object_list)
    log_reads(request, "recall.call_list_viewed", [s.patient for s in page])
    return TemplateResponse(request, "recall/call_list.html",
                            {"page": page, "filters": filters, "outcomes": CallOutcomeForm.OUTCOMES})


@staff_required
@require_POST
def call_outcome(request, pk):
    """One click: record what the call brought. htmx swaps the row for the recorded outcome."""
    schedule = get_object_or_404(RecallSchedule.objects.visible_to(request.user), pk=pk)
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick one of the outcomes.")
        return redirect("recall:call_list")
    call, created = record_outcome(schedule.pk, form.cleaned_data["outcome"], request.user)
    if request.htmx:
        return TemplateResponse(request, "recall/_call_done.html", {"call": call, "created": created,
                                                                     "schedule": schedule})
    messages.success(request, f"{schedule.patient.full_name}: {call.get_outcome_display()}"
                              + ("" if created else " (already recorded)") + ".")
    return redirect("recall:call_list")
