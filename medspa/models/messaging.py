"""Messaging state the Twilio package keeps: paused senders and patients' photos (MMS)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .scoping import LocationScopedQuerySet


class SenderPauseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(resumed_at__isnull=True)


class SenderPause(models.Model):
    """Sending from `sender` stopped because of an account or sender-level Twilio error.

    While a pause is active the dispatcher leaves touches from that sender queued (nothing fails,
    nothing is lost); a probe every minute (medspa.twilio.tasks.probe_paused_senders) ends it.
    """

    sender = models.CharField(max_length=20)
    error_code = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=250)
    started_at = models.DateTimeField(default=timezone.now)
    last_probe_at = models.DateTimeField(null=True, blank=True)
    last_probe_result = models.CharField(max_length=250, blank=True)
    next_probe_at = models.DateTimeField(default=timezone.now, help_text="Later after each relapse (backoff).")
    relapses = models.PositiveSmallIntegerField(default=0, help_text="Paused again soon after resuming.")
    resumed_at = models.DateTimeField(null=True, blank=True)
    handoffs = models.ManyToManyField("medspa.Handoff", blank=True, related_name="+")

    objects = SenderPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One active pause per sender: the dispatcher and the owner banner read it.
            models.UniqueConstraint(fields=["sender"], condition=Q(resumed_at__isnull=True),
                                    name="senderpause_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} paused ({self.error_code}): {self.reason}"


class MessageMediaQuerySet(LocationScopedQuerySet):
    pass


def media_storage():
    from django.core.files.storage import storages

    return storages["private_media"]


class MessageMedia(models.Model):
    """A photo or file a patient texted us (MMS), copied from Twilio into private storage.

    Never publicly addressable: staff of the location see it through medspa.inbox_views.inbox_media,
    which checks the location and writes an audit row for every view.
    """

    location = models.ForeignKey("medspa.Location", on_delete=models.PROTECT, related_name="+")
    handoff = models.ForeignKey("medspa.Handoff", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="media")
    message_sid = models.CharField(max_length=64)
    index = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    file = models.FileField(storage=media_storage, upload_to="mms/%Y/%m/", max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    fetch_error = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MessageMediaQuerySet.as_manager()

    class Meta:
        ordering = ["message_sid", "index"]
        constraints = [
            models.UniqueConstraint(fields=["message_sid", "index"], name="messagemedia_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_sid} #{self.index} ({self.content_type})"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
