"""A history import whose worker died: the beat task queues it again and it resumes after its last
committed chunk, ending with an uninterrupted run's counts and no visit twice; after three stalls it
fails with "worker stopped" and the owner's "Try again" finishes it."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from history_csv import history_csv

from medspa.models import Visit
from recall import importer
from recall.models import ImportJob
from recall.tasks import recover_imports, run_import

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the worker gets to mark the job."""


class Rollback(Exception):
    pass


@pytest.fixture
def data(monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 60)  # many chunks
    csv, rows = history_csv(60_000, bad_every=40)
    assert rows > 500
    return csv


def upload(client, data) -> ImportJob:
    response = client.post("/recall/import/", {"file": SimpleUploadedFile("history.csv", data)})
    assert response.status_code == 302
    return ImportJob.objects.latest("pk")


def visits():
    return sorted(Visit.objects.values_list("patient__external_id", "service__name", "starts_at", "value"))


def uninterrupted(client, data):
    """Counts, report and visits of a whole run, then rolled back."""
    try:
        with transaction.atomic():
            job = upload(client, data)
            assert run_import(job.pk) == "done"
            job.refresh_from_db()
            result = (job.counts, job.report, visits())
            raise Rollback
    except Rollback:
        pass
    assert not Visit.objects.exists()
    return result


def kill_worker_after(monkeypatch, chunks: int):
    write, done = importer._write, []

    def dying(*args, **kwargs):
        if len(done) == chunks:
            raise WorkerKilled
        done.append(1)
        return write(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", dying)
    return write


def test_a_stalled_import_is_resumed_by_the_beat_task_and_ends_as_an_uninterrupted_one(
        owner_client, data, monkeypatch, eager_worker, django_capture_on_commit_callbacks):
    counts, report, expected_visits = uninterrupted(owner_client, data)
    job = upload(owner_client, data)
    write = kill_worker_after(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        run_import(job.pk)
    monkeypatch.setattr(importer, "_write", write)  # the next worker is healthy
    job.refresh_from_db()
    assert job.status == "running" and job.counts["chunks_written"] == 3
    written = Visit.objects.count()
    assert written == job.counts["visits_imported"] > 0

    assert recover_imports() == {"requeued": 0, "failed": 0}  # a fresh heartbeat: maybe just slow
    page = owner_client.get(f"/recall/import/{job.pk}/").content.decode()
    assert "Importing" in page and "Try again" not in page

    with (time_machine.travel(timezone.now() + dt.timedelta(minutes=4)),
          django_capture_on_commit_callbacks(execute=True)):  # the queued task runs (eager worker)
        assert recover_imports() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert job.counts == counts and job.report == report  # already_imported stays 0: nothing redone
    assert visits() == expected_visits
    assert not Visit.objects.values("import_key").annotate(n=Count("pk")).filter(n__gt=1).exists()
    page = owner_client.get(f"/recall/import/{job.pk}/").content.decode()
    assert "Finished" in page and f'<dd data-count="visits_imported">{counts["visits_imported"]}</dd>' in page


def test_after_three_stalls_the_owner_sees_worker_stopped_and_tries_again(
        owner_client, data, monkeypatch, eager_worker, django_capture_on_commit_callbacks):
    counts, _report, expected_visits = uninterrupted(owner_client, data)
    job = upload(owner_client, data)
    write, later = importer._write, timezone.now()
    for attempt in (1, 2, 3):
        kill_worker_after(monkeypatch, 1)  # each worker writes one more chunk, then dies
        with time_machine.travel(later), pytest.raises(WorkerKilled):
            if attempt == 1:
                run_import(job.pk)
            else:
                with django_capture_on_commit_callbacks(execute=True):
                    recover_imports()
        monkeypatch.setattr(importer, "_write", write)
        later += dt.timedelta(minutes=4)
    with time_machine.travel(later):
        assert recover_imports() == {"requeued": 0, "failed": 1}
        assert recover_imports() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts, job.counts["chunks_written"]) == ("failed", 3, 3)

    page = owner_client.get(f"/recall/import/{job.pk}/").content.decode()
    assert "failed: worker stopped" in page and "Try again" in page and "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/recall/import/{job.pk}/retry/")
    assert response.status_code == 302 and response.url == f"/recall/import/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done" and job.counts == counts
    assert visits() == expected_visits
    page = owner_client.get(f"/recall/import/{job.pk}/").content.decode()
    assert "Finished" in page and "Try again" not in page


def test_only_the_uploader_may_try_again_and_only_a_failed_job(owner_client, data, client, downtown):
    from factories import UserFactory

    job = upload(owner_client, data)
    assert owner_client.post(f"/recall/import/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"  # not failed: nothing to retry, the page says so
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    client.force_login(UserFactory(username="other-owner", role="owner", locations=[downtown]))
    assert client.post(f"/recall/import/{job.pk}/retry/").status_code == 404
    assert client.get(f"/recall/import/{job.pk}/retry/").status_code in (404, 405)
    job.refresh_from_db()
    assert job.status == "failed"
