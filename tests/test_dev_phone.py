"""The dev phone under `make run`: texts sent to a patient, and a reply through the same signed webhook."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from factories import VisitFactory

from medspa.models import Handoff
from recall.models import InboundMessage, Touch
from recall.tasks import process_inbound

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def console_sms(settings, live_server):
    settings.SMS_BACKEND = "console"
    settings.PUBLIC_BASE_URL = live_server.url  # what make run derives from HOST/PORT
    return settings


@pytest.mark.django_db(transaction=True)
def test_dev_phone_shows_sent_texts_and_a_reply_goes_through_the_signed_webhook(client, alice, patient,
                                                                                  console_sms):
    VisitFactory(patient=patient)
    Touch.objects.create(patient=patient, schedule=patient.recall_schedules.get(), kind="on_time",
                         idempotency_key="dev-1", body="Hi Jordan, it's Westside Aesthetics: time to book? "
                         "https://x.example/r/abc/", to=str(patient.phone), from_number="+14155550100",
                         status="sent", provider_sid="SMdev1")
    client.force_login(alice)
    listing = client.get(reverse("recall:dev_phone_list")).content.decode()
    assert "Jordan Rivera" in listing and "Dev phone" in listing
    page = client.get(reverse("recall:dev_phone", args=[patient.pk])).content.decode()
    assert "time to book?" in page and 'name="body"' in page

    response = client.post(reverse("recall:dev_phone", args=[patient.pk]), {"body": "Can I come Tuesday?"},
                           follow=True)
    assert "Sent through the signed webhook" in response.content.decode()
    message = InboundMessage.objects.get()
    assert (message.from_number, message.body) == ("+14155550134", "Can I come Tuesday?")
    process_inbound(message.pk)  # what the worker does next
    assert Handoff.objects.get(patient=patient).source == "sms"
    page = client.get(reverse("recall:dev_phone", args=[patient.pk])).content.decode()
    assert "Can I come Tuesday?" in page


@pytest.mark.django_db
def test_dev_phone_exists_only_when_texts_go_to_the_console(alice_client, patient, settings):
    settings.SMS_BACKEND = "twilio"
    assert alice_client.get(reverse("recall:dev_phone_list")).status_code == 404
    assert alice_client.get(reverse("recall:dev_phone", args=[patient.pk])).status_code == 404
    assert "Dev phone" not in alice_client.get(reverse("inbox")).content.decode()


def test_public_base_url_follows_host_and_port_by_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL",)}
    env.update({"HOST": "192.168.1.20", "PORT": "8123", "VAR_DIR": str(tmp_path), "SMS_BACKEND": "console",
                "TWILIO_AUTH_TOKEN": ""})
    code = "from medspa import settings as s; print(s.PUBLIC_BASE_URL, bool(s.TWILIO_AUTH_TOKEN))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["http://192.168.1.20:8123", "True"]
    env["PUBLIC_BASE_URL"] = "https://clinic.example.com/"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "https://clinic.example.com"
