"""Call list and call page: login, location scope, filters, pagination, summary and handoff link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import intake
from calls.models import Call, Event

pytestmark = pytest.mark.django_db


def record(location, text, **kw):
    return intake.record_call(location=location, channel="coordinator_form",
                              turns=[{"speaker": "note", "text": text}], **kw)


def test_pages_need_login(client, westside):
    call = record(westside, "Book a HydraFacial")
    for url in (reverse("calls:list"), reverse("calls:detail", args=[call.pk]), reverse("calls:intake"),
                reverse("calls:events")):
        assert client.get(url).status_code == 302


def test_list_scoped_and_filtered(alice_client, westside, downtown):
    event = Event.objects.create(location=westside, name="Spring VIP", kind="vip_night",
                                 starts_at=timezone.now() + timedelta(days=3),
                                 ends_at=timezone.now() + timedelta(days=3, hours=2))
    record(westside, "Can I book Botox?", caller_name="Booking Bea")
    record(westside, "Since my filler yesterday my lip looks white and hurts", caller_name="Safety Sam")
    record(westside, "Coming to the VIP night", caller_name="Event Eve", event=event)
    record(downtown, "Book a peel", caller_name="Downtown Dana")
    html = alice_client.get(reverse("calls:list")).content.decode()
    assert "Booking Bea" in html and "Safety Sam" in html and "Downtown Dana" not in html
    html = alice_client.get(reverse("calls:list"), {"route": "safety_escalation"}).content.decode()
    assert "Safety Sam" in html and "Booking Bea" not in html
    html = alice_client.get(reverse("calls:list"), {"event": event.pk}).content.decode()
    assert "Event Eve" in html and "Booking Bea" not in html
    today = westside.local().date().isoformat()
    assert "Booking Bea" in alice_client.get(reverse("calls:list"), {"date": today}).content.decode()
    yesterday = (westside.local() - timedelta(days=1)).date().isoformat()
    assert "Booking Bea" not in alice_client.get(reverse("calls:list"), {"date": yesterday}).content.decode()


def test_list_paginates(alice_client, westside):
    Call.objects.bulk_create(Call(location=westside, channel="coordinator_form", caller_name=f"C{i}")
                             for i in range(55))
    html = alice_client.get(reverse("calls:list")).content.decode()
    assert "Page 1 of 2" in html
    assert "Page 2 of 2" in alice_client.get(reverse("calls:list"), {"page": 2}).content.decode()


def test_detail_shows_summary_and_links_handoff(alice_client, westside, bob, client):
    call = record(westside, "Since my filler yesterday my lip looks white and hurts", caller_name="Ana Lee")
    html = alice_client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "URGENT" in html and "Adverse-event language" in html and "Safety escalation" in html
    assert call.handoff.title in html and "call 911 now" in html
    client.force_login(bob)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
