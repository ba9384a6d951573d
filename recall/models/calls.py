"""What the front desk heard when calling a patient from the call list (recall.call_list)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Outcome(models.TextChoices):
    BOOKED = "booked", "Reached and booked"
    VOICEMAIL = "voicemail", "Left a voicemail"
    ASKED_TO_STOP = "asked_to_stop", "Asked to stop"
    WRONG_NUMBER = "wrong_number", "Wrong number"


# Outcomes that reached the patient (or their voicemail): they are touches with channel "call", so a
# visit within the attribution window counts as recovered by the call.
CONTACT_OUTCOMES = (Outcome.BOOKED, Outcome.VOICEMAIL)


class CallOutcome(models.Model):
    """One call from the call list, recorded with one click. Append-only: the audit trail of recall calls."""

    Outcome = Outcome

    schedule = models.ForeignKey("recall.RecallSchedule", on_delete=models.CASCADE, related_name="call_outcomes")
    patient = models.ForeignKey("medspa.Patient", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("medspa.Location", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    phone = models.CharField(max_length=20, help_text="The number that was called.")
    state = models.CharField(max_length=10, help_text="The schedule's recall state when the call was made.")
    touch = models.OneToOneField("recall.Touch", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="call_outcome")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The recall page and dashboard: outcomes per location and period (recall.metrics.call_outcomes).
            models.Index(fields=["location", "created_at"], name="calloutcome_loc_time_idx"),
            # The call list: was this schedule called lately (recall.call_list.call_list).
            models.Index(fields=["schedule", "created_at"], name="calloutcome_schedule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.patient} ({self.created_at:%Y-%m-%d})"
