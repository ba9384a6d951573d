"""Members dashboard: counts, liabilities and renewals on known memberships and bundles (dashboard_dataset)."""

import csv
import io
import re

import pytest
import time_machine
from dashboard_dataset import NOW, RANGE, build, build_members
from django.urls import reverse
from factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = reverse("dashboards:members")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def members(westside, downtown):
    build(westside, downtown)
    build_members(westside, downtown)


def section(client, key, **params):
    response = client.get(reverse("dashboards:export", args=[key]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_member_figures(owner_client, westside, members):
    rows = {row[0]: row[1] for row in section(owner_client, "members", **RANGE, location=westside.pk)[1:]}
    assert rows == {
        "Active members": "3", "Past due": "1", "Frozen": "0", "Cancelling": "1",
        # $150 + $100 + 6 units x $9.90 ($99 a month / 10 units, not a $450 visit each) + $100 + $100;
        # the ended $500 is not owed
        "Credits liability": "509.40",
        "Bundle liability": "1400.00",  # 4 x $1,200/6 + 3 x $600/3
        "Renewed this month": "1",  # P1 on Mar 5; P3's Mar 2 grant is its first cycle
        "Renewals still due this month": "1",  # P4 on Mar 31; P5's cancellation takes effect then
    }
    page = owner_client.get(URL, {**RANGE, "location": westside.pk}).content.decode()
    cards = dict(re.findall(r'data-metric="(\w+)" title="[^"]*">\s*<div class="value">([^<]*)</div>', page))
    assert cards["credits_liability"] == "$509" and cards["bundle_liability"] == "$1,400"
    assert "As of Mar 30, 2026" in page


def test_by_plan_and_bundles_by_service(owner_client, westside, members):
    params = {**RANGE, "location": westside.pk}
    assert section(owner_client, "members-by-plan", **params) == [
        ["Plan", "Active", "Past due", "Frozen", "Cancelling", "Renewed this month", "Still due", "Credits liability"],
        ["Glow Club", "2", "1", "0", "1", "1", "1", "450.00"],
        ["Tox Club", "1", "0", "0", "0", "0", "0", "59.40"],
    ]
    assert section(owner_client, "bundle-liability", **params)[1:] == [
        ["Laser hair removal", "1", "4", "800.00"], ["HydraFacial", "1", "3", "600.00"]]
    page = owner_client.get(URL, params).content.decode()
    assert '<canvas data-chart="chart-members-by-plan"' in page
    assert '<canvas data-chart="chart-bundle-liability"' in page


def test_all_locations_add_downtown(owner_client, members):
    rows = {row[0]: row[1] for row in section(owner_client, "members", **RANGE)[1:]}
    assert rows["Active members"] == "4" and rows["Credits liability"] == "1509.40"
    assert rows["Bundle liability"] == "10400.00"


def test_owner_only_and_scoped(client, alice, westside, downtown, members):
    response = client.get(URL)
    assert response.status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("dashboards:export", args=["members"])).status_code == 403
    client.force_login(UserFactory(username="wes", role="owner", locations=[westside]))
    rows = {row[0]: row[1] for row in section(client, "members", **RANGE, location=downtown.pk)[1:]}
    assert rows["Credits liability"] == "509.40"  # Downtown's $1,000 is never shown to a Westside owner
    page = client.get(URL, {"location": downtown.pk}).content.decode()
    assert "Choose one of your own locations." in page and "Downtown Skin Studio" not in page


def test_empty_state(owner_client):
    page = owner_client.get(URL).content.decode()
    assert "No memberships at these locations yet." in page
    assert "No open bundles" in page
