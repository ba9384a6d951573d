"""Credit ledger operations: accrue, redeem, adjust, expire.

Rules
- The balance is the sum of a membership's entries. Nothing stores it.
- Every operation that can lower the balance locks the Membership row (`select_for_update`) first, so
  two redemptions for one member run one after the other and the second sees the first's entry.
- Credits are spent earliest-expiring first. So when a lot (an accrual or a positive adjustment)
  reaches its expiry date, what is left of it is the part of the balance not covered by lots that
  expire later: `clamp(balance - later_lots, 0, lot.amount)`. The members list uses the same rule
  in SQL for "credits expiring".
- Accruals are unique per (membership, cycle) and expiries per source lot, in the database, so the
  hourly jobs can run twice, or at the same time, and grant or expire nothing twice.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from medspa.models import log_action

from .models import CreditLedgerEntry, Membership
from .models.memberships import REDEEMABLE, AccrualResult

Kind = CreditLedgerEntry.Kind


class InsufficientCredit(ValidationError):
    def __init__(self, membership: Membership, balance: Decimal, wanted: Decimal):
        plan = membership.plan
        self.balance, self.wanted = balance, wanted
        super().__init__(
            f"Not enough credit: {membership.patient.first_name} has {plan.format_credits(balance)} "
            f"and this needs {plan.format_credits(wanted)}."
        )


def _lock(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("plan", "patient", "location").get(pk=membership.pk)


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


# -- accrual -------------------------------------------------------------------------------------

def accrue_due(membership: Membership, today: date) -> AccrualResult:
    """`Membership.accrue_due`: grant every cycle that has started by `today` (safe to repeat)."""
    return membership.accrue_due(today)


# -- expiry --------------------------------------------------------------------------------------

def lot_remainders(membership: Membership) -> list[tuple[CreditLedgerEntry, Decimal]]:
    """Each unexpired lot with what is left of it, earliest-expiring first."""
    lots = list(CreditLedgerEntry.objects.filter(membership=membership).lots().filter(expiries__isnull=True))
    balance = CreditLedgerEntry.objects.balance(membership)
    remainders = []
    later = sum((lot.amount for lot in lots), Decimal("0"))
    for lot in lots:
        later -= lot.amount
        remainders.append((lot, min(max(balance - later, Decimal("0")), lot.amount)))
    return remainders


def expire_due(membership: Membership, today: date) -> Decimal:
    """Write expiry entries for lots whose expiry date has come; returns the total expired."""
    expired = Decimal("0")
    with transaction.atomic():
        membership = _lock(membership)
        for lot, remaining in lot_remainders(membership):
            if lot.expires_on is None or lot.expires_on > today:
                break  # lots are in expiry order: nothing later is due
            if remaining <= 0:
                continue
            CreditLedgerEntry.objects.bulk_create(
                [CreditLedgerEntry(
                    membership=membership, kind=Kind.EXPIRY, amount=-remaining, service=lot.service, source=lot,
                    reason=f"Unused credit from {lot.cycle or lot.created_at.date():%b %-d, %Y} expired "
                           f"{lot.expires_on:%b %-d, %Y}",
                )],
                ignore_conflicts=True,
            )
            expired += remaining
    return expired


# -- redemption and adjustment -------------------------------------------------------------------

def redeem(membership: Membership, amount, visit, by, *, today: date | None = None) -> CreditLedgerEntry:
    """Spend `amount` credits at `visit`. Refuses (InsufficientCredit) rather than go below zero."""
    amount = Decimal(str(amount))
    if amount <= 0:
        raise ValidationError("Enter how much credit to use (more than zero).")
    with transaction.atomic():
        membership = _lock(membership)
        plan = membership.plan
        if membership.status not in REDEEMABLE:
            raise ValidationError(
                f"Credits cannot be used while the membership is {membership.get_status_display().lower()}."
            )
        if visit.patient_id != membership.patient_id:
            raise ValidationError("That visit belongs to another patient.")
        if plan.is_units and visit.service_id != plan.credit_service_id:
            raise ValidationError(f"{plan} credits are {plan.credit_service} units; this visit is {visit.service}.")
        if CreditLedgerEntry.objects.filter(membership=membership, kind=Kind.REDEMPTION, visit=visit).exists():
            raise ValidationError("Credits were already used for this visit.")
        expire_due(membership, today or membership.local_today())
        balance = CreditLedgerEntry.objects.balance(membership)
        if amount > balance:
            raise InsufficientCredit(membership, balance, amount)
        entry = CreditLedgerEntry.objects.create(
            membership=membership, kind=Kind.REDEMPTION, amount=-amount, service=visit.service, visit=visit,
            created_by=_actor(by), reason=f"{visit.service} on {visit.starts_at:%b %-d, %Y}",
        )
        log_action(by, "credits.redeemed", membership, location=membership.location,
                   amount=str(amount), visit=visit.pk, balance=str(balance - amount))
    return entry


def adjust(membership: Membership, amount, reason: str, by, *, expires_on: date | None = None) -> CreditLedgerEntry:
    """Owner-only correction, positive or negative, with a reason. Cannot take the balance below zero."""
    if not getattr(by, "is_owner", False):
        raise PermissionDenied("Only an owner can adjust a member's credits.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the adjustment; it is kept in the member's ledger.")
    amount = Decimal(str(amount))
    if amount == 0:
        raise ValidationError("An adjustment of zero changes nothing.")
    with transaction.atomic():
        membership = _lock(membership)
        balance = CreditLedgerEntry.objects.balance(membership)
        if balance + amount < 0:
            raise InsufficientCredit(membership, balance, -amount)
        entry = CreditLedgerEntry.objects.create(
            membership=membership, kind=Kind.ADJUSTMENT, amount=amount, service=membership.plan.credit_service,
            reason=reason[:250], created_by=_actor(by), expires_on=expires_on if amount > 0 else None,
        )
        log_action(by, "credits.adjusted", membership, location=membership.location,
                   amount=str(amount), reason=reason, balance=str(balance + amount))
    return entry
