"""The recall sweep: Celery beat runs it every few minutes; it is safe to run twice or in parallel.

1. `advance_due_schedules` reads only schedules whose next_action_at has come (partial index
   recall_next_action_idx), in batches locked with FOR UPDATE SKIP LOCKED, moves their state, and
   writes one Touch (outbox row) per message owed in the same transaction. Dispatch tasks are
   queued on commit, carrying only the touch id.
2. `requeue_outbox` re-queues touches whose hold has passed (quiet hours, backoff) and recovers
   claims left behind by a worker that died (see recall.dispatch for the rules).

No long ETAs sit in Redis: if Redis or a worker dies, the rows say what is owed and the next sweep
picks it up.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import RecallLink, RecallSchedule, Touch
from .schedules import decide, paused_subquery, rules_by_service
from .wording import render

log = logging.getLogger(__name__)
BATCH_SIZE = 500


@dataclass
class SweepResult:
    schedules: int = 0
    touches: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    unknown_outcome: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.schedules} schedules advanced, {len(self.touches)} touches written, "
                f"{len(self.requeued)} re-queued, {len(self.unknown_outcome)} with unknown outcome")


def sweep(now: datetime | None = None, *, batch_size: int = BATCH_SIZE, enqueue: bool = True) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    advance_due_schedules(now, result, batch_size=batch_size, enqueue=enqueue)
    from .dispatch import requeue_outbox

    requeue_outbox(now, result, enqueue=enqueue)
    return result


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("recall:link", args=[token])


def advance_due_schedules(now: datetime, result: SweepResult, *, batch_size: int, enqueue: bool) -> None:
    rules = rules_by_service()
    while True:
        with transaction.atomic():
            batch = list(
                RecallSchedule.objects.due(now)
                .select_related("patient__location", "service")
                .annotate(paused=paused_subquery())
                .order_by("next_action_at")
                .select_for_update(skip_locked=True, of=("self",))[:batch_size]
            )
            if not batch:
                return
            touches = []
            for schedule in batch:
                touch = advance(schedule, rules.get(schedule.service_id), now)
                if touch is not None:
                    touches.append(touch)
            RecallSchedule.objects.bulk_update(
                batch, ["state", "next_action_at", "touches_sent", "kinds_sent", "last_touch_at",
                        "last_touch_number"])
            ids = [t.pk for t in touches]
            result.schedules += len(batch)
            result.touches.extend(ids)
            if enqueue and ids:
                transaction.on_commit(lambda ids=ids: enqueue_dispatch(ids))


def advance(schedule: RecallSchedule, rule, now: datetime) -> Touch | None:
    """Move one locked schedule on; returns the Touch written, if one is owed now."""
    patient = schedule.patient
    tz = patient.location.tz
    decision = decide(schedule, rule, now, paused=schedule.paused, can_text=patient.can_text, tz=tz)
    schedule.state = decision.state
    touch = None
    if decision.touch:
        touch = write_touch(schedule, rule, decision.touch, now)
        decision = decide(schedule, rule, now, paused=False, can_text=True, tz=tz)
    next_at = decision.next_action_at
    schedule.next_action_at = next_at if next_at is None or next_at > now else None
    return touch


def write_touch(schedule: RecallSchedule, rule, kind: str, now: datetime) -> Touch:
    patient, location = schedule.patient, schedule.patient.location
    number = schedule.last_touch_number + 1
    touch = Touch.objects.create(
        schedule=schedule, number=number, kind=kind, idempotency_key=f"{schedule.pk}:{number}",
        body="", to=str(patient.phone), from_number=str(location.sms_number or settings.TWILIO_DEFAULT_FROM),
        not_before=now, created_at=now,
    )
    _link, token = RecallLink.objects.issue(schedule, touch, now=now)
    touch.body = render(rule.template_for(kind), first_name=patient.first_name, clinic=location.name,
                        link=link_url(token))
    touch.save(update_fields=["body"])
    schedule.last_touch_number = number
    schedule.touches_sent += 1
    schedule.add_kind(kind)
    schedule.last_touch_at = now
    return touch


def enqueue_dispatch(touch_ids) -> None:
    from .tasks import dispatch_touch

    for touch_id in touch_ids:
        try:
            dispatch_touch.delay(touch_id)
        except Exception:  # broker down: the next sweep re-queues from the outbox
            log.exception("Could not queue touch %s; the next sweep will retry", touch_id)
            return
