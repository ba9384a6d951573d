"""Call metrics on the overview: every figure on a known set of calls (tests/dashboard_dataset.py CALLS_DOC)."""

import csv
import io
import re

import pytest
import time_machine
from dashboard_dataset import NOW, RANGE, build, build_calls
from django.core.cache import cache
from django.urls import reverse
from factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = reverse("dashboards:overview")


@pytest.fixture
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def month(westside, downtown):
    build(westside, downtown)
    build_calls(westside, downtown)


def section(client, key, **params):
    response = client.get(reverse("dashboards:export", args=[key]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def at_westside(westside):
    return {**RANGE, "location": westside.pk}


def test_call_summary(owner_client, westside, month):
    rows = {row[0]: row[1] for row in section(owner_client, "calls", **at_westside(westside))[1:]}
    assert rows == {
        "Calls": "7", "After-hours share": "0.2857", "Bookable share": "0.5714", "Approved-answer rate": "0.4000",
        "Calls sent to staff review": "0.1429", "Calls sent to a provider": "0.1429",
        "Calls escalated for safety": "0.1429",
        "Summary completeness": "0.7750", "Event calls": "2", "Event consults booked": "2",
        "Event consults shown": "1",
    }
    page = owner_client.get(URL, at_westside(westside)).content.decode()
    cards = dict(re.findall(r'data-metric="(\w+)" title="[^"]*">\s*<div class="value">([^<]*)</div>', page))
    assert cards["after_hours_share"] == "28.6%" and cards["approved_answer_rate"] == "40.0%"
    assert cards["completeness"] == "77.5%" and cards["event_consults_shown"] == "1"


def test_hours_and_weekdays_are_local_time(owner_client, westside, month):
    heat = section(owner_client, "calls-heat", **at_westside(westside))
    assert heat[0][:4] == ["Day", "12 am", "1 am", "2 am"] and heat[0][-1] == "Total"
    grid = {row[0]: [int(n) for n in row[1:]] for row in heat[1:]}
    assert grid["Tuesday"][10] == 1 and grid["Tuesday"][11] == 1 and grid["Tuesday"][20] == 1  # c7, c1, c2
    assert grid["Thursday"][12] == 1
    assert grid["Saturday"][10] == 2 and grid["Saturday"][23] == 1  # c6 is Sunday 06:00 UTC
    assert grid["Wednesday"][-1] == 0 and grid["Sunday"][-1] == 0
    assert [row[-1] for row in grid.values()] == [0, 3, 0, 1, 0, 3, 0]
    by_hour = {row[0]: row[1:] for row in section(owner_client, "calls-by-hour", **at_westside(westside))[1:]}
    assert by_hour["10 am"] == ["3", "0.4286"] and by_hour["8 pm"] == ["1", "0.1429"] and by_hour["3 am"][0] == "0"
    weekday = section(owner_client, "calls-by-weekday", **at_westside(westside))
    assert weekday[1:] == [["Monday", "0", "0.0000"], ["Tuesday", "3", "0.4286"], ["Wednesday", "0", "0.0000"],
                           ["Thursday", "1", "0.1429"], ["Friday", "0", "0.0000"], ["Saturday", "3", "0.4286"],
                           ["Sunday", "0", "0.0000"]]


def test_source_event_category_provider_location(owner_client, westside, month):
    params = at_westside(westside)
    assert section(owner_client, "calls-by-source", **params)[1:] == [
        ["instagram", "2", "0.2857"], ["email", "1", "0.1429"], ["Not stated", "4", "0.5714"]]
    assert section(owner_client, "calls-by-event", **params)[1:] == [["VIP Night", "VIP night", "2", "2", "1"]]
    assert section(owner_client, "calls-by-category", **params)[1:] == [
        ["Injectable", "4", "0.5714"], ["Facial", "1", "0.1429"], ["No service named", "2", "0.2857"]]
    assert section(owner_client, "calls-by-provider", **params)[1:] == [
        ["Dr. Maya Patel", "1", "0.1429"], ["No preference", "6", "0.8571"]]
    assert section(owner_client, "calls-by-location", **params)[1:] == [
        ["Westside Aesthetics", "7", "2", "0.2857", "0.5714", "0.4000"]]


def test_all_locations_and_csv_formula_safety(owner_client, westside, downtown, month):
    locations = section(owner_client, "calls-by-location", **RANGE)
    assert [row[:2] for row in locations[1:]] == [["Downtown Skin Studio", "1"], ["Westside Aesthetics", "7"]]
    sources = section(owner_client, "calls-by-source", **RANGE)
    assert ["'=HYPERLINK(\"http://x\")", "1", "0.1250"] in sources


def test_measured_roi_call_defaults(owner_client, westside, month):
    body = owner_client.get("/api/v1/roi/", {**RANGE, "location": westside.pk}).json()
    assert body["inputs"]["monthly_calls"] == 7 and body["inputs"]["bookable_share"] == 0.5714
    assert body["sources"]["monthly_calls"] == "measured: 7 calls, Mar 1–Mar 30, 2026"
    assert body["sources"]["bookable_share"].startswith("measured: 4 of 7 calls were routed booking, rebooking")
    cache.clear()
    body = owner_client.get("/api/v1/roi/", {"start": "2026-03-01", "end": "2026-03-15",
                                             "location": westside.pk}).json()
    # c1-c7 minus nothing after Mar 15 local: 7 calls in 15 days -> 14 a month.
    assert body["inputs"]["monthly_calls"] == 14
    assert body["sources"]["monthly_calls"].endswith("(scaled from 15 days to 30)")


def test_heat_strip_and_charts_on_the_page(owner_client, westside, month):
    page = owner_client.get(URL, at_westside(westside)).content.decode()
    assert 'class="heat"' in page and 'title="Tuesday 8 pm: 1 calls"' in page
    for key in ("calls-by-hour", "calls-by-weekday", "calls-by-source", "calls-by-category", "calls-by-event"):
        assert f'<canvas data-chart="chart-{key}"' in page
        assert f'href="/dashboard/export/{key}.csv?start=2026-03-01' in page


def test_call_sections_are_scoped_to_the_owner(client, westside, downtown, month):
    wes = UserFactory(username="wes", role="owner", locations=[westside])
    client.force_login(wes)
    rows = section(client, "calls-by-location", **RANGE, location=downtown.pk)
    assert [row[0] for row in rows[1:]] == ["Westside Aesthetics"]
    client.force_login(UserFactory(username="cora", role="coordinator", locations=[westside]))
    assert client.get(reverse("dashboards:export", args=["calls"])).status_code == 403
