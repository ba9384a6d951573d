"""Migration 0003/0004: existing touches and links get their patient (and touches their service).

Runs inside the test's transaction (PostgreSQL DDL is transactional), so the rollback restores the
schema and the migration data for the tests that follow; constraints are checked immediately so
that ALTER TABLE does not meet pending foreign-key trigger events.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from recall.models import MemberTouchTemplate, RecallLink
from recall.models import Touch as NewTouch


@pytest.mark.django_db
def test_existing_touches_and_links_are_backfilled():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("recall", "0002_default_rules")])
    old = executor.loader.project_state([("recall", "0002_default_rules")]).apps
    Location, Patient, Service = (old.get_model("medspa", m) for m in ("Location", "Patient", "Service"))
    Schedule, Touch, Link = (old.get_model("recall", m) for m in ("RecallSchedule", "Touch", "RecallLink"))
    location = Location.objects.create(name="Old Clinic", slug="old-clinic", time_zone="America/Los_Angeles")
    patient = Patient.objects.create(first_name="Ada", last_name="Old", phone="+14155550111", location=location)
    service = Service.objects.get(name="Neurotoxin")
    schedule = Schedule.objects.create(patient=patient, service=service)
    now = timezone.now()
    touch = Touch.objects.create(schedule=schedule, number=1, kind="on_time", idempotency_key=f"{schedule.pk}:1",
                                 body="Hi", to="+14155550111", from_number="+14155550100", not_before=now)
    link = Link.objects.create(schedule=schedule, touch=touch, token_hash="x" * 64, expires_at=now)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = NewTouch.objects.get(pk=touch.pk)
    assert (migrated.patient_id, migrated.service_id, migrated.source) == (patient.pk, service.pk, "recall")
    assert RecallLink.objects.get(pk=link.pk).patient_id == patient.pk
    assert MemberTouchTemplate.objects.count() == 4
