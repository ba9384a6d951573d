"""The patient's recall link page: request a time, snooze, stop; expired or tampered links."""

import datetime as dt
import re

import pytest
import time_machine
from recall_support import la, run_dispatcher, treated

from medspa.models import Handoff
from recall.models import LinkAction, RecallSchedule, Touch
from recall.tasks import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)



@pytest.fixture
def link_path(patient, fake_twilio):
    """The path of the link in Jordan's on-time reminder."""
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher()
    body = fake_twilio.messages[0]["body"]
    return re.search(r"https://frontdesk\.example\.com(/r/[\w-]+/)", body).group(1)


def test_page_says_what_is_due_and_since_when_but_the_text_does_not(client, link_path, fake_twilio):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        response = client.get(link_path)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hi Jordan" in page and "Westside Aesthetics" in page and "Rivera" not in page
    assert "time for your next <strong>Neurotoxin</strong> appointment" in page
    assert "Your last one was on March 22, 2026 (about 3 months ago)" in page
    assert "we usually see you every 3 months" in page
    assert "Neurotoxin" not in fake_twilio.messages[0]["body"]  # the service stays off the SMS itself
    assert response["Cache-Control"].startswith("max-age=0")


def test_reopening_the_link_shows_the_request_and_changing_it_keeps_one_inbox_item(client, link_path):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        client.post(link_path, {"action": "request", "days": ["tue"], "times": ["afternoon"]})
        reopened = client.get(link_path).content.decode()
        assert "We have your request" in reopened and "Tuesday · afternoon" in reopened
        assert "Send my request" not in reopened and "Change my request" in reopened
        change = client.get(link_path + "?change=1").content.decode()
        assert "Update my request" in change and "checked" in change
        for _ in range(3):  # the patient resubmits: still one inbox item, now saying the new time
            response = client.post(link_path, {"action": "request", "days": ["thu"], "times": ["morning"]})
    assert "updated your request" in response.content.decode()
    handoff = Handoff.objects.get()
    assert handoff.context["request"]["days"] == ["Thursday"] and handoff.context["request"]["times"] == ["morning"]
    assert "Thursday · morning" in handoff.summary
    assert LinkAction.objects.filter(action="request").count() == 4


def test_after_the_front_desk_closes_the_request_a_new_one_opens_a_new_item(client, link_path, alice):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        client.post(link_path, {"action": "request", "days": ["tue"], "times": ["afternoon"]})
        Handoff.objects.get().resolve(alice, "no_answer")
        page = client.get(link_path).content.decode()
        assert "Send my request" in page
        client.post(link_path, {"action": "request", "days": ["wed"], "times": ["evening"]})
    assert Handoff.objects.count() == 2


def test_request_a_slot_becomes_a_rebooking_handoff(client, link_path):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        response = client.post(link_path, {"action": "request", "days": ["tue"], "times": ["afternoon"],
                                           "note": "After 2 if possible"})
    assert response.status_code == 200 and "we've got it" in response.content.decode()
    handoff = Handoff.objects.get()
    assert (handoff.route, handoff.source, handoff.patient.first_name) == ("rebooking", "recall_link", "Jordan")
    assert handoff.context["request"] == {"days": ["Tuesday"], "times": ["afternoon"], "note": "After 2 if possible"}
    assert handoff.context["history"][0]["service"] == "Neurotoxin"
    assert handoff.context["touch"]["id"] == Touch.objects.get().pk
    assert handoff.context["service"] == "Neurotoxin"
    assert LinkAction.objects.get().action == "request"
    assert RecallSchedule.objects.get().snoozed_until == dt.date(2026, 6, 29)


def test_request_needs_a_day_and_a_time(client, link_path):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        response = client.post(link_path, {"action": "request"})
    assert "Pick at least one day." in response.content.decode()
    assert Handoff.objects.count() == 0


def test_snooze_pushes_the_next_touch(client, link_path, fake_twilio):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        client.post(link_path, {"action": "snooze", "days": "30"})
    schedule = RecallSchedule.objects.get()
    assert schedule.snoozed_until == dt.date(2026, 7, 15)
    with time_machine.travel(MORNING + dt.timedelta(days=26), tick=False):  # late stage, but snoozed
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 1
    with time_machine.travel(la(2026, 7, 15, 9, 0), tick=False):
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 2 and Touch.objects.order_by("-number").first().kind == "late"


def test_stop_this_service_or_all_texts(client, link_path, patient):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        client.post(link_path, {"action": "stop_service"})
    schedule = RecallSchedule.objects.get()
    assert (schedule.state, schedule.next_action_at) == ("closed", None) and schedule.stopped_at
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is None
    with time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False):
        client.post(link_path, {"action": "stop_all"})
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is not None
    assert patient.consent_events.get().source == "recall_link"


def test_tampered_link_shows_a_friendly_page(client, link_path):
    tampered = link_path[:-3] + ("A" if link_path[-3] != "A" else "B") + link_path[-2:]
    response = client.get(tampered)
    assert response.status_code == 404
    assert "This link is no longer active" in response.content.decode()
    assert client.get("/r/not-a-token/").status_code == 404


def test_expired_link_shows_the_clinic_phone(client, link_path):
    with time_machine.travel(MORNING + dt.timedelta(days=31), tick=False):
        response = client.get(link_path)
        posted = client.post(link_path, {"action": "stop_all"})
    assert response.status_code == 410 and posted.status_code == 410
    page = response.content.decode()
    assert "no longer active" in page and "(415) 555-0199" in page and "Westside Aesthetics" in page


def test_link_page_is_rate_limited(client, link_path):
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        codes = [client.get(link_path).status_code for _ in range(32)]
    assert codes[0] == 200 and codes[-1] == 429
