"""A coordinator opens a photo-only text on the inbox item and sees the image; another location's
coordinator cannot load it."""

import pytest
from playwright.sync_api import expect
from test_twilio_mms import PNG

from medspa.models import Handoff, MessageMedia

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_photo_only_reply_shows_its_image_to_staff_of_that_location(login, alice, bob, patient, live_server,
                                                                     twilio_signed_post, fake_twilio):
    from recall.models import InboundMessage
    from recall.tasks import process_inbound

    url = fake_twilio.add_media(PNG, "image/png")
    twilio_signed_post("/twilio/sms/inbound/", {"MessageSid": "MM" + "a" * 32, "From": str(patient.phone),
                                                "To": "+14155550100", "Body": "", "NumMedia": "1",
                                                "MediaUrl0": url, "MediaContentType0": "image/png"})
    process_inbound(InboundMessage.objects.get().pk)
    item = Handoff.objects.get()
    media = MessageMedia.objects.get()

    page = login(alice)
    page.goto(f"{live_server.url}/inbox/{item.pk}/")
    image = page.get_by_role("img", name="Photo 1 from the patient")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 1", arg=image.element_handle())

    page.context.clear_cookies()
    login(bob)
    response = page.goto(f"{live_server.url}/inbox/{item.pk}/media/{media.pk}/")
    assert response.status == 404
