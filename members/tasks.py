"""Hourly membership jobs (Celery beat, see CELERY_BEAT_SCHEDULE). Each reads what the database says
is due in each location's own calendar day, and can run twice, late, or at the same time as itself."""

import logging
from decimal import Decimal

from celery import shared_task
from django.core.exceptions import ValidationError

from medspa.models import Location

from . import ledger
from .models import CreditLedgerEntry, Membership

log = logging.getLogger(__name__)
Status = Membership.Status


def _local_days():
    for location in Location.objects.all():
        yield location, location.local().date()


@shared_task
def accrue_credits() -> dict:
    """Grant each cycle that has started (active members, and cancelling members before their end date)."""
    granted = memberships = 0
    for location, today in _local_days():
        due = Membership.objects.filter(
            location=location, status__in=[Status.ACTIVE, Status.CANCELLED], next_renewal_on__lte=today
        ).values_list("pk", flat=True)
        for pk in due.iterator():
            result = ledger.accrue_due(Membership(pk=pk), today)
            granted += result.granted
            memberships += 1
    log.info("accrue_credits: %s cycles granted across %s memberships", granted, memberships)
    return {"granted": granted, "memberships": memberships}


@shared_task
def expire_credits() -> dict:
    """Expire the unused remainder of every lot whose expiry date has come."""
    expired, memberships = Decimal("0"), 0
    for location, today in _local_days():
        due = (
            CreditLedgerEntry.objects.filter(
                membership__location=location, amount__gt=0, expires_on__lte=today, expiries__isnull=True
            )
            .order_by().values_list("membership_id", flat=True).distinct()
        )
        for pk in list(due):
            expired += ledger.expire_due(Membership(pk=pk), today)
            memberships += 1
    log.info("expire_credits: %s expired across %s memberships", expired, memberships)
    return {"expired": f"{expired:.2f}", "memberships": memberships}


@shared_task
def roll_memberships() -> dict:
    """Thaw freezes that have run their course and end cancellations that have taken effect."""
    thawed = ended = 0
    for location, today in _local_days():
        for membership in Membership.objects.filter(
            location=location, status=Status.FROZEN, freeze_ends_on__lte=today
        ).select_related("plan", "location"):
            try:
                membership.unfreeze(by=None, on=membership.freeze_ends_on, note="Freeze period over")
                thawed += 1
            except ValidationError:  # changed by someone else since the query
                continue
        for membership in Membership.objects.filter(
            location=location, status=Status.CANCELLED, cancellation_effective_on__lte=today
        ).select_related("plan", "location"):
            try:
                membership.end(by=None, on=membership.cancellation_effective_on, note="Cancellation took effect")
                ended += 1
            except ValidationError:
                continue
    return {"thawed": thawed, "ended": ended}
