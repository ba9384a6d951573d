"""Helpers shared by the recall tests (plain functions; fixtures stay in conftest)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LA = ZoneInfo("America/Los_Angeles")


def la(*args) -> dt.datetime:
    """An aware datetime in Los Angeles (the westside fixture's zone)."""
    return dt.datetime(*args, tzinfo=LA)


def treated(patient, days_ago: int, service_name: str = "Neurotoxin", **kwargs):
    """Record a completed visit `days_ago` days before now (fires the recall hook like the front desk would)."""
    from factories import VisitFactory, service

    return VisitFactory(patient=patient, service=service(service_name),
                        starts_at=timezone.now() - dt.timedelta(days=days_ago), **kwargs)


def run_dispatcher(times: int = 1) -> None:
    """What a Celery worker does with the queue: run dispatch_touch for each outbox row (maybe twice)."""
    from recall.models import Touch
    from recall.tasks import dispatch_touch

    for _ in range(times):
        for pk in Touch.objects.order_by("pk").values_list("pk", flat=True):
            dispatch_touch(pk)
