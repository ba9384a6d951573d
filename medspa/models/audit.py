"""Audit trail: one row for every change a person (or the system) makes, and for every read of
patient data (who, what, when, from where).

Reads are cheap: one INSERT per page; a list writes one row per patient shown in a single
multi-row INSERT (`log_reads`), so the trail can be filtered by patient.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .patients import Patient


class AuditLog(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    location = models.ForeignKey("medspa.Location", null=True, blank=True, on_delete=models.SET_NULL)
    patient = models.ForeignKey("medspa.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                help_text="Whose data was read or changed, when a patient's.")
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            # Audit page: one patient's trail, newest first.
            models.Index(fields=["patient", "-created_at"], name="audit_patient_idx"),
            # Audit page: one person's trail, newest first.
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.action} {self.object_repr}"


def _plain(data: dict) -> dict:
    """JSON-safe values; NUL characters (PostgreSQL's JSON cannot hold them) become U+FFFD."""
    def clean(v):
        if isinstance(v, str):
            return v.replace("\x00", "\ufffd")
        if isinstance(v, (int, float, bool, type(None))):
            return v
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return clean(str(v))
    return {k: clean(v) for k, v in data.items()}


def log_action(actor, action: str, obj=None, *, location=None, **data) -> AuditLog:
    """Record who did what to which object (actor None means the system did it)."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        location=location,
        data=_plain(data),
    )


def _request_fields(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "actor": user if getattr(user, "is_authenticated", False) else None,
        "ip": request.META.get("REMOTE_ADDR") or None,
        "path": request.get_full_path()[:200],
    }


def log_read(request, action: str, obj=None, *, patient=None, location=None, **data) -> AuditLog:
    """One row: `request.user` read `obj` (a patient's page, a call, a ledger, an export...)."""
    if patient is None and obj is not None and obj._meta.model_name == "patient":
        patient = obj
    if location is None:
        location = getattr(obj, "location", None) or getattr(patient, "location", None)
    return AuditLog.objects.create(
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        patient=patient, location=location, data=_plain(data), **_request_fields(request),
    )


def log_reads(request, action: str, patients, **data) -> int:
    """A list or search showed these patients: one row each, in one INSERT (a single summary row when the
    list showed nobody, so an empty search is on record too)."""
    patients = [p for p in patients if p is not None]
    common = {**_request_fields(request), "action": action, "data": _plain(data)}
    if not patients:
        AuditLog.objects.create(**common)
        return 1
    content_type = ContentType.objects.get_for_model(Patient)
    rows = [AuditLog(content_type=content_type, object_id=str(p.pk), object_repr=str(p)[:200], patient_id=p.pk,
                     location_id=p.location_id, **common) for p in {p.pk: p for p in patients}.values()]
    AuditLog.objects.bulk_create(rows)
    return len(rows)
