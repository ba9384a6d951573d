"""The sweep's batch writer: exactly once under concurrent sweeps, and the rows it writes.

PostgreSQL gets one grouped read and one statement per batch (recall.sweep.advance_batch); SQLite under `make run` gets
the same rows from the ORM (advance_batch_orm). Both are checked here, on PostgreSQL, against the
same expected rows.
"""

import datetime as dt
import hashlib
import re
import threading

import pytest
import time_machine
from celery.exceptions import Retry
from django.db import connection, connections
from pg_trace import server_replies
from recall_support import la, patients_due_at, treated

from medspa.models import Handoff, Patient
from recall import owed as owed_module
from recall import sweep as sweep_module
from recall.models import OwedTouch, RecallLink, RecallRule, RecallSchedule, Touch
from recall.owed import make_touches
from recall.sweep import sweep
from recall.tasks import dispatch_touch
from recall.wording import render

MORNING = la(2026, 6, 15, 10, 0)  # Monday 10:00 in Los Angeles


def due_patients(location, count):
    return patients_due_at(MORNING, location, count)


def two_sweeps_at_once(**options) -> list:
    """Two sweeps at MORNING, started together in two threads (each its own connection): their results."""
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(sweep(enqueue=False, **options))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with time_machine.travel(MORNING, tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_sender")
@pytest.mark.parametrize("writer", ["one statement (PostgreSQL)", "ORM bulk writes (SQLite)"])
def test_rows_written_for_a_due_schedule_and_the_text_made_at_send(patient, writer, monkeypatch, fake_twilio):
    if writer.startswith("ORM"):
        monkeypatch.setitem(sweep_module.BATCHES, connection.vendor, sweep_module.advance_batch_orm)
        monkeypatch.setitem(owed_module.MAKERS, connection.vendor, owed_module.make_touches_orm)
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    schedule = RecallSchedule.objects.get()
    with time_machine.travel(MORNING, tick=False):
        result = sweep(enqueue=False)

    owed = OwedTouch.objects.get()
    assert result.schedules == 1 and result.owed == [owed.pk] and not Touch.objects.exists()
    assert OwedTouch.objects.values().get() == {"id": owed.pk, "schedule_id": schedule.pk, "number": 1,
                                                "kind": "on_time", "created_at": MORNING}

    with time_machine.travel(MORNING + dt.timedelta(seconds=2), tick=False):  # the make_touches task
        [touch_id] = make_touches(result.owed)
        assert make_touches(result.owed) == []  # a redelivered task makes nothing more
    touch = Touch.objects.get()
    assert touch.pk == touch_id and not OwedTouch.objects.exists()
    queued = {
        "id": touch.pk, "patient_id": patient.pk, "source": "recall", "channel": "sms", "schedule_id": schedule.pk,
        "service_id": schedule.service_id, "number": 1, "kind": "on_time", "idempotency_key": f"{schedule.pk}:1",
        "context": {}, "to": "+14155550134", "from_number": "+14155550100", "status": "queued", "body": "",
        "provider_sid": None, "attempts": 0, "last_error": "", "error_code": None, "not_before": MORNING,
        "claimed_at": None, "send_started_at": None, "sent_at": None, "delivered_at": None, "created_at": MORNING,
        "message_id": None,
    }
    assert Touch.objects.values().get() == queued
    assert not RecallLink.objects.exists()  # wording and link are made when the touch is claimed for sending
    schedule.refresh_from_db()
    assert (schedule.state, schedule.touches_sent, schedule.kinds_sent, schedule.last_touch_at,
            schedule.last_touch_number) == ("due", 1, "on_time", MORNING, 1)
    assert schedule.next_action_at > MORNING

    sent_at = MORNING + dt.timedelta(minutes=1)
    with time_machine.travel(sent_at, tick=False):
        assert dispatch_touch(touch.pk) == "sent"
    [message] = fake_twilio.messages
    token = re.search(r"https://frontdesk\.example\.com/r/([\w-]+)/ ", message["body"]).group(1)
    rule = RecallRule.objects.get(service=schedule.service)
    assert message["body"] == render(rule.on_time_template, first_name=patient.first_name,
                                     clinic=patient.location.name, link=f"https://frontdesk.example.com/r/{token}/")
    touch.refresh_from_db()
    assert touch.body == message["body"] and touch.status == "sent"
    link = RecallLink.objects.values().get()
    assert link == {
        "id": link["id"], "patient_id": patient.pk, "schedule_id": schedule.pk, "touch_id": touch.pk,
        "token_hash": hashlib.sha256(token.encode()).hexdigest(), "created_at": sent_at,
        "expires_at": sent_at + dt.timedelta(days=30), "opened_at": None,
    }
    assert RecallLink.objects.find(token).touch == touch


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_sender")
def test_a_retried_send_keeps_the_text_and_link_of_the_first_claim(patient, fake_twilio):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        make_touches(sweep(enqueue=False).owed)
    touch = Touch.objects.get()
    fake_twilio.fail_next(status=503, code=20500, message="Service unavailable")
    with time_machine.travel(MORNING, tick=False), pytest.raises(Retry):
        dispatch_touch(touch.pk)
    touch.refresh_from_db()
    assert touch.status == "queued" and touch.body and RecallLink.objects.count() == 1
    first_body = touch.body
    with time_machine.travel(MORNING + dt.timedelta(minutes=10), tick=False):
        assert dispatch_touch(touch.pk) == "sent"
    assert fake_twilio.messages[-1]["body"] == first_body
    assert RecallLink.objects.count() == 1 and Touch.objects.get().body == first_body


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["one statement (PostgreSQL)", "ORM bulk writes (SQLite)"])
def test_schedules_that_owe_nothing_only_move_on(patient, writer, monkeypatch):
    if writer.startswith("ORM"):
        monkeypatch.setitem(sweep_module.BATCHES, connection.vendor, sweep_module.advance_batch_orm)
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    patient.sms_consent = False
    patient.save()
    RecallSchedule.objects.update(next_action_at=MORNING - dt.timedelta(minutes=1), state="due")
    with time_machine.travel(MORNING, tick=False):
        result = sweep(enqueue=False)
    assert result.schedules == 1 and result.owed == []
    assert not OwedTouch.objects.exists() and not Touch.objects.exists() and not RecallLink.objects.exists()
    # No consent: the timeline's state, no touch, and the next look when the state next changes (late, +26 days).
    assert RecallSchedule.objects.values_list("state", "next_action_at").get() == ("due", la(2026, 7, 11, 8, 0))


@pytest.mark.django_db(transaction=True)  # the other connection must see the committed schedules
def test_a_sweep_skips_schedules_another_sweep_holds_and_the_next_one_takes_them(westside):
    due_patients(westside, 6)
    held = sorted(RecallSchedule.objects.values_list("pk", flat=True))[:2]
    other = connections.create_connection("default")  # another sweep, mid-batch, in its own transaction
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM recall_recallschedule WHERE id = ANY(%s) FOR UPDATE", [held])
            with time_machine.travel(MORNING, tick=False):
                first = sweep(enqueue=False, batch_size=2)  # does not wait for the held rows
        assert first.schedules == 4 and len(first.owed) == 4
        assert not OwedTouch.objects.filter(schedule_id__in=held).exists()
        other.rollback()
    finally:
        other.close()
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        second = sweep(enqueue=False)
    assert second.schedules == 2 and set(OwedTouch.objects.filter(pk__in=second.owed)
                                         .values_list("schedule_id", flat=True)) == set(held)
    assert OwedTouch.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_write_each_touch_exactly_once(westside):
    due_patients(westside, 40)
    a, b = two_sweeps_at_once(batch_size=3)
    assert a.schedules + b.schedules == 40
    assert set(a.owed).isdisjoint(b.owed) and len(a.owed) + len(b.owed) == 40
    assert OwedTouch.objects.count() == 40
    assert set(RecallSchedule.objects.values_list("touches_sent", "last_touch_number")) == {(1, 1)}
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        again = sweep(enqueue=False)
    assert again.owed == [] and OwedTouch.objects.count() == 40


@pytest.mark.django_db(transaction=True)  # autocommit, as in a worker
def test_once_its_inputs_are_known_each_batch_is_one_statement_in_one_round_trip(westside):
    due_patients(westside, 9)  # alike: the first batch meets every input the sweep will meet
    with time_machine.travel(MORNING, tick=False):
        sweep(enqueue=False, batch_size=3)  # the connection's first sweep prepares the statements
        RecallSchedule.objects.update(next_action_at=MORNING - dt.timedelta(minutes=1), touches_sent=0,
                                      kinds_sent="", last_touch_at=None)  # due again, as before it
        with server_replies() as server:
            result = sweep(enqueue=False, batch_size=3)
    assert result.schedules == 9 and len(result.owed) == 9
    # The first batch in a transaction (its inputs are decided in Python while its rows stay locked)...
    assert server["statements"].count("BEGIN") == server["statements"].count("COMMIT") == 1
    begin = server["statements"].index("BEGIN")
    # (the batch statement's summary row and one group; the group's three schedules written)
    assert server["statements"][begin:begin + 4] == ["BEGIN", "SELECT 2", "SELECT 3", "COMMIT"]
    # ...then one statement each, its own transaction: two more batches of three and the empty read that ends it.
    assert server["statements"][begin + 4:begin + 7] == ["SELECT 1", "SELECT 1", "SELECT 1"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_meeting_new_inputs_in_later_batches_write_each_schedule_once(westside, monkeypatch):
    """Batches after the first are their own transactions and leave rows with new inputs for the next, locked
    batch: with one input remembered and reachable and opted-out patients alternating, most batches meet new
    inputs, while another sweep takes rows too."""
    monkeypatch.setattr(sweep_module, "KNOWN_INPUTS", 1)
    patients = due_patients(westside, 30)
    opted_out = {p.pk for p in patients[1::2]}
    Patient.objects.filter(pk__in=opted_out).update(sms_opted_out_at=MORNING - dt.timedelta(days=2))
    results = two_sweeps_at_once(batch_size=4)
    assert sum(r.schedules for r in results) == 30 and sum(len(r.owed) for r in results) == 15
    owed = sorted(OwedTouch.objects.values_list("schedule__patient_id", "number"))
    assert owed == sorted((p.pk, 1) for p in patients if p.pk not in opted_out)
    numbers = dict(RecallSchedule.objects.values_list("patient_id", "last_touch_number"))
    assert numbers == {p.pk: 0 if p.pk in opted_out else 1 for p in patients}
    assert not RecallSchedule.objects.filter(next_action_at__lte=MORNING).exists()


@pytest.mark.django_db
def test_a_stored_number_with_odd_characters_reaches_the_touch_unchanged(patient):
    """The number is copied from the patient when the owed touch is made into a touch, whatever its text."""
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    odd = '+1415 "555" \\0134, {x}'
    with connection.cursor() as cursor:  # a number that bypassed validation (an old import)
        cursor.execute("UPDATE medspa_patient SET phone = %s WHERE id = %s", [odd, patient.pk])
    with time_machine.travel(MORNING, tick=False):
        result = sweep(enqueue=False)
    assert Touch.objects.get(pk__in=make_touches(result.owed)).to == odd


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["one statement (PostgreSQL)", "ORM bulk writes (SQLite)"])
def test_a_batch_of_unlike_schedules_gives_each_its_own_outcome(westside, writer, monkeypatch):
    """One batch holds schedules whose inputs differ (reachable, paused, reachable by email only, no way to
    reach, a number with no email): each is written as its own facts say, whatever it shares a batch with."""
    if writer.startswith("ORM"):
        monkeypatch.setitem(sweep_module.BATCHES, connection.vendor, sweep_module.advance_batch_orm)
    texted, paused, emailed, unreachable, no_phone = due_patients(westside, 5)
    # Written without the save hooks that pause the schedule at once: the sweep finds the open handoff itself.
    Handoff.objects.bulk_create([Handoff(location=westside, patient=paused, route="safety_escalation",
                                         source="call", title="Swelling after filler", due_at=MORNING)])
    Patient.objects.filter(pk=emailed.pk).update(sms_consent=False, email="em@example.com", email_consent=True)
    Patient.objects.filter(pk=unreachable.pk).update(sms_opted_out_at=MORNING - dt.timedelta(days=2))
    Patient.objects.filter(pk=no_phone.pk).update(phone="", email="np@example.com", email_consent=True)
    with time_machine.travel(MORNING, tick=False):
        result = sweep(enqueue=False, batch_size=50)
    assert result.schedules == 5
    make_touches(result.owed)
    touches = dict(Touch.objects.values_list("patient_id", "to"))
    assert touches == {texted.pk: str(texted.phone), emailed.pk: str(emailed.phone), no_phone.pk: ""}
    states = dict(RecallSchedule.objects.values_list("patient_id", "state"))
    assert states == {texted.pk: "due", paused.pk: "paused", emailed.pk: "due", unreachable.pk: "due",
                      no_phone.pk: "due"}
    numbers = dict(RecallSchedule.objects.values_list("patient_id", "last_touch_number"))
    assert numbers == {texted.pk: 1, paused.pk: 0, emailed.pk: 1, unreachable.pk: 0, no_phone.pk: 1}


@pytest.mark.django_db
def test_owed_touches_whose_task_was_lost_are_queued_again_by_a_later_sweep(patient):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        owed = sweep(enqueue=False).owed  # its make_touches task never runs (broker down, worker killed)
    with time_machine.travel(MORNING + dt.timedelta(minutes=1), tick=False):
        assert sweep(enqueue=False).requeued_owed == []  # the task may still be on its way
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        again = sweep(enqueue=False)
        assert again.requeued_owed == owed and again.owed == []
        [touch_id] = make_touches(again.requeued_owed)
    touch = Touch.objects.get()
    assert (touch.pk, touch.status, touch.created_at, touch.not_before) == (touch_id, "queued", MORNING, MORNING)


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["one statement (PostgreSQL)", "one statement, one input remembered (PostgreSQL)",
                                    "ORM bulk writes (SQLite)"])
def test_later_batches_reuse_each_outcome_only_for_schedules_with_the_same_inputs(westside, writer, monkeypatch):
    """On PostgreSQL a batch writes the schedules whose inputs an earlier batch of the sweep already decided in the
    same statement that locks them; the rest come back to be decided. Mixed batches of reachable and opted-out
    patients must each keep their own outcome, however few of the inputs met are sent with a batch."""
    if writer.startswith("ORM"):
        monkeypatch.setitem(sweep_module.BATCHES, connection.vendor, sweep_module.advance_batch_orm)
    if "one input" in writer:
        monkeypatch.setattr(sweep_module, "KNOWN_INPUTS", 1)
    patients = due_patients(westside, 12)
    opted_out = {p.pk for p in patients[1::3]}
    Patient.objects.filter(pk__in=opted_out).update(sms_opted_out_at=MORNING - dt.timedelta(days=2))
    with time_machine.travel(MORNING, tick=False):
        result = sweep(enqueue=False, batch_size=4)
    assert result.schedules == 12 and len(result.owed) == 8
    owed = set(OwedTouch.objects.values_list("schedule__patient_id", "number", "kind"))
    assert owed == {(p.pk, 1, "on_time") for p in patients if p.pk not in opted_out}
    numbers = dict(RecallSchedule.objects.values_list("patient_id", "last_touch_number"))
    assert numbers == {p.pk: 0 if p.pk in opted_out else 1 for p in patients}
    touched = set(RecallSchedule.objects.filter(last_touch_at=MORNING).values_list("patient_id", flat=True))
    assert touched == {p.pk for p in patients} - opted_out
