"""Running a history upload in the background: claim the job once, report progress, keep the report.

A worker that dies (killed, out of memory, machine restarted) leaves its job "running" with a heartbeat
that stops moving. `recover_stalled` (beat, every minute) queues such a job again; the next claim resumes
after the last chunk committed (its counts are the checkpoint, written in the chunk's own transaction),
so the rows are neither lost nor written twice. After MAX_ATTEMPTS claims the job fails with
"worker stopped" and the owner can try again from its page.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from medspa.models import Location, log_action

from .importer import HeaderError, ImportReport, import_history
from .models import ImportJob
from .models.imports import ATTEMPTS_PER_TRY
from .queue import enqueue_import

log = logging.getLogger(__name__)

STALLED_AFTER = timedelta(minutes=3)  # a chunk takes seconds; no heartbeat for this long means no worker
MAX_ATTEMPTS = ATTEMPTS_PER_TRY
WORKER_STOPPED = (f"failed: worker stopped. The import stopped {MAX_ATTEMPTS} times without finishing; rows "
                  "written so far are kept. Try again, or ask for help if it stops again.")


class JobLost(Exception):
    """Another worker has claimed this job since (this one was presumed dead): stop without writing."""


def run_job(job_id: int) -> str:
    # Claim: only one worker runs a job, and a redelivered task finds it already claimed. A resumed job
    # keeps its first start time: the file is read again as of that moment, giving the same chunks.
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, started_at=Coalesce(F("started_at"), now), heartbeat_at=now,
            attempts=F("attempts") + 1):
        return "already claimed"
    job = ImportJob.objects.get(pk=job_id)
    # Fencing: every write checks this claim is still the job's current one.
    jobs = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING, attempts=job.attempts)

    def progress(report: ImportReport) -> None:
        if not jobs.update(counts=report.counts(), heartbeat_at=timezone.now()):
            raise JobLost(job_id)  # inside a chunk's transaction: that chunk rolls back

    try:
        report = import_history(bytes(job.data), consent=job.consent, progress=progress, now=job.started_at,
                                locations=Location.objects.filter(pk__in=job.location_ids),
                                resume=job.counts)  # {} the first time; then the last checkpoint
    except JobLost:
        log.warning("History import %s was claimed by another worker; this one stops", job_id)
        return "lost"
    except HeaderError as exc:
        jobs.update(status=ImportJob.Status.FAILED, error=str(exc), data=b"", finished_at=timezone.now())
        return "failed"
    except Exception:
        log.exception("History import %s failed", job_id)
        jobs.update(status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                    error="The import stopped on an unexpected error. Rows written so far are kept; "
                          "Try again goes on after them.")
        raise
    if not jobs.update(status=ImportJob.Status.DONE, counts=report.counts(), report=report.as_dict(), data=b"",
                       finished_at=timezone.now(), heartbeat_at=timezone.now()):
        return "lost"
    log_action(job.created_by, "recall.history_imported", None, file=job.file_name, rows=report.rows_read,
               imported=report.visits_imported, rejected=len(report.rejected))
    return "done"


def recover_stalled(now=None) -> dict:
    """Queue again each running job whose heartbeat stopped (and each queued job no worker took, e.g. the
    broker lost the message); fail a job that has stalled MAX_ATTEMPTS times. Safe to run anywhere, any
    number of times: each change is conditional on the row still being stalled."""
    now = now or timezone.now()
    cutoff = now - STALLED_AFTER
    stalled = (ImportJob.objects.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
               .alias(last_sign=Coalesce("heartbeat_at", "started_at", "created_at")).filter(last_sign__lt=cutoff))
    result = {"requeued": 0, "failed": 0}
    for job in stalled.only("pk", "status", "attempts", "attempt_limit", "heartbeat_at"):
        this = ImportJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts)
        if job.status == ImportJob.Status.RUNNING and job.attempts >= job.attempt_limit:
            if this.update(status=ImportJob.Status.FAILED, finished_at=now,
                           error=WORKER_STOPPED):
                log.warning("History import %s stalled %s times: failed", job.pk, job.attempts)
                result["failed"] += 1
            continue
        # The heartbeat moves to now so the job is looked at again only after another STALLED_AFTER.
        if this.update(status=ImportJob.Status.QUEUED, heartbeat_at=now):
            log.warning("History import %s had no worker since %s: queued again", job.pk, job.heartbeat_at)
            transaction.on_commit(lambda pk=job.pk: enqueue_import(pk))
            result["requeued"] += 1
    return result


def retry(job: ImportJob, user) -> bool:
    """The owner's "Try again" on a failed job whose file is kept: MAX_ATTEMPTS more claims, same checkpoint.
    (`attempts` only grows, so a worker of an earlier claim can never pass for the current one.)"""
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).exclude(data=b"").update(
            status=ImportJob.Status.QUEUED, attempt_limit=F("attempts") + MAX_ATTEMPTS, error="",
            finished_at=None, heartbeat_at=timezone.now()):
        return False
    log_action(user, "recall.history_import_retried", job, file=job.file_name)
    transaction.on_commit(lambda: enqueue_import(job.pk))
    return True
