"""Who is it for: texts and calls to numbers no location owns are refused and logged (STOP still counts),
malformed senders are rejected, and AccountSid must be ours."""

import pytest
from test_twilio_opt_out import INBOUND, text

from calls.models import Call
from medspa.models import AuditLog, Handoff, Patient
from recall.models import InboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]


def test_stop_to_a_number_no_location_owns_is_honoured_but_not_filed(twilio_signed_post, patient, fake_twilio,
                                                                      settings):
    settings.TWILIO_KEYWORD_REPLIES = "app"
    response = text(twilio_signed_post, "STOP", to="+14155550999")
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    assert InboundMessage.objects.count() == 0 and Handoff.objects.count() == 0
    assert fake_twilio.messages == []  # no confirmation from a number we do not own
    refused = AuditLog.objects.get(action="twilio.sms_refused")
    assert refused.data["to"] == "+14155550999" and refused.data["opted_out"] is True


def test_a_reply_to_a_number_no_location_owns_is_refused_and_logged(twilio_signed_post, patient, fake_twilio):
    text(twilio_signed_post, "Can I book?", to="+14155550999")
    assert InboundMessage.objects.count() == 0 and Handoff.objects.count() == 0
    assert AuditLog.objects.filter(action="twilio.sms_refused").count() == 1
    assert Patient.objects.get().sms_opted_out_at is None


@pytest.mark.parametrize("sender", ["abc", "", "12"])
def test_malformed_sender_is_rejected(twilio_signed_post, patient, sender):
    response = twilio_signed_post(INBOUND, {"MessageSid": "SM" + "c" * 32, "From": sender, "To": "+14155550100",
                                            "Body": "STOP"})
    assert response.status_code == 400 and b"not a phone number" in response.content
    assert InboundMessage.objects.count() == 0 and Handoff.objects.count() == 0


@pytest.mark.parametrize("account", ["AC" + "9" * 32, ""])
def test_another_account_sid_is_rejected(twilio_signed_post, patient, account):
    response = twilio_signed_post(INBOUND, {"MessageSid": "SM" + "d" * 32, "From": "+14155550134",
                                            "To": "+14155550100", "Body": "hi", "AccountSid": account})
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0
    response = twilio_signed_post("/twilio/voice/incoming/", {"CallSid": "CA" + "1" * 32, "From": "+14155550134",
                                                              "To": "+14155550100", "AccountSid": account})
    assert response.status_code == 403


def test_a_call_to_a_number_no_location_owns_is_refused_and_logged(twilio_signed_post, westside):
    response = twilio_signed_post("/twilio/voice/incoming/", {"CallSid": "CA" + "2" * 32, "From": "+14155550134",
                                                              "To": "+14155550999", "CallStatus": "ringing"})
    assert response.status_code == 200 and b"not in service" in response.content
    assert Call.objects.count() == 0 and Handoff.objects.count() == 0
    assert AuditLog.objects.get(action="twilio.call_refused").data["to"] == "+14155550999"
