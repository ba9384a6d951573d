from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from .forms import PatientConsentForm, PatientForm, VisitForm
from .htmx import for_htmx
from .models import Patient, Visit, log_action, log_read, log_reads
from .permissions import staff_required


def healthz(request):
    """Load balancers and compose health checks: the app is up and reaches its database."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    return JsonResponse({"ok": True})


def app_panels(patient, user) -> dict:
    """The apps' sections of the patient page (settings.PATIENT_PANELS: members, recall)."""
    context = {}
    for name in settings.PATIENT_PANELS:
        context.update(import_string(name)(patient, user))
    return context


@staff_required
def home(request):
    for name in ("inbox", "patients"):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return redirect("patients")


@staff_required
@for_htmx(if_hx_target="patient-rows", use_template="medspa/_patient_rows.html")
def patient_list(request):
    query = request.GET.get("q", "").strip()
    patients = (
        Patient.objects.visible_to(request.user)
        .search(query)
        .select_related("location")
        .annotate(visit_count=Count("visits"),
                  # "Last visit" is the last one that happened: never a future booking.
                  last_visit=Max("visits__starts_at", filter=Q(visits__status=Visit.Status.COMPLETED,
                                                              visits__starts_at__lte=timezone.now())))
        .order_by("last_name", "first_name", "id")
    )
    page = Paginator(patients, 50).get_page(request.GET.get("page"))
    log_reads(request, "patient.searched" if query else "patient.listed", page.object_list, q=query)
    return TemplateResponse(request, "medspa/patient_list.html", {"page": page, "query": query})


@staff_required
def patient_detail(request, pk):
    patient = get_object_or_404(Patient.objects.visible_to(request.user).select_related("location"), pk=pk)
    visits = patient.visits.select_related("service", "provider", "location").order_by("-starts_at")
    handoffs = patient.handoffs.select_related("location").order_by("-created_at")[:20]
    log_read(request, "patient.viewed", patient)
    return render(
        request,
        "medspa/patient_detail.html",
        {
            "patient": patient,
            "visits": visits,
            "handoffs": handoffs,
            "visit_form": VisitForm(user=request.user, patient=patient),
            "consent_form": PatientConsentForm(patient=patient),
            **app_panels(patient, request.user),
        },
    )


@staff_required
@require_http_methods(["POST"])
def patient_consent(request, pk):
    """The consent card: record texts and email consent with its source; each change is a ConsentEvent."""
    patient = get_object_or_404(Patient.objects.visible_to(request.user).select_related("location"), pk=pk)
    form = PatientConsentForm(request.POST, patient=patient)
    if form.is_valid():
        recorded = form.record_consent(patient, request.user)
        if recorded:
            log_action(request.user, "patient.consent_recorded", patient, location=patient.location,
                       channels=recorded, source=form.cleaned_data["consent_source"],
                       sms=patient.sms_consent, email=patient.email_consent)
            messages.success(request, "Consent recorded.")
        else:
            messages.info(request, "Nothing changed.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("patient_detail", pk=patient.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def patient_edit(request, pk=None):
    patient = None
    if pk is not None:
        patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=pk)
    form = PatientForm(request.POST or None, instance=patient, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(request.user, "patient.created" if patient is None else "patient.updated", saved,
                   location=saved.location, fields=form.changed_data)
        messages.success(request, f"Saved {saved.full_name}.")
        return redirect("patient_detail", pk=saved.pk)
    if patient is not None and request.method == "GET":
        log_read(request, "patient.edit_form_viewed", patient)
    return render(request, "medspa/patient_form.html", {"form": form, "patient": patient})


@staff_required
@require_http_methods(["POST"])
def visit_add(request, pk):
    patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=pk)
    form = VisitForm(request.POST, user=request.user, patient=patient)
    if form.is_valid():
        visit = form.save()
        log_action(request.user, "visit.created", visit, location=visit.location, status=visit.status)
        messages.success(request, f"Recorded {visit.service} ({visit.get_status_display().lower()}).")
        return redirect("patient_detail", pk=patient.pk)
    visits = patient.visits.select_related("service", "provider", "location").order_by("-starts_at")
    return render(
        request,
        "medspa/patient_detail.html",
        {"patient": patient, "visits": visits, "visit_form": form,
         "handoffs": patient.handoffs.select_related("location").order_by("-created_at")[:20],
         "consent_form": PatientConsentForm(patient=patient),
         **app_panels(patient, request.user)},
        status=400,
    )
