"""The inbox: queue order, scoping, filters, claim and resolve."""

import datetime as dt
import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory

from medspa.models import AuditLog, Handoff

pytestmark = pytest.mark.django_db


def make(location, route, title, **kw):
    return Handoff.objects.create(location=location, route=route, source=kw.pop("source", "call"), title=title, **kw)


@pytest.mark.parametrize("local_time", ["10:00", "22:00"], ids=["open", "closed"])
def test_queue_puts_safety_first_then_deadline_then_value(alice_client, westside, local_time):
    # Open hours once made value never decide: two items a microsecond apart had different deadlines.
    hour, minute = map(int, local_time.split(":"))
    moment = datetime(2026, 12, 1, hour, minute, 7, 250_000, tzinfo=westside.tz)
    with time_machine.travel(moment, tick=True):
        _assert_queue_order(alice_client, westside)


def test_deadlines_are_whole_minutes_and_order_before_value(alice_client, westside):
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, 59, 900_000, tzinfo=westside.tz), tick=False):
        first = make(westside, "booking", "Wants Botox", value=450)
    with time_machine.travel(datetime(2026, 12, 1, 10, 1, 0, 100_000, tzinfo=westside.tz), tick=False):
        second = make(westside, "booking", "Wants filler", value=850)
        later = make(westside, "booking", "Wants laser", value=900, due_at=second.due_at + timedelta(minutes=30))
    assert (first.due_at.second, first.due_at.microsecond) == (0, 0)
    assert first.due_at < second.due_at  # the earlier minute's deadline comes first, whatever the value
    page = alice_client.get(reverse("inbox")).content.decode()
    assert page.index(first.title) < page.index(second.title) < page.index(later.title)


def _assert_queue_order(alice_client, westside):
    booking = make(westside, "booking", "Wants Botox", value=450)
    bigger = make(westside, "booking", "Wants filler", value=850)
    safety = make(westside, "safety_escalation", "Lip looks white after filler")
    page = alice_client.get(reverse("inbox")).content.decode()
    assert page.index(safety.title) < page.index(bigger.title) < page.index(booking.title)
    assert "URGENT" in page and "1 open safety escalation" in page


def test_inbox_scoped_to_locations(alice_client, westside, downtown):
    make(westside, "booking", "Westside caller")
    other = make(downtown, "booking", "Downtown caller")
    page = alice_client.get(reverse("inbox")).content.decode()
    assert "Westside caller" in page and "Downtown caller" not in page
    assert alice_client.get(reverse("inbox_item", args=[other.pk])).status_code == 404
    assert alice_client.post(reverse("inbox_claim", args=[other.pk])).status_code == 404


def test_inbox_needs_login(client, westside):
    item = make(westside, "booking", "x")
    assert client.get(reverse("inbox")).status_code == 302
    assert client.post(reverse("inbox_resolve", args=[item.pk]), {"outcome": "other"}).status_code == 302
    assert Handoff.objects.get(pk=item.pk).status == "open"


def test_filters_by_route_status_and_event(alice_client, westside):
    make(westside, "booking", "Booking one", context={"event": {"id": 7, "name": "VIP night"}})
    make(westside, "member_support", "Member two")
    done = make(westside, "booking", "Done three")
    done.status, done.outcome, done.resolved_at = "done", "no_answer", done.created_at
    done.save()
    by_route = alice_client.get(reverse("inbox"), {"route": "member_support"}).content.decode()
    assert "Member two" in by_route and "Booking one" not in by_route
    assert "Done three" not in alice_client.get(reverse("inbox")).content.decode()
    assert "Done three" in alice_client.get(reverse("inbox"), {"status": "done"}).content.decode()
    by_event = alice_client.get(reverse("inbox"), {"event": 7}).content.decode()
    assert "Booking one" in by_event and "Member two" not in by_event


def test_htmx_poll_returns_the_queue_partial(alice_client, westside):
    make(westside, "booking", "Fresh item")
    response = alice_client.get(reverse("inbox"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-queue")
    body = response.content.decode()
    assert "Fresh item" in body and "<html" not in body


def test_claim_and_resolve(alice_client, alice, westside):
    item = make(westside, "booking", "Wants Botox")
    assert alice_client.post(reverse("inbox_claim", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == "claimed" and item.claimed_by == alice
    response = alice_client.post(reverse("inbox_resolve", args=[item.pk]), {"outcome": "booked_treatment"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.outcome, item.resolved_by) == ("done", "booked_treatment", alice)
    assert list(AuditLog.objects.filter(object_id=str(item.pk)).values_list("action", flat=True).order_by("id")) == [
        "handoff.claimed", "handoff.resolved"]


def test_other_coordinator_cannot_take_a_claimed_item(client, westside, alice):
    carla = UserFactory(username="carla", locations=[westside])
    item = make(westside, "booking", "Wants Botox")
    item.claim(alice)
    client.force_login(carla)
    response = client.post(reverse("inbox_claim", args=[item.pk]))
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.claimed_by == alice


def test_safety_escalation_cannot_be_resolved_without_a_note(alice_client, westside):
    item = make(westside, "safety_escalation", "Trouble swallowing after Botox")
    response = alice_client.post(reverse("inbox_resolve", args=[item.pk]), {"outcome": "referred_to_care", "note": " "},
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "cannot be resolved without a note" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"
    response = alice_client.post(reverse("inbox_resolve", args=[item.pk]),
                                 {"outcome": "referred_to_care", "note": "Called back, sent to ER, Dr. Patel told."})
    item.refresh_from_db()
    assert item.status == "done" and item.resolution_note.startswith("Called back")


def test_resolve_needs_an_outcome_and_only_once(alice_client, westside):
    item = make(westside, "booking", "Wants Botox")
    assert alice_client.post(reverse("inbox_resolve", args=[item.pk]), {"note": "x"}).status_code == 400
    alice_client.post(reverse("inbox_resolve", args=[item.pk]), {"outcome": "no_answer"})
    again = alice_client.post(reverse("inbox_resolve", args=[item.pk]), {"outcome": "booked_treatment"})
    assert again.status_code == 400 and "already resolved" in again.content.decode()
    item.refresh_from_db()
    assert item.outcome == "no_answer"


def test_item_page_shows_context(alice_client, westside, patient):
    item = make(westside, "rebooking", "Asked for a slot", patient=patient, source="recall_link", context={
        "history": [{"date": "2026-08-01", "service": "Neurotoxin", "provider": "Dr. Maya Patel",
                     "status": "completed", "value": "450.00"}],
        "request": {"days": ["Tuesday"], "times": ["afternoon"], "note": "after 2 please"},
        "message": "yes next tuesday", "campaign": "fall"})
    page = alice_client.get(reverse("inbox_item", args=[item.pk])).content.decode()
    for text in ["Neurotoxin", "Dr. Maya Patel", "Tuesday", "afternoon", "after 2 please", "yes next tuesday",
                 "Campaign", "fall", "Jordan Rivera"]:
        assert text in page


def test_times_are_shown_in_the_clinic_zone_and_overdue_is_said(alice_client, westside):
    due = (timezone.now() - dt.timedelta(hours=1, minutes=5)).replace(second=0, microsecond=0)
    item = make(westside, "provider_review", "Asked about units", due_at=due,
                context={"fields": {"service_interest": ["Neurotoxin", "Lip filler"], "deposit_question": True}})
    page = alice_client.get(reverse("inbox_item", args=[item.pk])).content.decode()
    queue = alice_client.get(reverse("inbox")).content.decode()
    local = due.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert f"{local:%a %b} {local.day}, " in page and local.tzname() in page  # e.g. "Tue Nov 24, 9:00 a.m. PST"
    assert "UTC" not in page
    assert "overdue by 1\xa0hour" in page and "overdue by 1\xa0hour" in queue
    assert "Neurotoxin, Lip filler" in page and "['Neurotoxin'" not in page
    assert "Service interest" in page and "Deposit question" in page
