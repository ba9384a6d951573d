"""One Call model for all three intake paths (Twilio Voice, external voice agent, coordinator form)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from medspa.models import Handoff, Location, Patient
from medspa.models.scoping import LocationScopedQuerySet
from medspa.routes import Route

from .events import Event
from .plan import CallPlanVersion


class CallQuerySet(LocationScopedQuerySet):
    def unfinished(self):
        """Calls that ended (or went quiet) but have no summary yet: the finalise sweep reads these."""
        return self.filter(finalized_at__isnull=True)


class Call(models.Model):
    class Channel(models.TextChoices):
        TWILIO_VOICE = "twilio_voice", "Phone (Twilio)"
        VOICE_AGENT = "voice_agent", "Voice agent"
        COORDINATOR_FORM = "coordinator_form", "Coordinator"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="calls")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    external_id = models.CharField(
        max_length=64, blank=True, help_text="Twilio CallSid or the voice agent's call id (idempotency key)."
    )
    from_number = models.CharField(max_length=20, blank=True)
    to_number = models.CharField(max_length=20, blank=True)
    caller_name = models.CharField(max_length=160, blank=True)
    email = models.EmailField(blank=True)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    after_hours = models.BooleanField(default=False)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    matches = models.JSONField(default=dict, blank=True, help_text="route -> exact phrases.")
    fields = models.JSONField(default=dict, blank=True)
    plan_version = models.ForeignKey(
        CallPlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    answers_given = models.JSONField(default=list, blank=True, help_text="[{topic, version, wording}]")
    not_promised = models.JSONField(default=list, blank=True)
    next_action = models.CharField(max_length=120, blank=True)
    completeness = models.FloatField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    voice_state = models.JSONField(default=dict, blank=True, help_text="Twilio flow: prompts asked, TwiML sent.")
    handoff = models.OneToOneField(
        Handoff, null=True, blank=True, on_delete=models.SET_NULL, related_name="call"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="call_channel_external_id_unique"
            ),
        ]
        indexes = [
            # Call list: a location's calls, newest first (filters add route/event).
            models.Index(fields=["location", "-started_at"], name="call_location_started_idx"),
            # Finalise sweep: calls without a summary yet.
            models.Index(fields=["started_at"], condition=Q(finalized_at__isnull=True), name="call_unfinalized_idx"),
        ]

    def __str__(self) -> str:
        return f"Call from {self.caller_name or self.from_number or 'unknown caller'} on {self.started_at:%Y-%m-%d}"

    @property
    def is_safety(self) -> bool:
        return self.route == Route.SAFETY_ESCALATION

    @property
    def completeness_percent(self) -> int:
        return round(self.completeness * 100)


class CallTurn(models.Model):
    class Speaker(models.TextChoices):
        CALLER = "caller", "Caller"
        SYSTEM = "system", "System"
        AGENT = "agent", "Agent"
        NOTE = "note", "Coordinator note"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveIntegerField()
    speaker = models.CharField(max_length=10, choices=Speaker.choices)
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    dedupe_key = models.CharField(max_length=64, blank=True, help_text="Twilio retries of the same gather post.")

    class Meta:
        ordering = ["call", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="call_turn_seq_unique"),
            models.UniqueConstraint(
                fields=["call", "dedupe_key"], condition=~Q(dedupe_key=""), name="call_turn_dedupe_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_speaker_display()}: {self.text[:60]}"

    # Speakers whose words the triage engine reads (never the system's or an AI agent's own lines).
    TRIAGED = (Speaker.CALLER, Speaker.NOTE)
