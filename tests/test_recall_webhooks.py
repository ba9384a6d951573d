"""Twilio SMS webhooks: signatures, idempotency on MessageSid, keywords, replies into the inbox."""

import datetime as dt

import pytest
import time_machine
from recall_support import la, run_dispatcher, treated

from medspa.models import Handoff
from recall.models import InboundMessage, RecallSchedule, Touch
from recall.sweep import sweep as run_sweep
from recall.tasks import apply_status, process_inbound, sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)
INBOUND = "/twilio/sms/inbound/"
STATUS = "/twilio/sms/status/"



def inbound(post, body, sid="SM" + "a" * 32, sender="+14155550134"):
    response = post(INBOUND, {"MessageSid": sid, "From": sender, "To": "+14155550100", "Body": body,
                              "AccountSid": "AC" + "0" * 31 + "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml") and b"<Response/>" in response.content
    return response


def process_all():
    """The Celery worker's share: process every stored message (a redelivered task runs twice)."""
    for pk in InboundMessage.objects.order_by("pk").values_list("pk", flat=True):
        process_inbound(pk)
        process_inbound(pk)


@pytest.fixture
def reminded(patient, fake_twilio):
    """Jordan got an on-time reminder this morning."""
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1
    return Touch.objects.get()


def test_forged_signature_is_rejected_and_nothing_stored(twilio_signed_post, patient):
    response = twilio_signed_post(INBOUND, {"MessageSid": "SMforged", "From": "+14155550134", "Body": "STOP"},
                                  signature="bm90LWEtc2lnbmF0dXJl")
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0
    response = twilio_signed_post(STATUS, {"MessageSid": "SMx", "MessageStatus": "delivered"}, signature="nope")
    assert response.status_code == 403


def test_duplicate_message_sid_is_processed_once(twilio_signed_post, reminded, fake_twilio, settings):
    settings.TWILIO_KEYWORD_REPLIES = "app"  # Twilio's own keyword replies are off: the app confirms, once
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        inbound(twilio_signed_post, "STOP")
        inbound(twilio_signed_post, "STOP")  # Twilio retried the webhook
        process_all()
    assert InboundMessage.objects.count() == 1
    confirmations = fake_twilio.messages[1:]
    assert len(confirmations) == 1
    assert "unsubscribed" in confirmations[0]["body"] and confirmations[0]["to"] == "+14155550134"


def test_stop_then_reminder_due_sends_nothing(twilio_signed_post, patient, fake_twilio):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING - dt.timedelta(hours=1), tick=False):
        inbound(twilio_signed_post, "Stop texting me please")
        process_all()
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher()
    assert [m["body"] for m in fake_twilio.messages if "unsubscribed" not in m["body"]] == []
    assert Touch.objects.count() == 0
    assert RecallSchedule.objects.get().state == "due"  # the timeline's state; the channel is closed
    patient.refresh_from_db()
    assert patient.text_contact == "opted_out"


def test_stop_cancels_a_queued_touch(twilio_signed_post, patient, fake_twilio):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        sweep()  # touch written; the worker has not run yet
        inbound(twilio_signed_post, "unsubscribe")
        process_all()
        run_dispatcher()
    assert Touch.objects.get().status == "cancelled"
    assert fake_twilio.messages == []  # no reminder; the confirmation is Twilio's own (TWILIO_KEYWORD_REPLIES)


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "cancel", "END", "quit", "revoke", "optout"])
def test_every_stop_word_opts_out(twilio_signed_post, patient, fake_twilio, word):
    inbound(twilio_signed_post, f" {word}. ")
    process_all()
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None


def test_start_opts_back_in_and_yes_only_when_opted_out(twilio_signed_post, patient, fake_twilio):
    inbound(twilio_signed_post, "STOP", sid="SM1")
    inbound(twilio_signed_post, "Yes", sid="SM2")
    process_all()
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is None and patient.sms_consent
    assert InboundMessage.objects.get(message_sid="SM2").kind == "start"
    inbound(twilio_signed_post, "yes", sid="SM3")  # now opted in: "yes" is a reply for the front desk
    process_all()
    assert InboundMessage.objects.get(message_sid="SM3").kind == "reply"
    assert Handoff.objects.filter(source="sms").count() == 1


def test_help_answers_with_clinic_name_and_phone(twilio_signed_post, patient, fake_twilio, settings):
    settings.TWILIO_KEYWORD_REPLIES = "app"
    inbound(twilio_signed_post, "HELP")
    process_all()
    assert len(fake_twilio.messages) == 1
    assert fake_twilio.messages[0]["body"] == (
        "Westside Aesthetics: call us at (415) 555-0199 for help. Reply STOP to opt out.")
    assert Handoff.objects.count() == 0


@pytest.mark.parametrize(("text", "route"), [
    ("yes, next Tuesday afternoon works", "rebooking"),
    ("how much is it these days?", "staff_review"),
    ("my lip has turned white and it really hurts since the filler", "safety_escalation"),
])
def test_reply_becomes_a_handoff_with_history_and_touch(twilio_signed_post, reminded, fake_twilio, text, route):
    with time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False):
        inbound(twilio_signed_post, text)
        process_all()
    handoff = Handoff.objects.get(source="sms")
    assert handoff.route == route
    assert handoff.context["message"] == text
    assert handoff.context["touch"]["id"] == reminded.pk
    assert handoff.context["history"][0]["service"] == "Neurotoxin"
    assert handoff.patient.first_name == "Jordan"
    assert InboundMessage.objects.get().touch == reminded
    if route == "safety_escalation":
        assert RecallSchedule.objects.get().state == "paused"
        # issue 10: a symptom gets the clinic's approved emergency wording back at once, nothing else
        assert len(fake_twilio.messages) == 2
        assert fake_twilio.messages[1]["body"].startswith("If you are having trouble breathing")
    else:
        assert len(fake_twilio.messages) == 1  # no automatic answer to a non-urgent reply


def test_status_callbacks_only_move_forward(twilio_signed_post, reminded):
    sid = reminded.provider_sid
    for status in ("delivered", "sent", "queued"):
        assert twilio_signed_post(STATUS, {"MessageSid": sid, "MessageStatus": status}).status_code == 200
    reminded.refresh_from_db()
    assert reminded.status == "delivered" and reminded.delivered_at is not None
    assert apply_status(sid, "undelivered", "30003") == 0  # delivered is final


def test_undelivered_callback_records_the_error(twilio_signed_post, reminded):
    twilio_signed_post(STATUS, {"MessageSid": reminded.provider_sid, "MessageStatus": "undelivered",
                                "ErrorCode": "30003"})
    reminded.refresh_from_db()
    assert (reminded.status, reminded.error_code) == ("undelivered", 30003)


def test_a_lost_processing_task_is_picked_up_by_the_sweep(twilio_signed_post, patient, fake_twilio):
    with time_machine.travel(MORNING, tick=False):
        inbound(twilio_signed_post, "STOP")  # stored; pretend the queued task vanished with Redis
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        result = run_sweep(enqueue=False)
    message = InboundMessage.objects.get()
    assert result.inbound == [message.pk]
    process_inbound(message.pk)
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
