"""Each row of the Twilio error policy (medspa.twilio.errors.POLICY), through a real send, the create
reply's status and a signed status callback."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from celery.exceptions import Retry
from recall_support import la, treated

from medspa.models import ConsentEvent, Handoff, SenderPause
from medspa.twilio.errors import POLICY, ErrorClass
from recall import dispatch
from recall.models import Touch
from recall.owed import make_touches
from recall.sweep import sweep
from recall.tasks import dispatch_touch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)
STATUS = "/twilio/sms/status/"


def codes(error_class):
    return sorted(code for code, rule in POLICY.items() if rule.error_class == error_class)


@pytest.fixture
def touch(patient):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        make_touches(sweep(enqueue=False).owed)
    return Touch.objects.get()


def test_the_readme_shows_every_row_of_the_table():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Twilio error policy", 1)[1].split("\n## ", 1)[0]
    listed = {int(c) for c in re.findall(r"\b(\d{5})\b", section)}
    assert set(POLICY) <= listed


@pytest.mark.parametrize("code", codes(ErrorClass.RECIPIENT))
def test_recipient_error_makes_the_number_not_textable_with_reason_and_one_item(touch, patient, fake_twilio,
                                                                                  code, olivia, client):
    fake_twilio.fail_next(status=400, code=code)
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "failed"
    touch.refresh_from_db()
    patient.refresh_from_db()
    assert (touch.status, touch.error_code) == ("failed", code)
    assert patient.phone_invalid_at is not None and not patient.can_text
    assert POLICY[code].reason in patient.phone_invalid_reason and str(code) in patient.phone_invalid_reason
    item = Handoff.objects.get()
    assert (item.route, item.patient, item.caller_phone) == ("data_quality", patient, "+14155550134")
    assert POLICY[code].reason in item.summary
    # A person fixes the number on the patient record; texts may go again.
    client.force_login(olivia)
    response = client.post(f"/patients/{patient.pk}/edit/", {
        "first_name": "Jordan", "last_name": "Rivera", "phone": "(415) 555-0177", "location": patient.location_id,
        "sms_consent": "on"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.can_text and patient.phone_invalid_reason == ""


def test_opted_out_21610_opts_the_patient_out_without_an_item(touch, patient, fake_twilio):
    fake_twilio.fail_next(status=400, code=21610)
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "failed"
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    event = ConsentEvent.objects.get(patient=patient)
    assert (event.source, POLICY[21610].reason in event.note) == ("carrier_21610", True)
    assert Handoff.objects.count() == 0  # only the patient can undo it (START)


@pytest.mark.parametrize("code", codes(ErrorClass.SENDER))
def test_sender_error_pauses_the_sender_and_keeps_the_touch(touch, patient, fake_twilio, code, owner_client):
    fake_twilio.fail_next(status=401 if code == 20003 else 400, code=code)
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "paused"
        assert dispatch_touch(touch.pk) == "paused"  # a second try asks Twilio nothing
    touch.refresh_from_db()
    patient.refresh_from_db()
    assert (touch.status, touch.attempts, touch.error_code) == ("queued", 0, code)
    assert len(fake_twilio.requests) == 1
    assert patient.can_text  # not the patient's fault
    paused = SenderPause.objects.active().get()
    assert (paused.sender, paused.error_code) == ("+14155550100", code)
    item = Handoff.objects.get(location=patient.location)  # one item per location texting from that number
    assert item.route == "staff_review" and "Texting paused" in item.title
    page = owner_client.get("/inbox/").content.decode()
    assert "Texting paused for +14155550100" in page and POLICY[code].reason in page


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (503, 20500), (500, 30001), (400, 30001)])
def test_transient_error_backs_off(touch, fake_twilio, status, code):
    fake_twilio.fail_next(status=status, code=code)
    with time_machine.travel(MORNING, tick=False), pytest.raises(Retry):
        dispatch_touch(touch.pk)
    touch.refresh_from_db()
    assert (touch.status, touch.attempts) == ("queued", 1)
    assert touch.not_before >= MORNING + dt.timedelta(seconds=5)
    assert SenderPause.objects.count() == 0


def test_timeout_backs_off(touch, settings, fake_twilio):
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # nothing listens: connection refused
    with time_machine.travel(MORNING, tick=False):
        outcome = dispatch.send_touch(touch.pk)
    assert outcome.status == "retry" and Touch.objects.get().status == "queued"


def test_other_refusal_fails_only_that_message(touch, patient, fake_twilio):
    fake_twilio.fail_next(status=400, code=21617, message="The concatenated message body exceeds the limit")
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "failed"
    patient.refresh_from_db()
    assert Touch.objects.get().error_code == 21617 and patient.can_text
    assert Handoff.objects.count() == 0 and SenderPause.objects.count() == 0


@pytest.mark.parametrize(("status", "code", "textable"), [("failed", 30006, False), ("undelivered", 21610, False),
                                                           ("failed", 21602, True)])
def test_the_create_reply_status_uses_the_table(touch, patient, fake_twilio, status, code, textable):
    fake_twilio.answer_next(status=status, error_code=code)
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "failed"
    touch.refresh_from_db()
    patient.refresh_from_db()
    assert touch.status == "failed" and touch.error_code == code and touch.provider_sid.startswith("SM")
    assert patient.can_text is textable


@pytest.fixture
def sent(touch, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "sent"
    touch.refresh_from_db()
    return touch


def callback(post, touch, status, code=""):
    data = {"MessageSid": touch.provider_sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 31 + "1"}
    if code:
        data["ErrorCode"] = str(code)
    assert post(STATUS, data).status_code == 200


@pytest.mark.parametrize("code", [30003, 30005, 30006])
def test_undelivered_callback_marks_the_number_like_a_send_error(sent, patient, twilio_signed_post, code):
    callback(twilio_signed_post, sent, "undelivered", code)
    sent.refresh_from_db()
    patient.refresh_from_db()
    assert (sent.status, sent.error_code) == ("undelivered", code)
    assert not patient.can_text and POLICY[code].reason in patient.phone_invalid_reason
    assert Handoff.objects.get().route == "data_quality"
    callback(twilio_signed_post, sent, "undelivered", code)  # Twilio retried the callback
    assert Handoff.objects.count() == 1


def test_failed_callback_with_21610_opts_out(sent, patient, twilio_signed_post):
    callback(twilio_signed_post, sent, "failed", 21610)
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None


def test_callback_with_an_account_error_pauses_the_sender(sent, twilio_signed_post):
    callback(twilio_signed_post, sent, "failed", 30002)
    assert SenderPause.objects.active().get().error_code == 30002


@pytest.mark.parametrize(("twilio_status", "ours"), [("canceled", "cancelled"), ("partially_delivered", "delivered"),
                                                     ("read", "delivered")])
def test_other_callback_statuses(sent, twilio_signed_post, twilio_status, ours):
    callback(twilio_signed_post, sent, twilio_status)
    sent.refresh_from_db()
    assert sent.status == ours


def test_a_sender_that_fails_again_after_resuming_keeps_one_item_and_is_probed_less(touch, patient, fake_twilio):
    from medspa.twilio.tasks import probe_paused_senders

    fake_twilio.fail_next(status=400, code=21408)  # the probe cannot see geo permissions
    with time_machine.travel(MORNING, tick=False):
        assert dispatch_touch(touch.pk) == "paused"
    with time_machine.travel(MORNING + dt.timedelta(minutes=1), tick=False):
        assert probe_paused_senders() == ["+14155550100"]
        assert Handoff.objects.get(location=patient.location).status == "done"
        fake_twilio.fail_next(status=400, code=21408)
        assert dispatch_touch(touch.pk) == "paused"
    item = Handoff.objects.get(location=patient.location)
    assert item.status == "open" and "Paused again" in item.resolution_note
    relapsed = SenderPause.objects.active().get()
    assert relapsed.relapses == 1 and relapsed.next_probe_at == MORNING + dt.timedelta(minutes=3)
    with time_machine.travel(MORNING + dt.timedelta(minutes=2), tick=False):
        requests = len(fake_twilio.requests)
        assert probe_paused_senders() == []  # not due yet: nothing asked
        assert len(fake_twilio.requests) == requests
    with time_machine.travel(MORNING + dt.timedelta(minutes=3), tick=False):
        assert probe_paused_senders() == ["+14155550100"]
        assert dispatch_touch(touch.pk) == "sent"
    assert Touch.objects.get().status == "sent" and len(fake_twilio.messages) == 1
