"""Owed touches made into queued touches: the dispatcher's first step after a sweep.

The sweep writes a narrow row per text owed (OwedTouch: schedule, number, kind) and queues
`recall.tasks.make_touches` with the batch's ids on commit. That task makes the batch's queued touches
in one transaction (the patient, service, key and addresses read from the schedule, its patient and
location at this moment), deletes the owed rows, and queues the touches for sending
(`recall.queue.enqueue_dispatch`, chunks of DISPATCH_CHUNK). A whole sweep batch becomes touches at once,
so a patient's touches from one batch are still claimed together as one message.

Exactly once: the owed rows are locked and deleted in the transaction that writes their touches, so a
retried or duplicated task finds nothing left to make; (schedule, number) is unique on Touch as well.
A lost task leaves the rows, and the next sweep queues them again (recall.dispatch.requeue_outbox).
"""

from django.conf import settings
from django.db import transaction

from .models import OwedTouch, Touch


@transaction.atomic
def make_touches(owed_ids) -> list[int]:
    """Make these owed rows (those still owed) into queued touches; returns the new touch ids."""
    owed = list(OwedTouch.objects.select_for_update(of=("self",)).filter(pk__in=list(owed_ids))
                .select_related("schedule__patient__location").order_by("schedule_id", "number"))
    if not owed:
        return []
    touches = []
    for row in owed:
        schedule = row.schedule
        patient = schedule.patient
        touches.append(Touch(
            schedule_id=schedule.pk, patient_id=patient.pk, service_id=schedule.service_id,
            source=Touch.Source.RECALL, number=row.number, kind=row.kind,
            idempotency_key=f"{schedule.pk}:{row.number}", to=str(patient.phone or ""),
            from_number=str(patient.location.sms_number or settings.TWILIO_DEFAULT_FROM),
            not_before=row.created_at, created_at=row.created_at))
    made = Touch.objects.bulk_create(touches)
    OwedTouch.objects.filter(pk__in=[row.pk for row in owed]).delete()
    return [t.pk for t in made]
