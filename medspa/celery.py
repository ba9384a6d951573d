"""The Celery app. The database holds every schedule; beat only wakes the sweeps up
(CELERY_BEAT_SCHEDULE in settings lists the periodic tasks)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")

app = Celery("medspa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["medspa.twilio"])  # medspa.twilio.tasks (the paused-sender probe)
