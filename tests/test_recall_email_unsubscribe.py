"""The unsubscribe link in recall emails: one click, no login, email only, honoured at once."""

import pytest
from django.urls import reverse

from medspa.models import ConsentEvent
from recall.email import unsubscribe_token, unsubscribe_url
from recall.models import Touch

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailable(patient):
    patient.email, patient.email_consent = "jordan@example.com", True
    patient.save()
    return patient


def queued_email(patient):
    return Touch.objects.create(patient=patient, source="member", channel="email", kind="renewal_reminder",
                                idempotency_key=f"email-test-{patient.pk}", body="Hello", to=patient.email,
                                from_number="")


def test_one_click_stops_email_and_leaves_texts_as_they_were(client, emailable):
    touch = queued_email(emailable)
    url = unsubscribe_url(emailable.pk)
    assert url.startswith("http") and "/e/unsubscribe/" in url
    response = client.get(reverse("recall:email_unsubscribe", args=[unsubscribe_token(emailable.pk)]))
    assert response.status_code == 200 and "unsubscribed" in response.content.decode()
    emailable.refresh_from_db()
    touch.refresh_from_db()
    assert emailable.email_unsubscribed_at is not None and emailable.email_contact == "email_unsubscribed"
    assert emailable.can_text and emailable.text_contact == "text_allowed"  # texts as they were
    assert emailable.contact == "text allowed; email unsubscribed"
    assert touch.status == "cancelled"
    event = ConsentEvent.objects.get(patient=emailable)
    assert (event.channel, event.kind, event.source, event.email) == (
        "email", "opt_out", "email_link", "jordan@example.com")


def test_mail_client_one_click_post_and_repeat_clicks(client, emailable):
    url = reverse("recall:email_unsubscribe", args=[unsubscribe_token(emailable.pk)])
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.get(url).status_code == 200
    assert ConsentEvent.objects.filter(patient=emailable).count() == 1  # recorded once


def test_tampered_token_changes_nothing(client, emailable):
    token = unsubscribe_token(emailable.pk)
    assert client.get(reverse("recall:email_unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    emailable.refresh_from_db()
    assert emailable.email_unsubscribed_at is None and emailable.can_email


def test_staff_can_record_email_consent_again(alice_client, emailable):
    client_url = reverse("recall:email_unsubscribe", args=[unsubscribe_token(emailable.pk)])
    alice_client.get(client_url)
    alice_client.post(reverse("patient_consent", args=[emailable.pk]),
                      {"sms_consent": "on", "email_consent": "on", "consent_source": "written"})
    emailable.refresh_from_db()
    assert emailable.email_unsubscribed_at is None and emailable.can_email
