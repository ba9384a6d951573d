"""GET /api/v1/roi/: the model as JSON for owners, with validated parameters and sourced defaults."""

import pytest
import time_machine
from dashboard_dataset import NOW, RANGE, build
from factories import UserFactory
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

URL = "/api/v1/roi/"
PLANNING = {"monthly_calls": "520", "bookable_share": "0.48", "lift": "0.25", "avg_visit_value": "527"}


def test_planning_inputs_return_32885(owner_client):
    body = owner_client.get(URL, PLANNING).json()
    assert body["modeled_monthly_value"] == 32885
    assert body["recovered_bookings"] == 62.4
    assert body["inputs"]["monthly_calls"] == 520 and body["inputs"]["bookable_share"] == 0.48
    assert body["sources"]["lift"] == "given"
    assert body["disclaimer"] == "A model, not guaranteed revenue."


def test_adjusted_outputs(owner_client):
    body = owner_client.get(URL, {**PLANNING, "show_rate": "0.8", "consult_share": "0.5",
                                  "consult_close_rate": "0.4", "repeat_share": "0", "member_value": "527",
                                  "bookable_hours_left": "30", "avg_visit_minutes": "45"}).json()
    assert body["adjusted"] == {
        "shown_visits": 49.9, "treatment_visits": 34.9, "capacity_visits": 40, "capacity_limited": False,
        "adjusted_visits": 34.9, "blended_visit_value": 527.0, "adjusted_monthly_value": 18415,
    }


def test_without_clinic_data_defaults_are_planning_defaults(owner_client):
    body = owner_client.get(URL).json()
    assert body["modeled_monthly_value"] == 32885
    assert body["sources"]["monthly_calls"] == "planning default (AmSpa 2024 / guide)"
    assert body["sources"]["avg_visit_value"].startswith("planning default (AmSpa 2024")
    assert body["inputs"]["repeat_share"] == 0.73


@time_machine.travel(NOW, tick=False)
def test_defaults_are_measured_from_the_clinics_visits(owner_client, westside, downtown):
    build(westside, downtown)
    body = owner_client.get(URL, {**RANGE, "location": westside.pk}).json()
    inputs, sources = body["inputs"], body["sources"]
    assert inputs["avg_visit_value"] == 315.0  # (500 + 0 + 225 + 850 + 0) / 5 completed
    assert inputs["show_rate"] == 0.7143  # 5 completed / 7 completed or no-show
    assert inputs["consult_share"] == 0.4286  # 3 consults / 7 booked (the cancelled one is left out)
    assert inputs["consult_close_rate"] == 0.5  # of 2 completed consults, 1 led to a treatment booking
    assert inputs["repeat_share"] == 0.6  # 3 of 5 completed visits by patients with an earlier one
    assert inputs["member_value"] == 525.0  # (500 + 225 + 850) / 3
    assert sources["avg_visit_value"].startswith("measured: average of 5 completed visits")
    assert sources["monthly_calls"] == "planning default (AmSpa 2024 / guide)"
    # 62.4 x 315 = 19,656; adjusted: 62.4 x .7143 x (.5714 + .4286 x .5) x (.4 x 315 + .6 x 525) = 15,444
    assert body["modeled_monthly_value"] == 19656
    assert body["adjusted"]["adjusted_monthly_value"] == 15444


@pytest.mark.parametrize("params, field", [
    ({"lift": "25"}, "lift"),
    ({"bookable_share": "-0.1"}, "bookable_share"),
    ({"monthly_calls": "lots"}, "monthly_calls"),
    ({"avg_visit_minutes": "0"}, "avg_visit_minutes"),
])
def test_bad_parameters_are_clear_400s(owner_client, params, field):
    response = owner_client.get(URL, {**PLANNING, **params})
    assert response.status_code == 400
    assert field in response.json()


def test_share_error_explains_fractions(owner_client):
    assert owner_client.get(URL, {"lift": "25"}).json() == {"lift": ["A fraction from 0 to 1 (0.48 means 48%)."]}


def test_unknown_parameter_is_a_400(owner_client):
    response = owner_client.get(URL, {"monthly_call": "520"})
    assert response.status_code == 400
    assert "monthly_call" in response.json()["detail"]


def test_other_owners_location_is_a_400(client, westside, downtown):
    client.force_login(UserFactory(username="wes", role="owner", locations=[westside]))
    response = client.get(URL, {"location": downtown.pk})
    assert response.status_code == 400
    assert "location" in response.json()


def test_owner_only(client, alice):
    assert client.get(URL, PLANNING).status_code in (401, 403)
    client.force_login(alice)
    assert client.get(URL, PLANNING).status_code == 403


def test_token_auth_for_owner(client, olivia):
    token = Token.objects.create(user=olivia)
    response = client.get(URL, PLANNING, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["modeled_monthly_value"] == 32885
