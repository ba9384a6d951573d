"""Running a history upload in the background: claim the job once, report progress, keep the report."""

import logging

from django.utils import timezone

from medspa.models import Location, log_action

from .importer import HeaderError, ImportReport, import_history
from .models import ImportJob

log = logging.getLogger(__name__)


def run_job(job_id: int) -> str:
    # Claim: only one worker runs a job, and a redelivered task finds it already claimed.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, started_at=timezone.now()):
        return "already claimed"
    job = ImportJob.objects.get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)

    def progress(report: ImportReport) -> None:
        jobs.update(counts=report.counts())

    try:
        report = import_history(bytes(job.data), consent=job.consent, progress=progress,
                                locations=Location.objects.filter(pk__in=job.location_ids))
    except HeaderError as exc:
        jobs.update(status=ImportJob.Status.FAILED, error=str(exc), data=b"", finished_at=timezone.now())
        return "failed"
    except Exception:
        log.exception("History import %s failed", job_id)
        jobs.update(status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                    error="The import stopped on an unexpected error. Rows written so far are kept; "
                          "uploading the same file again adds only what is missing.")
        raise
    jobs.update(status=ImportJob.Status.DONE, counts=report.counts(), report=report.as_dict(), data=b"",
                finished_at=timezone.now())
    log_action(job.created_by, "recall.history_imported", None, file=job.file_name, rows=report.rows_read,
               imported=report.visits_imported, rejected=len(report.rejected))
    return "done"
