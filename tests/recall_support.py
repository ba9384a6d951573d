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


def patients_due_at(moment: dt.datetime, location, count: int) -> list:
    """`count` patients of `location`, each with a Neurotoxin visit (90 days) 85 days before `moment`: the
    window is open then, and each owes an on-time text."""
    import time_machine
    from factories import PatientFactory

    patients = [PatientFactory(location=location, phone=f"+1415555{3000 + i:04d}") for i in range(count)]
    with time_machine.travel(moment - dt.timedelta(days=85), tick=False):
        for p in patients:
            treated(p, 0)
    return patients


def make_owed_touches() -> list[int]:
    """What a Celery worker does with the sweep's make_touches tasks: the owed touches made into queued touches
    (the task, run for every owed row; it queues the touches it makes). Returns the new touch ids."""
    from recall.models import OwedTouch, Touch
    from recall.tasks import make_touches

    before = set(Touch.objects.values_list("pk", flat=True))
    make_touches(list(OwedTouch.objects.order_by("pk").values_list("pk", flat=True)))
    return sorted(set(Touch.objects.values_list("pk", flat=True)) - before)


def run_dispatcher(times: int = 1) -> None:
    """What a Celery worker does with the queue: make the owed touches, then run dispatch_touch for each outbox
    row (maybe twice)."""
    from recall.models import Touch
    from recall.tasks import dispatch_touch

    for _ in range(times):
        make_owed_touches()
        for pk in Touch.objects.order_by("pk").values_list("pk", flat=True):
            dispatch_touch(pk)
