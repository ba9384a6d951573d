"""The ROI page: owner-only, sourced defaults, htmx live results, CSV of inputs and outputs."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:roi")
PLANNING = {"monthly_calls": "520", "bookable_share": "48", "lift": "25", "avg_visit_value": "527"}


def test_page_shows_32885_for_the_planning_inputs(owner_client):
    page = owner_client.get(URL, PLANNING).content.decode()
    assert 'id="modeled-value" data-value="32885">$32,885<' in page
    assert "A model, not guaranteed revenue." in page


def test_defaults_say_where_they_came_from(owner_client):
    page = owner_client.get(URL).content.decode()
    assert page.count("Default: planning default (AmSpa 2024 / guide)") == 3  # calls, share, lift
    assert "Default: planning default (AmSpa 2024: $527 average spend per visit)" in page
    assert 'name="lift" value="25"' in page and 'name="bookable_share" value="48"' in page
    assert "$32,885" in page


def test_inputs_are_live_via_htmx(owner_client):
    page = owner_client.get(URL).content.decode()
    assert 'hx-trigger="input changed delay:300ms, submit"' in page and 'hx-target="#roi-results"' in page
    response = owner_client.get(URL, {**PLANNING, "lift": "50"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "$65,770" in body  # 520 x 48% x 50% x $527 = 65,769.60


def test_bad_input_shows_the_error_in_the_results(owner_client):
    body = owner_client.get(URL, {**PLANNING, "lift": "250"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Enter a percentage from 0 to 100." in body
    assert "modeled-value" not in body


def test_adjusted_view_on_the_page(owner_client):
    page = owner_client.get(URL, {**PLANNING, "show_rate": "80", "consult_share": "50", "consult_close_rate": "40",
                                  "repeat_share": "0", "member_value": "527", "avg_visit_minutes": "60"})
    assert 'id="adjusted-value" data-value="18415">$18,415<' in page.content.decode()


def test_capacity_cap_is_called_out(owner_client):
    page = owner_client.get(URL, {**PLANNING, "show_rate": "100", "consult_share": "0", "repeat_share": "0",
                                  "member_value": "527", "bookable_hours_left": "20", "avg_visit_minutes": "60"})
    body = page.content.decode()
    assert "capped by provider capacity (20 visits)" in body
    assert "$10,540" in body  # 20 x 527


def test_csv_of_inputs_and_outputs(owner_client):
    response = owner_client.get(URL, {**PLANNING, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "Modeled monthly visit value,32885,model output" in text
    assert "Recovered-booking lift from immediate answering (%),25.00," in text


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_coordinator_gets_403(alice_client):
    assert alice_client.get(URL).status_code == 403


def test_nav_link_for_owners_only(owner_client, client, alice):
    assert 'href="/dashboard/"' in owner_client.get(reverse("patients")).content.decode()
    client.force_login(alice)
    assert 'href="/dashboard/"' not in client.get(reverse("patients")).content.decode()
