"""Reading patient data leaves a trail: who, what, when, from where; owners read and export it."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import PatientFactory, UserFactory
from rest_framework.authtoken.models import Token

from medspa.models import AuditLog

pytestmark = pytest.mark.django_db


def test_viewing_a_patient_page_adds_one_audit_row(alice_client, alice, patient):
    assert alice_client.get(f"/patients/{patient.pk}/").status_code == 200
    row = AuditLog.objects.get()
    assert (row.actor, row.action, row.patient, row.location) == (alice, "patient.viewed", patient, patient.location)
    assert row.ip == "127.0.0.1" and row.path == f"/patients/{patient.pk}/"


def test_edit_form_api_and_search_are_audited(alice_client, alice, patient, westside):
    alice_client.get(f"/patients/{patient.pk}/edit/")
    alice_client.get(f"/api/v1/patients/{patient.pk}/")
    alice_client.get("/api/v1/patients/?q=Rivera")
    alice_client.get("/patients/?q=Rivera")
    actions = list(AuditLog.objects.filter(patient=patient).order_by("id").values_list("action", flat=True))
    assert actions == ["patient.edit_form_viewed", "patient.api_viewed", "patient.api_listed", "patient.searched"]
    assert AuditLog.objects.get(action="patient.searched").data == {"q": "Rivera"}


def test_a_list_writes_its_rows_in_one_insert(alice_client, westside):
    for i in range(30):
        PatientFactory(first_name=f"P{i}", last_name="Many", phone=f"+1415555{2000 + i:04d}", location=westside)
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get("/patients/").status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO \"medspa_auditlog\"" in q["sql"]]
    assert len(inserts) == 1
    assert AuditLog.objects.filter(action="patient.listed").count() == 30


def test_an_empty_search_is_on_record_too(alice_client):
    alice_client.get("/patients/?q=Nobody")
    assert AuditLog.objects.get(action="patient.searched").data == {"q": "Nobody"}


def test_exporting_a_csv_adds_one_audit_row(owner_client, olivia):
    response = owner_client.get("/dashboard/export/routes.csv")
    assert response.status_code == 200
    row = AuditLog.objects.get()
    assert (row.actor, row.action, row.data["section"]) == (olivia, "export.csv", "routes")


def test_inbox_item_call_and_ledger_reads_are_audited(alice_client, alice, patient, westside):
    from calls import intake
    from calls.models import Call

    call = intake.record_call(location=westside, channel=Call.Channel.COORDINATOR_FORM,
                              turns=[{"speaker": "note", "text": "Wants filler"}], from_number=str(patient.phone),
                              caller_name="Jordan Rivera", created_by=alice)
    call.refresh_from_db()
    alice_client.get(f"/calls/{call.pk}/")
    alice_client.get(f"/inbox/{call.handoff_id}/")
    assert set(AuditLog.objects.filter(patient=patient).values_list("action", flat=True)) >= {
        "call.viewed", "inbox_item.viewed"}


def test_background_inbox_refresh_is_not_a_read(alice_client, patient):
    alice_client.get("/inbox/", HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND="poll")
    assert not AuditLog.objects.filter(action="inbox.listed").exists()


def test_a_failed_login_adds_one_audit_row_the_owner_sees(client, alice, olivia):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert AuditLog.objects.filter(action="login.failed").count() == 1
    client.force_login(olivia)
    page = client.get("/settings/audit/").content.decode()
    assert "login.failed" in page and "alice" in page


def test_audit_page_lists_reads_by_patient_and_by_user(client, alice, bob, olivia, patient, downtown):
    other = PatientFactory(first_name="Dana", last_name="Down", phone="+14155550777", location=downtown)
    client.force_login(alice)
    client.get(f"/patients/{patient.pk}/")
    client.force_login(bob)
    client.get(f"/patients/{other.pk}/")
    client.force_login(olivia)
    page = client.get(f"/settings/audit/?patient={patient.pk}").content.decode()
    assert "patient.viewed" in page and "Jordan Rivera" in page and "Dana Down" not in page
    page = client.get(f"/settings/audit/?user={bob.pk}").content.decode()
    assert "Dana Down" in page and "Jordan Rivera" not in page


def test_single_location_owner_sees_only_their_locations_trail(client, alice, bob, patient, westside, downtown):
    other = PatientFactory(first_name="Dana", last_name="Down", phone="+14155550777", location=downtown)
    client.force_login(alice)
    client.get(f"/patients/{patient.pk}/")
    client.force_login(bob)
    client.get(f"/patients/{other.pk}/")
    client.force_login(UserFactory(username="wendy", role="owner", locations=[westside]))
    page = client.get("/settings/audit/").content.decode()
    assert "Jordan Rivera" in page and "Dana Down" not in page
    assert "Dana Down" not in client.get(f"/settings/audit/?patient={other.pk}").content.decode()


def test_owner_exports_the_trail_and_the_export_is_audited(owner_client, olivia, alice_client, patient):
    alice_client.get(f"/patients/{patient.pk}/")  # alice_client and owner_client share one client
    owner_client.force_login(olivia)
    response = owner_client.get(f"/settings/audit/export.csv?patient={patient.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["when (UTC)", "who", "action"]
    assert [r[1:3] for r in rows[1:]] == [["olivia", "audit.exported"], ["alice", "patient.viewed"]]
    assert AuditLog.objects.filter(actor=olivia, action="audit.exported", patient=patient).exists()


def test_voice_agent_posts_are_not_reads(client, westside, patient):
    agent = UserFactory(username="agent", role="voice_agent", locations=[westside])
    token = Token.objects.create(user=agent).key
    from test_calls_api import URL, body

    client.post(URL, body(westside), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
    assert not AuditLog.objects.filter(action__endswith="viewed").exists()
