"""The recall sweep: Celery beat runs it every few minutes; it is safe to run twice or in parallel.

1. `advance_due_schedules` reads only schedules whose next_action_at has come (partial index
   recall_next_action_idx), in batches locked with FOR UPDATE SKIP LOCKED, moves their state, and
   writes one Touch (outbox row) per message owed in the same transaction. Dispatch tasks are
   queued on commit, carrying only the touch id.
2. `requeue_outbox` re-queues touches whose hold has passed (quiet hours, backoff) and recovers
   claims left behind by a worker that died (see recall.dispatch for the rules).

Quiet hours: a schedule that comes due at night writes no touch; its next_action_at moves to 08:00
local and the touch is written then (so an overnight STOP or booking simply wins). A touch written
just before 21:00 but dispatched after is held by the dispatcher (not_before = next 08:00) and
re-queued here once that passes.

No long ETAs sit in Redis: if Redis or a worker dies, the rows say what is owed and the next sweep
picks it up.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .dispatch import requeue_outbox
from .models import InboundMessage, RecallLink, RecallSchedule, Touch
from .models.links import LINK_LIFETIME, hash_token, link_url, new_token
from .queue import enqueue_dispatch, enqueue_inbound
from .schedules import decide, paused_subquery, rules_by_service
from .wording import render

log = logging.getLogger(__name__)
BATCH_SIZE = 500
REQUEUE_AFTER = timedelta(minutes=2)


@dataclass
class SweepResult:
    schedules: int = 0
    touches: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    unknown_outcome: list[int] = field(default_factory=list)
    inbound: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.schedules} schedules advanced, {len(self.touches)} touches written, "
                f"{len(self.requeued)} re-queued, {len(self.unknown_outcome)} with unknown outcome")


def sweep(now: datetime | None = None, *, batch_size: int = BATCH_SIZE, enqueue: bool = True) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    advance_due_schedules(now, result, batch_size=batch_size, enqueue=enqueue)
    requeue_outbox(now, result, enqueue=enqueue)
    requeue_inbound(now, result, enqueue=enqueue)
    return result


def requeue_inbound(now: datetime, result: SweepResult, *, enqueue: bool) -> None:
    """Replies stored by the webhook whose processing task was lost (broker down, worker killed)."""
    stale = list(InboundMessage.objects.filter(processed_at__isnull=True, received_at__lte=now - REQUEUE_AFTER)
                 .order_by("received_at").values_list("pk", flat=True)[:1000])
    result.inbound.extend(stale)
    if enqueue and stale:
        transaction.on_commit(lambda: enqueue_inbound(stale))


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
            touches, tokens = [], []
            for schedule in batch:
                owed = advance(schedule, rules.get(schedule.service_id), now)
                if owed is not None:
                    touches.append(owed[0])
                    tokens.append(owed[1])
            Touch.objects.bulk_create(touches)
            RecallLink.objects.bulk_create([
                RecallLink(schedule=t.schedule, patient=t.patient, touch=t, token_hash=hash_token(token),
                           created_at=now, expires_at=now + LINK_LIFETIME)
                for t, token in zip(touches, tokens, strict=True)
            ])
            save_progress(batch)
            ids = [t.pk for t in touches]
            result.schedules += len(batch)
            result.touches.extend(ids)
            if enqueue and ids:
                transaction.on_commit(lambda ids=ids: enqueue_dispatch(ids))


# Columns the sweep changes, with their PostgreSQL types for the VALUES list below.
PROGRESS_COLUMNS = (("state", "varchar"), ("next_action_at", "timestamptz"), ("touches_sent", "smallint"),
                    ("kinds_sent", "varchar"), ("last_touch_at", "timestamptz"), ("last_touch_number", "integer"))


def save_progress(batch: list[RecallSchedule]) -> None:
    """One UPDATE for the whole batch (PostgreSQL: UPDATE ... FROM (VALUES ...); elsewhere bulk_update)."""
    names = [name for name, _type in PROGRESS_COLUMNS]
    if connection.vendor != "postgresql":
        RecallSchedule.objects.bulk_update(batch, names)
        return
    row = "(%s::bigint, " + ", ".join(f"%s::{sql_type}" for _name, sql_type in PROGRESS_COLUMNS) + ")"
    params = [value for s in batch for value in (s.pk, *(getattr(s, name) for name in names))]
    table = RecallSchedule._meta.db_table
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET {assignments}, updated_at = now() "  # noqa: S608 (constant identifiers)
            f"FROM (VALUES {', '.join([row] * len(batch))}) AS v(id, {', '.join(names)}) WHERE s.id = v.id",
            params,
        )


def advance(schedule: RecallSchedule, rule, now: datetime) -> tuple[Touch, str] | None:
    """Move one locked schedule on; returns the (unsaved) Touch owed now and its link token, if any."""
    patient = schedule.patient
    tz = patient.location.tz
    decision = decide(schedule, rule, now, paused=schedule.paused, can_text=patient.can_text, tz=tz)
    schedule.state = decision.state
    owed = None
    if decision.touch:
        owed = new_touch(schedule, rule, decision.touch, now)
        decision = decide(schedule, rule, now, paused=False, can_text=True, tz=tz)
    next_at = decision.next_action_at
    schedule.next_action_at = next_at if next_at is None or next_at > now else None
    return owed


def new_touch(schedule: RecallSchedule, rule, kind: str, now: datetime) -> tuple[Touch, str]:
    """The outbox row for touch number N of this schedule (key schedule:N) and a fresh link token."""
    patient, location = schedule.patient, schedule.patient.location
    number = schedule.last_touch_number + 1
    token = new_token()
    body = render(rule.template_for(kind), first_name=patient.first_name, clinic=location.name, link=link_url(token))
    touch = Touch(
        schedule=schedule, patient=patient, service=schedule.service, source=Touch.Source.RECALL, number=number,
        kind=kind, idempotency_key=f"{schedule.pk}:{number}", body=body,
        to=str(patient.phone), from_number=str(location.sms_number or settings.TWILIO_DEFAULT_FROM),
        not_before=now, created_at=now,
    )
    schedule.last_touch_number = number
    schedule.touches_sent += 1
    schedule.add_kind(kind)
    schedule.last_touch_at = now
    return touch, token
