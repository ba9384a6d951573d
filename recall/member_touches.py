"""Member touchpoints (renewal, expiring credits, idle or expiring bundles) through the recall outbox.

`members.touchpoints.due_on(day)` says who is owed what on a day; this module turns those records
into Touch rows (source=member), with the same rules as recall:

- written only for patients who can be texted (consent, not opted out, valid phone) and have no open
  safety or provider-review concern; never at night in the patient's location (the next morning's
  run writes it: the task runs hourly and every touchpoint's window spans days);
- at most one member text per patient per MEMBER_TOUCH_GAP, whatever else is owed (the rest follow
  on later runs while their windows last);
- the touchpoint's stable key is the Touch's unique idempotency key, so running twice (or two
  workers at once) writes one row: INSERT ... ON CONFLICT DO NOTHING, and a row is ours only when
  the stored body carries the link token we just drew (128 random bits);
- the owner's wording per kind (MemberTouchTemplate) has only {first_name}, {clinic} and {link}: no
  treatment name, balance or price is ever texted;
- the dispatcher sends them like recall touches (rate limit, quiet hours, status callbacks, replies)
  and first asks `no_longer_owed()` whether the occasion has passed (renewed, spent, booked).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medspa.models import Location, Visit
from members import touchpoints
from members.models import Bundle, Membership

from .models import MemberTouchTemplate, OwedTouch, RecallLink, Touch
from .models.links import link_url, new_token
from .models.rules import MemberKind
from .queue import enqueue_dispatch
from .quiet_hours import may_send
from .schedules import open_concerns
from .wording import render

MEMBER_TOUCH_GAP = timedelta(days=2)
# When several are owed on the same day, the one with the most at stake goes first.
PRIORITY = (MemberKind.CREDITS_EXPIRING, MemberKind.BUNDLE_EXPIRING, MemberKind.RENEWAL, MemberKind.BUNDLE_IDLE)
BUNDLE_KINDS = (MemberKind.BUNDLE_IDLE, MemberKind.BUNDLE_EXPIRING)
# What a touch keeps of the touchpoint's context: ids and dates, never amounts (staff see those on the pages).
KEPT_CONTEXT = ("membership_id", "bundle_id", "renewal_date", "expires_on", "last_visit")


def owed_now(now: datetime) -> list[touchpoints.Touchpoint]:
    """Touchpoints due by `now`, each evaluated on its location's own calendar day, daytime locations only."""
    locations_by_day: dict[date, set[int]] = defaultdict(set)
    for location in Location.objects.filter(is_active=True):
        if may_send(now, location.tz):
            locations_by_day[location.local(now).date()].add(location.pk)
    records = []
    for day, location_ids in locations_by_day.items():
        records.extend(r for r in touchpoints.due_on(day)
                       if r.patient.location_id in location_ids and r.due_at <= now)
    return records


def write_member_touches(now: datetime | None = None, *, enqueue: bool = True) -> list[int]:
    """Write the member touches owed now; returns the ids of the rows this call wrote."""
    now = now or timezone.now()
    return write(owed_now(now), now, enqueue=enqueue)


def choose(records, now: datetime) -> list[touchpoints.Touchpoint]:
    """Drop what must not be sent and keep at most one touchpoint per patient."""
    templates = MemberTouchTemplate.by_kind()
    records = [r for r in records if r.kind in templates and templates[r.kind].is_active and r.patient.can_text]
    if not records:
        return []
    existing = set(Touch.objects.filter(source=Touch.Source.MEMBER,
                                        idempotency_key__in=[r.context["key"] for r in records])
                   .values_list("idempotency_key", flat=True))
    records = [r for r in records if r.context["key"] not in existing]
    patient_ids = {r.patient.pk for r in records}
    busy = set(open_concerns().filter(patient_id__in=patient_ids).values_list("patient_id", flat=True))
    busy |= set(Touch.objects.filter(patient_id__in=patient_ids, created_at__gt=now - MEMBER_TOUCH_GAP)
                .exclude(status=Touch.Status.CANCELLED).values_list("patient_id", flat=True))
    # A recall text the sweep owes that the dispatcher has not made into a touch yet (seconds, normally).
    busy |= set(OwedTouch.objects.filter(schedule__patient_id__in=patient_ids)
                .values_list("schedule__patient_id", flat=True))
    chosen: dict[int, touchpoints.Touchpoint] = {}
    for record in sorted(records, key=lambda r: PRIORITY.index(r.kind)):
        if record.patient.pk not in busy and record.patient.pk not in chosen:
            chosen[record.patient.pk] = record
    return list(chosen.values())


def write(records, now: datetime, *, enqueue: bool = True) -> list[int]:
    records = choose(records, now)
    if not records:
        return []
    templates = MemberTouchTemplate.by_kind()
    bundle_services = dict(Bundle.objects.filter(
        pk__in=[r.context["bundle_id"] for r in records if r.kind in BUNDLE_KINDS]).values_list("pk", "service_id"))
    touches, tokens = [], {}
    for record in records:
        patient, location = record.patient, record.patient.location
        key = record.context["key"]
        tokens[key] = new_token()
        touches.append(Touch(
            patient=patient, source=Touch.Source.MEMBER, kind=record.kind, idempotency_key=key,
            service_id=bundle_services.get(record.context.get("bundle_id")) if record.kind in BUNDLE_KINDS else None,
            context={k: v for k, v in record.context.items() if k in KEPT_CONTEXT},
            body=render(templates[record.kind].body, first_name=patient.first_name, clinic=location.name,
                        link=link_url(tokens[key])),
            to=str(patient.phone), from_number=str(location.sms_number or settings.TWILIO_DEFAULT_FROM),
            not_before=now, created_at=now,
        ))
    bodies = {t.idempotency_key: t.body for t in touches}
    with transaction.atomic():
        Touch.objects.bulk_create(touches, ignore_conflicts=True)
        stored = Touch.objects.filter(source=Touch.Source.MEMBER, idempotency_key__in=list(bodies)).values_list(
            "pk", "patient_id", "idempotency_key", "body")
        mine = [(pk, patient_id, key) for pk, patient_id, key, body in stored if bodies[key] == body]
        RecallLink.objects.bulk_create([
            RecallLink.for_token(tokens[key], now, patient_id=patient_id, touch_id=pk) for pk, patient_id, key in mine
        ])
        ids = [pk for pk, _patient_id, _key in mine]
        if enqueue and ids:
            transaction.on_commit(lambda: enqueue_dispatch(ids))
    return ids


def no_longer_owed(touch: Touch, today: date, now: datetime) -> str | None:
    """Why a queued member touch should not go out any more (the dispatcher cancels it), or None."""
    context = touch.context or {}
    if touch.kind == MemberKind.RENEWAL:
        row = Membership.objects.filter(pk=context.get("membership_id")).values("status", "next_renewal_on").first()
        if row is None or row["status"] != Membership.Status.ACTIVE or \
                row["next_renewal_on"].isoformat() != context.get("renewal_date"):
            return "The membership no longer renews on that date."
    elif touch.kind == MemberKind.CREDITS_EXPIRING:
        expires_on = date.fromisoformat(context["expires_on"]) if context.get("expires_on") else today
        row = (Membership.objects.filter(pk=context.get("membership_id"),
                                         status__in=[Membership.Status.ACTIVE, Membership.Status.CANCELLED])
               .with_expiring(expires_on).values("expiring").first())
        if row is None or row["expiring"] <= 0 or expires_on < today:
            return "No credits are about to expire any more."
    elif touch.kind in BUNDLE_KINDS:
        bundle = Bundle.objects.with_remaining().usable_on(today).filter(pk=context.get("bundle_id")).first()
        if bundle is None:
            return "No bundle sessions left to use."
        if touch.kind == MemberKind.BUNDLE_IDLE and Visit.objects.filter(
                patient_id=touch.patient_id, service_id=bundle.service_id, status=Visit.Status.BOOKED,
                starts_at__gt=now).exists():
            return "A visit is booked."
    return None
