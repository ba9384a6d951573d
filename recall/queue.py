"""Putting recall work on the Celery queue, by task name.

`recall.tasks` imports the modules that do the work (sweep, dispatch, inbound, member touches); those
modules name the tasks they queue instead of importing them, so the imports run one way. A name that
is not a registered task fails loudly (Celery raises NotRegistered when it is sent). Callers queue on
commit; if the broker is down the rows stay owed and the next sweep re-queues them.
"""

import logging

from celery import current_app

log = logging.getLogger(__name__)


def enqueue_dispatch(touch_ids) -> None:
    """One `recall.tasks.dispatch_touch` per touch id."""
    task = current_app.tasks["recall.tasks.dispatch_touch"]
    for touch_id in touch_ids:
        try:
            task.delay(touch_id)
        except Exception:  # broker down: the next sweep re-queues from the outbox
            log.exception("Could not queue touch %s; the next sweep will retry", touch_id)
            return


def enqueue_inbound(message_ids) -> None:
    """One `recall.tasks.process_inbound` per stored reply."""
    task = current_app.tasks["recall.tasks.process_inbound"]
    for message_id in message_ids:
        task.delay(message_id)


def hand_off_inbound(message_id: int) -> None:
    """The webhook's hand-off of one stored reply to the inbound queue. Never raises: if the broker is down
    the row stays unprocessed and the sweep re-queues it (recall.sweep.requeue_inbound)."""
    try:
        current_app.tasks["recall.tasks.process_inbound"].apply_async((message_id,))
    except Exception:
        log.exception("Could not queue inbound message %s; the sweep will re-queue it", message_id)


def enqueue_import(job_id: int) -> None:
    """`recall.tasks.run_import` for an uploaded history file (the job row waits if the broker is down)."""
    current_app.tasks["recall.tasks.run_import"].delay(job_id)
