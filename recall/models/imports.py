"""A history upload, imported by a Celery worker while the owner watches its progress page."""

from django.conf import settings
from django.db import models
from django.utils import timezone

ATTEMPTS_PER_TRY = 3  # claims a job gets (first upload, then each Try again) before it fails as stalled


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self if user.is_superuser else self.filter(created_by=user)


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    location_ids = models.JSONField(default=list, help_text="Locations the uploader may import into.")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    # The upload itself, in the database so web and worker need no shared disk; emptied once imported.
    data = models.BinaryField(default=bytes)
    consent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    counts = models.JSONField(default=dict, blank=True, help_text="Running counts while importing.")
    report = models.JSONField(default=dict, blank=True, help_text="The data-quality report once finished.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every batch's progress; a running job whose heartbeat stops was lost with its worker
    # and is queued again (recall.imports.recover_stalled), resuming after its last committed chunk.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Workers that have claimed this job.")
    attempt_limit = models.PositiveSmallIntegerField(
        default=ATTEMPTS_PER_TRY, help_text="Claims after which a stalled job fails; Try again allows more.")

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # recall.imports.recover_stalled: the few running jobs (and queued ones) looked at every minute
            models.Index(fields=["status", "heartbeat_at"], name="importjob_stalled",
                         condition=models.Q(status__in=["queued", "running"])),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def can_retry(self) -> bool:
        """A failed job whose file is still here (a header error empties it: that file needs fixing)."""
        return (self.status == self.Status.FAILED
                and ImportJob.objects.filter(pk=self.pk).exclude(data=b"").exists())

    @property
    def percent(self) -> int:
        """Reading the file is the first half of the bar, writing the good rows the second."""
        if self.status == self.Status.DONE:
            return 100
        c = self.counts or {}
        read = c.get("lines_read", 0) / c["total_lines"] if c.get("total_lines") else 0
        good = max(c.get("rows_read", 0) - c.get("rejected", 0), 0)
        written = c.get("rows_written", 0) / good if good and read >= 1 else 0
        return min(99, int(50 * read + 50 * written))
