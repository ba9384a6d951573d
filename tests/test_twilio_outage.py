"""Acceptance: Twilio answers 20003 for ten minutes, then recovers. Nothing is lost or sent twice, the
owner sees the outage while it lasts, and everything owed goes out by itself after recovery."""

import datetime as dt

import pytest
import time_machine
from factories import PatientFactory
from recall_support import la, run_dispatcher, treated

from medspa.models import Handoff, SenderPause
from medspa.twilio.tasks import probe_paused_senders
from recall.models import Touch
from recall.tasks import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)


def test_ten_minutes_of_20003_then_recovery(westside, owner_client, fake_twilio, eager_worker,
                                               django_capture_on_commit_callbacks):
    patients = [PatientFactory(location=westside) for _ in range(3)]
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        for p in patients:
            treated(p, 0)
    fake_twilio.outage(code=20003, status=401, until=(MORNING + dt.timedelta(minutes=10)).timestamp())

    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep()
        run_dispatcher(times=2)  # a redelivered task changes nothing
    assert Touch.objects.filter(status="queued").count() == 3
    paused = SenderPause.objects.active().get()
    assert paused.error_code == 20003
    # The owner sees it: a banner on every page and an inbox item.
    with time_machine.travel(MORNING + dt.timedelta(minutes=1), tick=False):
        page = owner_client.get("/recall/").content.decode()
        assert "Texting paused for +14155550100" in page and "held, not lost" in page
        inbox = owner_client.get("/inbox/").content.decode()
        assert "Texting paused for +14155550100" in inbox

    late_comer = PatientFactory(location=westside)
    for minute in range(1, 11):  # beat: the probe every minute, the sweep every 5
        with time_machine.travel(MORNING + dt.timedelta(minutes=minute, seconds=-1), tick=False):
            if minute == 5:
                treated(late_comer, 85)  # a reminder comes due during the outage
            with django_capture_on_commit_callbacks(execute=True):
                if minute % 5 == 0:
                    sweep()
                    run_dispatcher()
                assert probe_paused_senders() == []
    assert fake_twilio.messages == []
    assert Touch.objects.filter(status="queued").count() == 4
    assert SenderPause.objects.active().get().last_probe_result.startswith("Twilio answered 401 (error 20003)")

    with time_machine.travel(MORNING + dt.timedelta(minutes=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert probe_paused_senders() == ["+14155550100"]
        assert len(fake_twilio.messages) == 4  # the resume dispatched what was owed, no sweep needed
        with django_capture_on_commit_callbacks(execute=True):
            sweep()  # the next sweep finds nothing left to send
            run_dispatcher()
        page = owner_client.get("/recall/").content.decode()
    assert "Texting paused" not in page
    touches = list(Touch.objects.all())
    assert [t.status for t in touches] == ["sent"] * 4
    sent_to = sorted(m["to"] for m in fake_twilio.messages)
    assert sent_to == sorted(str(p.phone) for p in [*patients, late_comer])  # each once, none lost
    assert Handoff.objects.filter(title__startswith="Texting paused", status="done").count() == \
        Handoff.objects.filter(title__startswith="Texting paused").count() >= 1
