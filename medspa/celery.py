"""The Celery app. The database holds every schedule; beat only wakes the sweeps up
(CELERY_BEAT_SCHEDULE in settings lists the periodic tasks)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")

app = Celery("medspa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def warm_triage(**kwargs):
    """Load the triage engine's English and Spanish dictionaries before the worker takes its first message
    (seconds once, so a patient's first text is not the one that waits; forked pool processes share them)."""
    from medspa.triage.language import warm_up

    warm_up()
