from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from medspa.forms import PatientForm
from medspa.htmx import for_htmx
from medspa.models import Location, log_action, log_read, log_reads
from medspa.models.clinic import Role
from medspa.permissions import has_role, owner_required, role_required, staff_required

from . import intake as pipeline
from .forms import CallFilterForm, EventForm, IntakeForm, PlanForm, PlanTestForm, PreviewForm
from .models import Call, CallPlan, Event, Topic
from .summary import FIELD_LABELS

INTAKE_ROLES = (Role.COORDINATOR, Role.OWNER)
intake_required = role_required(*INTAKE_ROLES)


@staff_required
def call_list(request):
    form = CallFilterForm(request.GET or None, user=request.user)
    calls = Call.objects.visible_to(request.user).select_related("location", "event", "handoff", "patient")
    if form.is_valid():
        data = form.cleaned_data
        if data["route"]:
            calls = calls.filter(route=data["route"])
        if data["location"]:
            calls = calls.filter(location=data["location"])
        if data["event"]:
            calls = calls.filter(event=data["event"])
        if data["date"]:
            tz = (data["location"] or Location.objects.visible_to(request.user).first() or Location()).tz
            start = datetime.combine(data["date"], time.min, tzinfo=tz)
            calls = calls.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))
    page = Paginator(calls.order_by("-started_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    log_reads(request, "call.listed", [c.patient for c in page.object_list if c.patient_id])
    return render(request, "calls/list.html", {"page": page, "form": form, "filter_query": query.urlencode(),
                                               "can_take_calls": has_role(request.user, *INTAKE_ROLES)})


@staff_required
def call_detail(request, pk):
    call = get_object_or_404(
        Call.objects.visible_to(request.user).select_related("location", "event", "patient", "handoff",
                                                             "plan_version", "created_by"), pk=pk)
    log_read(request, "call.viewed", call, patient=call.patient)
    return render(request, "calls/detail.html", {
        "call": call, "summary": call.summary, "turns": call.turns.all(), "field_labels": FIELD_LABELS,
        "can_take_calls": has_role(request.user, *INTAKE_ROLES),
    })


@intake_required
@require_http_methods(["GET", "POST"])
def call_make_patient(request, pk):
    """A new caller becomes a patient from the call: the form starts from what the call captured, and
    the call and its inbox item are linked to the new record."""
    call = get_object_or_404(Call.objects.visible_to(request.user).select_related("location", "handoff"), pk=pk)
    if call.patient_id:
        return redirect("patient_detail", pk=call.patient_id)
    first, _, last = (call.caller_name or "").strip().partition(" ")
    initial = {"first_name": first, "last_name": last, "phone": call.from_number, "email": call.email,
               "location": call.location_id}
    form = PatientForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        patient = form.save()
        Call.objects.filter(pk=call.pk).update(patient=patient)
        if call.handoff_id:
            call.handoff.patient = patient
            call.handoff.save(update_fields=["patient", "priority"])
        log_action(request.user, "patient.created", patient, location=patient.location, from_call=call.pk)
        messages.success(request, f"Added {patient.full_name} as a patient and linked this call.")
        return redirect("patient_detail", pk=patient.pk)
    return render(request, "medspa/patient_form.html", {"form": form, "patient": None, "from_call": call},
                  status=400 if form.errors else 200)


def _preview_context(form):
    data = form.cleaned_data
    location = data.get("location")
    if location is None:
        return {"preview": None}
    call, plan, summary = pipeline.preview(
        location=location, notes=data.get("notes") or "", direct_fields=form.direct_fields(),
        event=data.get("event"), from_number=data.get("phone") or "",
    )
    return {"preview": {"call": call, "plan": plan, "summary": summary,
                        "missing": [FIELD_LABELS.get(k, k) for k in summary["completeness"]["missing"]]}}


@intake_required
@require_http_methods(["GET", "POST"])
def intake(request):
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [line.strip() for line in data["notes"].splitlines() if line.strip()]
        call = pipeline.record_call(
            location=data["location"], channel=Call.Channel.COORDINATOR_FORM,
            turns=[{"speaker": "note", "text": line} for line in lines], from_number=data["phone"],
            caller_name=data["caller_name"], email=data["email"], direct_fields=form.direct_fields(),
            event=data["event"], created_by=request.user,
        )
        messages.success(request, f"Call saved and sent to the inbox ({call.get_route_display().lower()}).")
        return redirect("calls:detail", pk=call.pk)
    context = {"form": form, "preview": None}
    if request.method == "POST":
        preview_form = PreviewForm(request.POST, user=request.user)
        if preview_form.is_valid():
            context.update(_preview_context(preview_form))
    return render(request, "calls/intake.html", context, status=400 if request.method == "POST" else 200)


@intake_required
@require_POST
def intake_preview(request):
    form = PreviewForm(request.POST, user=request.user)
    context = _preview_context(form) if form.is_valid() else {"preview": None, "errors": form.errors}
    return render(request, "calls/_intake_live.html", context)


def _owner_location(request, slug):
    locations = Location.objects.visible_to(request.user).order_by("name")
    location = locations.filter(slug=slug).first() if slug else locations.first()
    if location is None:
        raise Http404("No such location.")
    return location, locations


@owner_required
@require_http_methods(["GET", "POST"])
def plan(request, slug=None):
    location, locations = _owner_location(request, slug or request.GET.get("location"))
    current = CallPlan.current_for(location)
    start_from = current
    if request.method == "GET" and request.GET.get("from", "").isdigit():
        # Restoring an earlier version: its wording fills the form; publishing makes it the newest version.
        start_from = get_object_or_404(current.plan.versions, number=int(request.GET["from"]))
    form = PlanForm(request.POST or None, current=start_from.wording(), current_es=start_from.wording_es(),
                    initial={"note": f"Restored version {start_from.number}"} if start_from != current else None)
    if request.method == "POST" and form.is_valid():
        answers, answers_es = form.answers(), form.answers_es()
        if ({k: v.strip() for k, v in answers.items() if v.strip()} == current.wording()
                and {k: v.strip() for k, v in answers_es.items() if v.strip()} == current.wording_es()):
            messages.info(request, "Nothing changed, so no new version was published.")
            return redirect("calls:plan_location", slug=location.slug)
        try:
            version = current.plan.publish(answers, user=request.user, note=form.cleaned_data["note"],
                                           answers_es=answers_es)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Published version {version.number} of the {location} call plan.")
            return redirect("calls:plan_location", slug=location.slug)
    versions = current.plan.versions.select_related("created_by").prefetch_related("answers")
    return render(request, "calls/plan.html", {
        "location": location, "locations": locations, "form": form, "current": current, "versions": versions,
        "topics": Topic,
    }, status=400 if form.errors else 200)


@owner_required
@require_http_methods(["GET", "POST"])
@for_htmx(use_template="calls/_plan_test_result.html")
def plan_test(request):
    form = PlanTestForm(request.POST or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        location = form.cleaned_data["location"]
        call, plan_answers, summary = pipeline.preview(
            location=location, notes=form.cleaned_data["sentence"], direct_fields={})
        result = {"call": call, "plan": plan_answers, "version": call.plan_version}
    return TemplateResponse(request, "calls/plan_test.html", {"form": form, "result": result})


@staff_required
def event_list(request):
    events = Event.objects.visible_to(request.user).select_related("location").prefetch_related("services")
    show = request.GET.get("show", "upcoming")
    events = events.upcoming() if show == "upcoming" else events.filter(ends_at__lt=datetime.now().astimezone())
    events = events.order_by("starts_at" if show == "upcoming" else "-starts_at")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "calls/events.html", {"page": page, "show": show})


@owner_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk=None):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk) if pk else None
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(request.user, "event.created" if event is None else "event.updated", saved,
                   location=saved.location, fields=form.changed_data)
        messages.success(request, f"Saved {saved.name}.")
        return redirect("calls:events")
    return render(request, "calls/event_form.html", {"form": form, "event": event},
                  status=400 if form.errors else 200)
