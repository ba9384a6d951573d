"""Patient links: an opaque random token in the URL, only its hash in the database."""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

LINK_LIFETIME = timedelta(days=30)


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 22 characters, 128 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    """The address a text carries (the token itself is never stored). The path is reversed once per process (a
    token is URL-safe: nothing in it is quoted); reverse() per text was a tenth of a millisecond of each send."""
    before, after = _link_path()
    return settings.PUBLIC_BASE_URL + before + token + after


@functools.cache
def _link_path() -> tuple[str, str]:
    before, _, after = reverse("recall:link", args=["TOKEN"]).partition("TOKEN")
    return before, after


class RecallLinkQuerySet(models.QuerySet):
    def issue(self, schedule=None, touch=None, *, patient=None, now=None) -> tuple["RecallLink", str]:
        """Create a link; returns (row, token). The token is shown once, in the message."""
        token = new_token()
        patient = patient or (schedule.patient if schedule else touch.patient)
        link = self.model.for_token(token, now or timezone.now(), schedule=schedule, touch=touch, patient=patient)
        link.save(force_insert=True, using=self.db)
        return link, token

    def find(self, token: str):
        """The link for `token`, expired or not; None when it never existed (tampered, mistyped)."""
        if not token or len(token) > 64:
            return None
        return self.select_related("patient__location", "schedule__service", "touch__service").filter(
            token_hash=hash_token(token)).first()


class RecallLink(models.Model):
    """The patient's page behind a text. Recall links carry their schedule; member links only a patient."""

    # Indexes: patient and schedule (their FK indexes) serve deleting a patient or schedule (cascade);
    # touch is unique (one link per touch); token_hash_unique serves the link page (`find`).
    #
    # Foreign keys: none is checked by PostgreSQL, for the reason given on Touch.patient. A link is written
    # by the dispatcher's claim for a touch it holds locked (FOR NO KEY UPDATE, with the touch's patient) and
    # copies the touch's own patient and schedule, or for a member touch from the patient row it was made
    # from, in the same transaction; nothing deletes these rows with SQL, and a delete through Django still
    # cascades here. Measured: the three checks were most of the insert of a claim's links, a tenth of the
    # dispatcher's time per text.
    patient = models.ForeignKey("medspa.Patient", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    schedule = models.ForeignKey("recall.RecallSchedule", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="links", db_constraint=False)
    touch = models.OneToOneField("recall.Touch", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="link", db_constraint=False)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = RecallLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            # The link page: WHERE token_hash = sha256(token) (RecallLinkQuerySet.find). Equality only,
            # so no LIKE index beside it.
            models.UniqueConstraint(fields=["token_hash"], name="link_token_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"Link for {self.schedule or self.patient} (expires {self.expires_at:%Y-%m-%d})"

    @classmethod
    def for_token(cls, token: str, now, **owners) -> "RecallLink":
        """An unsaved link behind `token` (only its hash is kept), made `now` and open for LINK_LIFETIME;
        `owners` are its patient, schedule and touch (or their ids)."""
        return cls(token_hash=hash_token(token), created_at=now, expires_at=now + LINK_LIFETIME, **owners)

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class LinkAction(models.Model):
    """What a patient did on a link page (audit trail and the recall page's rebook-request count)."""

    class Action(models.TextChoices):
        REQUEST = "request", "Asked for a time"
        SNOOZE = "snooze", "Snoozed"
        STOP_SERVICE = "stop_service", "Stopped these reminders"
        STOP_ALL = "stop_all", "Stopped all texts"

    link = models.ForeignKey(RecallLink, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=12, choices=Action.choices)
    data = models.JSONField(default=dict, blank=True)
    handoff = models.ForeignKey("medspa.Handoff", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"
