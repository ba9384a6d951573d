"""Putting recall work on the Celery queue, by task name.

`recall.tasks` imports the modules that do the work (sweep, dispatch, inbound, member touches); those
modules name the tasks they queue instead of importing them, so the imports run one way. A name that
is not a registered task fails loudly (Celery raises NotRegistered when it is sent). Callers queue on
commit; if the broker is down the rows stay owed and the next sweep re-queues them.
"""

import logging
import os

from celery import current_app
from celery.utils.nodenames import anon_nodename
from django.conf import settings
from kombu import serialization
from kombu.utils.json import dumps as json_dumps
from kombu.utils.uuid import uuid

log = logging.getLogger(__name__)


DISPATCH_CHUNK = 20  # touches per dispatch task: one claim per chunk, one statement per message after it


def enqueue_dispatch(touch_ids) -> None:
    """One `recall.tasks.dispatch_touch` for a single touch; `recall.tasks.dispatch_touches` per chunk of
    DISPATCH_CHUNK ids otherwise (a chunk's touches for one patient go out as one message)."""
    single = current_app.tasks["recall.tasks.dispatch_touch"]
    chunked = current_app.tasks["recall.tasks.dispatch_touches"]
    _queue_chunks(touch_ids, DISPATCH_CHUNK, lambda c: single.delay(c[0]) if len(c) == 1 else chunked.delay(c),
                  "touches")


OWED_CHUNK = 500  # owed touches per make_touches task: one sweep batch (recall.sweep.BATCH_SIZE)


def enqueue_owed(owed_ids) -> None:
    """`recall.tasks.make_touches` per chunk of OWED_CHUNK owed touches (recall.owed)."""
    _queue_chunks(owed_ids, OWED_CHUNK, current_app.tasks["recall.tasks.make_touches"].delay, "owed touches")


def _queue_chunks(ids, size: int, send, what: str) -> None:
    """`send` each chunk of `size` ids; stop at the first the broker refuses (the rows stay owed and the next
    sweep re-queues them)."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        try:
            send(chunk)
        except Exception:  # broker down
            log.exception("Could not queue %s %s; the next sweep will retry", what, chunk[:20])
            return


def enqueue_inbound(message_ids) -> None:
    """One `recall.tasks.process_inbound` per stored reply."""
    task = current_app.tasks["recall.tasks.process_inbound"]
    for message_id in message_ids:
        task.delay(message_id)


INBOUND_TASK = "recall.tasks.process_inbound"


def hand_off_inbound(message_id: int) -> None:
    """The webhook's hand-off of one stored reply to the inbound queue. Never raises: if the broker is down
    the row stays unprocessed and the sweep re-queues it (recall.sweep.requeue_inbound).

    On Redis this is one LPUSH of Celery's own task message (built by `app.amqp.as_task_v2`, wrapped by
    kombu's channel exactly as `basic_publish` wraps it) through the channel's client, kept per process.
    `apply_async` does the same and more per call: it builds a new redis-py client for every message and
    reads the exchange's bindings first, which made it a quarter of the webhook's time (docs/benchmarks.md).
    Other brokers (`make run`'s filesystem one) and eager mode take `apply_async`.
    """
    try:
        publisher = _inbound_publisher()
        if publisher is None:
            current_app.tasks[INBOUND_TASK].apply_async((message_id,))
        else:
            publisher.send(message_id)
    except Exception:
        log.exception("Could not queue inbound message %s; the sweep will re-queue it", message_id)


class _RedisPublisher:
    """One kombu channel on the broker for this process; `send` is one LPUSH on its pooled client.

    The message is Celery's own (`message`: `app.amqp.as_task_v2`, wrapped by kombu's channel exactly as
    `basic_publish` wraps it), built once per process as a template; each send copies it with the parts
    that differ per message: the task id (header id and root_id, property correlation_id), kombu's
    delivery tag, the argument repr and the encoded body. Measured: about half of the hand-off's CPU
    (0.1 ms a text) was building the same message again. A test compares every send with `message`.
    """

    def __init__(self, app, queue: str):
        self.app, self.queue = app, queue
        self.connection = app.connection_for_write()
        self.channel = self.connection.default_channel
        self.key = self.channel._q_for_pri(queue, 0)
        self.origin = anon_nodename()
        self.template = self.message(0, "")
        self.embed = self._task(0, "").body[2]  # Celery's (args, kwargs, embed) body: callbacks, chain...

    def _task(self, message_id: int, task_id: str):
        # The reprs and origin Celery would compute each time (saferepr, the node name) are given.
        return self.app.amqp.as_task_v2(task_id, INBOUND_TASK, args=(message_id,), kwargs={},
                                        reply_to=self.app.thread_oid, ignore_result=True,
                                        argsrepr=f"({message_id!r},)", kwargsrepr="{}", origin=self.origin)

    def message(self, message_id: int, task_id: str) -> dict:
        """Celery's message for process_inbound(message_id) with this task id, as kombu pushes it."""
        task = self._task(message_id, task_id)
        content_type, content_encoding, body = serialization.dumps(task.body, serializer="json")
        message = self.channel.prepare_message(body, 0, content_type, content_encoding, task.headers,
                                               dict(task.properties, delivery_mode=2))
        self.channel._inplace_augment_message(message, "", self.queue)  # as Celery routes it
        return message

    def from_template(self, message_id: int, task_id: str) -> dict:
        template = self.template
        body = serialization.dumps(((message_id,), {}, self.embed), serializer="json")[2]
        return {**template, "body": self.channel.encode_body(body, template["properties"]["body_encoding"])[0],
                "headers": {**template["headers"], "id": task_id, "root_id": task_id,
                            "argsrepr": f"({message_id!r},)"},
                "properties": {**template["properties"], "correlation_id": task_id,
                               "reply_to": self.app.thread_oid, "delivery_tag": uuid()}}

    def send(self, message_id: int) -> None:
        self.channel.client.lpush(self.key, json_dumps(self.from_template(message_id, uuid())))


_publisher: tuple[int, _RedisPublisher | None] | None = None  # (process id, its publisher or None)


def _inbound_publisher() -> _RedisPublisher | None:
    """This process's publisher (gunicorn forks its workers: one channel per process); None for eager mode
    and brokers other than Redis. The broker is read once per process: a conf look-up costs 10-20 us."""
    global _publisher
    app = current_app
    if app.conf.task_always_eager:
        return None
    pid = os.getpid()
    if _publisher is None or _publisher[0] != pid:
        redis = (app.conf.broker_url or "").startswith(("redis://", "rediss://"))
        queue = settings.CELERY_TASK_ROUTES[INBOUND_TASK]["queue"]
        _publisher = (pid, _RedisPublisher(app, queue) if redis else None)
    return _publisher[1]


def enqueue_import(job_id: int) -> None:
    """`recall.tasks.run_import` for an uploaded history file (the job row waits if the broker is down)."""
    current_app.tasks["recall.tasks.run_import"].delay(job_id)
