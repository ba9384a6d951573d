"""The sweep + dispatcher against the local fake Twilio: exactly one text per touch owed."""

import datetime as dt
import re

import pytest
import time_machine
from factories import PatientFactory, VisitFactory, service
from recall_support import la, make_owed_touches, run_dispatcher, treated

from medspa.models import Handoff, Patient
from recall import dispatch
from recall.models import RecallLink, RecallSchedule, Touch
from recall.sweep import sweep as run
from recall.tasks import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]

MORNING = la(2026, 6, 15, 10, 0)  # Monday 10:00 in Los Angeles



@pytest.fixture
def due_patient(patient):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)  # Neurotoxin (90 days): due in 5 days at MORNING, window open
    return patient


def test_sweep_and_dispatch_twice_sends_exactly_once(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher(times=2)
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1
    message = fake_twilio.messages[0]
    assert message["to"] == "+14155550134"
    assert message["from"] == "+14155550100"
    assert message["body"].startswith("Hi Jordan")
    assert "Neurotoxin" not in message["body"] and "Botox" not in message["body"]
    assert "https://frontdesk.example.com/r/" in message["body"]
    assert message["status_callback"] == "https://frontdesk.example.com/twilio/sms/status/"
    touch = Touch.objects.get()
    assert (touch.status, touch.kind, touch.idempotency_key) == ("sent", "on_time", f"{touch.schedule_id}:1")
    assert touch.provider_sid == message["sid"]
    schedule = RecallSchedule.objects.get()
    assert schedule.state == "due" and schedule.touches_sent == 1
    assert schedule.next_action_at > MORNING


def test_dispatcher_killed_between_claim_and_send_still_sends_once(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        sweep()
        make_owed_touches()  # the sweep's make_touches task, as a worker runs it
        touch = Touch.objects.get()
        claimed, _ = dispatch.claim_touch(touch.pk)  # the worker dies right after this commit
        assert claimed is not None
        run_dispatcher()  # a redelivered task: the row is claimed, so nothing is sent
        assert fake_twilio.messages == []
    with time_machine.travel(MORNING + dt.timedelta(minutes=11), tick=False):
        sweep()
        run_dispatcher(times=2)
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1
    assert Touch.objects.get().status == "sent"
    # The first claim's link was never sent: the send that happened carries a new one, still one per touch.
    token = re.search(r"/r/([\w-]+)/", fake_twilio.messages[0]["body"]).group(1)
    assert RecallLink.objects.count() == 1 and RecallLink.objects.find(token).touch == Touch.objects.get()
    assert Touch.objects.get().body == fake_twilio.messages[0]["body"]


def test_send_started_without_answer_is_not_resent(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        sweep()
        make_owed_touches()  # the sweep's make_touches task, as a worker runs it
        touch = Touch.objects.get()
        claimed, _ = dispatch.claim_touch(touch.pk)
        Touch.objects.filter(pk=touch.pk).update(send_started_at=MORNING)  # died during the HTTP request
    with time_machine.travel(MORNING + dt.timedelta(minutes=11), tick=False):
        result = sweep()
        run_dispatcher()
    assert fake_twilio.messages == []
    touch.refresh_from_db()
    assert touch.status == "failed" and "Unknown outcome" in touch.last_error
    assert result == "0 schedules advanced, 0 touches owed, 0 re-queued, 1 with unknown outcome"
    assert Handoff.objects.get().route == "data_quality"


def test_nothing_sent_at_22_local_then_sent_next_morning(due_patient, fake_twilio):
    with time_machine.travel(la(2026, 6, 15, 22, 0), tick=False):
        sweep()
        run_dispatcher()
    assert fake_twilio.messages == []
    assert Touch.objects.count() == 0
    schedule = RecallSchedule.objects.get()
    assert schedule.next_action_at == la(2026, 6, 16, 8, 0)
    with time_machine.travel(la(2026, 6, 16, 8, 5), tick=False):
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1


def test_touch_written_before_21_is_held_by_the_dispatcher_until_morning(due_patient, fake_twilio):
    with time_machine.travel(la(2026, 6, 15, 20, 59), tick=False):
        sweep()
    with time_machine.travel(la(2026, 6, 15, 21, 1), tick=False):
        run_dispatcher()
    assert fake_twilio.messages == []
    assert Touch.objects.get().not_before == la(2026, 6, 16, 8, 0)
    with time_machine.travel(la(2026, 6, 16, 8, 3), tick=False):
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1


def test_nothing_sent_to_opted_out_or_consentless_patients(due_patient, fake_twilio):
    no_consent = PatientFactory(location=due_patient.location, sms_consent=False, phone="+14155550177")
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(no_consent, 0)
    with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False):
        due_patient.sms_opted_out_at = MORNING - dt.timedelta(days=1)
        due_patient.save()
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher()
    assert fake_twilio.messages == []
    # The state is the timeline's; how the patient may be reached is a separate fact.
    assert set(RecallSchedule.objects.values_list("state", flat=True)) == {"due"}
    no_consent.refresh_from_db()
    due_patient.refresh_from_db()
    assert (no_consent.contact, due_patient.text_contact.label) == ("no consent on file", "opted out of texts")


def test_opt_out_after_touch_written_cancels_it(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        sweep()

        Patient.opt_out_phone("+14155550134", source="staff")
        run_dispatcher()
    assert fake_twilio.messages == []
    assert Touch.objects.get().status == "cancelled"


def test_booked_visit_stops_the_sequence_and_completed_visit_resets_it(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        VisitFactory(patient=due_patient, service=service("Neurotoxin"), status="booked",
                     starts_at=MORNING + dt.timedelta(days=3))
        sweep()
        run_dispatcher()
        assert RecallSchedule.objects.get().state == "booked"
    assert fake_twilio.messages == []
    with time_machine.travel(MORNING + dt.timedelta(days=3, hours=2), tick=False):
        visit = due_patient.visits.get(status="booked")
        visit.status = "completed"
        visit.save()
        schedule = RecallSchedule.objects.get()
        assert (schedule.state, schedule.last_visit, schedule.touches_sent) == (
            "upcoming", dt.date(2026, 6, 18), 0)
        assert schedule.due_date == dt.date(2026, 9, 16)


def test_open_safety_handoff_pauses_recall(due_patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        handoff = Handoff.objects.create(location=due_patient.location, patient=due_patient,
                                         route="safety_escalation", source="call", title="Swelling after filler")
        sweep()
        run_dispatcher()
        assert RecallSchedule.objects.get().state == "paused"
    assert fake_twilio.messages == []
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        handoff.status, handoff.resolved_at, handoff.resolution_note = "done", MORNING, "Seen by provider"
        handoff.save()
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1


def test_later_stages_send_late_then_reactivation_and_stop_at_the_cap(due_patient, fake_twilio):
    days = [0, 26, 95, 200]  # window open (+5 to due), late (+21), lapsed (+90), long after
    for offset in days:
        with time_machine.travel(MORNING + dt.timedelta(days=offset), tick=False):
            sweep()
            run_dispatcher()
    kinds = list(Touch.objects.order_by("number").values_list("kind", flat=True))
    assert kinds == ["on_time", "late", "reactivation"]
    assert len(fake_twilio.messages) == 3
    assert "been a while" in fake_twilio.messages[2]["body"]
    schedule = RecallSchedule.objects.get()
    # Nothing more is sent; the schedule wakes once more, at the reactivation cutoff, to close.
    cutoff = schedule.due_date + dt.timedelta(days=90 + 365)
    assert schedule.state == "lapsed" and schedule.next_action_at == la(cutoff.year, cutoff.month, cutoff.day, 8)
    with time_machine.travel(schedule.next_action_at, tick=False):
        sweep()
        run_dispatcher()
    schedule.refresh_from_db()
    assert schedule.state == "closed" and schedule.next_action_at is None
    assert len(fake_twilio.messages) == 3


def test_sweep_reads_only_schedules_whose_time_has_come(due_patient, fake_twilio):
    for i in range(30):  # not due for months
        with time_machine.travel(MORNING - dt.timedelta(days=5), tick=False):
            treated(PatientFactory(location=due_patient.location, phone=f"+1415555{2000 + i:04d}"), 0)
    with time_machine.travel(MORNING, tick=False):
        result = run(enqueue=False)
    assert result.schedules == 1 and len(result.owed) == 1
