"""The recall sweep: Celery beat runs it every few minutes; it is safe to run twice or in parallel.

1. `advance_due_schedules` reads only schedules whose next_action_at has come (partial index
   recall_next_action_idx), in batches locked with FOR UPDATE SKIP LOCKED, as plain rows (no model
   objects), decides each in Python (`recall.schedules.decide`, the same rules as everywhere), and
   writes schedule progress, one Touch (outbox row) per message owed and its link in ONE statement
   per batch on PostgreSQL (`write_batch`); SQLite (`make run`) gets the same rows from three bulk
   writes (`write_batch_orm`). Dispatch tasks are queued on commit, carrying only the touch id.
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


# What the sweep reads per due schedule: plain tuples (no model objects), in this order.
DUE_FIELDS = (
    "id", "patient_id", "service_id", "last_visit", "booked_for", "touches_sent", "kinds_sent", "last_touch_at",
    "last_touch_number", "snoozed_until", "stopped_at", "trusted",
    "patient__location_id", "patient__first_name", "phone_text", "patient__sms_consent",
    "patient__sms_opted_out_at", "patient__phone_invalid_at", "paused",
    "patient__email", "patient__email_consent", "patient__email_unsubscribed_at",
)


class DueRow:
    """One locked schedule as `decide()` reads it (the attributes of RecallSchedule it uses), from a plain row."""

    __slots__ = ("booked_for", "first_name", "kinds_sent", "last_touch_at", "last_touch_number", "last_visit",
                 "location_id", "paused", "patient_id", "phone", "pk", "service", "service_id", "snoozed_until",
                 "state", "next_action_at", "stopped_at", "touches_sent", "trusted", "can_text")

    def __init__(self, row, services):
        (self.pk, self.patient_id, self.service_id, self.last_visit, self.booked_for, self.touches_sent,
         self.kinds_sent, self.last_touch_at, self.last_touch_number, self.snoozed_until, self.stopped_at,
         self.trusted, self.location_id, self.first_name, phone, consent, opted_out_at, invalid_at,
         self.paused, email, email_consent, unsubscribed_at) = row
        self.phone = str(phone or "")  # stored as E.164 text: no PhoneNumber parsing per row
        # Reachable by text or by email (Patient.can_text / can_email); the dispatcher picks the channel at send.
        self.can_text = (bool(self.phone) and consent and not opted_out_at and not invalid_at) or (
            bool(email) and email_consent and not unsubscribed_at)
        self.service = services[self.service_id]

    kinds = RecallSchedule.kinds
    add_kind = RecallSchedule.add_kind


@dataclass(frozen=True)
class Sender:
    """What a location contributes to every text: its zone, name and number (read once per sweep)."""

    tz: object
    clinic: str
    from_number: str


def senders() -> dict[int, Sender]:
    return {loc.pk: Sender(loc.tz, loc.name, str(loc.sms_number or settings.TWILIO_DEFAULT_FROM))
            for loc in Location.objects.all()}


@dataclass
class Owed:
    """A touch the sweep writes: the outbox row's values and its link's token hash."""

    row: DueRow
    number: int
    kind: str
    body: str
    to: str
    from_number: str
    token_hash: str


def advance_due_schedules(now: datetime, result: SweepResult, *, batch_size: int, enqueue: bool) -> None:
    rules = rules_by_service()
    services = {s.pk: s for s in Service.objects.all()}
    places = senders()
    wording = Wording()
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
            owed = [touch for row in batch
                    if (touch := advance(row, rules.get(row.service_id), places[row.location_id], now,
                                         wording)) is not None]
            ids = write(batch, owed, now)
            result.schedules += len(batch)
            result.touches.extend(ids)
            if enqueue and ids:
                transaction.on_commit(lambda ids=ids: enqueue_dispatch(ids))


class Wording:
    """The texts of one sweep: `recall.wording.render` once per (template, first name, clinic), the link last.

    First names repeat (and clinics and templates are few), so a sweep renders each combination once and
    only splices in each touch's own link; reverse() runs once per sweep, not per link. The result is
    the text `render` gives for that link (the marker cannot survive `render`: it is not GSM-7).
    """

    MARK = "\x00link\x00"
    SLOT = "SLOT"

    def __init__(self):
        # A token is URL-safe base64, so it goes into the path as it is.
        self.link_prefix, self.link_suffix = link_url(self.SLOT).split(self.SLOT)
        self.rendered: dict[tuple[str, str, str], str] = {}

    def text(self, template: str, first_name: str, clinic: str, token: str) -> str:
        key = (template, first_name, clinic)
        rendered = self.rendered.get(key)
        if rendered is None:
            rendered = self.rendered[key] = render(template, first_name=first_name, clinic=clinic, link=self.MARK)
        return rendered.replace(self.MARK, self.link_prefix + token + self.link_suffix)


def advance(row: DueRow, rule, place: Sender, now: datetime, wording: Wording) -> Owed | None:
    """Move one locked schedule on; returns the touch owed now (with its wording and link), if any."""
    decision = decide(row, rule, now, paused=row.paused, can_text=row.can_text, tz=place.tz)
    row.state = decision.state
    owed = None
    if decision.touch:
        owed = new_touch(row, rule, decision.touch, place, now, wording)
        decision = decide(row, rule, now, paused=False, can_text=True, tz=place.tz)
    next_at = decision.next_action_at
    row.next_action_at = next_at if next_at is None or next_at > now else None
    return owed


def new_touch(row: DueRow, rule, kind: str, place: Sender, now: datetime, wording: Wording) -> Owed:
    """Touch number N of this schedule (key schedule:N), worded here with a fresh link token.

    Wording and token are made here, not at send (measured on the 2-core machine under load: a token
    and its hash 15 us, a full `render` 52 us, a text from `Wording` 2 us): at 10,000 due rows that is
    about 0.2 s of a sweep, the send would pay the same per message, and this way the outbox row is
    final when it is written (what the patient will read is on record before it is sent).
    """
    token = new_token()
    body = wording.text(rule.template_for(kind), row.first_name, place.clinic, token)
    row.last_touch_number += 1
    row.touches_sent += 1
    row.add_kind(kind)
    row.last_touch_at = now
    return Owed(row, row.last_touch_number, kind, body, row.phone, place.from_number, hash_token(token))


# The schedule columns the sweep changes, with their PostgreSQL types for the statement below.
PROGRESS_COLUMNS = (("state", "varchar"), ("next_action_at", "timestamptz"), ("touches_sent", "smallint"),
                    ("kinds_sent", "varchar"), ("last_touch_at", "timestamptz"), ("last_touch_number", "integer"))
# The touch columns the sweep sets per row (and the link's token hash); every other column takes its default.
OWED_COLUMNS = (("schedule_id", "bigint"), ("patient_id", "bigint"), ("service_id", "bigint"),
                ("number", "integer"), ("kind", "varchar"), ("body", "text"), ("to", "varchar"),
                ("from_number", "varchar"), ("token_hash", "varchar"))
TOUCH_SET = {"schedule_id", "patient_id", "service_id", "number", "kind", "body", "to", "from_number", "source",
             "idempotency_key", "not_before", "created_at"}
LINK_SET = {"patient_id", "schedule_id", "touch_id", "token_hash", "created_at", "expires_at"}


def _defaults(model, skip: set[str]) -> list:
    """The model's defaults for the columns the statement does not set (what the ORM would write)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in skip]


@functools.cache
def write_batch_sql() -> str:
    q = connection.ops.quote_name
    schedule, touch, link = (m._meta.db_table for m in (RecallSchedule, Touch, RecallLink))
    names = [name for name, _type in PROGRESS_COLUMNS]
    t_cols = [q(f.column) for f in _defaults(Touch, TOUCH_SET)]
    t_casts = [f"%s::{f.cast_db_type(connection)}" for f in _defaults(Touch, TOUCH_SET)]
    l_cols = [q(f.column) for f in _defaults(RecallLink, LINK_SET)]
    l_casts = [f"%s::{f.cast_db_type(connection)}" for f in _defaults(RecallLink, LINK_SET)]
    return f"""
        WITH progress AS (
            SELECT * FROM json_to_recordset(%s::json)
                AS p(id bigint, {", ".join(f"{n} {t}" for n, t in PROGRESS_COLUMNS)})
        ), advanced AS (
            UPDATE {schedule} AS s SET {", ".join(f"{n} = p.{n}" for n in names)}, updated_at = now()
            FROM progress AS p WHERE s.id = p.id
        ), owed AS (
            SELECT * FROM json_to_recordset(%s::json)
                AS o({", ".join(f"{q(n)} {t}" for n, t in OWED_COLUMNS)}, ord integer)
        ), touches AS (
            INSERT INTO {touch} (schedule_id, patient_id, service_id, number, kind, body, {q("to")}, from_number,
                                 source, idempotency_key, not_before, created_at, {", ".join(t_cols)})
            SELECT schedule_id, patient_id, service_id, number, kind, body, {q("to")}, from_number,
                   %s, schedule_id || ':' || number, %s, %s, {", ".join(t_casts)}
            FROM owed ORDER BY ord
            RETURNING id, schedule_id
        )
        INSERT INTO {link} (patient_id, schedule_id, touch_id, token_hash, created_at, expires_at, {", ".join(l_cols)})
        SELECT o.patient_id, o.schedule_id, t.id, o.token_hash, %s, %s, {", ".join(l_casts)}
        FROM touches AS t JOIN owed AS o USING (schedule_id)
        RETURNING touch_id"""  # noqa: S608 (identifiers are the models' own)


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def write_batch(batch: list[DueRow], owed: list[Owed], now: datetime) -> list[int]:
    """PostgreSQL: schedule progress, touches and links in one statement; returns the new touch ids.

    The rows travel as two JSON parameters (json_to_recordset): one string each to quote, whatever the
    batch size, and the statement text is the same for every batch.
    """
    names = [name for name, _type in PROGRESS_COLUMNS]
    progress = json.dumps([{"id": r.pk, **{n: _json_value(getattr(r, n)) for n in names}} for r in batch])
    owed_rows = json.dumps([
        {"ord": i, "schedule_id": o.row.pk, "patient_id": o.row.patient_id, "service_id": o.row.service_id,
         "number": o.number, "kind": o.kind, "body": o.body, "to": o.to, "from_number": o.from_number,
         "token_hash": o.token_hash}
        for i, o in enumerate(owed)
    ])
    defaults = [[f.get_db_prep_save(f.get_default(), connection) for f in _defaults(m, skip)]
                for m, skip in ((Touch, TOUCH_SET), (RecallLink, LINK_SET))]
    params = [progress, owed_rows, Touch.Source.RECALL, now, now, *defaults[0], now, now + LINK_LIFETIME,
              *defaults[1]]
    with connection.cursor() as cursor:
        cursor.execute(write_batch_sql(), params)
        return sorted(row[0] for row in cursor.fetchall())


def write_batch_orm(batch: list[DueRow], owed: list[Owed], now: datetime) -> list[int]:
    """Databases without data-modifying CTEs (SQLite under `make run`): the same rows in three bulk writes."""
    touches = Touch.objects.bulk_create([
        Touch(schedule_id=o.row.pk, patient_id=o.row.patient_id, service_id=o.row.service_id,
              source=Touch.Source.RECALL, number=o.number, kind=o.kind, idempotency_key=f"{o.row.pk}:{o.number}",
              body=o.body, to=o.to, from_number=o.from_number, not_before=now, created_at=now)
        for o in owed
    ])
    RecallLink.objects.bulk_create([
        RecallLink(schedule_id=o.row.pk, patient_id=o.row.patient_id, touch_id=t.pk, token_hash=o.token_hash,
                   created_at=now, expires_at=now + LINK_LIFETIME)
        for t, o in zip(touches, owed, strict=True)
    ])
    names = [name for name, _type in PROGRESS_COLUMNS]
    RecallSchedule.objects.bulk_update(
        [RecallSchedule(pk=r.pk, updated_at=timezone.now(), **{n: getattr(r, n) for n in names}) for r in batch],
        [*names, "updated_at"],
    )
    return [t.pk for t in touches]


# One data-modifying statement per batch where the database has them; the ORM's bulk writes elsewhere.
WRITERS = {"postgresql": write_batch}
