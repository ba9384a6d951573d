"""The recall page and recovered-visit attribution."""

import datetime as dt

import pytest
import time_machine
from factories import PatientFactory, VisitFactory, service
from recall_support import la, run_dispatcher, treated

from recall import metrics
from recall.models import Attribution, Touch
from recall.tasks import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 6, 15, 10, 0)



@pytest.fixture
def reminded(patient, fake_twilio):
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)
    with time_machine.travel(MORNING, tick=False):
        sweep()
        run_dispatcher()
    return Touch.objects.get()


def test_visit_booked_within_30_days_after_a_touch_is_recovered(reminded, patient):
    with time_machine.travel(MORNING + dt.timedelta(days=4), tick=False):
        visit = VisitFactory(patient=patient, service=service("Neurotoxin"), status="booked", value=480,
                             starts_at=MORNING + dt.timedelta(days=9))
    attribution = Attribution.objects.get()
    assert (attribution.visit, attribution.touch, attribution.kind, attribution.value) == (
        visit, reminded, "on_time", 480)
    with time_machine.travel(MORNING + dt.timedelta(days=9, hours=1), tick=False):
        visit.status, visit.value = "completed", 510
        visit.save()
    assert Attribution.objects.get().value == 510  # one per visit, value follows the visit


def test_visits_outside_the_window_or_for_another_service_are_not_recovered(reminded, patient):
    with time_machine.travel(MORNING + dt.timedelta(days=31), tick=False):
        VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=MORNING + dt.timedelta(days=31))
    with time_machine.travel(MORNING + dt.timedelta(days=2), tick=False):
        VisitFactory(patient=patient, service=service("HydraFacial"), starts_at=MORNING + dt.timedelta(days=2))
    assert Attribution.objects.count() == 0


def test_recall_page_shows_counts_and_outcomes(alice_client, reminded, patient, westside, downtown):
    with time_machine.travel(MORNING + dt.timedelta(days=3), tick=False):
        VisitFactory(patient=patient, service=service("Neurotoxin"), status="booked", value=450,
                     starts_at=MORNING + dt.timedelta(days=10))
        hidden = PatientFactory(first_name="Hidden", last_name="Downtowner", location=downtown)
        treated(hidden, 100)  # late, but at a location Alice does not see
    with time_machine.travel(MORNING + dt.timedelta(days=3, hours=1), tick=False):
        response = alice_client.get("/recall/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Downtowner" not in page
    summary = response.context["summary"]
    [row] = summary.rows
    assert (row.service.name, row.touches, row.recovered, row.revenue, row.booked) == ("Neurotoxin", 1, 1, 450, 1)
    assert "$450" in page


def test_due_list_filters_and_htmx_partial(alice_client, patient, westside):
    with time_machine.travel(MORNING, tick=False):
        treated(patient, 85)
        treated(PatientFactory(first_name="Lapsy", last_name="McLapse", location=westside), 200, "HydraFacial")
        full = alice_client.get("/recall/")
        lapsed = alice_client.get("/recall/?state=lapsed", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="due-list")
    assert "Rivera" in full.content.decode() and "McLapse" in full.content.decode()
    partial = lapsed.content.decode()
    assert "McLapse" in partial and "Rivera" not in partial and "<html" not in partial


def test_analytics_by_kind(reminded, patient, westside):
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        VisitFactory(patient=patient, service=service("Neurotoxin"), status="completed", value=300,
                     starts_at=MORNING + dt.timedelta(days=1))
    result = metrics.recovered_by_kind([westside.pk], MORNING, MORNING + dt.timedelta(days=30))
    assert result == {"on_time": {"visits": 1, "revenue": 300}}


def test_recall_page_needs_login(client):
    assert client.get("/recall/").status_code == 302
