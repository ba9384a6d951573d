"""Treatment bundles (packages): sessions bought up front, used one visit at a time.

What is left is `sessions_purchased` minus the count of redemptions, computed by the database
(`Bundle.objects.with_remaining()`), never stored.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from medspa.models.scoping import LocationScopedQuerySet


class BundleQuerySet(LocationScopedQuerySet):
    def with_remaining(self):
        return self.annotate(
            sessions_used=Count("redemptions", distinct=True),
            remaining=F("sessions_purchased") - Count("redemptions", distinct=True),
        )

    def usable_on(self, day: date):
        """Bundles with sessions left that have not expired by `day` (needs `with_remaining()`)."""
        return self.filter(remaining__gt=0).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


class Bundle(models.Model):
    patient = models.ForeignKey("medspa.Patient", on_delete=models.PROTECT, related_name="bundles")
    service = models.ForeignKey("medspa.Service", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("medspa.Location", on_delete=models.PROTECT, related_name="bundles")
    sessions_purchased = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    price_paid = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    purchased_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Last day a session can be used.")
    note = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BundleQuerySet.as_manager()

    class Meta:
        ordering = ["-purchased_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions_purchased__gte=1), name="bundle_has_sessions"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("purchased_on")),
                name="bundle_expires_after_purchase",
            ),
        ]
        indexes = [
            # Patient page: a patient's bundles.
            models.Index(fields=["patient", "-purchased_on"], name="bundle_patient_idx"),
            # Touchpoints: bundles expiring on a date.
            models.Index(fields=["expires_on"], name="bundle_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sessions_purchased} × {self.service} for {self.patient}"

    def is_expired(self, on: date) -> bool:
        return self.expires_on is not None and on > self.expires_on

    def remaining_sessions(self) -> int:
        if hasattr(self, "remaining"):
            return self.remaining
        return self.sessions_purchased - self.redemptions.count()


class BundleRedemption(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="redemptions")
    visit = models.OneToOneField(
        "medspa.Visit", on_delete=models.PROTECT, related_name="bundle_redemption",
        help_text="A visit uses at most one bundle session.",
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.bundle} used at visit {self.visit_id}"
