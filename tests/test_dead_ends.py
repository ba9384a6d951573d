"""No dead ends: a styled 403 with a way back, links from a call and a patient to their inbox items,
route labels instead of raw keys, a new caller turned into a patient, and labels that say what is true."""

import pytest
from django.urls import reverse
from factories import PatientFactory, UserFactory, VisitFactory

from calls.models import Call
from medspa.models import Handoff, Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya_client(client, westside):
    client.force_login(UserFactory(username="maya", role="provider", locations=[westside]))
    return client


def test_provider_gets_a_styled_403_with_a_way_back_and_no_take_a_call_button(maya_client):
    calls = maya_client.get(reverse("calls:list")).content.decode()
    assert calls.count("Take a call") == 0
    response = maya_client.get(reverse("calls:intake"))
    page = response.content.decode()
    assert response.status_code == 403
    assert '<link rel="stylesheet"' in page and "This page isn't part of your role" in page
    assert f'href="{reverse("home")}"' in page and "Back to the front desk" in page


def test_coordinator_still_sees_take_a_call(alice_client):
    assert "Take a call" in alice_client.get(reverse("calls:list")).content.decode()


def _new_caller_call(alice_client, westside, notes="I have a question about a refund on my package"):
    alice_client.post(reverse("calls:intake"), {
        "location": westside.pk, "caller_name": "Ana Lee", "phone": "(415) 555-0177", "email": "ana@example.com",
        "callback_window": "after 5", "notes": notes})
    return Call.objects.get()


def test_call_page_links_its_inbox_item_and_shows_route_labels(alice_client, westside):
    call = _new_caller_call(alice_client, westside)
    page = alice_client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert f'href="{reverse("inbox_item", args=[call.handoff.pk])}"' in page
    assert ">staff_review<" not in page and ">booking<" not in page
    assert call.handoff.get_route_display() in page


def test_a_new_caller_becomes_a_patient_from_the_call(alice_client, westside):
    call = _new_caller_call(alice_client, westside)
    detail = alice_client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Add as a patient" in detail
    form = alice_client.get(reverse("calls:make_patient", args=[call.pk])).content.decode()
    assert 'value="Ana"' in form and 'value="Lee"' in form and "ana@example.com" in form
    response = alice_client.post(reverse("calls:make_patient", args=[call.pk]), {
        "first_name": "Ana", "last_name": "Lee", "phone": "(415) 555-0177", "email": "ana@example.com",
        "location": westside.pk, "sms_consent": "on"})
    patient = Patient.objects.get(last_name="Lee")
    assert response.status_code == 302 and response.url == reverse("patient_detail", args=[patient.pk])
    call.refresh_from_db()
    assert call.patient == patient and Handoff.objects.get().patient == patient
    assert str(patient.phone) == "+14155550177"
    # Asking again goes to the patient instead of creating a second one.
    again = alice_client.get(reverse("calls:make_patient", args=[call.pk]))
    assert again.url == reverse("patient_detail", args=[patient.pk]) and Patient.objects.count() == 1


def test_another_locations_call_cannot_become_a_patient(client, bob, westside):
    call = Call.objects.create(location=westside, channel="coordinator_form", caller_name="Ana Lee")
    client.force_login(bob)
    assert client.get(reverse("calls:make_patient", args=[call.pk])).status_code == 404


def test_patient_page_inbox_items_are_links(alice_client, patient):
    item = Handoff.objects.create(location=patient.location, patient=patient, route="staff_review",
                                  source="sms", title="Question about a refund")
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert f'href="{reverse("inbox_item", args=[item.pk])}"' in page and "Staff review" in page


def test_intake_preview_shows_human_labels_not_raw_keys(alice_client, westside):
    html = alice_client.post(reverse("calls:intake_preview"), {
        "location": westside.pk, "notes": "Do you need a deposit to book Botox?"}).content.decode()
    assert "service_interest" not in html and "deposit_question" not in html and "['" not in html
    assert "Interested in" in html and "Asked about deposits" in html


def test_recall_state_says_opted_out_only_for_patients_who_opted_out(alice_client, westside):
    from django.utils import timezone

    unconsented = PatientFactory(location=westside, first_name="Nora", last_name="None", sms_consent=False)
    stopped = PatientFactory(location=westside, first_name="Sam", last_name="Stop",
                             sms_opted_out_at=timezone.now())
    for p in (unconsented, stopped):
        VisitFactory(patient=p)
    page = alice_client.get(reverse("patient_detail", args=[unconsented.pk])).content.decode()
    recall = page.split('id="recall"')[1]
    assert "No consent on file" in recall and "Opted out" not in recall
    page = alice_client.get(reverse("patient_detail", args=[stopped.pk])).content.decode()
    assert "Opted out" in page.split('id="recall"')[1]
    # The due list shows each schedule's timeline state, and how the patient can be reached apart from it.
    from recall.models import RecallSchedule

    state = RecallSchedule.objects.get(patient=stopped).state
    listing = alice_client.get(reverse("recall:dashboard") + f"?state={state}").content.decode()
    assert "Nora" in listing and "Sam" in listing
    assert "No consent on file" in listing and "Opted out of texts" in listing
