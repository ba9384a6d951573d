"""Opt-out by any reasonable means, through the signed inbound webhook and the processing task."""

import pytest

from medspa.models import ConsentEvent, Handoff
from recall.models import InboundMessage
from recall.tasks import process_inbound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
INBOUND = "/twilio/sms/inbound/"
SID = "AC" + "0" * 31 + "1"


def text(post, body, *, sid="SM" + "b" * 32, sender="+14155550134", to="+14155550100", **extra):
    response = post(INBOUND, {"MessageSid": sid, "From": sender, "To": to, "Body": body, **extra})
    for pk in InboundMessage.objects.values_list("pk", flat=True):
        process_inbound(pk)
        process_inbound(pk)  # a redelivered task
    return response


@pytest.mark.parametrize("body", [
    "leave me alone", "wrong number", "ALTO", "PARAR", "BAJA", "CANCELAR", "Don’t text me anymore",
    "I'm not interested, stop", "Please STOP texting me!!", "“STOP”", "No más", "stop.", "STOP ALL",
    "Who is this? Wrong number", "Remove me from your list", "no me escriban mas",
])
def test_each_phrase_opts_out(twilio_signed_post, patient, fake_twilio, body):
    assert text(twilio_signed_post, body).status_code == 200
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None and not patient.can_text
    assert InboundMessage.objects.get().kind == "stop"
    assert ConsentEvent.objects.get(patient=patient).kind == "opt_out"


@pytest.mark.parametrize("body", ["Can I come in Tuesday?", "I'll stop by tomorrow", "yes please", "thanks!"])
def test_ordinary_replies_do_not_opt_out(twilio_signed_post, patient, fake_twilio, body):
    text(twilio_signed_post, body)
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is None
    assert Handoff.objects.get().source == "sms"


def test_opt_out_type_from_advanced_opt_out_wins_and_the_app_stays_silent(twilio_signed_post, patient,
                                                                           fake_twilio, settings):
    settings.TWILIO_KEYWORD_REPLIES = "app"
    text(twilio_signed_post, "BAJA por favor gracias", OptOutType="STOP")
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    assert ConsentEvent.objects.get().source == "sms_optouttype"
    assert fake_twilio.messages == [] and Handoff.objects.count() == 0  # Twilio already answered


@pytest.mark.parametrize(("mode", "body", "app_replies"), [
    ("twilio", "STOP", False),  # Twilio's default handling answered
    ("app", "STOP", True),
    ("twilio", "leave me alone", True),  # Twilio did not recognise it: the app confirms, once
    ("app", "BAJA", True),
    ("twilio", "START", False),
    ("twilio", "HELP", False),
])
def test_never_two_replies(twilio_signed_post, patient, fake_twilio, settings, mode, body, app_replies):
    settings.TWILIO_KEYWORD_REPLIES = mode
    text(twilio_signed_post, body)
    assert len(fake_twilio.messages) == (1 if app_replies else 0)


def test_ambiguous_opt_out_opens_an_item_to_confirm(twilio_signed_post, patient, fake_twilio):
    text(twilio_signed_post, "not interested")
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    item = Handoff.objects.get()
    assert item.route == "staff_review" and item.title.startswith("Confirm opt-out")
    assert "START" in item.summary


def test_clinical_words_in_an_opt_out_still_reach_a_person(twilio_signed_post, patient, fake_twilio):
    text(twilio_signed_post, "my lip is swollen and blistering since the filler, should I stop")
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    assert Handoff.objects.get().route == "safety_escalation"
