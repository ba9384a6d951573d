"""State apart from channel, and the front desk's call list: who is on it, in what order, and what a call brings."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PatientFactory, VisitFactory, service
from recall_support import la, run_dispatcher

from medspa.models import AuditLog, Patient
from recall.models import Attribution, CallOutcome, RecallSchedule, Touch
from recall.sweep import sweep

pytestmark = pytest.mark.django_db
TODAY = la(2026, 6, 15, 10, 0)

HEADER = "patient_id,first_name,last_name,phone,email,location,service,provider,visit_date,status,amount\n"
HISTORY = [
    "P-1,Dana,Due,(415) 555-0101,dana@example.com,Westside Aesthetics,Botox,,2026-03-12,completed,450\n",  # due 06-10
    "P-2,Lee,Late,(415) 555-0102,,Westside Aesthetics,HydraFacial,,2026-04-20,completed,225\n",  # due 05-20, late
    "P-3,Lou,Lapsed,(415) 555-0103,,Westside Aesthetics,Neurotoxin,,2025-12-01,completed,900\n",  # lapsed 05-30
    "P-4,Uma,Upcoming,(415) 555-0104,,Westside Aesthetics,Neurotoxin,,2026-05-01,completed,450\n",  # due 07-30
    "P-5,Bo,Booked,(415) 555-0105,,Westside Aesthetics,Neurotoxin,,2026-03-01,completed,450\n",
    "P-5,Bo,Booked,(415) 555-0105,,Westside Aesthetics,Neurotoxin,,2026-07-01,booked,450\n",
]
EXPECTED = {"P-1": "due", "P-2": "late", "P-3": "lapsed", "P-4": "upcoming", "P-5": "booked"}


def imported(tmp_path, *args):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join(HISTORY))
    with time_machine.travel(TODAY - dt.timedelta(hours=2), tick=False):
        call_command("import_history", str(path), *args, stdout=io.StringIO())


def status() -> dict[str, dict]:
    out = io.StringIO()
    call_command("recall_status", "--as-of", "2026-06-15", "--format", "json", stdout=out)
    return {row["patient_id"]: row for row in map(json.loads, out.getvalue().splitlines())}


def test_history_without_consent_keeps_the_timeline_and_fills_the_call_list(tmp_path, westside, alice_client):
    imported(tmp_path)
    rows = status()
    assert {pid: row["state"] for pid, row in rows.items()} == EXPECTED
    assert {row["contact"] for row in rows.values()} == {"no consent on file"}
    assert all(row["next_touch"] is None for row in rows.values())  # no text will go to anyone
    with time_machine.travel(TODAY, tick=False):
        sweep()
        page = alice_client.get(reverse("recall:call_list"))
    assert Touch.objects.count() == 0
    assert dict(RecallSchedule.objects.values_list("patient__external_id", "state")) == EXPECTED
    html = page.content.decode()
    # Due, late and lapsed only; the visit most worth recovering first ($900, $450, $225).
    names = [name for name in ("Lou Lapsed", "Dana Due", "Lee Late", "Uma Upcoming", "Bo Booked") if name in html]
    assert names == ["Lou Lapsed", "Dana Due", "Lee Late"]
    assert html.index("Lou Lapsed") < html.index("Dana Due") < html.index("Lee Late")
    assert "No consent on file" in html and "Opted out" not in html
    assert "Reached and booked" in html and "tel:+14155550103" in html
    # The recall page counts them and the patient page says why, without calling it an opt-out.
    recall_page = alice_client.get(reverse("recall:dashboard")).content.decode()
    assert 'id="to-call"><div class="value">3<' in recall_page
    dana = Patient.objects.get(external_id="P-1")
    patient_page = alice_client.get(reverse("patient_detail", args=[dana.pk])).content.decode()
    assert "No consent on file" in patient_page and "Opted out" not in patient_page and ">Due<" in patient_page


def test_history_with_consent_same_states_and_texts_go_out(tmp_path, westside, fake_twilio, fast_sender):
    imported(tmp_path, "--consent")
    rows = status()
    assert {pid: row["state"] for pid, row in rows.items()} == EXPECTED
    assert rows["P-2"]["contact"] == "text allowed"
    assert rows["P-1"]["contact"] == "text allowed; no email consent on file"  # --consent is for texts
    with time_machine.travel(TODAY, tick=False):
        sweep(enqueue=False)
        run_dispatcher()
    assert sorted(m["to"] for m in fake_twilio.messages) == ["+14155550101", "+14155550102", "+14155550103"]


def test_opted_out_only_for_patients_who_said_stop(alice_client, westside):
    said_stop = PatientFactory(location=westside, first_name="Stella", sms_opted_out_at=la(2026, 6, 1, 9, 0))
    bad_number = PatientFactory(location=westside, first_name="Nina", phone="+14155550166",
                                phone_invalid_at=la(2026, 6, 1, 9, 0))
    pages = {p.first_name: alice_client.get(reverse("patient_detail", args=[p.pk])).content.decode()
             for p in (said_stop, bad_number)}
    assert "Opted out of texts" in pages["Stella"]
    assert "Number cannot take texts" in pages["Nina"] and "Opted out" not in pages["Nina"]


@pytest.fixture
def due_without_consent(westside):
    """Jordan, no consent on file, Neurotoxin due (treated 88 days before TODAY)."""
    jordan = PatientFactory(location=westside, first_name="Jordan", last_name="Rivera", phone="+14155550134",
                            sms_consent=False)
    with time_machine.travel(TODAY - dt.timedelta(days=88), tick=False):
        VisitFactory(patient=jordan, service=service("Neurotoxin"), starts_at=TODAY - dt.timedelta(days=88),
                     value=450)
    with time_machine.travel(TODAY - dt.timedelta(minutes=5), tick=False):
        sweep()  # the window opened: due (and no text is written)
    return RecallSchedule.objects.get(patient=jordan)


def outcome(client, schedule, value, **kwargs):
    return client.post(reverse("recall:call_outcome", args=[schedule.pk]), {"outcome": value}, **kwargs)


def test_booked_call_then_visit_is_recovered_by_call(alice_client, alice, due_without_consent, olivia):
    schedule = due_without_consent
    with time_machine.travel(TODAY, tick=False):
        response = outcome(alice_client, schedule, "booked", HTTP_HX_REQUEST="true")
        again = outcome(alice_client, schedule, "booked", HTTP_HX_REQUEST="true")  # double click
        listed = alice_client.get(reverse("recall:call_list")).content.decode()
    assert response.status_code == 200 and "Reached and booked" in response.content.decode()
    assert "already recorded" in again.content.decode()
    call = CallOutcome.objects.get()
    assert (call.outcome, call.recorded_by, call.state, call.phone) == ("booked", alice, "due", "+14155550134")
    assert (call.touch.channel, call.touch.status, call.touch.kind) == ("call", "sent", "on_time")
    assert AuditLog.objects.filter(action="recall.call_outcome", actor=alice).count() == 1
    assert "Jordan Rivera" not in listed  # called this week
    with time_machine.travel(TODAY + dt.timedelta(days=2), tick=False):
        VisitFactory(patient=schedule.patient, service=service("Neurotoxin"), status="booked",
                     starts_at=TODAY + dt.timedelta(days=9), value=450)
    won = Attribution.objects.get()
    assert (won.channel, won.touch_id, won.value) == ("call", call.touch_id, 450)
    # Counted on the recall page, and on the owner's dashboard.
    alice_client.force_login(olivia)
    with time_machine.travel(TODAY + dt.timedelta(days=3), tick=False):
        recall_page = alice_client.get(reverse("recall:dashboard")).content.decode()
        dashboard = alice_client.get(reverse("dashboards:recall")).content.decode()
    assert "Reached and booked 1" in recall_page and "call 1 ($450)" in recall_page
    assert "Call list outcomes" in dashboard and "Visits recovered by a call" in dashboard


def test_stop_and_wrong_number(alice_client, due_without_consent, westside):
    other = PatientFactory(location=westside, first_name="Wren", phone="+14155550199", sms_consent=False)
    with time_machine.travel(TODAY - dt.timedelta(days=88), tick=False):
        VisitFactory(patient=other, service=service("Neurotoxin"), starts_at=TODAY - dt.timedelta(days=88))
    wrong = RecallSchedule.objects.get(patient=other)
    with time_machine.travel(TODAY, tick=False):
        sweep()
        assert "Wren" in alice_client.get(reverse("recall:call_list")).content.decode()
        outcome(alice_client, due_without_consent, "asked_to_stop", HTTP_HX_REQUEST="true")
        outcome(alice_client, wrong, "wrong_number", HTTP_HX_REQUEST="true")
    due_without_consent.refresh_from_db()
    other.refresh_from_db()
    assert due_without_consent.state == "closed" and due_without_consent.stopped_at is not None
    assert other.phone_invalid_at is not None and other.text_contact == "number_cannot_text"
    assert Touch.objects.count() == 0  # neither call reached anyone: nothing to attribute
    with time_machine.travel(TODAY + dt.timedelta(days=8), tick=False):  # past the week: still not listed
        listed = alice_client.get(reverse("recall:call_list")).content.decode()
    assert "Wren" not in listed and "Jordan" not in listed
    other.phone = "+14155550198"  # the right number: back on the list
    other.save()
    with time_machine.travel(TODAY + dt.timedelta(days=8), tick=False):
        assert "Wren" in alice_client.get(reverse("recall:call_list")).content.decode()


def test_scoped_to_the_users_locations(client, bob, due_without_consent):
    client.force_login(bob)
    with time_machine.travel(TODAY, tick=False):
        assert "Jordan" not in client.get(reverse("recall:call_list")).content.decode()
        assert outcome(client, due_without_consent, "booked").status_code == 404
    assert CallOutcome.objects.count() == 0


def test_bad_outcome_records_nothing(alice_client, due_without_consent):
    response = outcome(alice_client, due_without_consent, "maybe")
    assert response.status_code == 302 and CallOutcome.objects.count() == 0


def test_call_list_pages(alice_client, westside):
    with time_machine.travel(TODAY - dt.timedelta(days=88), tick=False):
        for n in range(30):
            p = PatientFactory(location=westside, first_name=f"Pat{n:02d}", phone=f"+141555502{n:02d}",
                               sms_consent=False)
            VisitFactory(patient=p, service=service("Neurotoxin"), starts_at=TODAY - dt.timedelta(days=88))
    with time_machine.travel(TODAY, tick=False):
        sweep()
        first = alice_client.get(reverse("recall:call_list")).content.decode()
        second = alice_client.get(reverse("recall:call_list") + "?page=2").content.decode()
    assert first.count('class="call-card card"') == 25 and second.count('class="call-card card"') == 5
    assert "Page 1 of 2" in first


def test_call_list_queries_do_not_grow_with_the_page(alice_client, westside):
    def patients(n, offset):
        with time_machine.travel(TODAY - dt.timedelta(days=88), tick=False):
            for i in range(n):
                p = PatientFactory(location=westside, first_name=f"Q{offset + i:02d}",
                                   phone=f"+141555503{offset + i:02d}", sms_consent=False)
                VisitFactory(patient=p, service=service("Neurotoxin"), starts_at=TODAY - dt.timedelta(days=88))
                VisitFactory(patient=p, service=service("HydraFacial"), starts_at=TODAY - dt.timedelta(days=200))
        with time_machine.travel(TODAY, tick=False):
            sweep()

    def queries():
        with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(reverse("recall:call_list")).status_code == 200
        return len(ctx.captured_queries)

    patients(2, 0)
    small = queries()
    patients(20, 2)
    assert queries() == small
