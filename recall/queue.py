"""Putting recall work on the Celery queue, by task name.

`recall.tasks` imports the modules that do the work (sweep, dispatch, inbound, member touches); those
modules name the tasks they queue instead of importing them, so the imports run one way. A name that
is not a registered task fails loudly (Celery raises NotRegistered when it is sent). Callers queue on
commit; if the broker is down the rows stay owed and the next sweep re-queues them.
"""

import logging

from celery import current_app

log = logging.getLogger(__name__)


DISPATCH_CHUNK = 20  # touches per dispatch task: one claim per chunk, one statement per message after it


def enqueue_dispatch(touch_ids) -> None:
    """One `recall.tasks.dispatch_touch` for a single touch; `recall.tasks.dispatch_touches` per chunk of
    DISPATCH_CHUNK ids otherwise (a chunk's touches for one patient go out as one message)."""
    touch_ids = list(touch_ids)
    single = current_app.tasks["recall.tasks.dispatch_touch"]
    chunked = current_app.tasks["recall.tasks.dispatch_touches"]
    for start in range(0, len(touch_ids), DISPATCH_CHUNK):
        chunk = touch_ids[start:start + DISPATCH_CHUNK]
        try:
            single.delay(chunk[0]) if len(chunk) == 1 else chunked.delay(chunk)
        except Exception:  # broker down: the next sweep re-queues from the outbox
            log.exception("Could not queue touches %s; the next sweep will retry", chunk)
            return


def enqueue_inbound(message_ids) -> None:
    """One `recall.tasks.process_inbound` per stored reply."""
    task = current_app.tasks["recall.tasks.process_inbound"]
    for message_id in message_ids:
        task.delay(message_id)


def enqueue_import(job_id: int) -> None:
    """`recall.tasks.run_import` for an uploaded history file (the job row waits if the broker is down)."""
    current_app.tasks["recall.tasks.run_import"].delay(job_id)
