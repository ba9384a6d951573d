"""`manage.py import_history` and the owner upload page: data-quality report, idempotent re-import."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from medspa.models import Patient, Visit
from recall.models import ImportJob, RecallSchedule
from recall.tasks import run_import

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 15, 18, 0, tzinfo=dt.UTC)

HEADER = "patient_id,first_name,last_name,phone,email,location,service,provider,visit_date,status,amount\n"
GOOD = [
    "P-1,Jordan,Rivera,(415) 555-0134,jordan@example.com,Westside Aesthetics,Botox,Dr. Maya Patel,2026-03-01,,450\n",
    "P-1,Jordan,Rivera,(415) 555-0134,jordan@example.com,westside-aesthetics,Neurotoxin,,2025-12-01,completed,420\n",
    "P-2,Sam,Lee,415-555-0188,,Westside Aesthetics,hydrafacial,,2026-05-20,completed,$225.00\n",
    "P-3,Ava,Chen,,,Westside Aesthetics,Lip filler,,2026-07-01,booked,750\n",
]
BAD = [
    "P-4,Mia,Garcia,4155550111,,Westside Aesthetics,Thread lift,,2026-01-10,completed,900\n",   # unknown service
    "P-5,Noah,Kim,4155550112,,Moon Base Clinic,Botox,,2026-01-10,completed,450\n",             # unknown location
    "P-2,Sam,Lee,415-555-0188,,Westside Aesthetics,Chemical peel,,,completed,200\n",           # missing date
    "P-2,Sam,Lee,415-555-0188,,Westside Aesthetics,Chemical peel,,03/04/2026,completed,200\n", # unparseable date
    "P-6,Zoe,Hall,4155550113,,Westside Aesthetics,Botox,,2026-08-01,completed,450\n",          # future completed
    "P-7,Eli,Fox,555-1234,,Westside Aesthetics,Botox,,2026-02-01,completed,450\n",             # impossible phone
    GOOD[0],                                                                                       # duplicate row
]


@pytest.fixture
def csv_file(tmp_path, westside, provider):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join(GOOD + BAD))
    return path


def run(path, *args) -> str:
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("import_history", str(path), *args, stdout=out)
    return out.getvalue()


def test_report_lists_each_rejected_row_with_line_and_reason(csv_file):
    report = run(csv_file, "--consent")
    assert "Rows read:            11" in report
    assert "Visits imported:      4" in report
    assert "Patients created:     3" in report
    assert "Rows rejected:        7" in report
    for expected in [
        "line 6: unknown service “Thread lift”",
        "line 7: unknown location “Moon Base Clinic”",
        "line 8: missing date",
        "line 9: unparseable date “03/04/2026” (use YYYY-MM-DD)",
        "line 10: visit date 2026-08-01 is in the future for a completed visit",
        "line 11: impossible phone “555-1234”",
        "line 12: duplicate row (same as line 2)",
    ]:
        assert expected in report
    jordan = Patient.objects.get(external_id="P-1")
    assert (str(jordan.phone), jordan.location.name) == ("+14155550134", "Westside Aesthetics")
    assert jordan.sms_consent and jordan.sms_consent_source == "import"
    assert jordan.visits.count() == 2 and set(jordan.visits.values_list("source", flat=True)) == {"import"}
    assert jordan.visits.get(value=450).provider.name == "Dr. Maya Patel"


def test_reimporting_the_same_file_adds_nothing(csv_file):
    run(csv_file)
    visits = Visit.objects.count()
    report = run(csv_file)
    assert Visit.objects.count() == visits
    assert "Visits imported:      0" in report and "Already imported:     4" in report
    assert "Patients created:     0" in report


def test_schedules_follow_clean_history_and_dirty_history_never_fires(csv_file):
    run(csv_file, "--consent")
    jordan = RecallSchedule.objects.get(patient__external_id="P-1", service__name="Neurotoxin")
    assert (jordan.last_visit, jordan.due_date, jordan.trusted) == (dt.date(2026, 3, 1), dt.date(2026, 5, 30), True)
    assert jordan.state == "due" and jordan.next_action_at is not None
    # Sam's HydraFacial is clean; his chemical-peel rows were rejected, so that schedule is untrusted.
    assert RecallSchedule.objects.get(patient__external_id="P-2", service__name="HydraFacial").trusted
    peel = RecallSchedule.objects.get(patient__external_id="P-2", service__name="Chemical peel")
    assert (peel.trusted, peel.state, peel.next_action_at) == (False, "closed", None)
    assert "rejected rows" in peel.quality_note
    # Ava only has a future booking: nothing to recall yet.
    assert not RecallSchedule.objects.filter(patient__external_id="P-3").exists()


def test_missing_header_is_refused(tmp_path, westside):
    path = tmp_path / "nohead.csv"
    path.write_text(GOOD[0])
    with pytest.raises(CommandError, match="first line must be the header"):
        run(path)


def test_owner_upload_runs_in_the_background_and_the_job_page_shows_the_report(owner_client, olivia, westside,
                                                                                 provider):
    upload = SimpleUploadedFile("history.csv", (HEADER + "".join(GOOD + BAD)).encode(), content_type="text/csv")
    with time_machine.travel(TODAY, tick=False):
        owner_client.force_login(olivia)
        response = owner_client.post("/recall/import/", {"file": upload})
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response.url == f"/recall/import/{job.pk}/"
        assert not Visit.objects.exists()  # the upload answered before importing anything
        waiting = owner_client.get(response.url).content.decode()
        assert "Waiting for a worker" in waiting and 'hx-trigger="every 1s"' in waiting
        run_import(job.pk)
        run_import(job.pk)  # a redelivered task finds the job claimed and does nothing
        page = owner_client.get(response.url).content.decode()
    job.refresh_from_db()
    assert job.status == "done" and bytes(job.data) == b"" and Visit.objects.count() == 4
    assert "Finished" in page and 'hx-trigger' not in page and 'value="100"' in page
    assert "unknown location “Moon Base Clinic”" in page and 'id="rejected-rows"' in page
    assert '<dd data-count="visits_imported">4</dd>' in page and '<dd data-count="rejected">7</dd>' in page
    assert not Patient.objects.get(external_id="P-1").sms_consent  # consent box not ticked


def test_upload_page_is_for_owners_only(alice_client):
    assert alice_client.get("/recall/import/").status_code == 403
