"""Membership plans: what a member pays, what credits they get each cycle, and the rules around them."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ..cycles import renewal_after


class CreditKind(models.TextChoices):
    MONEY = "money", "Dollar credit"
    SERVICE_UNITS = "service_units", "Units of a service"


class ExpiryRule(models.TextChoices):
    NEVER = "never", "Credits never expire"
    DAYS_AFTER_ACCRUAL = "days_after_accrual", "A fixed number of days after they are granted"
    CYCLE_END = "cycle_end", "At the end of the cycle, plus the rollover cycles"


class MembershipPlan(models.Model):
    CreditKind = CreditKind
    ExpiryRule = ExpiryRule

    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="Shown to staff; what the plan includes, in plain words.")
    monthly_fee = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    credit_kind = models.CharField(max_length=16, choices=CreditKind.choices, default=CreditKind.MONEY)
    credits_per_cycle = models.DecimalField(
        max_digits=9, decimal_places=2, default=0, validators=[MinValueValidator(0)],
        help_text="Dollars (dollar credit) or units of the credit service granted each monthly cycle.",
    )
    credit_service = models.ForeignKey(
        "medspa.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For unit credits: the service the units are for (e.g. Neurotoxin).",
    )
    member_discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Member pricing: percent off services that are not included.",
    )
    included_services = models.ManyToManyField(
        "medspa.Service", blank=True, related_name="+", help_text="Services included in the membership."
    )
    rollover_cycles = models.PositiveSmallIntegerField(
        default=0, help_text="How many extra cycles unused credits roll over (0 = no rollover)."
    )
    expiry_rule = models.CharField(max_length=20, choices=ExpiryRule.choices, default=ExpiryRule.CYCLE_END)
    credit_expiry_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="For “days after they are granted”: how many days."
    )
    minimum_term_months = models.PositiveSmallIntegerField(default=0)
    cancellation_notice_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days of notice needed before a renewal to avoid that renewal's charge."
    )
    max_freeze_months_per_year = models.PositiveSmallIntegerField(
        default=0, help_text="Months a member may freeze in any 12 months (0 = freezing not allowed)."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive plans keep their members but take no new ones.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["monthly_fee", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(credit_kind="service_units") | Q(credit_service__isnull=False),
                name="plan_unit_credits_name_a_service",
            ),
            models.CheckConstraint(
                condition=~Q(expiry_rule="days_after_accrual") | Q(credit_expiry_days__gte=1),
                name="plan_expiry_days_given",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.credit_kind == CreditKind.SERVICE_UNITS and not self.credit_service_id:
            errors["credit_service"] = "Unit credits need the service they are for (e.g. Neurotoxin)."
        if self.credit_kind == CreditKind.MONEY and self.credit_service_id:
            errors["credit_service"] = "Dollar credits are not tied to one service; leave this empty."
        if self.expiry_rule == ExpiryRule.DAYS_AFTER_ACCRUAL and not self.credit_expiry_days:
            errors["credit_expiry_days"] = "Say after how many days credits expire."
        if self.pk:
            before = MembershipPlan.objects.filter(pk=self.pk).values("credit_kind", "credit_service_id").first()
            changed = before and (before["credit_kind"], before["credit_service_id"]) != (
                self.credit_kind, self.credit_service_id)
            if changed and self.memberships.exists():
                errors["credit_kind"] = (
                    "Members already hold credits in this plan's unit; create a new plan instead of changing it."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_units(self) -> bool:
        return self.credit_kind == CreditKind.SERVICE_UNITS

    def credit_unit_label(self) -> str:
        return f"{self.credit_service} units" if self.is_units else "dollars"

    def format_credits(self, amount: Decimal) -> str:
        """$100.00 or 20 Neurotoxin units (-$30.00 for a debit): how staff and callers hear a balance."""
        amount = Decimal(amount or 0)
        sign, amount = ("-" if amount < 0 else ""), abs(amount)
        if self.is_units:
            text = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
            return f"{sign}{text} {self.credit_service} unit{'' if amount == 1 else 's'}"
        return f"{sign}${amount:,.2f}"

    def credit_expiry_for(self, cycle_start: date, anchor: date | None = None) -> date | None:
        """The first day credits granted for the cycle starting `cycle_start` can no longer be used
        (None: never). `anchor` is the membership's start date, so month-end renewals stay aligned."""
        if self.expiry_rule == ExpiryRule.DAYS_AFTER_ACCRUAL:
            return cycle_start + timedelta(days=self.credit_expiry_days or 0)
        if self.expiry_rule == ExpiryRule.CYCLE_END:
            return renewal_after(anchor or cycle_start, cycle_start, 1 + self.rollover_cycles)
        return None
