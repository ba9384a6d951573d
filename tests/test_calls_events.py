"""Events: owner pages, attribution by tracking number, by kind/date, by source code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.attribution import attribute_event
from calls.models import Event

pytestmark = pytest.mark.django_db


def make(location, name, kind="vip_night", days=10, **kw):
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(location=location, name=name, kind=kind, starts_at=start,
                                ends_at=start + timedelta(hours=3), **kw)


def test_tracking_number_wins(westside):
    tracked = make(westside, "IG laser special", kind="laser_special", tracking_number="+14155550188")
    make(westside, "VIP night", kind="vip_night")
    found = attribute_event(westside, at=timezone.now(), fields={"event_kind": "vip_night"},
                            to_number="+14155550188")
    assert found == tracked


def test_kind_picks_the_next_upcoming_event_at_that_location(westside, downtown):
    make(downtown, "Downtown VIP", days=2)
    past = make(westside, "Winter VIP", days=-60)
    spring = make(westside, "Spring VIP", days=20)
    make(westside, "Summer VIP", days=80)
    assert attribute_event(westside, at=timezone.now(), fields={"event_kind": "vip_night"}) == spring
    assert past != spring


def test_event_date_selects_the_event_on_that_day(westside):
    a = make(westside, "Open house A", kind="open_house", days=5)
    b = make(westside, "Open house B", kind="open_house", days=12)
    day = westside.local(b.starts_at).date().isoformat()
    assert attribute_event(westside, at=timezone.now(), fields={"event_kind": "open_house", "event_date": day}) == b
    assert a != b


def test_source_code_mentioned(westside):
    glow = make(westside, "Glow season", kind="seasonal", source_codes=["GLOW25"])
    assert attribute_event(westside, at=timezone.now(), fields={}, text="The postcard said code glow25") == glow
    assert attribute_event(westside, at=timezone.now(), fields={}, text="I want to GLOW250 something") is None


def test_owner_creates_event_in_location_time(owner_client, westside):
    response = owner_client.post(reverse("calls:event_new"), {
        "location": westside.pk, "name": "Spring VIP Night", "kind": "vip_night",
        "starts_at": "2030-04-12T18:00", "ends_at": "2030-04-12T21:00", "rsvp_deadline": "2030-04-10T17:00",
        "capacity": "40", "offer_text": "20% off neurotoxin for guests", "source_codes": "vipspring, ig-vip",
        "tracking_number": "(415) 555-0188",
    })
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get()
    assert westside.local(event.starts_at).hour == 18 and event.source_codes == ["VIPSPRING", "IG-VIP"]
    assert str(event.tracking_number) == "+14155550188"
    listing = owner_client.get(reverse("calls:events")).content.decode()
    assert "Spring VIP Night" in listing and "VIPSPRING" in listing


def test_event_form_errors_are_clear(owner_client, westside):
    make(westside, "Taken", tracking_number="+14155550188")
    response = owner_client.post(reverse("calls:event_new"), {
        "location": westside.pk, "name": "Bad", "kind": "vip_night", "starts_at": "2030-04-12T18:00",
        "ends_at": "2030-04-11T18:00", "tracking_number": "+14155550188",
    })
    html = response.content.decode()
    assert response.status_code == 400
    assert "must end after it starts" in html and "Another event already uses this tracking number" in html


def test_coordinator_sees_events_but_cannot_edit(alice_client, westside, downtown):
    mine = make(westside, "Westside open house", kind="open_house")
    make(downtown, "Downtown secret")
    html = alice_client.get(reverse("calls:events")).content.decode()
    assert "Westside open house" in html and "Downtown secret" not in html
    assert alice_client.get(reverse("calls:event_edit", args=[mine.pk])).status_code == 403
