"""Owed touches made into queued touches: the dispatcher's first step after a sweep.

The sweep writes a narrow row per text owed (OwedTouch: schedule, number, kind) and queues
`recall.tasks.make_touches` with the batch's ids on commit. That task makes the batch's queued touches
in one transaction (the patient, service, key and addresses read from the schedule, its patient and
location at this moment), deletes the owed rows, and queues the touches for sending
(`recall.queue.enqueue_dispatch`, chunks of DISPATCH_CHUNK). A whole sweep batch becomes touches at once,
so a patient's touches from one batch are still claimed together as one message.

Exactly once: the owed rows are locked and deleted in the transaction that writes their touches, so a
retried or duplicated task finds nothing left to make; (schedule, number) is unique on Touch as well.
A lost task leaves the rows, and the next sweep queues them again (recall.dispatch.requeue_outbox).
"""

import functools

from django.conf import settings
from django.db import connection, transaction

from medspa.models import Location, Patient

from .models import OwedTouch, RecallSchedule, Touch

MADE = {"schedule_id", "patient_id", "service_id", "number", "kind", "to", "from_number", "source", "idempotency_key",
        "not_before", "created_at"}


def _defaults() -> list:
    """Touch's other columns, with the values the ORM would write for them."""
    return [f for f in Touch._meta.concrete_fields if not f.primary_key and f.column not in MADE]


@functools.cache
def make_touches_sql() -> str:
    q = connection.ops.quote_name
    touch, owed, schedule, patient, location = (m._meta.db_table for m in (Touch, OwedTouch, RecallSchedule,
                                                                             Patient, Location))
    others = _defaults()
    return f"""
        WITH owed AS (
            DELETE FROM {owed} WHERE id = ANY(%s) RETURNING schedule_id, number, kind, created_at
        )
        INSERT INTO {touch} (schedule_id, patient_id, service_id, number, kind, {q("to")}, from_number, source,
                             idempotency_key, not_before, created_at, {", ".join(q(f.column) for f in others)})
        SELECT o.schedule_id, s.patient_id, s.service_id, o.number, o.kind, coalesce(p.phone, ''),
               coalesce(nullif(l.sms_number, ''), %s), %s, o.schedule_id || ':' || o.number, o.created_at,
               o.created_at, {", ".join(f"%s::{f.cast_db_type(connection)}" for f in others)}
        FROM owed AS o JOIN {schedule} AS s ON s.id = o.schedule_id JOIN {patient} AS p ON p.id = s.patient_id
             JOIN {location} AS l ON l.id = p.location_id
        ORDER BY o.schedule_id, o.number
        RETURNING id"""  # noqa: S608 (the models' own names)


@transaction.atomic
def make_touches(owed_ids) -> list[int]:
    """Make these owed rows (those still owed) into queued touches; returns the new touch ids."""
    owed_ids = list(owed_ids)
    return MAKERS.get(connection.vendor, make_touches_orm)(owed_ids) if owed_ids else []


def make_touches_pg(owed_ids: list[int]) -> list[int]:
    """PostgreSQL: one statement deletes the owed rows and inserts their touches (a duplicated task waits for
    the first one's rows and then finds them gone)."""
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in _defaults()]
    with connection.cursor() as cursor:
        cursor.execute(make_touches_sql(), [owed_ids, str(settings.TWILIO_DEFAULT_FROM), Touch.Source.RECALL,
                                            *defaults])
        return sorted(row[0] for row in cursor.fetchall())


def make_touches_orm(owed_ids: list[int]) -> list[int]:
    """Elsewhere (SQLite under `make run`): the same rows through the ORM, in the caller's transaction."""
    owed = list(OwedTouch.objects.select_for_update(of=("self",)).filter(pk__in=owed_ids)
                .select_related("schedule__patient__location").order_by("schedule_id", "number"))
    if not owed:
        return []
    touches = []
    for row in owed:
        schedule = row.schedule
        patient = schedule.patient
        touches.append(Touch(
            schedule_id=schedule.pk, patient_id=patient.pk, service_id=schedule.service_id,
            source=Touch.Source.RECALL, number=row.number, kind=row.kind,
            idempotency_key=f"{schedule.pk}:{row.number}", to=str(patient.phone or ""),
            from_number=str(patient.location.sms_number or settings.TWILIO_DEFAULT_FROM),
            not_before=row.created_at, created_at=row.created_at))
    made = Touch.objects.bulk_create(touches)
    OwedTouch.objects.filter(pk__in=[row.pk for row in owed]).delete()
    return sorted(t.pk for t in made)


MAKERS = {"postgresql": make_touches_pg}
