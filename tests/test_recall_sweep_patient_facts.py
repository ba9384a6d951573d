"""The sweep decides from the patient's facts as they are now, however they were last written.

On PostgreSQL the sweep reads the patient's location and contact facts from the schedule row, where the
database keeps them (migration recall 0017). These change the patient the way code paths that send no
signal do (a queryset `update()` as the email unsubscribe and the call list do, `bulk_update` as the importer
does), then make the schedule due and run the sweep: what it owes must follow the patient.
"""

import datetime as dt

import pytest
import time_machine
from factories import LocationFactory, PatientFactory
from recall_support import la, treated

from medspa.models import Patient
from recall.models import OwedTouch, RecallSchedule
from recall.tasks import sweep

pytestmark = pytest.mark.django_db

MORNING = la(2026, 6, 15, 10, 0)  # Monday 10:00 in Los Angeles


def due_now(patient) -> None:
    """A schedule whose window opened days ago, its next action time now (as a re-plan or the clock sets it)."""
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)  # Neurotoxin (90 days): due in 5 days at MORNING, window open
    RecallSchedule.objects.filter(patient=patient).update(next_action_at=MORNING - dt.timedelta(minutes=1))


def owed_after_sweep() -> list[str]:
    with time_machine.travel(MORNING, tick=False):
        sweep()
    return list(OwedTouch.objects.values_list("kind", flat=True))


def test_consent_withdrawn_without_a_save_owes_nothing(patient):
    due_now(patient)
    Patient.objects.filter(pk=patient.pk).update(sms_consent=False)  # no post_save: nothing re-plans
    assert owed_after_sweep() == []
    schedule = RecallSchedule.objects.get()
    assert schedule.touches_sent == 0 and schedule.state == "due"


def test_opt_out_and_invalid_number_without_a_save_owe_nothing(westside):
    opted_out, invalid = PatientFactory(location=westside), PatientFactory(location=westside)
    due_now(opted_out), due_now(invalid)
    Patient.objects.filter(pk=opted_out.pk).update(sms_opted_out_at=MORNING - dt.timedelta(days=1))
    Patient.objects.filter(pk=invalid.pk).update(phone_invalid_at=MORNING - dt.timedelta(days=1))
    assert owed_after_sweep() == []


def test_consent_given_by_bulk_update_is_seen_by_the_next_sweep(patient):
    Patient.objects.filter(pk=patient.pk).update(sms_consent=False)
    due_now(patient)
    patient.refresh_from_db()
    patient.sms_consent = True
    Patient.objects.bulk_update([patient], ["sms_consent"])  # as the importer writes consent
    assert owed_after_sweep() == ["on_time"]


def test_email_alone_reaches_a_patient_without_a_phone(patient):
    due_now(patient)
    Patient.objects.filter(pk=patient.pk).update(phone="", email="jordan@example.com", email_consent=True)
    assert owed_after_sweep() == ["on_time"]
    Patient.objects.filter(pk=patient.pk).update(email_unsubscribed_at=MORNING)
    OwedTouch.objects.all().delete()
    RecallSchedule.objects.update(next_action_at=MORNING - dt.timedelta(minutes=1), touches_sent=0, kinds_sent="",
                                  last_touch_at=None)  # as before the first sweep
    assert owed_after_sweep() == []


def test_a_patient_moved_to_another_location_is_swept_in_its_time_zone(patient):
    due_now(patient)
    tokyo = LocationFactory(name="Ginza", time_zone="Asia/Tokyo")  # 02:00 there at MORNING: quiet hours
    Patient.objects.filter(pk=patient.pk).update(location=tokyo)
    assert owed_after_sweep() == []
    schedule = RecallSchedule.objects.get()
    assert schedule.next_action_at == dt.datetime(2026, 6, 16, 8, 0, tzinfo=tokyo.tz)  # 08:00 in Tokyo


def test_a_schedule_made_for_a_patient_carries_the_patient_as_they_are(westside):
    unreachable = PatientFactory(location=westside, sms_consent=False, phone="")
    reachable = PatientFactory(location=westside)
    due_now(unreachable), due_now(reachable)
    assert owed_after_sweep() == ["on_time"]
    assert OwedTouch.objects.get().schedule.patient == reachable
