"""Background work for the core: the dashboards' daily rollup (beat, CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .dashboards import rollup


@shared_task
def roll_up_dashboards() -> int:
    """Store the figures of ended days not stored yet (newest first, a batch per run). Safe to run twice."""
    return rollup.roll_up()
