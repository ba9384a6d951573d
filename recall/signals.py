"""Hooks from the shared clinic model into the recall clock. Each recomputes one patient only."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from medspa.models import Handoff, Patient, Visit

from .attribution import attribute
from .schedules import PAUSE_ROUTES, refresh_patient, sync_schedules


@receiver(post_save, sender=Visit, dispatch_uid="recall_visit_saved")
def visit_saved(sender, instance: Visit, raw=False, **kwargs):
    if raw:
        return
    trusted_source = instance.source in (Visit.Source.FRONT_DESK, Visit.Source.API)
    sync_schedules(Visit.objects.filter(patient_id=instance.patient_id, service_id=instance.service_id),
                   trust=trusted_source and instance.status == Visit.Status.COMPLETED)
    attribute(instance)


@receiver(post_delete, sender=Visit, dispatch_uid="recall_visit_deleted")
def visit_deleted(sender, instance: Visit, **kwargs):
    sync_schedules(Visit.objects.filter(patient_id=instance.patient_id, service_id=instance.service_id))


@receiver(post_save, sender=Patient, dispatch_uid="recall_patient_saved")
def patient_saved(sender, instance: Patient, created=False, raw=False, **kwargs):
    if not raw and not created:
        refresh_patient(instance.pk)  # consent, opt-out, phone or location changed


@receiver(post_save, sender=Handoff, dispatch_uid="recall_handoff_saved")
def handoff_saved(sender, instance: Handoff, raw=False, **kwargs):
    if not raw and instance.patient_id and instance.route in PAUSE_ROUTES:
        refresh_patient(instance.patient_id)  # an open concern pauses recall; resolving it resumes
