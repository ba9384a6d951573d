"""First 30 days by revenue path: every metric on a known clinic month, scoping, filters, query count."""

import csv
import io
import re

import pytest
import time_machine
from dashboard_dataset import NOW, RANGE, at, build, build_calls, build_members, build_recall, service
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PatientFactory, UserFactory, VisitFactory

from calls.models import Call
from medspa.models import Handoff
from members.models import Bundle, CreditLedgerEntry, Membership, MembershipPlan
from recall.models import Attribution, InboundMessage, LinkAction, RecallLink, RecallSchedule, Touch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = reverse("dashboards:overview")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def month(westside, downtown):
    build(westside, downtown)


def section(client, key, **params):
    response = client.get(reverse("dashboards:export", args=[key]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def by_first_column(rows):
    return {row[0]: row[1:] for row in rows[1:]}


def cards(page):
    return dict(re.findall(r'data-metric="(\w+)">\s*<div class="value">([^<]*)</div>', page))


def test_revenue_path(owner_client, westside, month):
    rows = by_first_column(section(owner_client, "revenue-path", **RANGE, location=westside.pk))
    values = {metric: cells[0] for metric, cells in rows.items()}
    assert values == {
        "Consult appointments": "3", "Consults shown": "2", "Consult show rate": "0.6667",
        "Treatments booked": "4", "Treatment value booked": "2025.00", "Treatments completed": "3",
        "Completed visit value": "1575.00", "No-shows": "2",
        "Repeat appointments protected": "2", "Value of protected appointments": "1200.00",
        "Inbox items resolved “Booked consult”": "2", "Inbox items resolved “Booked treatment”": "1",
    }
    page = owner_client.get(URL, {**RANGE, "location": westside.pk}).content.decode()
    assert cards(page) == {
        "consults_booked": "3", "consults_shown": "2", "consult_show_rate": "66.7%", "treatments_booked": "4",
        "treatments_booked_value": "$2,025", "treatments_completed": "3", "completed_value": "$1,575",
        "no_shows": "2", "repeat_protected": "2", "repeat_protected_value": "$1,200",
        "inbox_booked_consult": "2", "inbox_booked_treatment": "1",
    }


def test_routes_follow_up_rates_time_saved_and_mix(owner_client, westside, month):
    params = {**RANGE, "location": westside.pk}
    assert section(owner_client, "routes", **params) == [
        ["Route", "Items", "Share", "Contacted", "Booked"],
        ["Safety escalation", "1", "0.1429", "1", "0"],
        ["Provider review", "1", "0.1429", "1", "1"],
        ["Staff review", "1", "0.1429", "1", "0"],
        ["Booking", "4", "0.5714", "3", "2"],
    ]
    assert section(owner_client, "follow-up", **params) == [
        ["Route", "Contacted", "Median minutes", "90th percentile minutes"],
        ["Safety escalation", "1", "5.0", "5.0"],
        ["Provider review", "1", "120.0", "120.0"],
        ["Staff review", "1", "60.0", "60.0"],
        ["Booking", "3", "30.0", "46.0"],  # 10, 30, 50: p90 = 30 + 0.8 x 20
        ["All routes", "6", "40.0", "90.0"],  # 5, 10, 30, 50, 60, 120
    ]
    assert section(owner_client, "review-rates", **params)[1:] == [
        ["Safety escalations in the inbox", "1", "0.1429"],
        ["Provider reviews in the inbox", "1", "0.1429"],
        ["Staff reviews in the inbox", "1", "0.1429"],
        ["Arrived with a summary", "4", "0.5714"],
    ]
    saved = by_first_column(section(owner_client, "time-saved", **params, minutes=10))
    assert saved["Items that arrived already summarized"] == ["4"]
    assert saved["Minutes saved"] == ["40"] and saved["Hours saved"] == ["0.7"]
    assert section(owner_client, "treatment-mix", **params)[1:] == [
        ["Injectable", "2", "1350.00"], ["Facial", "1", "225.00"], ["Consultation", "2", "0.00"],
    ]


def test_time_saved_default_is_six_minutes(owner_client, westside, month):
    saved = by_first_column(section(owner_client, "time-saved", **RANGE, location=westside.pk))
    assert saved["Minutes saved per item (assumption)"] == ["6"] and saved["Minutes saved"] == ["24"]


def test_all_my_locations_adds_downtown(owner_client, month):
    values = {k: v[0] for k, v in by_first_column(section(owner_client, "revenue-path", **RANGE)).items()}
    assert values["Completed visit value"] == "11574.00"  # + the Downtown $9,999 visit
    routes = by_first_column(section(owner_client, "routes", **RANGE))
    assert routes["Booking"] == ["5", "0.6250", "4", "2"]


def test_default_range_is_last_30_days_in_first_location_time_zone(owner_client, westside, month):
    page = owner_client.get(URL).content.decode()
    # Downtown (New York) sorts first: it is 16:00 on Mar 30 there, so Mar 1 .. Mar 30.
    assert 'name="start" value="2026-03-01"' in page and 'name="end" value="2026-03-30"' in page
    assert "Mar 1, 2026 – Mar 30, 2026 · all locations" in page


def test_owner_sees_only_own_locations(client, westside, downtown, month):
    wes = UserFactory(username="wes", role="owner", locations=[westside])
    client.force_login(wes)
    values = {k: v[0] for k, v in by_first_column(section(client, "revenue-path", **RANGE)).items()}
    assert values["Completed visit value"] == "1575.00"  # no Downtown $9,999
    page = client.get(URL, {**RANGE, "location": downtown.pk}).content.decode()
    assert "Choose one of your own locations." in page
    assert "Downtown Skin Studio" not in page
    assert "$9,999" not in page and "$11,574" not in page
    values = {k: v[0] for k, v in
              by_first_column(section(client, "revenue-path", **RANGE, location=downtown.pk)).items()}
    assert values["Completed visit value"] == "1575.00"  # the bad filter falls back to the owner's own scope


def test_bad_range_is_explained(owner_client, month):
    page = owner_client.get(URL, {"start": "2026-03-30", "end": "2026-03-01"}).content.decode()
    assert "The end date must be on or after the start date." in page


def test_empty_states(owner_client):
    page = owner_client.get(URL).content.decode()
    assert "No inbox items were opened in this range." in page
    assert "No completed visits in this range." in page
    assert "No calls were recorded in this range." in page


def test_charts_have_numbers_and_csv_one_click_away(owner_client, westside, month):
    page = owner_client.get(URL, {**RANGE, "location": westside.pk}).content.decode()
    for key in ("revenue-path", "routes", "follow-up", "treatment-mix"):
        assert f'<canvas data-chart="chart-{key}"' in page
        assert f'<script id="chart-{key}" type="application/json">' in page
        assert f'href="/dashboard/export/{key}.csv?start=2026-03-01&amp;end=2026-03-30' in page
    assert page.count("Numbers behind this chart") == 4
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page


def test_owner_only(client, alice):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("dashboards:export", args=["routes"])).status_code == 403


def test_unknown_section_is_404(owner_client):
    assert owner_client.get(reverse("dashboards:export", args=["nope"])).status_code == 404


def _queries(client, url, params=None):
    cache.clear()  # the ROI defaults are cached for five minutes; measure the uncached cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


PAGES = [
    (URL, None), (reverse("dashboards:roi"), None), ("/api/v1/roi/", None),
    (reverse("dashboards:export", args=["revenue-path"]), None),
    (reverse("dashboards:export", args=["follow-up"]), None),
    (reverse("dashboards:members"), None),
    (reverse("dashboards:export", args=["calls"]), None),
    (reverse("dashboards:export", args=["calls-by-category"]), None),
    (reverse("dashboards:export", args=["members"]), None),
    (reverse("dashboards:export", args=["bundle-liability"]), None),
    (reverse("dashboards:recall"), None),
    *[(reverse("dashboards:export", args=[key]), None)
      for key in ("recall-by-service", "recall-lapse", "recall-by-kind", "recall-days-after-due", "recall-funnel")],
]


def test_query_count_does_not_grow_with_data(owner_client, westside, downtown, month):
    build_calls(westside, downtown)
    build_members(westside, downtown)
    build_recall(westside, downtown)
    small = {url: _queries(owner_client, url, params) for url, params in PAGES}
    plan = MembershipPlan.objects.get(name="Glow Club")
    for i in range(30):
        patient = PatientFactory(location=westside if i % 2 else downtown)
        Call.objects.create(location=patient.location, channel="voice_agent", started_at=at(3, 1 + i % 28),
                            route="booking", patient=patient, after_hours=bool(i % 3),
                            fields={"event_source": f"source {i % 4}", "service_interest": ["Neurotoxin"]})
        membership = Membership.objects.create(patient=patient, plan=plan, location=patient.location,
                                               status="active", started_on=at(1, 1).date(),
                                               next_renewal_on=at(4, 1).date())
        CreditLedgerEntry.objects.create(membership=membership, kind="accrual", amount=50, cycle=at(3, 1).date())
        Bundle.objects.create(patient=patient, service=service("HydraFacial"), location=patient.location,
                              sessions_purchased=2, price_paid=300, purchased_on=at(3, 1).date())
        won = VisitFactory(patient=patient, starts_at=at(3, 1 + i % 28), status="completed", value=100 + i)
        svc = service(("Neurotoxin", "HydraFacial", "Lip filler")[i % 3])
        schedule, _ = RecallSchedule.objects.update_or_create(patient=patient, service=svc, defaults={
            "state": ("due", "late", "lapsed", "booked")[i % 4], "last_visit": at(1, 1).date()})
        touch = Touch.objects.create(schedule=schedule, patient=schedule.patient, service=schedule.service,
                                     number=100 + i, kind=("on_time", "late", "reactivation")[i % 3],
                                     idempotency_key=f"grow:{i}", body="x", to="+14155550100", from_number="+1500",
                                     status="delivered", sent_at=at(3, 1 + i % 20))
        handoff = Handoff.objects.create(location=patient.location, route="rebooking", source="sms", title="x")
        InboundMessage.objects.create(message_sid=f"SMgrow{i}", from_number="+14155550100", to_number="+1500",
                                      kind="reply", touch=touch, handoff=handoff, received_at=at(3, 2 + i % 20))
        link, _token = RecallLink.objects.issue(schedule, touch, now=at(3, 2 + i % 20))
        LinkAction.objects.create(link=link, action="request", created_at=at(3, 2 + i % 20))
        Attribution.objects.create(visit=won, touch=touch, kind=touch.kind, service=svc, location=patient.location,
                                   value=won.value, visit_at=won.starts_at, created_at=at(3, 3 + i % 20))
        VisitFactory(patient=patient, starts_at=at(3, 2 + i % 27), status="no_show")
        for route in ("booking", "staff_review", "rebooking"):
            Handoff.objects.create(location=patient.location, route=route, source="sms", title="x",
                                   summary="s", created_at=at(3, 3 + i % 20), claimed_at=at(3, 3 + i % 20, 19))
    large = {url: _queries(owner_client, url, params) for url, params in PAGES}
    assert large == small
    assert small[URL] <= 20, small
    # session, user, locations, 3 transaction, 8 aggregates + reach, call outcomes, recovered by channel,
    # 2 owner banners (paused senders, no on-call number)
    assert small[reverse("dashboards:recall")] <= 19, small
