"""Celery tasks: thin wrappers that pass ids; the database holds all state."""

from celery import shared_task
from celery.signals import worker_init
from django.db import transaction

from medspa.triage.language import warm_up

from . import dispatch, imports, inbound, member_touches, owed
from . import sweep as sweeping
from .dispatch import MAX_ATTEMPTS
from .queue import enqueue_dispatch


@worker_init.connect
def warm_triage(sender=None, **kwargs):
    """The inbound worker (Procfile: -n inbound@%h) loads the triage engine's English and Spanish dictionaries
    before it takes its first text (seconds once, so a patient's first text is not the one that waits; forked
    pool processes share them). Celery imports the task modules before it sends worker_init."""
    if str(getattr(sender, "hostname", "")).startswith("inbound@"):
        warm_up()


@shared_task(name="recall.tasks.sweep", ignore_result=True)
def sweep():
    """Beat runs this every 5 minutes (CELERY_BEAT_SCHEDULE["recall-sweep"])."""
    return str(sweeping.sweep())


@shared_task(name="recall.tasks.member_touchpoints", ignore_result=True)
def member_touchpoints():
    """Beat runs this hourly (CELERY_BEAT_SCHEDULE["recall-member-touchpoints"]); safe to run twice."""
    return len(member_touches.write_member_touches())


@shared_task(name="recall.tasks.make_touches", ignore_result=True)
def make_touches(owed_ids: list[int]):
    """A sweep batch of owed touches (recall.queue.enqueue_owed) made into queued touches, then queued for
    sending once committed (recall.owed)."""
    touch_ids = owed.make_touches(owed_ids)
    if touch_ids:
        transaction.on_commit(lambda: enqueue_dispatch(touch_ids))
    return len(touch_ids)


@shared_task(bind=True, name="recall.tasks.dispatch_touch", ignore_result=True, max_retries=MAX_ATTEMPTS)
def dispatch_touch(self, touch_id: int):
    outcome = dispatch.send_touch(touch_id)
    if outcome.retry_in is not None:
        # Short countdowns only; if this retry is lost the sweep re-queues the row from the outbox.
        raise self.retry(countdown=outcome.retry_in, max_retries=MAX_ATTEMPTS * 20)
    return outcome.status


@shared_task(bind=True, name="recall.tasks.dispatch_touches", ignore_result=True)
def dispatch_touches(self, touch_ids: list[int]):
    """A chunk of the outbox (recall.queue.enqueue_dispatch): one claim, then one statement per message between
    sends. What must wait (rate limit, backoff) is queued again as its own tasks; the sweep is the safety net."""
    outcomes = dispatch.send_touches(touch_ids)
    later = [(pk, o.retry_in) for pk, o in outcomes.items() if o.retry_in is not None]
    for pk, countdown in later:
        dispatch_touch.apply_async((pk,), countdown=countdown)
    return {status: sum(1 for o in outcomes.values() if o.status == status)
            for status in {o.status for o in outcomes.values()}}


@shared_task(name="recall.tasks.process_inbound", ignore_result=True)
def process_inbound(message_id: int):
    return inbound.process(message_id)


@shared_task(name="recall.tasks.apply_status", ignore_result=True)
def apply_status(sid: str, status: str, error_code: str = ""):
    return inbound.apply_status(sid, status, error_code)


@shared_task(name="recall.tasks.run_import", ignore_result=True)
def run_import(job_id: int):
    """Import an uploaded history file (recall.views.staff.import_page queues it on commit)."""
    return imports.run_job(job_id)


@shared_task(name="recall.tasks.recover_imports", ignore_result=True)
def recover_imports():
    """Beat, every minute: queue again the history imports whose worker stopped (recall.imports)."""
    return imports.recover_stalled()
