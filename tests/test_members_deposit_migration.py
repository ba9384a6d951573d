"""members 0003/0004: Deposit.event_ref (plain id) becomes the FK Deposit.event, keeping the link."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from factories import PatientFactory

from calls.models import Event
from members.models import Deposit

BEFORE = [("members", "0002_ledger_append_only_trigger")]
AFTER = [("members", "0004_remove_deposit_event_ref")]


@pytest.mark.django_db(transaction=True)
def test_event_ref_becomes_event_foreign_key(westside):
    patient = PatientFactory(location=westside)
    starts = timezone.now() + dt.timedelta(days=5)
    event = Event.objects.create(location=westside, name="Open House", kind="open_house", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=2))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("members", "Deposit")
        linked = old.objects.create(patient_id=patient.pk, location_id=westside.pk, amount=100, event_ref=event.pk)
        dangling = old.objects.create(patient_id=patient.pk, location_id=westside.pk, amount=50,
                                      event_ref=event.pk + 999, note="VIP")
        plain = old.objects.create(patient_id=patient.pk, location_id=westside.pk, amount=75)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    assert Deposit.objects.get(pk=linked.pk).event == event
    gone = Deposit.objects.get(pk=dangling.pk)
    assert gone.event is None and gone.note == f"VIP (event #{event.pk + 999} no longer exists)"
    assert Deposit.objects.get(pk=plain.pk).event is None
