"""Memberships and their status history. Every status change goes through a method that records
who made it and when (MembershipStatusChange) and writes an AuditLog row."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from medspa.models import log_action
from medspa.models.scoping import LocationScopedQuerySet

from ..cycles import add_months, renewal_after
from .credits import CreditLedgerEntry

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    FROZEN = "frozen", "Frozen"
    PAST_DUE = "past_due", "Past due"
    CANCELLED = "cancelled", "Cancelling"  # cancellation requested; benefits run to the effective date
    ENDED = "ended", "Ended"


# Statuses in which a renewal happens and credits accrue (cancelled: only before the effective date).
ACCRUING = (Status.ACTIVE, Status.CANCELLED)
# Statuses in which credits may be spent.
REDEEMABLE = (Status.ACTIVE, Status.CANCELLED)
# What can be done to a membership in each status: action -> (statuses it applies to, how an error names it).
# The model's methods enforce it; the member page and its view read it through `allowed_actions()`.
ACTIONS = {
    "redeem": (REDEEMABLE, "used"),
    "freeze": ((Status.ACTIVE,), "frozen"),
    "past_due": ((Status.ACTIVE,), "marked past due"),
    "unfreeze": ((Status.FROZEN,), "unfrozen"),
    "reactivate": ((Status.PAST_DUE,), "reactivated"),
    "cancel": ((Status.ACTIVE, Status.FROZEN, Status.PAST_DUE), "cancelled"),
    "withdraw": ((Status.CANCELLED,), "reinstated"),
    "adjust": ((Status.ACTIVE, Status.FROZEN, Status.PAST_DUE, Status.CANCELLED), "adjusted"),
    "end": ((Status.CANCELLED, Status.PAST_DUE), "ended"),
}
OWNER_ONLY = frozenset({"adjust", "end"})


def _ledger_sum(**filters):
    rows = (
        CreditLedgerEntry.objects.filter(membership=OuterRef("pk"), **filters)
        .order_by().values("membership").annotate(total=Sum("amount")).values("total")
    )
    return Coalesce(Subquery(rows, output_field=DecimalField(max_digits=12, decimal_places=2)), ZERO)


@dataclass
class AccrualResult:
    granted: int = 0
    skipped: int = 0


class MembershipQuerySet(LocationScopedQuerySet):
    def live(self):
        return self.exclude(status=Status.ENDED)

    def with_balance(self):
        """`balance`: the sum of the ledger, in one query for the whole page."""
        return self.annotate(balance=_ledger_sum())

    def with_expiring(self, until: date):
        """`expiring`: credits that expire by `until` if not used. Credits are spent earliest-expiring
        first, so what is at risk is the balance not covered by lots that expire after `until`."""
        later = _ledger_sum(amount__gt=0, expires_on__gt=until) + _ledger_sum(amount__gt=0, expires_on__isnull=True)
        qs = self if "balance" in self.query.annotations else self.with_balance()
        return qs.annotate(expiring=Greatest(models.F("balance") - later, ZERO))


class Membership(models.Model):
    Status = Status

    patient = models.ForeignKey("medspa.Patient", on_delete=models.PROTECT, related_name="memberships")
    plan = models.ForeignKey("members.MembershipPlan", on_delete=models.PROTECT, related_name="memberships")
    location = models.ForeignKey("medspa.Location", on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField()
    next_renewal_on = models.DateField(help_text="Next cycle start: the next charge and credit grant.")
    freeze_ends_on = models.DateField(null=True, blank=True)
    cancellation_requested_on = models.DateField(null=True, blank=True)
    cancellation_effective_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=~Q(status="ended"), name="membership_one_live"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancellation_effective_on__isnull=False),
                name="membership_cancelled_has_date",
            ),
        ]
        indexes = [
            # accrue_credits: memberships whose next cycle has started.
            models.Index(
                fields=["next_renewal_on"], condition=Q(status__in=["active", "cancelled"]),
                name="membership_renewal_due_idx",
            ),
            # Members list: a location's memberships by status.
            models.Index(fields=["location", "status"], name="membership_loc_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} · {self.plan}"

    # -- reading -------------------------------------------------------------------------------

    def balance(self) -> Decimal:
        return CreditLedgerEntry.objects.balance(self)

    def minimum_term_ends_on(self) -> date:
        return add_months(self.started_on, self.plan.minimum_term_months)

    def cancellation_effective_date(self, requested_on: date) -> date:
        """The renewal date from which no more charges are made, for a request made on `requested_on`:
        the first renewal at least `cancellation_notice_days` away and not before the minimum term ends."""
        earliest = max(requested_on + timedelta(days=self.plan.cancellation_notice_days), self.minimum_term_ends_on())
        renewal = self.next_renewal_on
        while renewal < earliest:
            renewal = renewal_after(self.started_on, renewal)
        return renewal

    def cancellation_deadline(self, today: date | None = None) -> date | None:
        """The last day (today or later) a cancellation request still avoids a charge: the notice
        period before the first renewal that is past the minimum term. None when no charge is coming."""
        if self.status in (Status.CANCELLED, Status.ENDED):
            return None
        today = today or self.local_today()
        notice = timedelta(days=self.plan.cancellation_notice_days)
        renewal = self.next_renewal_on
        while renewal < self.minimum_term_ends_on() or renewal - notice < today:
            renewal = renewal_after(self.started_on, renewal)
        return renewal - notice

    def freeze_months_used(self, on: date) -> int:
        since = on - timedelta(days=365)
        changes = self.status_changes.filter(to_status=Status.FROZEN, effective_on__gt=since)
        return sum(int(change.data.get("months", 0)) for change in changes)

    def local_today(self) -> date:
        return self.location.local().date()

    def accrue_due(self, today: date) -> AccrualResult:
        """Grant every cycle that has started by `today` and move `next_renewal_on` past it.

        Safe to call twice or concurrently: the unique (membership, cycle) constraint turns a repeat into
        ON CONFLICT DO NOTHING, and the row lock makes the second caller see the advanced renewal date.
        """
        result = AccrualResult()
        with transaction.atomic():
            membership = type(self).objects.select_for_update().select_related("plan").get(pk=self.pk)
            plan = membership.plan
            while membership.status in ACCRUING and membership.next_renewal_on <= today and (
                membership.cancellation_effective_on is None
                or membership.next_renewal_on < membership.cancellation_effective_on
            ):
                cycle = membership.next_renewal_on
                if plan.credits_per_cycle > 0:
                    _, created = CreditLedgerEntry.objects.get_or_create(
                        membership=membership, kind=CreditLedgerEntry.Kind.ACCRUAL, cycle=cycle,
                        defaults={
                            "amount": plan.credits_per_cycle, "service": plan.credit_service,
                            "expires_on": plan.credit_expiry_for(cycle, anchor=membership.started_on),
                            "reason": f"{plan.name}: cycle starting {cycle:%b %-d, %Y}",
                        },
                    )
                    result.granted += created
                    result.skipped += not created
                membership.next_renewal_on = renewal_after(membership.started_on, cycle)
                type(self).objects.filter(pk=membership.pk).update(next_renewal_on=membership.next_renewal_on)
        self.next_renewal_on = membership.next_renewal_on
        return result

    # -- status changes ------------------------------------------------------------------------

    @classmethod
    @transaction.atomic
    def start(cls, *, patient, plan, by, started_on: date | None = None, location=None, note: str = ""):
        """Enrol a patient; the first cycle starts on `started_on` and its credits are granted now."""
        location = location or patient.location
        started_on = started_on or location.local().date()
        if not plan.is_active:
            raise ValidationError(f"{plan} no longer takes new members.")
        if cls.objects.live().filter(patient=patient).exists():
            raise ValidationError(f"{patient} already has a membership; end it before starting another.")
        membership = cls.objects.create(
            patient=patient, plan=plan, location=location, status=Status.ACTIVE, started_on=started_on,
            next_renewal_on=started_on, created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        membership._record("", Status.ACTIVE, by, started_on, note or f"Joined {plan}")
        membership.accrue_due(location.local().date())
        return membership

    def _locked(self) -> "Membership":
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        self.__dict__.update({f.attname: getattr(locked, f.attname) for f in self._meta.concrete_fields})
        return self

    def allowed_actions(self, user=None) -> set[str]:
        """The actions (keys of ACTIONS) this membership's status allows; with `user`, only those they may do."""
        allowed = {action for action, (statuses, _done) in ACTIONS.items() if self.status in statuses}
        if user is not None and not getattr(user, "is_owner", False):
            allowed -= OWNER_ONLY
        return allowed

    @property
    def frozen_until(self) -> date | None:
        return self.freeze_ends_on if self.status == Status.FROZEN else None

    @property
    def is_cancelling(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def next_date(self) -> date | None:
        """The date pages show: when a cancelling membership ends, else the next renewal (none once ended)."""
        if self.status == Status.CANCELLED:
            return self.cancellation_effective_on
        return None if self.status == Status.ENDED else self.next_renewal_on

    def _require(self, action: str) -> None:
        if action not in self.allowed_actions():
            raise ValidationError(f"A {self.get_status_display().lower()} membership cannot be {ACTIONS[action][1]}.")

    def _record(self, from_status: str, to_status: str, by, on: date, note: str = "", **data):
        actor = by if getattr(by, "is_authenticated", False) else None
        MembershipStatusChange.objects.create(
            membership=self, from_status=from_status, to_status=to_status, changed_by=actor,
            effective_on=on, note=note, data=data,
        )
        log_action(actor, f"membership.{to_status}", self, location=self.location,
                   from_status=from_status, effective_on=on.isoformat(), note=note, **data)

    @transaction.atomic
    def freeze(self, *, by, months: int, on: date | None = None, note: str = "") -> None:
        self._locked()
        on = on or self.local_today()
        self._require("freeze")
        allowed = self.plan.max_freeze_months_per_year
        if not allowed:
            raise ValidationError(f"{self.plan} does not allow freezing.")
        if months < 1:
            raise ValidationError("Freeze for at least one month.")
        used = self.freeze_months_used(on)
        if used + months > allowed:
            raise ValidationError(
                f"{self.plan} allows {allowed} frozen month{'s' if allowed != 1 else ''} in 12 months; "
                f"{used} already used, so at most {max(allowed - used, 0)} more."
            )
        previous = self.status
        self.status = Status.FROZEN
        self.freeze_ends_on = add_months(on, months)
        # No charge and no credits while frozen: the next renewal moves out by the frozen months.
        self.next_renewal_on = renewal_after(self.started_on, self.next_renewal_on, months)
        self.save(update_fields=["status", "freeze_ends_on", "next_renewal_on", "updated_at"])
        self._record(previous, Status.FROZEN, by, on, note, months=months,
                     until=self.freeze_ends_on.isoformat(), next_renewal_on=self.next_renewal_on.isoformat())

    @transaction.atomic
    def unfreeze(self, *, by, on: date | None = None, note: str = "") -> None:
        self._locked()
        on = on or self.local_today()
        self._require("unfreeze")
        unused = 0
        while add_months(on, unused + 1) <= self.freeze_ends_on:
            unused += 1
        if unused:  # thawed early: give back the whole months not used
            self.next_renewal_on = renewal_after(self.started_on, self.next_renewal_on, -unused)
        self.status, self.freeze_ends_on = Status.ACTIVE, None
        self.save(update_fields=["status", "freeze_ends_on", "next_renewal_on", "updated_at"])
        self._record(Status.FROZEN, Status.ACTIVE, by, on, note or "Unfrozen",
                     next_renewal_on=self.next_renewal_on.isoformat())

    @transaction.atomic
    def cancel(self, *, requested_on: date, by, note: str = "") -> date:
        """Record a cancellation request; returns the date the membership ends (no charge from then)."""
        self._locked()
        self._require("cancel")
        previous = self.status
        self.cancellation_requested_on = requested_on
        self.cancellation_effective_on = self.cancellation_effective_date(requested_on)
        self.status, self.freeze_ends_on = Status.CANCELLED, None
        self.save(update_fields=["status", "freeze_ends_on", "cancellation_requested_on",
                                 "cancellation_effective_on", "updated_at"])
        self._record(previous, Status.CANCELLED, by, requested_on, note,
                     effective_on_date=self.cancellation_effective_on.isoformat())
        return self.cancellation_effective_on

    @transaction.atomic
    def withdraw_cancellation(self, *, by, on: date | None = None, note: str = "") -> None:
        self._locked()
        self._require("withdraw")
        self.status = Status.ACTIVE
        self.cancellation_requested_on = self.cancellation_effective_on = None
        self.save(update_fields=["status", "cancellation_requested_on", "cancellation_effective_on", "updated_at"])
        self._record(Status.CANCELLED, Status.ACTIVE, by, on or self.local_today(), note or "Cancellation withdrawn")

    @transaction.atomic
    def mark_past_due(self, *, by, on: date | None = None, note: str = "") -> None:
        self._locked()
        self._require("past_due")
        self.status = Status.PAST_DUE
        self.save(update_fields=["status", "updated_at"])
        self._record(Status.ACTIVE, Status.PAST_DUE, by, on or self.local_today(), note or "Payment failed")

    @transaction.atomic
    def reactivate(self, *, by, on: date | None = None, note: str = "") -> None:
        """Payment is current again; the withheld cycle's credits accrue on the next accrual run."""
        self._locked()
        self._require("reactivate")
        self.status = Status.ACTIVE
        self.save(update_fields=["status", "updated_at"])
        self._record(Status.PAST_DUE, Status.ACTIVE, by, on or self.local_today(), note or "Payment received")

    @transaction.atomic
    def end(self, *, by, on: date | None = None, note: str = "") -> None:
        self._locked()
        self._require("end")
        previous = self.status
        self.status = Status.ENDED
        self.save(update_fields=["status", "updated_at"])
        self._record(previous, Status.ENDED, by, on or self.local_today(), note)


class MembershipStatusChange(models.Model):
    """Append-only history of a membership's status: who, when, from, to, why."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    effective_on = models.DateField()
    note = models.CharField(max_length=250, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.from_status or 'new'} → {self.to_status} on {self.effective_on}"
