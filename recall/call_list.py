"""The front desk's call list: due, late and lapsed patients no text can reach, and what each call brought.

Who is on it: a schedule in a due, late or lapsed state (the timeline's), with trusted history, whose
patient has a phone number but cannot be texted (no consent on file, opted out of texts, number cannot
take texts), and who was not called in the last `CALL_AGAIN_AFTER` days. A wrong number takes the
patient off until their number changes. Order: the visit at stake (the last visit's value for that
service, else the service's typical value), highest first, then the most overdue.

An outcome is recorded with one click (`record_outcome`): an audit row, a CallOutcome, and, when the
call reached the patient or their voicemail, a Touch with channel "call" (recorded as sent, never
dispatched), so a visit booked or completed within the attribution window counts as recovered by the
call, exactly as for a text (recall.attribution).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from medspa.models import Patient, Visit, log_action

from .clock import STAGE_KIND
from .models import CallOutcome, RecallSchedule, Touch
from .models.calls import CONTACT_OUTCOMES, Outcome
from .models.schedules import OWING_STATES
from .schedules import cancel_queued

CALL_AGAIN_AFTER = timedelta(days=7)
HISTORY_ROWS = 5


def cannot_text():
    """Patients with a number that no automated text may go to (the opposite of Patient.objects.textable)."""
    return Q(patient__sms_consent=False) | Q(patient__sms_opted_out_at__isnull=False) | Q(
        patient__phone_invalid_at__isnull=False)


def can_email():
    """Patients a recall email may go to (Patient.can_email): they get emails, not calls."""
    return Q(patient__email_consent=True, patient__email_unsubscribed_at__isnull=True) & ~Q(patient__email="")


def call_list(schedules, now: datetime | None = None):
    """The schedules to call, from `schedules` (already scoped to the user's locations), best call first."""
    now = now or timezone.now()
    called_lately = CallOutcome.objects.filter(schedule_id=OuterRef("pk"), created_at__gte=now - CALL_AGAIN_AFTER)
    wrong_number = CallOutcome.objects.filter(patient_id=OuterRef("patient_id"), outcome=Outcome.WRONG_NUMBER,
                                              phone=OuterRef("patient__phone"))
    last_value = (Visit.objects.filter(patient_id=OuterRef("patient_id"), service_id=OuterRef("service_id"),
                                       status=Visit.Status.COMPLETED).order_by("-starts_at").values("value")[:1])
    return (
        schedules.filter(state__in=OWING_STATES, trusted=True, stopped_at__isnull=True)
        .exclude(patient__phone="").filter(cannot_text()).exclude(can_email())
        .exclude(Exists(called_lately)).exclude(Exists(wrong_number))
        .annotate(value=Coalesce(Subquery(last_value), "service__typical_value",
                                 output_field=DecimalField(max_digits=9, decimal_places=2)))
        .select_related("patient__location", "service")
        .order_by("-value", "due_date", "id")
    )


def with_history(schedules: list[RecallSchedule]) -> list[RecallSchedule]:
    """Attach each patient's last visits (one query for the page): `schedule.history`."""
    patient_ids = {s.patient_id for s in schedules}
    visits: dict[int, list[Visit]] = {}
    for visit in (Visit.objects.filter(patient_id__in=patient_ids).select_related("service", "location")
                  .order_by("patient_id", "-starts_at")):
        visits.setdefault(visit.patient_id, []).append(visit)
    for schedule in schedules:
        schedule.history = visits.get(schedule.patient_id, [])[:HISTORY_ROWS]
    return schedules


@transaction.atomic
def record_outcome(schedule_id: int, outcome: str, user, now: datetime | None = None) -> tuple[CallOutcome, bool]:
    """Record one call. Returns (outcome, created). A second click within CALL_AGAIN_AFTER (a double
    click, a retried request) records nothing and returns the first outcome."""
    now = now or timezone.now()
    schedule = (RecallSchedule.objects.select_for_update(of=("self",)).select_related("patient__location", "service")
                .get(pk=schedule_id))
    earlier = schedule.call_outcomes.filter(created_at__gte=now - CALL_AGAIN_AFTER).first()
    if earlier is not None:
        return earlier, False
    patient = schedule.patient
    phone = str(patient.phone)
    touch = None
    if outcome in CONTACT_OUTCOMES:
        schedule.last_touch_number += 1
        number = schedule.last_touch_number
        touch = Touch.objects.create(
            patient=patient, schedule=schedule, service=schedule.service, source=Touch.Source.RECALL,
            channel=Touch.Channel.CALL, number=number, idempotency_key=f"{schedule.pk}:{number}",
            kind=STAGE_KIND.get(schedule.state, Touch.Kind.ON_TIME), body=f"Call: {Outcome(outcome).label}",
            to=phone, from_number="", status=Touch.Status.SENT, sent_at=now, not_before=now, created_at=now)
        schedule.save(update_fields=["last_touch_number", "updated_at"])
    call = CallOutcome.objects.create(schedule=schedule, patient=patient, location=patient.location,
                                      outcome=outcome, phone=phone, state=schedule.state, touch=touch,
                                      recorded_by=user if user.is_authenticated else None, created_at=now)
    if outcome == Outcome.ASKED_TO_STOP:
        stop_recall(patient, now)
    elif outcome == Outcome.WRONG_NUMBER and patient.phone_invalid_at is None:
        Patient.objects.filter(pk=patient.pk).update(phone_invalid_at=now, updated_at=now)
    log_action(user, "recall.call_outcome", schedule, location=patient.location, outcome=outcome,
               state=schedule.state, phone=phone)
    return call, True


def stop_recall(patient, now: datetime) -> None:
    """The patient asked on the phone to be left alone: every open schedule closes, queued messages go."""
    open_ids = list(RecallSchedule.objects.filter(patient=patient, stopped_at__isnull=True)
                    .values_list("pk", flat=True))
    RecallSchedule.objects.filter(pk__in=open_ids).update(stopped_at=now, state=RecallSchedule.State.CLOSED,
                                                          next_action_at=None, updated_at=now)
    cancel_queued(Q(schedule_id__in=open_ids), "The patient asked on the phone to stop recall.")
