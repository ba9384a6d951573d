"""Deposits held for events and bookings. Status moves only through methods that audit:
held -> applied (to a visit), refunded or forfeited (owner only)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from medspa.models import log_action
from medspa.models.scoping import LocationScopedQuerySet


class DepositQuerySet(LocationScopedQuerySet):
    def held(self):
        return self.filter(status=Deposit.Status.HELD)


class Deposit(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held"
        APPLIED = "applied", "Applied to visit"
        REFUNDED = "refunded", "Refunded"
        FORFEITED = "forfeited", "Forfeited"

    patient = models.ForeignKey("medspa.Patient", on_delete=models.PROTECT, related_name="deposits")
    location = models.ForeignKey("medspa.Location", on_delete=models.PROTECT, related_name="deposits")
    amount = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    event = models.ForeignKey(
        "calls.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="deposits",
        help_text="The event the deposit holds a place at, if any.",
    )
    visit = models.ForeignKey(
        "medspa.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="deposits"
    )
    note = models.CharField(max_length=250, blank=True)
    taken_on = models.DateField(default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = DepositQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(condition=~Q(status="applied") | Q(visit__isnull=False),
                                   name="deposit_applied_has_visit"),
            models.CheckConstraint(condition=Q(status="held") | Q(settled_at__isnull=False),
                                   name="deposit_settled_has_time"),
        ]
        indexes = [models.Index(fields=["patient", "status"], name="deposit_patient_status_idx")]

    def __str__(self) -> str:
        return f"${self.amount} deposit for {self.patient} ({self.get_status_display().lower()})"

    @transaction.atomic
    def _settle(self, to: str, by, note: str, visit=None) -> None:
        locked = Deposit.objects.select_for_update().get(pk=self.pk)
        if locked.status != self.Status.HELD:
            raise ValidationError(f"This deposit is already {locked.get_status_display().lower()}.")
        self.status, self.settled_by, self.settled_at = to, by, timezone.now()
        if visit is not None:
            self.visit = visit
        if note:
            self.note = note[:250]
        self.save(update_fields=["status", "settled_by", "settled_at", "visit", "note"])
        log_action(by, f"deposit.{to}", self, location=self.location, amount=str(self.amount),
                   visit=self.visit_id, note=note)

    def apply(self, *, by, visit, note: str = "") -> None:
        if visit.patient_id != self.patient_id:
            raise ValidationError("That visit belongs to another patient.")
        self._settle(self.Status.APPLIED, by, note, visit=visit)

    def refund(self, *, by, note: str) -> None:
        self._owner_settle(self.Status.REFUNDED, by, note)

    def forfeit(self, *, by, note: str) -> None:
        self._owner_settle(self.Status.FORFEITED, by, note)

    def _owner_settle(self, to, by, note):
        if not getattr(by, "is_owner", False):
            raise PermissionDenied("Only an owner can refund or forfeit a deposit.")
        if not (note or "").strip():
            raise ValidationError("Say why (the patient cancelled in time, a no-show, …).")
        self._settle(to, by, note.strip())
