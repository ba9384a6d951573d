"""The credit ledger: append-only. A member's balance is the sum of their entries, never a stored number.

Rows are never updated or deleted: `save()` refuses to update, `delete()` refuses, the queryset refuses
bulk updates and deletes, and on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE from
any client. A correction is a new adjustment entry.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone


class LedgerImmutable(Exception):
    """Raised on any attempt to change or remove a ledger row."""


class Kind(models.TextChoices):
    ACCRUAL = "accrual", "Monthly credits"
    REDEMPTION = "redemption", "Used at visit"
    EXPIRY = "expiry", "Expired"
    ADJUSTMENT = "adjustment", "Adjustment"


class CreditLedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable("Credit ledger entries cannot be changed; add an adjustment instead.")

    def delete(self):
        raise LedgerImmutable("Credit ledger entries cannot be deleted; add an adjustment instead.")

    def balance(self, membership) -> Decimal:
        total = self.filter(membership=membership).aggregate(total=Coalesce(Sum("amount"), Decimal("0")))["total"]
        return Decimal(total)

    def lots(self):
        """Entries that add credits (accruals and positive adjustments), earliest-expiring first."""
        return self.filter(amount__gt=0).order_by(models.F("expires_on").asc(nulls_last=True), "created_at", "id")


class CreditLedgerEntry(models.Model):
    Kind = Kind

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2,
        help_text="Signed, in the plan's credit unit (dollars or service units). Positive adds credits.",
    )
    service = models.ForeignKey(
        "medspa.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The service unit credits are for (unit plans).",
    )
    cycle = models.DateField(null=True, blank=True, help_text="Accruals: the first day of the cycle.")
    expires_on = models.DateField(
        null=True, blank=True, help_text="Credit-adding entries: first day they can no longer be used."
    )
    visit = models.ForeignKey(
        "medspa.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="expiries",
        help_text="Expiries: the lot (accrual or adjustment) whose unused remainder expired.",
    )
    reason = models.CharField(max_length=250, blank=True)
    # PROTECT, not SET_NULL: nulling it would be an UPDATE of a ledger row. Deactivate staff instead.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CreditLedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "credit ledger entries"
        constraints = [
            # The accrual job may run twice, or twice at once: one accrual per membership and cycle.
            models.UniqueConstraint(
                fields=["membership", "cycle"], condition=Q(kind="accrual"), name="ledger_one_accrual_per_cycle"
            ),
            # The expiry job may run twice: a lot expires once.
            models.UniqueConstraint(fields=["source"], condition=Q(kind="expiry"), name="ledger_one_expiry_per_lot"),
            # A double-click cannot spend credits twice on the same visit.
            models.UniqueConstraint(
                fields=["membership", "visit"], condition=Q(kind="redemption"), name="ledger_one_redemption_per_visit"
            ),
            models.CheckConstraint(
                condition=~Q(kind="accrual") | Q(amount__gt=0, cycle__isnull=False), name="ledger_accrual_shape"
            ),
            models.CheckConstraint(
                condition=~Q(kind="redemption") | Q(amount__lt=0, visit__isnull=False),
                name="ledger_redemption_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind="expiry") | Q(amount__lt=0, source__isnull=False), name="ledger_expiry_shape"
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | (~Q(amount=0) & ~Q(reason="")), name="ledger_adjustment_shape"
            ),
        ]
        indexes = [
            # expire_credits: lots whose expiry date has come.
            models.Index(fields=["expires_on"], condition=Q(amount__gt=0), name="ledger_lot_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+} ({self.membership_id})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutable("Credit ledger entries cannot be changed; add an adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("Credit ledger entries cannot be deleted; add an adjustment instead.")
