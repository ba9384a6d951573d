"""Background work for calls. Each task reads the database and is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from . import intake, oncall
from .models import Call

QUIET_AFTER = timedelta(hours=1)  # an in-progress call with no status callback for this long is over


@shared_task
def finalize_call(call_id: int) -> None:
    intake.finalize(call_id)


@shared_task
def finalize_stale_calls() -> int:
    """Sweep: calls that ended (or went quiet) without a summary -- Celery or a status callback was lost."""
    cutoff = timezone.now() - QUIET_AFTER
    ids = list(
        Call.objects.unfinished()
        .filter(Q(status=Call.Status.COMPLETED) | Q(started_at__lt=cutoff))
        .order_by("started_at").values_list("id", flat=True)[:500]
    )
    for call_id in ids:
        intake.finalize(call_id)
    return len(ids)


@shared_task
def page_on_call(handoff_id: int) -> str:
    """Text the on-call provider a link to a safety item whose call they did not answer. At most once."""
    return oncall.page(handoff_id)
