"""Patient list and page: login, role and location scope, phone normalisation."""

import pytest
from django.urls import reverse
from factories import PatientFactory, UserFactory, VisitFactory
from rest_framework.authtoken.models import Token

from medspa.models import Patient

pytestmark = pytest.mark.django_db


def test_every_page_needs_login(client, patient):
    for url in [reverse("patients"), reverse("patient_detail", args=[patient.pk]), reverse("patient_new")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_user_without_role_location_sees_nothing(client, patient):
    stranger = UserFactory(username="stranger", role="coordinator")  # no locations
    client.force_login(stranger)
    assert client.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    assert patient.full_name not in client.get(reverse("patients")).content.decode()


def test_coordinator_gets_404_for_other_location_patient_by_url_and_api(client, bob, patient):
    client.force_login(bob)
    assert client.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 404
    listing = client.get("/api/v1/patients/").json()
    assert listing["count"] == 0


def test_coordinator_sees_own_location_patient_with_visits(alice_client, patient):
    VisitFactory(patient=patient, value=525)
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Jordan Rivera" in page and "Neurotoxin" in page and "$525" in page
    api = alice_client.get(f"/api/v1/patients/{patient.pk}/").json()
    assert api["phone"] == "+14155550134"
    assert api["visits"][0]["service"] == "Neurotoxin"


def test_api_token_auth(client, alice, patient):
    token = Token.objects.create(user=alice)
    response = client.get("/api/v1/patients/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [patient.pk]
    assert client.get("/api/v1/patients/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_search_by_name_and_phone(alice_client, westside, patient):
    PatientFactory(first_name="Casey", last_name="Nguyen", phone="+13105550177", location=westside)
    by_name = alice_client.get(reverse("patients"), {"q": "rive"}).content.decode()
    assert "Jordan Rivera" in by_name and "Casey Nguyen" not in by_name
    by_phone = alice_client.get(reverse("patients"), {"q": "(310) 555-0177"}).content.decode()
    assert "Casey Nguyen" in by_phone and "Jordan Rivera" not in by_phone
    by_last_digits = alice_client.get(reverse("patients"), {"q": "0134"}).content.decode()
    assert "Jordan Rivera" in by_last_digits


def test_search_htmx_returns_rows_only(alice_client, patient):
    response = alice_client.get(reverse("patients"), {"q": "Jordan"}, HTTP_HX_REQUEST="true",
                                HTTP_HX_TARGET="patient-rows")
    body = response.content.decode()
    assert "Jordan Rivera" in body and "<html" not in body


def test_phone_typed_with_punctuation_is_stored_e164(alice_client, westside):
    response = alice_client.post(reverse("patient_new"), {
        "first_name": "Sam", "last_name": "Lee", "phone": "(415) 555-0134", "email": "sam@example.com",
        "location": westside.pk, "sms_consent": "on",
    })
    assert response.status_code == 302
    sam = Patient.objects.get(first_name="Sam")
    assert str(sam.phone) == "+14155550134"
    assert sam.sms_consent_source == "intake_form" and sam.sms_consent_at is not None


def test_impossible_phone_is_a_form_error(alice_client, westside):
    response = alice_client.post(reverse("patient_new"), {
        "first_name": "Sam", "phone": "555-01", "location": westside.pk,
    })
    assert response.status_code == 200
    assert "Enter a real phone number" in response.content.decode()
    assert not Patient.objects.filter(first_name="Sam").exists()


def test_coordinator_cannot_create_patient_at_other_location(alice_client, downtown):
    response = alice_client.post(reverse("patient_new"), {"first_name": "Sam", "location": downtown.pk})
    assert response.status_code == 200
    assert not Patient.objects.filter(first_name="Sam").exists()


def test_completed_visit_in_future_is_rejected(alice_client, patient):
    response = alice_client.post(reverse("visit_add", args=[patient.pk]), {
        "service": 1, "location": patient.location_id, "starts_at": "2099-01-01T10:00",
        "status": "completed", "value": "100",
    })
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not patient.visits.exists()
