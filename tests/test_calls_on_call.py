"""On-call that answers: the safety <Dial> rings for a while and always ends in its action route; an
unanswered on-call gets a text page with a link, and the item says so. Owners are warned beforehand
when a location's safety calls would ring no one."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from test_calls_voice import CALLER, LINE, SID, gather, incoming

from calls.tasks import finalize_call
from medspa.models import AuditLog, Handoff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender", "eager_worker")]
ON_CALL = "+14155550188"
SAFETY = "My lips are turning white and it hurts badly since the filler this morning"


@pytest.fixture
def clinic(westside):
    westside.voice_number, westside.on_call_number = LINE, ON_CALL
    westside.save()
    return westside


def twiml(response):
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content)  # noqa: S314 (our own TwiML)


def safety_call(post):
    twiml(incoming(post))
    root = twiml(gather(post, 1, SAFETY))
    return root, Handoff.objects.get()


def dial_result(post, action, status):
    return post(action, {"CallSid": SID, "From": CALLER, "To": LINE, "DialCallStatus": status,
                         "CallStatus": "in-progress"})


def test_dial_has_a_timeout_and_an_action(twilio_signed_post, clinic, fake_twilio):
    root, item = safety_call(twilio_signed_post)
    dial = root.find("Dial")
    assert dial.text == ON_CALL and dial.get("timeout") == "20" and dial.get("method") == "POST"
    assert dial.get("action") == f"/twilio/voice/on-call/?handoff={item.pk}"


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_unanswered_on_call_pages_and_the_item_says_so(twilio_signed_post, clinic, fake_twilio, alice_client,
                                                       django_capture_on_commit_callbacks, status, settings):
    root, item = safety_call(twilio_signed_post)
    action = root.find("Dial").get("action")
    with django_capture_on_commit_callbacks(execute=True):
        answer = twiml(dial_result(twilio_signed_post, action, status))
    with django_capture_on_commit_callbacks(execute=True):
        assert twiml(dial_result(twilio_signed_post, action, status)) is not None  # Twilio retried
    words = " ".join(el.text for el in answer.iter("Say"))
    assert "could not reach our on-call provider" in words
    assert "911" in words  # the clinic's approved emergency wording follows
    assert answer.find("Hangup") is not None
    pages = [m for m in fake_twilio.messages if m["to"] == ON_CALL]
    assert len(pages) == 1
    assert f"{settings.PUBLIC_BASE_URL}/inbox/{item.pk}/" in pages[0]["body"]
    assert "Jordan" not in pages[0]["body"]  # no patient details in a text
    item.refresh_from_db()
    assert item.context["on_call"]["status"] == "not reached" and item.context["on_call"]["page_sid"]
    finalize_call(item.context["call_id"])  # the call summary lands afterwards and keeps the mark
    item.refresh_from_db()
    assert "On-call not reached" in item.reasons and item.context["on_call"]["status"] == "not reached"
    assert "On-call not reached" in alice_client.get(f"/inbox/{item.pk}/").content.decode()
    assert AuditLog.objects.filter(action="call.on_call_paged").count() == 1


def test_answered_on_call_just_ends(twilio_signed_post, clinic, fake_twilio, django_capture_on_commit_callbacks):
    root, item = safety_call(twilio_signed_post)
    with django_capture_on_commit_callbacks(execute=True):
        answer = twiml(dial_result(twilio_signed_post, root.find("Dial").get("action"), "completed"))
    assert answer.find("Hangup") is not None and answer.find("Say") is None
    assert fake_twilio.messages == []
    item.refresh_from_db()
    assert "on_call" not in item.context


def test_a_forged_or_foreign_dial_result_changes_nothing(twilio_signed_post, clinic, fake_twilio):
    root, item = safety_call(twilio_signed_post)
    action = root.find("Dial").get("action")
    assert twilio_signed_post(action, {"CallSid": SID, "DialCallStatus": "no-answer"},
                              signature="forged").status_code == 403
    other = twiml(twilio_signed_post(action, {"CallSid": "CA" + "f" * 32, "DialCallStatus": "no-answer"}))
    assert other.find("Say") is None
    item.refresh_from_db()
    assert "on_call" not in item.context and fake_twilio.messages == []


def test_no_on_call_number_is_flagged_to_the_owner_and_on_the_item(twilio_signed_post, clinic, olivia, alice):
    owner_client, alice_client = Client(), Client()
    owner_client.force_login(olivia)
    alice_client.force_login(alice)
    clinic.on_call_number = ""
    clinic.save()
    page = owner_client.get("/inbox/").content.decode()
    assert "Westside Aesthetics has no on-call number" in page
    assert "safety calls to this location ring no one" in owner_client.get("/settings/").content.decode()
    assert "has no on-call number" not in alice_client.get("/inbox/").content.decode()  # owners fix it
    root, item = safety_call(twilio_signed_post)
    assert root.find("Dial") is None and root.find("Hangup") is not None
    item.refresh_from_db()
    assert item.context["on_call"]["status"] == "not reached"
    clinic.on_call_number = ON_CALL
    clinic.save()
    assert "has no on-call number" not in owner_client.get("/inbox/").content.decode()
