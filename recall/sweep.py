"""The recall sweep: Celery beat runs it every few minutes; it is safe to run twice or in parallel.

1. `advance_due_schedules` reads only schedules whose next_action_at has come (partial index
   recall_next_action_idx), in batches locked with FOR UPDATE SKIP LOCKED, as plain rows (no model
   objects), decides each in Python (`recall.schedules.decide`, the same rules as everywhere, once per
   distinct set of inputs: `Decisions`), and writes schedule progress and one queued Touch (outbox row)
   per message owed in ONE statement per batch on PostgreSQL (`write_batch`); SQLite (`make run`) gets
   the same rows from two bulk writes (`write_batch_orm`). The touch's wording and link are made when
   the dispatcher claims it (`recall.outbox_text`). Dispatch tasks are queued on commit, carrying only
   the touch id.
2. `requeue_outbox` re-queues touches whose hold has passed (quiet hours, backoff) and recovers
   claims left behind by a worker that died (see recall.dispatch for the rules).

Quiet hours: a schedule that comes due at night writes no touch; its next_action_at moves to 08:00
local and the touch is written then (so an overnight STOP or booking simply wins). A touch written
just before 21:00 but dispatched after is held by the dispatcher (not_before = next 08:00) and
re-queued here once that passes.

No long ETAs sit in Redis: if Redis or a worker dies, the rows say what is owed and the next sweep
picks it up.
"""

import functools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, ExpressionWrapper, F
from django.utils import timezone

from medspa.models import Location, Service

from .dispatch import requeue_outbox
from .models import InboundMessage, RecallSchedule, Touch
from .queue import enqueue_dispatch, enqueue_inbound
from .schedules import decide, paused_subquery, rules_by_service

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


# What the sweep reads per due schedule: plain tuples (no model objects), in this order.
DUE_FIELDS = (
    "id", "patient_id", "service_id", "last_visit", "booked_for", "touches_sent", "kinds_sent", "last_touch_at",
    "last_touch_number", "snoozed_until", "stopped_at", "trusted",
    "patient__location_id", "phone_text", "patient__sms_consent",
    "patient__sms_opted_out_at", "patient__phone_invalid_at", "paused",
    "patient__email", "patient__email_consent", "patient__email_unsubscribed_at",
)


class DueRow:
    """One locked schedule as `decide()` reads it (the attributes of RecallSchedule it uses), from a plain row."""

    __slots__ = ("booked_for", "kinds_sent", "last_touch_at", "last_touch_number", "last_visit",
                 "location_id", "paused", "patient_id", "phone", "pk", "service", "service_id", "snoozed_until",
                 "state", "next_action_at", "stopped_at", "touches_sent", "trusted", "can_text")

    def __init__(self, row, services):
        (self.pk, self.patient_id, self.service_id, self.last_visit, self.booked_for, self.touches_sent,
         self.kinds_sent, self.last_touch_at, self.last_touch_number, self.snoozed_until, self.stopped_at,
         self.trusted, self.location_id, phone, consent, opted_out_at, invalid_at,
         self.paused, email, email_consent, unsubscribed_at) = row
        self.phone = str(phone or "")  # stored as E.164 text: no PhoneNumber parsing per row
        # Reachable by text or by email (Patient.can_text / can_email); the dispatcher picks the channel at send.
        self.can_text = (bool(self.phone) and consent and not opted_out_at and not invalid_at) or (
            bool(email) and email_consent and not unsubscribed_at)
        self.service = services[self.service_id]

    kinds = RecallSchedule.kinds

    def add_kind(self, kind: str) -> None:
        self.kinds_sent = _with_kind(self.kinds_sent, kind)


@functools.cache
def _with_kind(kinds_sent: str, kind: str) -> str:
    """RecallSchedule.add_kind on the stored text, once per distinct (kinds, kind) in a process."""
    schedule = RecallSchedule(kinds_sent=kinds_sent)
    schedule.add_kind(kind)
    return schedule.kinds_sent


@dataclass(frozen=True)
class Sender:
    """What a location contributes to every touch: its number (read once per sweep) and its zone."""

    tz: object
    from_number: str


def senders() -> dict[int, Sender]:
    return {loc.pk: Sender(loc.tz, str(loc.sms_number or settings.TWILIO_DEFAULT_FROM))
            for loc in Location.objects.all()}


@dataclass
class Owed:
    """A touch the sweep writes: the outbox row's values. Its wording and link are made when it is
    claimed for sending (recall.outbox_text.materialize, called from recall.dispatch.claim_touch)."""

    row: DueRow
    number: int
    kind: str
    to: str
    from_number: str


def advance_due_schedules(now: datetime, result: SweepResult, *, batch_size: int, enqueue: bool) -> None:
    services = {s.pk: s for s in Service.objects.all()}
    decisions = Decisions(now, rules_by_service(), senders())
    write = WRITERS.get(connection.vendor, write_batch_orm)
    while True:
        with transaction.atomic():
            rows = list(
                RecallSchedule.objects.due(now)
                .annotate(paused=paused_subquery(),
                          phone_text=ExpressionWrapper(F("patient__phone"), output_field=CharField()))
                .order_by("next_action_at")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list(*DUE_FIELDS)[:batch_size]
            )
            if not rows:
                return
            batch = [DueRow(row, services) for row in rows]
            owed = [touch for row in batch if (touch := advance(row, decisions, now)) is not None]
            ids = write(batch, owed, now)
            result.schedules += len(batch)
            result.touches.extend(ids)
            if enqueue and ids:
                transaction.on_commit(lambda ids=ids: enqueue_dispatch(ids))


class Decisions:
    """`recall.schedules.decide` for one sweep, made once per distinct set of inputs.

    `decide` is a pure function of the schedule's timeline fields, its rule, the location's zone, the
    patient's pause and reachability, and `now`; within a sweep `now` and the rules are fixed, and the
    schedules that come due together share those inputs (those that open their window today for one
    service share the last visit date; those a sweep touched share last_touch_at = that sweep's now).
    So a sweep decides each distinct combination once (measured: the decisions were the largest Python
    cost of a sweep, about 35 us per due row on the 2-core machine, twice per touch).
    """

    def __init__(self, now: datetime, rules: dict, places: dict[int, "Sender"]):
        self.now, self.rules, self.places = now, rules, places
        self.made: dict[tuple, object] = {}

    def __call__(self, row: "DueRow", *, paused: bool, can_text: bool):
        key = (row.service_id, row.location_id, row.last_visit, row.booked_for, row.touches_sent, row.kinds_sent,
               row.last_touch_at, row.snoozed_until, row.stopped_at, row.trusted, paused, can_text)
        decision = self.made.get(key)
        if decision is None:
            decision = self.made[key] = decide(row, self.rules.get(row.service_id), self.now, paused=paused,
                                               can_text=can_text, tz=self.places[row.location_id].tz)
        return decision


def advance(row: DueRow, decisions: Decisions, now: datetime) -> Owed | None:
    """Move one locked schedule on; returns the touch owed now, if any."""
    decision = decisions(row, paused=row.paused, can_text=row.can_text)
    row.state = decision.state
    owed = None
    if decision.touch:
        owed = new_touch(row, decision.touch, decisions.places[row.location_id], now)
        decision = decisions(row, paused=False, can_text=True)
    next_at = decision.next_action_at
    row.next_action_at = next_at if next_at is None or next_at > now else None
    return owed


def new_touch(row: DueRow, kind: str, place: Sender, now: datetime) -> Owed:
    """Touch number N of this schedule (key schedule:N): a queued outbox row without wording or link.

    Wording and token are made at send, inside the claim (recall.outbox_text.materialize), measured:
    written here they cost the sweep a link row (three foreign keys, its own indexes) and the text per
    touch, about half of a 10,000-touch sweep; at the claim they cost one insert beside the claim's
    own writes, and only for touches that are actually sent (a cancelled touch never gets a link).
    """
    row.last_touch_number += 1
    row.touches_sent += 1
    row.add_kind(kind)
    row.last_touch_at = now
    return Owed(row, row.last_touch_number, kind, row.phone, place.from_number)


# The schedule columns the sweep changes, with their PostgreSQL types for the statement below.
PROGRESS_COLUMNS = (("state", "varchar"), ("next_action_at", "timestamptz"), ("touches_sent", "smallint"),
                    ("kinds_sent", "varchar"), ("last_touch_at", "timestamptz"), ("last_touch_number", "integer"))
# The touch columns the sweep sets per row; every other column takes its default.
OWED_COLUMNS = (("schedule_id", "bigint"), ("patient_id", "bigint"), ("service_id", "bigint"),
                ("number", "integer"), ("kind", "varchar"), ("to", "varchar"), ("from_number", "varchar"))
TOUCH_SET = {"schedule_id", "patient_id", "service_id", "number", "kind", "to", "from_number", "source",
             "idempotency_key", "not_before", "created_at"}


def _defaults(model, skip: set[str]) -> list:
    """The model's defaults for the columns the statement does not set (what the ORM would write)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in skip]


@functools.cache
def write_batch_sql() -> str:
    q = connection.ops.quote_name
    schedule, touch = RecallSchedule._meta.db_table, Touch._meta.db_table
    names = [name for name, _type in PROGRESS_COLUMNS]
    t_cols = [q(f.column) for f in _defaults(Touch, TOUCH_SET)]
    t_casts = [f"%s::{f.cast_db_type(connection)}" for f in _defaults(Touch, TOUCH_SET)]
    return f"""
        WITH progress AS (
            SELECT * FROM json_to_recordset(%s::json)
                AS p(id bigint, {", ".join(f"{n} {t}" for n, t in PROGRESS_COLUMNS)})
        ), advanced AS (
            UPDATE {schedule} AS s SET {", ".join(f"{n} = p.{n}" for n in names)}, updated_at = now()
            FROM progress AS p WHERE s.id = p.id
        )
        INSERT INTO {touch} (schedule_id, patient_id, service_id, number, kind, {q("to")}, from_number,
                             source, idempotency_key, not_before, created_at, {", ".join(t_cols)})
        SELECT schedule_id, patient_id, service_id, number, kind, {q("to")}, from_number,
               %s, schedule_id || ':' || number, %s, %s, {", ".join(t_casts)}
        FROM json_to_recordset(%s::json) AS o({", ".join(f"{q(n)} {t}" for n, t in OWED_COLUMNS)})
        ORDER BY schedule_id
        RETURNING id"""  # noqa: S608 (identifiers are the models' own)


class _Iso(dict):
    """datetime -> ISO text for the JSON parameters, each distinct moment formatted once per batch (the
    rows of a batch share a handful: this sweep's now, the next mornings)."""

    def __missing__(self, moment):
        text = self[moment] = moment.isoformat() if moment is not None else None
        return text


def write_batch(batch: list[DueRow], owed: list[Owed], now: datetime) -> list[int]:
    """PostgreSQL: schedule progress and touches in one statement; returns the new touch ids.

    The rows travel as two JSON parameters (json_to_recordset): one string each to quote, whatever the
    batch size, and the statement text is the same for every batch. Rows are written in schedule id
    order, so the index entries of one batch go in key order.
    """
    iso = _Iso()
    progress = json.dumps([
        {"id": r.pk, "state": r.state, "next_action_at": iso[r.next_action_at], "touches_sent": r.touches_sent,
         "kinds_sent": r.kinds_sent, "last_touch_at": iso[r.last_touch_at], "last_touch_number": r.last_touch_number}
        for r in sorted(batch, key=lambda r: r.pk)
    ])
    owed_rows = json.dumps([
        {"schedule_id": o.row.pk, "patient_id": o.row.patient_id, "service_id": o.row.service_id,
         "number": o.number, "kind": o.kind, "to": o.to, "from_number": o.from_number}
        for o in owed
    ])
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in _defaults(Touch, TOUCH_SET)]
    params = [progress, Touch.Source.RECALL, now, now, *defaults, owed_rows]
    with connection.cursor() as cursor:
        cursor.execute(write_batch_sql(), params)
        return sorted(row[0] for row in cursor.fetchall())


def write_batch_orm(batch: list[DueRow], owed: list[Owed], now: datetime) -> list[int]:
    """Databases without data-modifying CTEs (SQLite under `make run`): the same rows in two bulk writes."""
    touches = Touch.objects.bulk_create([
        Touch(schedule_id=o.row.pk, patient_id=o.row.patient_id, service_id=o.row.service_id,
              source=Touch.Source.RECALL, number=o.number, kind=o.kind, idempotency_key=f"{o.row.pk}:{o.number}",
              to=o.to, from_number=o.from_number, not_before=now, created_at=now)
        for o in sorted(owed, key=lambda o: o.row.pk)
    ])
    names = [name for name, _type in PROGRESS_COLUMNS]
    RecallSchedule.objects.bulk_update(
        [RecallSchedule(pk=r.pk, updated_at=timezone.now(), **{n: getattr(r, n) for n in names}) for r in batch],
        [*names, "updated_at"],
    )
    return sorted(t.pk for t in touches)


# One data-modifying statement per batch where the database has them; the ORM's bulk writes elsewhere.
WRITERS = {"postgresql": write_batch}
