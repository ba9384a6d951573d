"""MMS photos: fetched with the account's credentials into private storage, shown on the inbox item to
staff of that location only, every view audited; a photo soon after a treatment is a safety escalation."""

import base64

import pytest
from recall_support import treated

from medspa.models import AuditLog, Handoff, MessageMedia
from recall.models import InboundMessage
from recall.tasks import process_inbound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
INBOUND = "/twilio/sms/inbound/"
# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                       "AAAABJRU5ErkJggg==")


def send_photo(post, fake, *, body="", content_type="image/png", then=None):
    url = fake.add_media(PNG, content_type)
    response = post(INBOUND, {"MessageSid": "MM" + "e" * 32, "From": "+14155550134", "To": "+14155550100",
                              "Body": body, "NumMedia": "1", "MediaUrl0": url, "MediaContentType0": content_type})
    assert response.status_code == 200
    if then:
        then()
    process_inbound(InboundMessage.objects.get().pk)
    process_inbound(InboundMessage.objects.get().pk)  # redelivered: fetched once
    return Handoff.objects.get()


def test_photo_only_after_a_recent_treatment_is_a_safety_item_with_the_image(twilio_signed_post, patient,
                                                                             fake_twilio, alice_client, alice):
    treated(patient, 3, "Dermal filler")
    item = send_photo(twilio_signed_post, fake_twilio)
    assert item.route == "safety_escalation"
    assert any("Photo sent 3 day(s) after Dermal filler" in r for r in item.reasons)
    media = MessageMedia.objects.get()
    assert (media.handoff, media.location, media.content_type, media.size) == (item, patient.location,
                                                                              "image/png", len(PNG))
    page = alice_client.get(f"/inbox/{item.pk}/").content.decode()
    image_url = f"/inbox/{item.pk}/media/{media.pk}/"
    assert f'<img src="{image_url}"' in page and "Photo from Jordan Rivera" in page
    response = alice_client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store"
    viewed = AuditLog.objects.get(action="media.viewed")
    assert (viewed.actor, viewed.object_id, viewed.data["handoff"]) == (alice, str(media.pk), item.pk)


def test_the_photo_is_for_staff_of_that_location_only(twilio_signed_post, patient, fake_twilio, client, bob):
    item = send_photo(twilio_signed_post, fake_twilio)
    media = MessageMedia.objects.get()
    url = f"/inbox/{item.pk}/media/{media.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert not AuditLog.objects.filter(action="media.viewed").exists()
    assert client.get(media.file.url).status_code == 404  # no URL serves the private storage


def test_a_photo_with_no_recent_treatment_goes_to_provider_review(twilio_signed_post, patient, fake_twilio):
    treated(patient, 60)
    item = send_photo(twilio_signed_post, fake_twilio, body="is this normal?")
    assert item.route == "provider_review" and item.summary == "is this normal?"


def test_media_needs_the_account_credentials(twilio_signed_post, patient, fake_twilio, settings):
    def token_rotated():
        settings.TWILIO_AUTH_TOKEN = "wrong-token"

    item = send_photo(twilio_signed_post, fake_twilio, then=token_rotated)
    media = MessageMedia.objects.get()
    assert not media.file and "401" in media.fetch_error
    assert item.route in ("provider_review", "safety_escalation")  # the item still reaches a person


def test_a_disallowed_file_type_is_not_stored(twilio_signed_post, patient, fake_twilio):
    send_photo(twilio_signed_post, fake_twilio, content_type="application/x-msdownload")
    media = MessageMedia.objects.get()
    assert not media.file and "not accepted" in media.fetch_error
