"""Celery tasks of the Twilio package (beat runs the probe every minute)."""

from celery import shared_task

from . import pauses
from .transport import get_backend


@shared_task(name="medspa.twilio.tasks.probe_paused_senders", ignore_result=True)
def probe_paused_senders():
    backend = get_backend()
    return pauses.probe_paused(backend.probe)
