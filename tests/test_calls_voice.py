"""Twilio Voice webhooks: a signed conversation replayed post by post, forged posts, retries, safety."""

import xml.etree.ElementTree as ET

import pytest
from conftest import VOICE_LINE
from django.utils import timezone
from factories import LocationFactory
from twilio.request_validator import RequestValidator

from calls.models import Call, CallTurn, Event
from calls.tasks import finalize_call, finalize_stale_calls
from medspa.models import AuditLog, Handoff

pytestmark = pytest.mark.django_db

SID = "CA" + "a" * 32
CALLER = "+14155550134"
LINE = VOICE_LINE  # the `clinic` fixture (conftest) answers on it


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own TwiML)


def said(root) -> list[str]:
    return [el.text for el in root.iter("Say")]


def incoming(post, sid=SID, to=LINE):
    return post("/twilio/voice/incoming/", {"CallSid": sid, "From": CALLER, "To": to, "CallStatus": "ringing"})


def gather(post, seq, speech, sid=SID):
    return post(f"/twilio/voice/gather/?seq={seq}", {"CallSid": sid, "SpeechResult": speech, "Confidence": "0.9"})


def test_signed_conversation_produces_twiml_at_each_step_and_ends_as_summary_and_handoff(
        twilio_signed_post, clinic, patient):
    root = parse(incoming(twilio_signed_post))
    gather_el = root.find("Gather")
    assert gather_el.get("input") == "speech" and gather_el.get("action") == "/twilio/voice/gather/?seq=1"
    assert gather_el.get("speechTimeout") == "auto" and gather_el.get("language") == "en-US"
    assert said(root) == ["Thank you for calling Westside Aesthetics. I can take your details and have our team "
                          "call you back. How can we help you today?"]

    root = parse(gather(twilio_signed_post, 1, "Can I book Botox for the VIP night?"))
    assert root.find("Gather").get("action") == "/twilio/voice/gather/?seq=2"
    # Known patient (number matches), so the only thing missing is the callback window.
    assert said(root)[-1] == "What is the best time for us to call you back?"

    root = parse(gather(twilio_signed_post, 2, "Weekdays after 5 pm"))
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert said(root) == ["Thank you. Our team will call you back Weekdays after 5 pm.",
                          "Thank you for calling Westside Aesthetics. Goodbye."]

    call = Call.objects.get(external_id=SID)
    assert call.status == "completed" and call.patient == patient and call.caller_name == "Jordan Rivera"
    assert call.fields["callback_window"] == "Weekdays after 5 pm"
    assert [t.text for t in call.turns.filter(speaker="caller")] == ["Can I book Botox for the VIP night?",
                                                                      "Weekdays after 5 pm"]
    assert call.turns.last().text == "Thank you for calling Westside Aesthetics. Goodbye."
    finalize_call(call.pk)  # what the on_commit task runs
    call.refresh_from_db()
    assert call.route == "booking" and call.finalized_at is not None
    assert call.summary["caller"]["callback_window"] == "Weekdays after 5 pm"
    assert {"topic": "closing", "version": 1,
            "wording": "Thank you for calling Westside Aesthetics. Goodbye."} in call.summary["answered"]
    handoff = Handoff.objects.get()
    assert call.handoff == handoff and handoff.source == "call" and handoff.route == "booking"
    assert handoff.context["call_id"] == call.pk and handoff.caller_phone == CALLER
    assert "Next action: Call back to book a consult" in handoff.summary
    # The default plan has no approved event wording: the event question is listed for staff, not answered.
    assert "Event or offer details (no approved answer)" in call.not_promised
    assert call.summary["event"]["service_interest"] == ["Neurotoxin"]
    finalize_call(call.pk)  # a second run adds nothing
    assert Handoff.objects.count() == 1


def test_bad_signature_gets_403_and_stores_nothing(twilio_signed_post, clinic):
    assert incoming(lambda p, d: twilio_signed_post(p, d, signature="forged")).status_code == 403
    assert twilio_signed_post("/twilio/voice/gather/?seq=1", {"CallSid": SID, "SpeechResult": "hi"},
                              signature="forged").status_code == 403
    assert twilio_signed_post("/twilio/voice/status/", {"CallSid": SID, "CallStatus": "completed"},
                              signature="AAAA").status_code == 403
    assert Call.objects.count() == 0 and CallTurn.objects.count() == 0 and Handoff.objects.count() == 0


def test_signature_over_a_different_url_is_rejected(twilio_signed_post, clinic, client, settings):
    data = {"CallSid": SID, "From": CALLER, "To": LINE}
    wrong = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        "https://evil.example.com/twilio/voice/incoming/", data)
    assert client.post("/twilio/voice/incoming/", data, HTTP_X_TWILIO_SIGNATURE=wrong).status_code == 403
    assert not Call.objects.exists()


def test_replaying_callsid_and_gather_retries_create_nothing_new(twilio_signed_post, clinic):
    first = incoming(twilio_signed_post).content
    assert incoming(twilio_signed_post).content == first
    assert Call.objects.count() == 1 and CallTurn.objects.count() == 1

    reply = gather(twilio_signed_post, 1, "I want to book a HydraFacial").content
    turns = CallTurn.objects.count()
    assert gather(twilio_signed_post, 1, "I want to book a HydraFacial").content == reply  # Twilio retry
    assert CallTurn.objects.count() == turns
    assert CallTurn.objects.filter(speaker="caller").count() == 1


def test_safety_utterance_plays_emergency_script_dials_on_call_and_opens_urgent_handoff_now(
        twilio_signed_post, clinic):
    clinic.on_call_number = "+14155550199"
    clinic.save()
    incoming(twilio_signed_post)
    root = parse(gather(twilio_signed_post, 1, "Since my filler yesterday my lip looks white and hurts"))
    assert said(root) == ["If you are having trouble breathing or swallowing, or a change in your vision, hang up "
                          "and call 911 now. I am alerting our clinical team to call you back right away."]
    assert root.find("Dial").text == "+14155550199"
    assert root.find("Gather") is None
    # The urgent handoff exists when the TwiML is returned -- no task had to run.
    handoff = Handoff.objects.get()
    assert handoff.route == "safety_escalation" and handoff.priority == 0
    assert handoff.context["call_id"] == Call.objects.get().pk
    assert any("white" in r for r in handoff.reasons)
    assert "ADVERSE-EVENT LANGUAGE" in handoff.summary
    assert "Since my filler yesterday my lip looks white and hurts" in handoff.summary
    assert AuditLog.objects.filter(action="call.safety_escalation").exists()
    call = Call.objects.get()
    assert call.answers_given[-1]["topic"] == "emergency" and call.answers_given[-1]["version"] == 1

    twilio_signed_post("/twilio/voice/status/", {"CallSid": SID, "CallStatus": "completed"})
    finalize_call(call.pk)
    assert Handoff.objects.count() == 1 and Handoff.objects.get().route == "safety_escalation"


def test_safety_without_on_call_number_hangs_up(twilio_signed_post, clinic):
    incoming(twilio_signed_post)
    root = parse(gather(twilio_signed_post, 1, "I'm having trouble breathing after my Botox"))
    assert root.find("Dial") is None and root.find("Hangup") is not None
    assert Handoff.objects.get().route == "safety_escalation"


def test_later_safety_turn_escalates_a_booking_call(twilio_signed_post, clinic):
    incoming(twilio_signed_post)
    gather(twilio_signed_post, 1, "I want to book a HydraFacial")
    root = parse(gather(twilio_signed_post, 2, "Also my vision is blurry since the filler"))
    assert "call 911" in said(root)[0]
    assert Call.objects.get().route == "safety_escalation"
    assert Handoff.objects.get().route == "safety_escalation"


def test_status_callback_finalises_a_call_the_caller_hung_up_early(twilio_signed_post, clinic):
    incoming(twilio_signed_post)
    gather(twilio_signed_post, 1, "Do you take deposits for the open house?")
    assert twilio_signed_post("/twilio/voice/status/", {"CallSid": SID, "CallStatus": "completed"}).status_code == 204
    call = Call.objects.get()
    assert call.status == "completed" and call.ended_at is not None and call.handoff is None
    # The task enqueued on commit, or the sweep when the task was lost, writes the summary and handoff.
    assert finalize_stale_calls() == 1
    call.refresh_from_db()
    assert call.handoff is not None and call.summary["completeness"]["missing"]
    assert "Deposit question (no approved answer)" in call.not_promised
    assert finalize_stale_calls() == 0


def test_call_to_event_tracking_number_is_attributed_to_the_event(twilio_signed_post, clinic):
    event = Event.objects.create(
        location=clinic, name="Spring VIP Night", kind="vip_night", tracking_number="+14155550188",
        starts_at=timezone.now() + timezone.timedelta(days=10), ends_at=timezone.now() + timezone.timedelta(days=10),
    )
    incoming(twilio_signed_post, to="+14155550188")
    call = Call.objects.get()
    assert call.event == event and call.location == clinic


def test_unknown_number_answers_politely_and_stores_nothing(twilio_signed_post, clinic):
    LocationFactory(name="Elsewhere", voice_number="+14155550177")
    root = parse(incoming(twilio_signed_post, to="+14155550000"))
    assert root.find("Hangup") is not None and not Call.objects.exists()
