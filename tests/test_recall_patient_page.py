"""The recall section of the patient page: schedules, next text, recent texts; scoped and cheap."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import PatientFactory, VisitFactory, service
from recall_support import la

from recall.sweep import sweep

pytestmark = pytest.mark.django_db
NOW = la(2026, 6, 15, 10, 0)


def page(client, patient):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/patients/{patient.pk}/")


def test_patient_page_lists_schedules_and_recent_texts(alice_client, patient, settings):
    settings.SMS_BACKEND = "console"
    with time_machine.travel(NOW - dt.timedelta(days=85), tick=False):
        VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=NOW - dt.timedelta(days=85))
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        VisitFactory(patient=patient, service=service("HydraFacial"), starts_at=NOW - dt.timedelta(days=10))
    with time_machine.travel(NOW, tick=False):
        sweep(enqueue=False)  # Neurotoxin is due: one on-time reminder written
    response = page(alice_client, patient)
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="recall"'):]
    assert "Neurotoxin" in section and "HydraFacial" in section
    assert "Due" in section and "Upcoming" in section
    assert "Jun 20, 2026" in section  # Neurotoxin due: last visit Mar 22 + 90 days
    assert "On-time reminder" in section and "Queued" in section


def test_other_locations_patient_is_still_404(client, bob, patient):
    client.force_login(bob)
    assert page(client, patient).status_code == 404


def test_query_count_does_not_grow_with_history(alice_client, westside):
    few, many = PatientFactory(location=westside), PatientFactory(location=westside)
    with time_machine.travel(NOW - dt.timedelta(days=85), tick=False):
        VisitFactory(patient=few, service=service("Neurotoxin"), starts_at=NOW - dt.timedelta(days=85))
        for name in ("Neurotoxin", "HydraFacial", "Chemical peel", "Lip filler", "Laser hair removal"):
            VisitFactory(patient=many, service=service(name), starts_at=NOW - dt.timedelta(days=85))
    with time_machine.travel(NOW, tick=False):
        sweep(enqueue=False)
    counts = []
    for person in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert page(alice_client, person).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
