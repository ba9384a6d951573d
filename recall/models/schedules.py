"""One recall schedule per patient x service: where the patient is in the cycle, and when to look again."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from medspa.models.scoping import LocationScopedQuerySet


class State(models.TextChoices):
    """Where the patient is in the cycle, from the treatment timeline alone (never from consent)."""

    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Due"
    LATE = "late", "Late"
    LAPSED = "lapsed", "Lapsed"
    BOOKED = "booked", "Booked"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


CLOCK_STATES = (State.UPCOMING, State.DUE, State.LATE, State.LAPSED)
OWING_STATES = (State.DUE, State.LATE, State.LAPSED)


class RecallScheduleQuerySet(LocationScopedQuerySet):
    location_field = "patient__location"

    def for_locations(self, location_ids):
        return self.filter(patient__location_id__in=list(location_ids))

    def due(self, now):
        """Schedules whose next action time has come. The sweep finds them on SQLite by recall_next_action_idx
        (migration 0001) and on PostgreSQL through the due queue (recall_due, migration 0018)."""
        return self.filter(next_action_at__lte=now)


class RecallSchedule(models.Model):
    State = State

    # No FK indexes of their own: recall_schedule_patient_service leads with patient and
    # recall_service_due_idx with service, which serve the same look-ups. No index holds a column the sweep
    # changes (state, next_action_at, the touch counters), so on PostgreSQL its update writes no index entry
    # (migration 0018).
    patient = models.ForeignKey("medspa.Patient", on_delete=models.CASCADE, related_name="recall_schedules",
                                db_index=False)
    service = models.ForeignKey("medspa.Service", on_delete=models.CASCADE, related_name="recall_schedules",
                                db_index=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPCOMING)
    last_visit = models.DateField(null=True, blank=True, help_text="Last completed visit (clinic's local date).")
    due_date = models.DateField(null=True, blank=True)
    booked_for = models.DateTimeField(null=True, blank=True, help_text="Next booked visit for this service.")
    touches_sent = models.PositiveSmallIntegerField(default=0, help_text="Touches written in this cycle.")
    kinds_sent = models.CharField(max_length=40, blank=True, help_text="Touch kinds written this cycle.")
    last_touch_at = models.DateTimeField(null=True, blank=True)
    last_touch_number = models.PositiveIntegerField(
        default=0, help_text="Monotonic across cycles: touch idempotency keys are schedule:number."
    )
    snoozed_until = models.DateField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="Patient stopped reminders for this service.")
    trusted = models.BooleanField(default=True, help_text="False: the history is dirty, so recall never fires.")
    quality_note = models.CharField(max_length=250, blank=True)
    next_action_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecallScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            # One schedule per patient x service; also a patient's schedules (patient page,
            # sync_schedules, refresh_patient).
            models.UniqueConstraint(fields=["patient", "service"], name="recall_schedule_patient_service"),
        ]
        # The sweep's read is not an index of this model: on PostgreSQL a queue of due times kept by triggers
        # (recall_due, migration 0018); on SQLite recall_next_action_idx (next_action_at, where not null), which
        # migration 0001 made and 0018 leaves there.
        indexes = [
            # The recall page: a service's due list in due-date order (its state is read from the row).
            models.Index(fields=["service", "due_date"], name="recall_service_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} · {self.service} · {self.get_state_display()}"

    @property
    def state_label(self) -> str:
        """The state for people: the timeline alone. How the patient can be reached (opted out, no
        consent, a number that cannot take texts) is shown apart, from the patient's contact facts."""
        return self.get_state_display()

    @property
    def kinds(self) -> set[str]:
        return {k for k in self.kinds_sent.split(",") if k}

    def add_kind(self, kind: str) -> None:
        self.kinds_sent = ",".join(sorted(self.kinds | {kind}))

    # --- changes the patient makes from the link page (recall.schedules.ask_for_slot, snooze, stop) ---

    def hold_for_callback(self, now, days: int = 14) -> None:
        """The front desk will call: no reminders for `days` local days (an earlier snooze may last longer)."""
        self.snoozed_until = max(self.snoozed_until or timezone.localdate(),
                                 now.astimezone(self.patient.location.tz).date() + timedelta(days=days))
        self.next_action_at = now
        self.save(update_fields=["snoozed_until", "next_action_at", "updated_at"])

    def snooze(self, now, days: int):
        self.snoozed_until = now.astimezone(self.patient.location.tz).date() + timedelta(days=days)
        self.next_action_at = now  # the sweep re-plans around the snooze
        self.save(update_fields=["snoozed_until", "next_action_at", "updated_at"])
        return self.snoozed_until

    def stop(self, now) -> None:
        self.stopped_at, self.state, self.next_action_at = now, State.CLOSED, None
        self.save(update_fields=["stopped_at", "state", "next_action_at", "updated_at"])
