"""The dispatch task's error handling: carrier opt-out, invalid numbers, rate limits, transient failures."""

import datetime as dt

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.cache import cache
from recall_support import la, treated

from medspa.models import ConsentEvent, Handoff
from recall import dispatch
from recall.models import RecallSchedule, Touch
from recall.owed import make_touches
from recall.sweep import sweep
from recall.tasks import dispatch_touch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)



@pytest.fixture
def touch(patient):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        make_touches(sweep(enqueue=False).owed)
    return Touch.objects.get()


def test_21610_opts_the_patient_out(touch, patient, fake_twilio):
    fake_twilio.fail_next(status=400, code=21610, message="Attempt to send to unsubscribed recipient")
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "failed"
    touch.refresh_from_db()
    patient.refresh_from_db()
    assert (touch.status, touch.error_code) == ("failed", 21610)
    assert patient.sms_opted_out_at is not None
    assert ConsentEvent.objects.get(patient=patient).source == "carrier_21610"
    assert RecallSchedule.objects.get().state == "due"  # still due: only the channel closed
    assert patient.text_contact == "opted_out"


def test_21211_marks_phone_invalid_and_opens_data_quality_handoff(touch, patient, fake_twilio):
    fake_twilio.fail_next(status=400, code=21211, message="The 'To' number is not a valid phone number.")
    with time_machine.travel(MORNING, tick=False):
        dispatch_touch(touch.pk)
    patient.refresh_from_db()
    assert patient.phone_invalid_at is not None
    handoff = Handoff.objects.get()
    assert (handoff.route, handoff.source, handoff.patient) == ("data_quality", "system", patient)
    assert handoff.context["touch"]["id"] == touch.pk
    assert RecallSchedule.objects.get().state == "due"  # still due: the number cannot take texts
    assert patient.text_contact.label == "number cannot take texts"


def test_429_retries_with_backoff_then_sends_once(touch, fake_twilio):
    fake_twilio.fail_next(status=429, code=20429, message="Too Many Requests")
    with time_machine.travel(MORNING, tick=False):
        with pytest.raises(Retry):
            dispatch_touch(touch.pk)
        touch.refresh_from_db()
        assert (touch.status, touch.attempts, touch.error_code) == ("queued", 1, 20429)
        assert touch.not_before >= MORNING + dt.timedelta(seconds=5)
        assert dispatch.send_touch(touch.pk).status == "held"  # an early retry waits for the backoff
    with time_machine.travel(MORNING + dt.timedelta(seconds=6), tick=False):
        assert dispatch_touch(touch.pk) == "sent"
        assert dispatch_touch(touch.pk) == "skipped"
    assert len(fake_twilio.messages) == 1
    assert len(fake_twilio.requests) == 2


def test_transient_failures_give_up_after_the_cap(touch, fake_twilio):
    fake_twilio.fail_next(status=503, code=20500, message="Service unavailable", times=10)
    moment = MORNING
    for attempt in range(1, dispatch.MAX_ATTEMPTS + 1):
        with time_machine.travel(moment, tick=False):
            outcome = dispatch.send_touch(touch.pk)
        touch.refresh_from_db()
        assert touch.attempts == attempt
        moment = moment + dt.timedelta(seconds=dispatch.MAX_BACKOFF + 1)
    assert outcome.status == "failed" and touch.status == "failed"
    assert "Gave up after 5 attempts" in touch.last_error
    assert fake_twilio.messages == []


def test_rate_limit_throttles_a_burst(touch, settings, fake_twilio):
    settings.SMS_RATE_PER_SECOND = 1
    cache.clear()
    with time_machine.travel(MORNING, tick=False):
        assert dispatch.take_send_token("+14155550100") is True
        outcome = dispatch.send_touch(touch.pk)
    assert outcome.status == "throttled" and outcome.retry_in == 1.0
    assert Touch.objects.get().status == "queued"
    assert fake_twilio.requests == []
