"""Coordinator intake form: htmx live partial, saving a call with summary and handoff, scoping."""

import pytest
from django.urls import reverse
from factories import UserFactory

from calls.models import Call
from medspa.models import Handoff

pytestmark = pytest.mark.django_db


def test_live_partial_shows_route_missing_fields_and_wording(alice_client, westside):
    page = alice_client.get(reverse("calls:intake")).content.decode()
    assert 'hx-post="/calls/new/preview/"' in page and "delay:400ms" in page
    html = alice_client.post(reverse("calls:intake_preview"), {
        "location": westside.pk, "notes": "Can I book Botox for the VIP night?"}, HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in html
    assert 'data-route="booking"' in html
    assert "Still missing" in html and "Caller name" in html and "Callback window" in html
    html = alice_client.post(reverse("calls:intake_preview"), {
        "location": westside.pk, "caller_name": "Ana Lee", "callback_window": "after 5",
        "notes": "Since my filler yesterday my lip looks white and hurts"}, HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-route="safety_escalation"' in html and "call 911 now" in html and "white" in html
    assert not Call.objects.exists() and not Handoff.objects.exists()  # a preview stores nothing


def test_empty_notes_preview_is_an_empty_state(alice_client, westside):
    html = alice_client.post(reverse("calls:intake_preview"), {"location": westside.pk, "notes": ""}).content.decode()
    assert "Waiting for notes" in html


def test_save_creates_call_summary_and_handoff(alice_client, alice, westside, patient):
    response = alice_client.post(reverse("calls:intake"), {
        "location": westside.pk, "caller_name": "", "phone": "(415) 555-0134", "email": "",
        "callback_window": "tomorrow morning", "notes": "Can I book Botox for the VIP night?\nReturning patient",
    })
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == reverse("calls:detail", args=[call.pk])
    assert call.channel == "coordinator_form" and call.created_by == alice and call.patient == patient
    assert [t.speaker for t in call.turns.all()] == ["note", "note"]
    assert call.fields["callback_window"] == "tomorrow morning" and call.route == "booking"
    handoff = Handoff.objects.get()
    assert call.handoff == handoff and handoff.context["call_id"] == call.pk
    detail = alice_client.get(response.url).content.decode()
    assert "Next action: Call back to book a consult" in detail and "tomorrow morning" in detail
    assert "Completeness" in detail


def test_invalid_submit_shows_errors_and_saves_nothing(alice_client, westside):
    response = alice_client.post(reverse("calls:intake"), {"location": westside.pk, "notes": "",
                                                           "phone": "12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html and "does not look like a phone number" in html
    assert not Call.objects.exists()


def test_other_location_is_not_a_choice(alice_client, downtown):
    response = alice_client.post(reverse("calls:intake"), {"location": downtown.pk, "notes": "Book a peel"})
    assert response.status_code == 400 and not Call.objects.exists()


def test_providers_cannot_take_calls(client, westside):
    client.force_login(UserFactory(username="prov", role="provider", locations=[westside]))
    assert client.get(reverse("calls:intake")).status_code == 403
