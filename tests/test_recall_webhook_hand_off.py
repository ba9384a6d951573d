"""The inbound SMS webhook's fast path (issue 12): signature, ONE statement, hand-off to the inbound queue on
Redis; bounded work whatever the request's size. Requests are signed with Twilio's RequestValidator and go
through HTTP; what reaches the queue is read back from the real Redis and run as the worker would."""

import base64
import json
import logging

import psycopg
import pytest
import redis
from django.db import close_old_connections, connection
from pg_trace import server_replies

from medspa.models import Handoff
from medspa.twilio.webhooks import MAX_WEBHOOK_BYTES
from recall.models import InboundMessage
from recall.tasks import process_inbound

pytestmark = pytest.mark.usefixtures("fast_sender")
INBOUND = "/twilio/sms/inbound/"


def sms(body="Can I book a facial next week?", sid="SM" + "e" * 32, **extra):
    return {"MessageSid": sid, "From": "+14155550134", "To": "+14155550100", "Body": body, "NumMedia": "0", **extra}


@pytest.fixture
def inbound_queue(settings):
    """The broker's `inbound` list (this xdist worker's Redis database), empty at the start."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("inbound")
    yield broker
    broker.delete("inbound")


def queued_tasks(broker) -> list[tuple[str, list]]:
    """(task name, args) of every message waiting on the inbound queue, decoded as the worker decodes them."""
    out = []
    for raw in broker.lrange("inbound", 0, -1):
        message = json.loads(raw)
        assert message["properties"]["body_encoding"] == "base64"
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        out.append((message["headers"]["task"], args))
    return out


def run_queued(broker) -> None:
    """The inbound worker's share: every queued task, by the name the message carries."""
    for name, args in queued_tasks(broker):
        assert name == "recall.tasks.process_inbound"
        process_inbound(*args)


@pytest.mark.django_db(transaction=True)  # the webhook commits for real; the hand-off follows
def test_retried_webhook_stores_one_row_queues_one_task_and_replies_once(
        twilio_signed_post, patient, fake_twilio, inbound_queue, settings):
    settings.TWILIO_KEYWORD_REPLIES = "app"  # the app confirms STOP itself: at most one confirmation
    for _ in range(3):  # Twilio retried the webhook twice
        response = twilio_signed_post(INBOUND, sms("STOP"))
        assert response.status_code == 200 and b"<Response/>" in response.content
    message = InboundMessage.objects.get()
    assert (message.message_sid, message.body, message.to_number) == ("SM" + "e" * 32, "STOP", "+14155550100")
    assert queued_tasks(inbound_queue) == [("recall.tasks.process_inbound", [message.pk])]
    run_queued(inbound_queue)
    run_queued(inbound_queue)  # a redelivered task
    message.refresh_from_db()
    patient.refresh_from_db()
    assert message.kind == "stop" and message.processed_at is not None
    assert patient.sms_opted_out_at is not None
    assert [m["body"] for m in fake_twilio.messages] == [
        "Westside Aesthetics: you're unsubscribed and will get no more texts from us. Reply START to opt back in."]


@pytest.mark.django_db(transaction=True)
def test_reply_reaches_the_inbox_through_the_queue(twilio_signed_post, patient, fake_twilio, inbound_queue):
    twilio_signed_post(INBOUND, sms("Can I come in Tuesday?"))
    run_queued(inbound_queue)
    handoff = Handoff.objects.get()
    assert handoff.source == "sms" and handoff.context["message"] == "Can I come in Tuesday?"
    assert handoff.patient == patient


@pytest.mark.django_db(transaction=True)
def test_forged_requests_are_stored_nowhere_and_queue_nothing(twilio_signed_post, patient, inbound_queue):
    assert twilio_signed_post(INBOUND, sms("STOP"), signature="Zm9yZ2Vk").status_code == 403
    other_account = sms("STOP", AccountSid="AC" + "9" * 32)
    assert twilio_signed_post(INBOUND, other_account).status_code == 403
    assert InboundMessage.objects.count() == 0 and queued_tasks(inbound_queue) == []
    patient.refresh_from_db()
    assert patient.sms_opted_out_at is None


@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_one_statement_one_round_trip_and_no_transaction(twilio_signed_post, patient, inbound_queue):
    # A connection of its own: one the worker opened for earlier tests would reach CONN_MAX_AGE (60 s) at some
    # point, and the request that found it too old would open another, where the statement is not prepared yet.
    connection.close()
    twilio_signed_post(INBOUND, sms(sid="SM" + "0" * 32))  # the connection's first text prepares the statement
    for sid, inserted in (("SM" + "e" * 32, "INSERT 0 1"), ("SM" + "e" * 32, "INSERT 0 0")):  # then its retry
        close_old_connections()  # what Django does as each request starts (a persistent connection is kept)
        with server_replies() as server:
            assert twilio_signed_post(INBOUND, sms(sid=sid)).status_code == 200
        # No health-check SELECT 1, no BEGIN/SAVEPOINT/RELEASE/COMMIT: the one insert, in one round trip, run
        # from the statement the first text prepared (not parsed and planned again).
        assert server == {"statements": [inserted], "round_trips": 1, "parsed": 0}
    assert InboundMessage.objects.count() == 2 and len(queued_tasks(inbound_queue)) == 2


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_and_the_text_kept(twilio_signed_post, patient, inbound_queue):
    twilio_signed_post(INBOUND, sms(sid="SM" + "0" * 32))
    backend = connection.connection.info.backend_pid
    info = connection.connection.info
    with psycopg.connect(info.dsn, password=info.password, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])  # the server ends it (as on a restart)
    close_old_connections()
    assert twilio_signed_post(INBOUND, sms("Still there?")).status_code == 200
    assert InboundMessage.objects.filter(body="Still there?").count() == 1
    assert len(queued_tasks(inbound_queue)) == 2


@pytest.mark.django_db
def test_a_body_over_twilios_limit_is_stored_truncated_and_logged(twilio_signed_post, patient, caplog):
    with caplog.at_level(logging.WARNING, logger="medspa.twilio.webhooks"):
        assert twilio_signed_post(INBOUND, sms("é" * 5000)).status_code == 200
    assert InboundMessage.objects.get().body == "é" * 1600
    assert "body of 5000 characters; stored the first 1600" in caplog.text


@pytest.mark.django_db
def test_a_request_over_64_kb_is_refused_unread(twilio_signed_post, patient, caplog):
    with caplog.at_level(logging.WARNING, logger="medspa.twilio.webhooks"):
        response = twilio_signed_post(INBOUND, sms("x" * (MAX_WEBHOOK_BYTES + 1)))
    assert response.status_code == 413 and b"over 65536 bytes" in response.content
    assert InboundMessage.objects.count() == 0
    assert "Rejected Twilio webhook of" in caplog.text


@pytest.mark.django_db
def test_media_read_is_capped_whatever_num_media_says(twilio_signed_post, patient, caplog):
    media = {f"MediaUrl{i}": f"https://api.twilio.com/Media/ME{i:032d}" for i in range(40)}
    media.update({f"MediaContentType{i}": "image/jpeg" for i in range(40)})
    media["MediaUrl1"] = "https://api.twilio.com/" + "a" * 3000  # no Twilio URL is that long
    assert twilio_signed_post(INBOUND, sms("photos", NumMedia="1000000", **media)).status_code == 200
    stored = InboundMessage.objects.get().media
    assert len(stored) == 9  # the first 10, less the one too long to be Twilio's
    assert stored[0] == {"url": "https://api.twilio.com/Media/ME" + "0" * 32, "content_type": "image/jpeg"}
    assert "MediaUrl1 of 3023 characters left out" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_queued_message_is_the_one_celery_builds(twilio_signed_post, patient, inbound_queue):
    """The hand-off copies a per-process template of Celery's message; what reaches Redis must be exactly
    what Celery and kombu build for that task id (only kombu's delivery tag is new per message)."""
    from recall.queue import _inbound_publisher

    for n, sid in enumerate(("SM" + "1" * 32, "SM" + "2" * 32)):
        twilio_signed_post(INBOUND, sms(sid=sid, body=f"Text {n}"))
    publisher = _inbound_publisher()
    for raw, message in zip(reversed(inbound_queue.lrange("inbound", 0, -1)),
                            InboundMessage.objects.order_by("pk"), strict=True):
        queued = json.loads(raw)
        built = json.loads(json.dumps(publisher.message(message.pk, queued["headers"]["id"])))
        assert queued["properties"].pop("delivery_tag") != built["properties"].pop("delivery_tag")
        assert queued == built
