"""`manage.py recall_status --as-of`: states at the boundaries, JSON lines, and nothing written."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from factories import PatientFactory, VisitFactory, service
from recall_support import la

from recall.models import RecallSchedule, Touch

pytestmark = pytest.mark.django_db


@pytest.fixture
def jordan(patient):
    patient.external_id = "P-100"
    patient.save()
    VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=la(2026, 1, 1, 11, 0))  # due 2026-04-01
    return patient


def status(*args) -> list[dict]:
    out = io.StringIO()
    call_command("recall_status", "--format", "json", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize(("as_of", "state", "next_touch"), [
    ("2026-03-24", "upcoming", "2026-03-25 on_time"),   # the day before the window opens
    ("2026-03-25", "due", "2026-03-25 on_time"),        # window opens (due - 7)
    ("2026-04-01", "due", "2026-04-01 on_time"),        # due date
    ("2026-04-21", "due", "2026-04-21 on_time"),        # +20
    ("2026-04-22", "late", "2026-04-22 late"),          # +21
    ("2026-06-29", "late", "2026-06-29 late"),          # +89
    ("2026-06-30", "lapsed", "2026-06-30 reactivation"),  # +90
])
def test_states_at_the_boundaries(jordan, as_of, state, next_touch):
    before = list(RecallSchedule.objects.values())
    [row] = status("--as-of", as_of)
    assert row == {"patient_id": "P-100", "service": "Neurotoxin", "last_visit": "2026-01-01",
                   "due_date": "2026-04-01", "state": state, "contact": "text allowed",
                   "touches_sent": 0, "next_touch": next_touch}
    assert list(RecallSchedule.objects.values()) == before  # evaluated, not written
    assert Touch.objects.count() == 0


def test_booked_and_opted_out_and_filters(jordan, westside):
    with time_machine.travel(la(2026, 3, 1, 9, 0), tick=False):  # booked in March for April 10
        VisitFactory(patient=jordan, service=service("Neurotoxin"), status="booked", starts_at=la(2026, 4, 10, 9, 0))
    other = PatientFactory(location=westside, sms_opted_out_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    VisitFactory(patient=other, service=service("HydraFacial"), starts_at=la(2026, 1, 2, 11, 0))
    rows = {r["service"]: r for r in status("--as-of", "2026-04-02")}
    assert rows["Neurotoxin"]["state"] == "booked" and rows["Neurotoxin"]["next_touch"] is None
    assert rows["HydraFacial"]["state"] == "late"  # the timeline decides, not the opt-out
    assert rows["HydraFacial"]["contact"].startswith("opted out of texts")
    assert rows["HydraFacial"]["next_touch"] is None  # no text will go
    assert rows["HydraFacial"]["patient_id"] == str(other.pk)  # no clinic id: falls back to ours
    assert [r["service"] for r in status("--as-of", "2026-04-02", "--service", "botox")] == ["Neurotoxin"]


def test_text_format_and_unknown_location(jordan):
    out = io.StringIO()
    call_command("recall_status", "--as-of", "2026-04-01", stdout=out)
    assert "P-100" in out.getvalue() and "due" in out.getvalue()

    with pytest.raises(CommandError, match="Unknown location"):
        call_command("recall_status", "--location", "nowhere", stdout=io.StringIO())
