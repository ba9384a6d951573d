"""Email as a second channel, the owner's per-rule choice, and one message per patient per day.

Everything goes through the sweep task, the dispatch Celery task (called as a worker would), the local fake
Twilio, Django's mail outbox and the link page over HTTP.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from recall_support import la, make_owed_touches, run_dispatcher, treated

from medspa.models import AuditLog, Visit
from recall.models import Attribution, RecallRule, Touch
from recall.tasks import dispatch_touch, sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]

MORNING = la(2026, 6, 15, 10, 0)  # Monday 10:00 in Los Angeles
LINK = re.compile(r"https://frontdesk\.example\.com(/r/[\w-]+/)")
UNSUBSCRIBE = re.compile(r"https://frontdesk\.example\.com(/e/unsubscribe/[^/\s]+/)")
STATUS = "/twilio/sms/status/"


def consent(patient, *, sms=True, email="jordan@example.com"):
    patient.sms_consent = sms
    patient.email = email or ""
    patient.email_consent = bool(email)
    patient.save()
    return patient


def two_services_due(patient):
    """Neurotoxin (every 90 days) and a chemical peel (every 30 days), both due in 5 days at MORNING."""
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0, "Neurotoxin")
    with time_machine.travel(MORNING - dt.timedelta(days=25), tick=False):
        treated(patient, 0, "Chemical peel")


def choose(channel):
    RecallRule.objects.update(channel=channel)


def send_everything(times=2):
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher(times=times)  # every touch's task runs (twice: a redelivered task sends nothing more)
        sweep()
        run_dispatcher()


def link_page(client, text):
    path = LINK.search(text).group(1)
    with time_machine.travel(MORNING, tick=False):
        return client.get(path).content.decode()


def test_two_services_due_the_same_day_are_one_text_with_one_link_listing_both(patient, fake_twilio, client,
                                                                                 twilio_signed_post):
    consent(patient)
    two_services_due(patient)
    send_everything()
    assert len(fake_twilio.messages) == 1 and mail.outbox == []  # text first: a text, and no email
    body = fake_twilio.messages[0]["body"]
    assert len(LINK.findall(body)) == 1
    for name in ("Neurotoxin", "Botox", "Chemical peel", "Peel"):
        assert name.lower() not in body.lower()  # the text never names a treatment
    touches = list(Touch.objects.order_by("pk"))
    assert len(touches) == 2 and {t.status for t in touches} == {"sent"}
    lead = next(t for t in touches if t.provider_sid == fake_twilio.messages[0]["sid"])
    other = next(t for t in touches if t is not lead)
    assert other.message_id == lead.pk and other.channel == "sms" and other.provider_sid is None
    page = link_page(client, body)
    assert "Neurotoxin" in page and "Chemical peel" in page
    # The delivery callback for the one message moves both touches.
    response = twilio_signed_post(STATUS, {"MessageSid": lead.provider_sid, "MessageStatus": "delivered"})
    assert response.status_code == 200
    assert set(Touch.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_visit_for_the_second_service_is_credited_to_its_own_touch(patient, fake_twilio):
    consent(patient)
    two_services_due(patient)
    send_everything()
    peel = Touch.objects.get(service__name="Chemical peel")
    with time_machine.travel(MORNING + dt.timedelta(days=3), tick=False):
        treated(patient, 0, "Chemical peel", status=Visit.Status.COMPLETED)
    attribution = Attribution.objects.get()
    assert attribution.touch == peel and attribution.service.name == "Chemical peel"


def test_a_patient_who_may_only_be_emailed_gets_one_email_with_unsubscribe(patient, fake_twilio, client):
    consent(patient, sms=False)
    two_services_due(patient)
    send_everything()
    assert fake_twilio.messages == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jordan@example.com"]
    assert "Neurotoxin" not in message.subject + message.body and "peel" not in (message.subject + message.body).lower()
    assert "Reply STOP" not in message.body
    assert len(LINK.findall(message.body)) == 1
    unsubscribe = UNSUBSCRIBE.search(message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<https://frontdesk.example.com{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {(t.status, t.channel, t.to) for t in Touch.objects.all()} == {("sent", "email", "jordan@example.com")}
    page = link_page(client, message.body)
    assert "Neurotoxin" in page and "Chemical peel" in page
    # One click on the unsubscribe link: no more email, texts as they were.
    assert client.get(unsubscribe).status_code == 200
    patient.refresh_from_db()
    assert not patient.can_email and patient.sms_consent is False


def test_email_first_emails_a_patient_who_could_also_be_texted(patient, fake_twilio):
    consent(patient)
    choose("email_first")
    two_services_due(patient)
    send_everything()
    assert fake_twilio.messages == [] and len(mail.outbox) == 1


def test_consent_is_read_at_send_time(patient, fake_twilio):
    """An email-only patient unsubscribes after the sweep wrote the touches: nothing goes out."""
    consent(patient, sms=False)
    two_services_due(patient)
    with time_machine.travel(MORNING, tick=False):
        sweep()
        patient.unsubscribe_email(source="email_link")
        for pk in make_owed_touches():
            dispatch_touch(pk)
    assert mail.outbox == [] and fake_twilio.messages == []
    assert set(Touch.objects.values_list("status", flat=True)) == {"cancelled"}


def test_email_keeps_quiet_hours(patient, fake_twilio):
    consent(patient, sms=False)
    two_services_due(patient)
    evening = MORNING.replace(hour=20, minute=59)
    with time_machine.travel(evening, tick=False):
        sweep()
    with time_machine.travel(evening + dt.timedelta(minutes=30), tick=False):
        run_dispatcher()
    assert mail.outbox == []
    with time_machine.travel(la(2026, 6, 16, 8, 5), tick=False):
        sweep()
        run_dispatcher()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("channel, emails", [("text_first", 1), ("email_if_no_text", 0)])
def test_text_first_emails_when_the_number_cannot_take_texts(patient, fake_twilio, channel, emails):
    consent(patient)
    choose(channel)
    two_services_due(patient)
    fake_twilio.fail_next(status=400, code=21614, message="not a mobile number")
    send_everything()
    assert len(fake_twilio.requests) == 1  # one text attempted, never a second
    assert len(mail.outbox) == emails
    patient.refresh_from_db()
    assert not patient.can_text
    statuses = set(Touch.objects.values_list("status", "channel"))
    assert statuses == ({("sent", "email")} if emails else {("failed", "sms")})


def test_an_email_address_as_long_as_the_standard_allows_is_stored(patient, fake_twilio):
    address = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + ".example.com"
    consent(patient, sms=False, email=address)
    two_services_due(patient)
    send_everything()
    assert mail.outbox[0].to == [address]
    assert Touch.objects.filter(to=address, status="sent").count() == 2


def test_owner_chooses_the_channel_per_rule(owner_client, olivia):
    rule = RecallRule.objects.get(service__name="Neurotoxin")
    url = f"/settings/recall/{rule.service_id}/"
    assert "Email first" in owner_client.get(url).content.decode()
    data = {"is_active": "on", "channel": "email_first", "interval_days": 90, "window_opens_days": 7,
            "late_after_days": 21, "lapsed_after_days": 90, "stop_after_lapsed_days": 365, "max_touches": 3,
            "min_days_between": 14, "on_time_template": rule.on_time_template, "late_template": rule.late_template,
            "reactivation_template": rule.reactivation_template}
    assert owner_client.post(url, {**data, "channel": "fax"}).status_code == 400
    assert owner_client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.channel == "email_first"
    assert AuditLog.objects.filter(actor=olivia, action="recall.rule_saved").exists()
    assert "Email first" in owner_client.get("/settings/recall/").content.decode()


def test_a_chunk_of_the_outbox_sends_one_message_per_patient_once(patient, westside, fake_twilio):
    from factories import PatientFactory

    from recall.tasks import dispatch_touches

    consent(patient)
    two_services_due(patient)
    other = PatientFactory(first_name="Sam", phone="+14155550177", location=westside)
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(other, 0, "Neurotoxin")
    with time_machine.travel(MORNING, tick=False):
        from recall.owed import make_touches
        from recall.sweep import sweep as run

        ids = make_touches(run(enqueue=False).owed)
        assert len(ids) == 3
        dispatch_touches(ids)
        dispatch_touches(ids)  # a redelivered task sends nothing more
    assert sorted(m["to"] for m in fake_twilio.messages) == ["+14155550134", "+14155550177"]
    assert set(Touch.objects.values_list("status", flat=True)) == {"sent"}
    assert Touch.objects.filter(message__isnull=False).count() == 1


def test_a_touch_due_after_todays_message_waits_for_tomorrow_morning(patient, fake_twilio):
    consent(patient)
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0, "Neurotoxin")
    send_everything()
    assert len(fake_twilio.messages) == 1
    afternoon = MORNING + dt.timedelta(hours=4)
    with time_machine.travel(afternoon, tick=False):
        treated(patient, 25, "Chemical peel")  # an older visit recorded late: its reminder is owed at once
        sweep()
        run_dispatcher(times=2)
    assert len(fake_twilio.messages) == 1  # one message per patient per day
    late = Touch.objects.get(status="queued")
    assert late.not_before == la(2026, 6, 16, 8, 0)
    with time_machine.travel(la(2026, 6, 16, 8, 5), tick=False):
        sweep()
        run_dispatcher()
    assert len(fake_twilio.messages) == 2
    assert Touch.objects.get(pk=late.pk).status == "sent"
