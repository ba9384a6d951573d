"""Recall demo data: schedules for every demo patient, a few hundred sent texts, replies, link
requests and recovered visits, so the recall page and the inbox have something true to show.

Called by `manage.py seed_demo` after the core clinic (see medspa.demo). Set-based and bulk.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings

from medspa.models import Handoff, User, Visit
from medspa.routes import Route

from .models import Attribution, InboundMessage, LinkAction, RecallLink, RecallSchedule, Touch
from .schedules import rules_by_service, sync_schedules
from .wording import render

REPLIES = [
    ("Yes please, next Tuesday afternoon works", Route.REBOOKING),
    ("Can I come in Friday morning?", Route.REBOOKING),
    ("How much is it now?", Route.STAFF_REVIEW),
    ("Is there any downtime? I have a wedding in 2 weeks", Route.PROVIDER_REVIEW),
    ("Thanks! I'll call to book", Route.STAFF_REVIEW),
]


def seed(rng: random.Random, now: datetime, out) -> None:
    sync_schedules(now=now)
    rules = rules_by_service()
    owing = list(
        RecallSchedule.objects.filter(state__in=["due", "late", "lapsed"], patient__sms_consent=True,
                                      patient__location__isnull=False)
        .select_related("patient__location", "service").order_by("id")
    )
    rng.shuffle(owing)
    chosen = owing[:350]
    touches, links, updated = [], [], []
    kinds = {"due": "on_time", "late": "late", "lapsed": "reactivation"}
    for schedule in chosen:
        patient, location = schedule.patient, schedule.patient.location
        kind = kinds[schedule.state]
        sent_at = now - timedelta(days=rng.randrange(1, 28), minutes=rng.randrange(0, 600))
        number = schedule.last_touch_number + 1
        token = f"demo{schedule.pk:06d}{rng.randrange(10**8):08d}"
        status = rng.choices(["delivered", "sent", "undelivered"], weights=[88, 9, 3])[0]
        touch = Touch(
            schedule=schedule, patient=patient, service=schedule.service, number=number, kind=kind,
            idempotency_key=f"{schedule.pk}:{number}",
            body=render(rules[schedule.service_id].template_for(kind), first_name=patient.first_name,
                        clinic=location.name, link=f"{settings.PUBLIC_BASE_URL}/r/{token}/"),
            to=str(patient.phone), from_number=str(location.sms_number or "+10000000000"), status=status,
            provider_sid=f"SMdemo{schedule.pk:010d}{number:04d}", attempts=1, not_before=sent_at, claimed_at=sent_at,
            send_started_at=sent_at, sent_at=sent_at, created_at=sent_at,
            delivered_at=sent_at + timedelta(seconds=4) if status == "delivered" else None,
            error_code=30003 if status == "undelivered" else None,
        )
        touches.append(touch)
        links.append((schedule, touch, token))
        schedule.last_touch_number, schedule.touches_sent = number, schedule.touches_sent + 1
        schedule.add_kind(kind)
        schedule.last_touch_at = sent_at
        updated.append(schedule)
    Touch.objects.bulk_create(touches, batch_size=500)
    RecallSchedule.objects.bulk_update(updated, ["last_touch_number", "touches_sent", "kinds_sent", "last_touch_at"])
    RecallLink.objects.bulk_create([
        RecallLink.for_token(token, t.sent_at, schedule=s, patient=s.patient, touch=t) for s, t, token in links
    ])
    delivered = [t for t in touches if t.status == "delivered"]
    replies = rng.sample(delivered, min(25, len(delivered)))
    requests = rng.sample([t for t in delivered if t not in replies], min(20, len(delivered) - len(replies)))
    _replies(rng, replies)
    _link_requests(rng, requests)
    _front_desk_caught_up(rng, now)
    recovered = _attributions(rng, delivered, now)
    out.write(f"\n  recall: {RecallSchedule.objects.count()} schedules, {len(touches)} texts sent, "
              f"{len(replies)} replies, {len(requests)} link requests, {recovered} visits recovered")


def _replies(rng, touches) -> None:
    for i, touch in enumerate(touches):
        schedule = touch.schedule
        patient = schedule.patient
        text, route = rng.choice(REPLIES)
        received = touch.sent_at + timedelta(minutes=rng.randrange(3, 600))
        handoff = Handoff.objects.open_for(
            patient, route, Handoff.Source.SMS, touch=touch, created_at=received,
            title=f"Text reply from {patient.full_name}", summary=text, caller_phone=touch.to,
            value=schedule.service.typical_value, context={"message": text, "service": schedule.service.name},
        )
        InboundMessage.objects.create(
            message_sid=f"SMdemoin{i:08d}{touch.pk:08d}", from_number=touch.to, to_number=touch.from_number,
            body=text, received_at=received, kind=InboundMessage.Kind.REPLY, patient=patient, touch=touch,
            handoff=handoff, processed_at=received,
        )


def _link_requests(rng, touches) -> None:
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    for touch in touches:
        schedule, patient = touch.schedule, touch.schedule.patient
        request = {"days": sorted(rng.sample(days, rng.randrange(1, 3)), key=days.index),
                   "times": [rng.choice(["morning", "afternoon", "evening"])], "note": ""}
        when = touch.sent_at + timedelta(hours=rng.randrange(1, 48))
        handoff = Handoff.objects.open_for(
            patient, Route.REBOOKING, Handoff.Source.RECALL_LINK, touch=touch, created_at=when,
            title=f"{patient.full_name} asked for a {schedule.service.name} appointment",
            summary=f"Asked through the recall link for {', '.join(request['days'])} · {request['times'][0]}.",
            reasons=[f"Requested a time: {', '.join(request['days'])} · {request['times'][0]}"],
            caller_phone=touch.to, value=schedule.service.typical_value,
            context={"service": schedule.service.name, "request": request,
                     "last_visit": schedule.last_visit.isoformat() if schedule.last_visit else None},
        )
        LinkAction.objects.create(link=touch.link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff,
                                  created_at=when)


FRESH_PER_SOURCE = 2


def _front_desk_caught_up(rng, now) -> None:
    """Like a weekday morning: replies and link requests from earlier days were handled; the last couple of
    each arrived this morning and are due back later (on time)."""
    outcomes = {Route.REBOOKING: Handoff.Outcome.BOOKED_TREATMENT,
                Route.PROVIDER_REVIEW: Handoff.Outcome.PROVIDER_ADVISED}
    for source in (Handoff.Source.SMS, Handoff.Source.RECALL_LINK):
        items = list(Handoff.objects.filter(source=source).select_related("location").order_by("-created_at"))
        for n, item in enumerate(items):
            if n < FRESH_PER_SOURCE:
                item.created_at, item.due_at = now - timedelta(minutes=rng.randrange(15, 120)), None
            else:
                staff = User.objects.filter(locations=item.location, role="coordinator").first()
                item.status, item.claimed_by, item.resolved_by = Handoff.Status.DONE, staff, staff
                item.claimed_at = item.created_at + timedelta(minutes=rng.randrange(10, 120))
                item.resolved_at = item.claimed_at + timedelta(minutes=rng.randrange(2, 20))
                item.outcome = outcomes.get(item.route, Handoff.Outcome.OTHER)
            item.save()


def _attributions(rng, touches, now) -> int:
    """About one in six reminded patients booked their next visit: record it and credit the touch."""
    winners = [t for t in touches if rng.random() < 0.17]
    visits = []
    for touch in winners:
        schedule = touch.schedule
        booked_on = min(now, touch.sent_at + timedelta(days=rng.randrange(0, 12), hours=rng.randrange(1, 8)))
        visits.append(Visit(
            patient=schedule.patient, service=schedule.service, location=schedule.patient.location,
            starts_at=booked_on + timedelta(days=rng.randrange(3, 21)), status=Visit.Status.BOOKED,
            value=schedule.service.typical_value, source=Visit.Source.DEMO,
            notes="Booked after a recall text",
        ))
    Visit.objects.bulk_create(visits, batch_size=500)
    Attribution.objects.bulk_create([
        Attribution(visit=v, touch=t, kind=t.kind, service_id=v.service_id, location_id=v.location_id, value=v.value,
                    visit_at=v.starts_at, created_at=min(now, t.sent_at + timedelta(days=1)))
        for v, t in zip(visits, winners, strict=True)
    ])
    if visits:
        sync_schedules(Visit.objects.filter(patient_id__in={v.patient_id for v in visits}), now=now)
    return len(visits)


