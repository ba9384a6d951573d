"""The audit trail for owners: who read or changed what, filtered by patient or by person, with a CSV export.

An owner sees the rows of their own locations, and rows without a location written by their staff
(sign-ins, dashboard exports). Exporting the trail is itself audited.
"""

import csv

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import AuditLog, Location, Patient, User, log_read
from .permissions import owner_required

EXPORT_LIMIT = 100_000


class AuditFilter(forms.Form):
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Everyone")
    action = forms.CharField(required=False, max_length=60, label="Action starts with")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff(user).order_by("username")


def _staff(user):
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(locations__in=user.location_ids()).distinct()


def visible_rows(user):
    rows = AuditLog.objects.select_related("actor", "location", "patient")
    if user.is_superuser:
        return rows
    mine = user.location_ids()
    return rows.filter(Q(location_id__in=mine) | Q(location__isnull=True, actor__in=_staff(user)))


def _filtered(request):
    form = AuditFilter(request.GET or None, user=request.user)
    rows = visible_rows(request.user)
    patient = None
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            patient = Patient.objects.visible_to(request.user).filter(pk=data["patient"]).first()
            rows = rows.filter(patient=patient) if patient else rows.none()
        if data["user"]:
            rows = rows.filter(actor=data["user"])
        if data["action"]:
            rows = rows.filter(action__startswith=data["action"].strip())
        tz = (Location.objects.visible_to(request.user).first() or Location()).tz
        if data["since"]:
            rows = rows.filter(created_at__gte=timezone.datetime.combine(data["since"], timezone.datetime.min.time(),
                                                                         tzinfo=tz))
        if data["until"]:
            end = timezone.datetime.combine(data["until"], timezone.datetime.min.time(), tzinfo=tz)
            rows = rows.filter(created_at__lt=end + timezone.timedelta(days=1))
    return form, rows.order_by("-created_at", "-id"), patient


@owner_required
def audit_trail(request):
    form, rows, patient = _filtered(request)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "settings/audit.html", {"form": form, "page": page, "patient": patient,
                                                   "filter_query": query.urlencode()})


class _Echo:
    def write(self, value):
        return value


@owner_required
def audit_export(request):
    form, rows, patient = _filtered(request)
    log_read(request, "audit.exported", patient=patient, filters=request.GET.urlencode())
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["when (UTC)", "who", "action", "what", "patient id", "location", "from", "path",
                               "details"])
        for row in rows[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow([row.created_at.isoformat(), row.actor.username if row.actor else "",
                                   row.action, row.object_repr, row.patient_id or "",
                                   row.location.name if row.location else "", row.ip or "", row.path,
                                   row.data or ""])

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response
