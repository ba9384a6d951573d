"""A text reply that reports a symptom: URGENT inbox item and the clinic's emergency wording back at once
(issue 10).  The last test runs a real Celery worker from the Procfile on real Redis with 2,000 recall
texts queued."""

import datetime as dt
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import time_machine
from django.db import connection
from django.utils import timezone

from calls.models import CallPlan, Topic
from calls.models.plan import DEFAULT_WORDING
from medspa.models import Handoff
from recall.models import InboundMessage, Touch
from recall.tasks import process_inbound

ROOT = Path(__file__).resolve().parent.parent
INBOUND = "/twilio/sms/inbound/"
EMERGENCY = DEFAULT_WORDING[Topic.EMERGENCY]
EMERGENCY_ES = ("Si tiene dificultad para respirar o tragar, o un cambio en la vista, cuelgue y llame al 911 "
                "ahora. Nuestro equipo clínico le llamará de inmediato.")
SYMPTOM = "my lip went white and feels cold since the filler yesterday"


def text(post, body, sid, sender="+14155550134"):
    response = post(INBOUND, {"MessageSid": sid, "From": sender, "To": "+14155550100", "Body": body,
                              "AccountSid": "AC" + "0" * 31 + "1"})
    assert response.status_code == 200
    return InboundMessage.objects.get(message_sid=sid)


def spanish_plan(location, owner):
    version = CallPlan.current_for(location)
    return version.plan.publish(version.wording(), user=owner, note="Spanish emergency script",
                                answers_es={Topic.EMERGENCY: EMERGENCY_ES})


pytestmark = pytest.mark.usefixtures("fast_sender")


@pytest.mark.django_db
def test_symptom_text_is_urgent_and_gets_the_emergency_wording_once(twilio_signed_post, patient, fake_twilio,
                                                                     alice_client):
    message = text(twilio_signed_post, SYMPTOM, "SM" + "1" * 32)
    process_inbound(message.pk)
    process_inbound(message.pk)  # a redelivered task sends nothing twice
    handoff = Handoff.objects.get()
    assert handoff.route == "safety_escalation" and handoff.source == "sms"
    assert handoff.reasons and all(reason in SYMPTOM for reason in handoff.reasons)
    assert [(m["to"], m["body"]) for m in fake_twilio.messages] == [("+14155550134", EMERGENCY)]

    page = alice_client.get("/inbox/").content.decode()
    assert "URGENT · Safety escalation" in page and "Text reply from Jordan Rivera" in page

    # The same conversation reporting more the same day: another URGENT item, no second emergency text.
    later = text(twilio_signed_post, "and now my cheek is numb too", "SM" + "2" * 32)
    process_inbound(later.pk)
    assert Handoff.objects.filter(route="safety_escalation").count() == 2
    assert len(fake_twilio.messages) == 1

    # The next day it is a new conversation day: the wording goes out again.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        next_day = text(twilio_signed_post, "my lip is still white", "SM" + "3" * 32)
        process_inbound(next_day.pk)
    assert [m["body"] for m in fake_twilio.messages] == [EMERGENCY, EMERGENCY]


@pytest.mark.django_db
def test_spanish_symptom_text_gets_the_spanish_wording_where_the_plan_has_it(twilio_signed_post, patient,
                                                                             fake_twilio, westside):
    from factories import UserFactory

    owner = UserFactory(username="owen", role="owner", locations=[westside])
    message = text(twilio_signed_post, "Tengo problemas para respirar después del botox", "SM" + "4" * 32)
    process_inbound(message.pk)
    assert [m["body"] for m in fake_twilio.messages] == [EMERGENCY]  # no Spanish wording yet: the English

    spanish_plan(westside, owner)
    other = text(twilio_signed_post, "se me cayó el párpado desde el botox", "SM" + "5" * 32, sender="+14155550199")
    process_inbound(other.pk)
    assert fake_twilio.messages[-1]["body"] == EMERGENCY_ES
    assert fake_twilio.messages[-1]["to"] == "+14155550199"
    assert Handoff.objects.filter(route="safety_escalation").count() == 2

    english = text(twilio_signed_post, "my eyelid is drooping since botox", "SM" + "6" * 32, sender="+14155550177")
    process_inbound(english.pk)
    assert fake_twilio.messages[-1]["body"] == EMERGENCY  # English text, English wording


@pytest.mark.django_db
def test_a_question_or_booking_reply_gets_no_emergency_text(twilio_signed_post, patient, fake_twilio):
    for n, body in enumerate(["will I bruise after filler?", "can I book botox next friday at 3"]):
        process_inbound(text(twilio_signed_post, body, f"SM{n:032d}").pk)
    assert fake_twilio.messages == []
    assert sorted(Handoff.objects.values_list("route", flat=True)) == ["booking", "provider_review"]


# --- a real worker on real Redis ------------------------------------------------------------------------


def procfile_command(name: str) -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            words = shlex.split(line.split(":", 1)[1])
            assert words[0] == "celery"
            return [sys.executable, "-m", "celery", *words[1:]]
    raise AssertionError(f"Procfile has no {name!r} process")


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def inbound_worker(settings, fake_twilio, tmp_path):
    """The Procfile's inbound worker, on this test's database and Redis database, sending to the fake Twilio."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "TWILIO_API_BASE": fake_twilio.url,
           "SMS_RATE_PER_SECOND": "1000", "VAR_DIR": str(tmp_path)}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(procfile_command("inbound"), cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while b" ready." not in log.read_bytes():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "worker did not start: " + log.read_text()
            time.sleep(0.2)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.django_db(transaction=True)
def test_symptom_text_reaches_inbox_and_emergency_reply_within_10s_with_2000_recall_texts_queued(
        twilio_signed_post, settings, fake_twilio, patient, inbound_worker):
    from recall_support import treated

    from recall.models import RecallSchedule
    from recall.tasks import dispatch_touch

    treated(patient, 90)  # a completed visit starts the patient's recall schedule
    schedule = RecallSchedule.objects.get(patient=patient)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery", "inbound")
    now = timezone.now()
    touches = Touch.objects.bulk_create(
        Touch(patient=patient, schedule=schedule, number=n + 1, kind="on_time", idempotency_key=f"backlog-{n}",
              body="Time for your next visit!",
              to=f"+1415555{n:04d}", from_number="+14155550100", not_before=now)
        for n in range(2000))
    for touch in touches:
        dispatch_touch.delay(touch.pk)  # on the default queue, where the recall worker takes them
    assert broker.llen("celery") == 2000
    try:
        started = time.monotonic()
        text(twilio_signed_post, SYMPTOM, "SM" + "9" * 32)
        while time.monotonic() - started < 10:
            handoff = Handoff.objects.filter(route="safety_escalation").first()
            if handoff and fake_twilio.messages:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        assert handoff is not None and handoff.source == "sms", f"no URGENT inbox item after {elapsed:.1f}s"
        assert [(m["to"], m["body"]) for m in fake_twilio.messages] == [("+14155550134", EMERGENCY)], elapsed
        assert elapsed < 10
        assert broker.llen("celery") == 2000  # the recall sends are still waiting: the reply did not queue behind them
    finally:
        broker.delete("celery")
