"""One rule for times: stored in UTC, shown and entered in the location's time zone, on every page and in the API."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from factories import VisitFactory, service

from medspa.models import Handoff, Visit
from recall.models import Touch

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# 21:25 UTC on Dec 1 is 1:25 p.m. in Los Angeles (PST, -8); 05:00 UTC on Dec 2 is still Dec 1 there.
AFTERNOON_UTC = dt.datetime(2026, 12, 1, 21, 25, 48, tzinfo=UTC)


def test_patient_page_shows_local_times_and_the_visit_day_agrees_with_recall(alice_client, alice, patient):
    with time_machine.travel(dt.datetime(2026, 12, 3, 18, 0, tzinfo=UTC), tick=False):
        alice_client.force_login(alice)  # sessions last 12 hours: log in on the travelled clock
        VisitFactory(patient=patient, starts_at=dt.datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # 9 p.m. Dec 1 LA
        Touch.objects.create(patient=patient, schedule=patient.recall_schedules.get(), kind="on_time",
                             idempotency_key="t1", body="Hi", to=str(patient.phone),
                             from_number="+14155550100", status="sent", sent_at=AFTERNOON_UTC)
        page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "sent Tue Dec 1, 1:25 p.m. PST" in page
    assert "9:25 p.m." not in page
    visits = page.split("<h2>Visits</h2>")[1]
    recall = page.split('id="recall"')[1].split("</section>")[0]
    assert "Dec 1, 2026" in visits and "Dec 2, 2026" not in visits
    assert "Dec 1, 2026" in recall  # the schedule's last visit: the same calendar day


def test_record_a_visit_takes_local_time_and_refuses_a_completed_visit_later_today(alice_client, alice, patient):
    url = reverse("visit_add", args=[patient.pk])
    form = {"service": service("Neurotoxin").pk, "location": patient.location_id, "status": "completed",
            "value": "450"}
    with time_machine.travel(dt.datetime(2026, 12, 1, 22, 0, tzinfo=UTC), tick=False):  # 2:00 p.m. in LA
        alice_client.force_login(alice)
        page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
        assert 'value="2026-12-01T14:00"' in page  # the form starts at the clinic's local now
        later = alice_client.post(url, {**form, "starts_at": "2026-12-01T17:30"})
        assert later.status_code == 400
        assert "A completed visit cannot be in the future" in later.content.decode()
        done = alice_client.post(url, {**form, "starts_at": "2026-12-01T13:25"})
    assert done.status_code == 302
    visit = Visit.objects.get()
    assert visit.starts_at == dt.datetime(2026, 12, 1, 21, 25, tzinfo=UTC)


def test_last_visit_never_shows_a_future_booking(alice_client, alice, patient):
    with time_machine.travel(dt.datetime(2026, 12, 1, 20, 0, tzinfo=UTC), tick=False):
        alice_client.force_login(alice)
        VisitFactory(patient=patient, starts_at=dt.datetime(2026, 11, 2, 5, 0, tzinfo=UTC))  # Nov 1, LA
        VisitFactory(patient=patient, status="booked", starts_at=dt.datetime(2026, 12, 20, 18, 0, tzinfo=UTC))
        page = alice_client.get(reverse("patients")).content.decode()
    assert "Nov 1, 2026" in page and "Dec 20" not in page


def test_inbox_item_shows_the_prompting_text_time_locally_not_iso(alice_client, patient):
    item = Handoff.objects.create(
        location=patient.location, patient=patient, route="rebooking", source="sms", title="Reply",
        context={"touch": {"kind": "Reactivation", "body": "Hi", "sent_at": AFTERNOON_UTC.isoformat()}})
    page = alice_client.get(reverse("inbox_item", args=[item.pk])).content.decode()
    assert "Reactivation sent Tue Dec 1, 1:25 p.m. PST" in page
    assert "2026-12-01T21:25" not in page


def test_call_plan_versions_are_dated_locally(owner_client, olivia, westside):
    with time_machine.travel(AFTERNOON_UTC, tick=False):
        owner_client.force_login(olivia)
        page = owner_client.get(reverse("calls:plan_location", args=[westside.slug])).content.decode()
    assert "1:25 p.m. PST" in page


def test_api_writes_visit_times_in_the_location_zone_with_the_offset(alice_client, patient):
    VisitFactory(patient=patient, starts_at=AFTERNOON_UTC)
    data = alice_client.get(f"/api/v1/patients/{patient.pk}/").json()
    assert data["time_zone"] == "America/Los_Angeles"
    assert data["visits"][0]["starts_at"] == "2026-12-01T13:25:48-08:00"


@pytest.mark.parametrize("url", ["/patients/?q=%00", "/members/?q=%00", "/api/v1/patients/?q=%00",
                                 "/inbox/?q=%00", "/patients/?q=Jo%00rdan"])
def test_a_nul_byte_in_a_search_is_an_empty_answer_not_a_500(alice_client, patient, url):
    response = alice_client.get(url)
    assert response.status_code in (200, 400)
    assert "Rivera" not in response.content.decode()
