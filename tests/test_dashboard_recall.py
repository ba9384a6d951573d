"""Recall dashboard: per-service counts and rates, by touch kind, days after due and the funnel on a known
dataset (dashboard_dataset.RECALL_DOC works every figure out by hand)."""

import csv
import io

import pytest
import time_machine
from dashboard_dataset import NOW, RANGE, build_recall
from django.urls import reverse
from factories import UserFactory

from medspa.models import Service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = reverse("dashboards:recall")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recall(westside, downtown):
    build_recall(westside, downtown)


def section(client, key, **params):
    response = client.get(reverse("dashboards:export", args=[key]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_per_service(owner_client, westside, recall):
    assert section(owner_client, "recall-by-service", **RANGE, location=westside.pk) == [
        ["Service", "Due", "Late", "Lapsed", "Touches sent", "Replies", "Reply rate", "Rebook requests",
         "Visits recovered", "Revenue recovered", "Lapse rate"],
        ["Neurotoxin", "1", "1", "1", "4", "2", "0.5000", "2", "2", "950.00", "0.2000"],
        ["HydraFacial", "0", "0", "2", "3", "1", "0.3333", "1", "2", "450.00", "0.5000"],
        ["Dermal filler", "0", "0", "0", "0", "0", "", "0", "0", "0.00", "0.0000"],
    ]


def test_services_that_lapse_most(owner_client, westside, recall):
    assert section(owner_client, "recall-lapse", **RANGE, location=westside.pk) == [
        ["Service", "Lapsed", "Active schedules", "Lapse rate"],
        ["HydraFacial", "2", "4", "0.5000"],  # R7's paused schedule is not active
        ["Neurotoxin", "1", "5", "0.2000"],
        ["Dermal filler", "0", "1", "0.0000"],
    ]


def test_by_touch_kind(owner_client, westside, recall):
    assert section(owner_client, "recall-by-kind", **RANGE, location=westside.pk) == [
        ["Touch", "Touches sent", "Visits recovered", "Share that came back", "Revenue recovered"],
        ["On-time reminder", "3", "3", "1.0000", "1175.00"],  # a1 $450 + a2 $225 + a3 $500 (t8 sent in Feb)
        ["Late nudge", "2", "0", "0.0000", "0.00"],
        ["Reactivation", "2", "1", "0.5000", "225.00"],
    ]


def test_days_after_due(owner_client, westside, recall):
    assert section(owner_client, "recall-days-after-due", **RANGE, location=westside.pk) == [
        ["Days after due", "Visits recovered", "Revenue recovered", "Share of recovered"],
        ["0–7 days (or before due)", "1", "225.00", "0.2500"],  # a2: 3 days
        ["8–21 days", "1", "500.00", "0.2500"],  # a3: 12 days
        ["22–90 days", "1", "450.00", "0.2500"],  # a1: 32 days
        ["More than 90 days", "1", "225.00", "0.2500"],  # a4: 183 days
    ]


def test_funnel(owner_client, westside, recall):
    rows = section(owner_client, "recall-funnel", **RANGE, location=westside.pk)
    assert [row[:3] for row in rows] == [
        ["Stage", "Patients x services", "Share of due"],
        ["Due", "9", "1.0000"], ["Touched", "7", "0.7778"], ["Replied or asked for a time", "4", "0.4444"],
        ["Recovered", "4", "0.4444"],
    ]


def test_page_charts_and_numbers(owner_client, westside, recall):
    page = owner_client.get(URL, {**RANGE, "location": westside.pk}).content.decode()
    for key in ("recall-funnel", "recall-by-service", "recall-by-kind", "recall-days-after-due"):
        assert f'<canvas data-chart="chart-{key}"' in page
        assert f'href="/dashboard/export/{key}.csv?start=2026-03-01' in page
    assert page.count("Numbers behind this chart") == 4
    assert "$950" in page and "50.0%" in page
    assert 'aria-current="page">Recall</a>' in page


def test_all_locations_add_downtown(owner_client, recall):
    rows = {row[0]: row for row in section(owner_client, "recall-by-service", **RANGE)[1:]}
    assert rows["Neurotoxin"][3] == "2" and rows["Neurotoxin"][4] == "5"  # D1 lapsed, td sent
    assert rows["Neurotoxin"][9] == "10949.00"


def test_range_moves_the_window(owner_client, westside, recall):
    rows = {row[0]: row for row in section(owner_client, "recall-by-service", start="2026-02-01", end="2026-02-28",
                                           location=westside.pk)[1:]}
    # February: t8 and t10 sent, R5's link request, a5 won; today's states do not move.
    assert rows["Neurotoxin"][1:9] == ["1", "1", "1", "1", "0", "0.0000", "1", "0"]
    assert rows["Dermal filler"][4] == "1" and rows["Dermal filler"][8:10] == ["1", "850.00"]


def test_owner_only_and_scoped(client, alice, westside, downtown, recall):
    assert client.get(URL).status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("dashboards:export", args=["recall-by-service"])).status_code == 403
    client.force_login(UserFactory(username="wes", role="owner", locations=[westside]))
    rows = {row[0]: row for row in section(client, "recall-by-service", **RANGE, location=downtown.pk)[1:]}
    assert rows["Neurotoxin"][9] == "950.00"  # Downtown's $9,999 is never shown to a Westside owner
    page = client.get(URL, {"location": downtown.pk}).content.decode()
    assert "Choose one of your own locations." in page and "Downtown Skin Studio" not in page


def test_empty_state(owner_client):
    page = owner_client.get(URL).content.decode()
    assert "No recall activity at these locations yet" in page
    assert "Nobody is due, and no recall texts went out in this range." in page


def test_csv_is_formula_safe(owner_client, westside, recall):
    Service.objects.filter(name="HydraFacial").update(name="=HYPERLINK(\"x\")")
    rows = section(owner_client, "recall-lapse", **RANGE, location=westside.pk)
    assert rows[1][0] == "'=HYPERLINK(\"x\")"
