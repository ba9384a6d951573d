"""Who is owed which member touchpoint on a given day. Pure reads, set-based (one query per kind,
whatever the number of members); the recall outbox turns each record into a Touch, applying its
own opt-out, quiet hours and send-once rules. Nothing here sends or writes.

Kinds
- renewal_reminder: a membership renews within the next RENEWAL_NOTICE_DAYS days (7): owed on
  renewal - 7 days.
- credits_expiring: unused credit that expires within `within_days` (default 14) if not used
  (credits are spent earliest-expiring first, so the amount at risk is the balance not covered by
  lots that expire later); owed from the day the window opens.
- bundle_idle: a bundle with sessions left, not expired, whose service has no completed or booked
  visit for `idle_days` (default 45) and nothing booked ahead.
- bundle_expiring: a bundle with sessions left that expires within BUNDLE_EXPIRY_NOTICE_DAYS (30).

Every record carries `context["key"]`, a stable idempotency key (same member, same renewal/lot/
bundle -> same key) for the outbox's unique constraint, so running the query on consecutive days
never produces a second touch for the same occasion.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from medspa.models import Patient, Visit

from .models import Bundle, CreditLedgerEntry, Membership

RENEWAL_NOTICE_DAYS = 7
BUNDLE_EXPIRY_NOTICE_DAYS = 30
SEND_AT = time(10, 0)  # local time a touch becomes due; the outbox still applies quiet hours


class Kind:
    RENEWAL = "renewal_reminder"
    CREDITS_EXPIRING = "credits_expiring"
    BUNDLE_IDLE = "bundle_idle"
    BUNDLE_EXPIRING = "bundle_expiring"


@dataclass(frozen=True)
class Touchpoint:
    patient: Patient
    kind: str
    due_at: datetime  # aware UTC
    context: dict = field(default_factory=dict)


def _due_at(location, day: date) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=location.tz).astimezone(UTC)


def _members():
    return Membership.objects.select_related("patient", "patient__location", "plan", "plan__credit_service",
                                             "location")


def renewals_due(on: date) -> list[Touchpoint]:
    memberships = _members().filter(
        status=Membership.Status.ACTIVE, next_renewal_on__gt=on, next_renewal_on__lte=on + timedelta(
            days=RENEWAL_NOTICE_DAYS)
    ).order_by("next_renewal_on", "id")
    return [
        Touchpoint(
            patient=m.patient, kind=Kind.RENEWAL,
            due_at=_due_at(m.location, max(on, m.next_renewal_on - timedelta(days=RENEWAL_NOTICE_DAYS))),
            context={"key": f"{Kind.RENEWAL}:m{m.pk}:{m.next_renewal_on.isoformat()}", "membership_id": m.pk,
                     "plan": m.plan.name, "renewal_date": m.next_renewal_on.isoformat(),
                     "monthly_fee": str(m.plan.monthly_fee)},
        )
        for m in memberships
    ]


def credits_expiring(on: date, within_days: int = 14) -> list[Touchpoint]:
    until = on + timedelta(days=within_days)
    first_expiry = (
        CreditLedgerEntry.objects.filter(membership=OuterRef("pk"), amount__gt=0, expires_on__gt=on,
                                         expires_on__lte=until, expiries__isnull=True)
        .order_by("expires_on").values("expires_on")[:1]
    )
    memberships = (
        _members().filter(status__in=[Membership.Status.ACTIVE, Membership.Status.CANCELLED])
        .with_balance().with_expiring(until)
        .annotate(first_expiry=Subquery(first_expiry))
        .filter(expiring__gt=0, first_expiry__isnull=False)
        .order_by("first_expiry", "id")
    )
    return [
        Touchpoint(
            patient=m.patient, kind=Kind.CREDITS_EXPIRING,
            due_at=_due_at(m.location, max(on, m.first_expiry - timedelta(days=within_days))),
            context={"key": f"{Kind.CREDITS_EXPIRING}:m{m.pk}:{m.first_expiry.isoformat()}", "membership_id": m.pk,
                     "plan": m.plan.name, "amount": str(m.expiring), "amount_text": m.plan.format_credits(m.expiring),
                     "expires_on": m.first_expiry.isoformat()},
        )
        for m in memberships
    ]


def _open_bundles(on: date):
    return (
        Bundle.objects.with_remaining().usable_on(on)
        .select_related("patient", "patient__location", "service", "location")
    )


def bundles_idle(on: date, idle_days: int = 45) -> list[Touchpoint]:
    """Sessions left and no visit of that service (completed or booked) for `idle_days`, nothing ahead."""
    service_visits = Visit.objects.filter(
        patient=OuterRef("patient"), service=OuterRef("service"),
        status__in=[Visit.Status.COMPLETED, Visit.Status.BOOKED],
    )
    now = timezone.now()
    cutoff = on - timedelta(days=idle_days)
    bundles = (
        _open_bundles(on)
        .annotate(
            last_visit=Subquery(service_visits.filter(starts_at__lte=now).order_by().values("patient")
                                .annotate(m=Max("starts_at")).values("m")),
            booked_ahead=Exists(service_visits.filter(status=Visit.Status.BOOKED, starts_at__gt=now)),
        )
        .filter(booked_ahead=False, purchased_on__lte=cutoff)
        .filter(Q(last_visit__isnull=True) | Q(last_visit__date__lte=cutoff))
        .order_by("id")
    )
    records = []
    for b in bundles:
        last_day = b.location.local(b.last_visit).date() if b.last_visit else b.purchased_on
        if last_day > cutoff:  # the UTC date was early; the local date is within the window
            continue
        records.append(Touchpoint(
            patient=b.patient, kind=Kind.BUNDLE_IDLE,
            due_at=_due_at(b.location, max(on, last_day + timedelta(days=idle_days))),
            context={"key": f"{Kind.BUNDLE_IDLE}:b{b.pk}:{last_day.isoformat()}", "bundle_id": b.pk,
                     "service": b.service.name, "remaining": b.remaining, "last_visit": last_day.isoformat(),
                     "expires_on": b.expires_on.isoformat() if b.expires_on else None},
        ))
    return records


def bundles_expiring(on: date) -> list[Touchpoint]:
    bundles = _open_bundles(on).filter(
        expires_on__gt=on, expires_on__lte=on + timedelta(days=BUNDLE_EXPIRY_NOTICE_DAYS)
    ).order_by("expires_on", "id")
    return [
        Touchpoint(
            patient=b.patient, kind=Kind.BUNDLE_EXPIRING,
            due_at=_due_at(b.location, max(on, b.expires_on - timedelta(days=BUNDLE_EXPIRY_NOTICE_DAYS))),
            context={"key": f"{Kind.BUNDLE_EXPIRING}:b{b.pk}:{b.expires_on.isoformat()}", "bundle_id": b.pk,
                     "service": b.service.name, "remaining": b.remaining, "expires_on": b.expires_on.isoformat()},
        )
        for b in bundles
    ]


def due_on(on: date) -> list[Touchpoint]:
    """Every member touchpoint owed on `on`, ordered by due time."""
    records = renewals_due(on) + credits_expiring(on) + bundles_idle(on) + bundles_expiring(on)
    return sorted(records, key=lambda t: (t.due_at, t.kind, t.patient.pk))


__all__ = ["Kind", "Touchpoint", "bundles_expiring", "bundles_idle", "credits_expiring", "due_on",
           "renewals_due"]
