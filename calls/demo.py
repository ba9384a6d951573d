"""Demo data for calls: events of every kind, a published call plan per location, ~300 calls over 30 days.

Every call goes through the real triage engine, plan answers and summary builder; rows are bulk-created.
"""

import random
from datetime import datetime, timedelta

from medspa.models import Handoff, Location, Patient, Service, User
from medspa.routes import Route

from . import intake
from .models import Call, CallPlan, CallTurn, Event
from .plan import applicable_answers
from .summary import CallFacts, build_summary, summary_text

PLAN = {
    "events": "Event pricing applies to treatments booked at the event or by the RSVP deadline. A coordinator will "
              "confirm your spot when they call you back.",
    "deposits": "A $100 deposit holds an event or new-patient appointment and is applied to your treatment.",
    "cancellation": "Please give us 48 hours notice to cancel or move an appointment; deposits move with you.",
    "no_show": "Missed appointments without 48 hours notice forfeit the deposit.",
    "financing": "We offer financing through Cherry and CareCredit; a coordinator can send you the application link.",
    # {balance}, {renewal_date}, ... are the member's own figures: said only to a verified caller.
    "member_credits": "You have {balance} in membership credits. Credits are added on your billing date each month "
                      "and stay available while your membership is active.",
    "renewal": "Your {plan} membership renews on {renewal_date}. To stop the next charge, cancel by {cancel_by}.",
    "bundles": "You have {sessions_left} left. Bundle sessions can be used with any provider.",
}
EVENTS = [
    ("Spring Open House", "open_house", 12, "Free consults and 15% off first treatments booked that night.",
     ["HydraFacial", "Chemical peel"], ["OPENHOUSE"]),
    ("VIP Night", "vip_night", 20, "Members and guests: $11/unit neurotoxin, filler $100 off per syringe.",
     ["Neurotoxin", "Dermal filler", "Lip filler"], ["VIPNIGHT", "IG-VIP"]),
    ("Injectable Day", "injectable_day", -9, "$10/unit neurotoxin all day.", ["Neurotoxin"], ["INJECT10"]),
    ("Laser Special", "laser_special", 5, "Buy 5 laser hair removal sessions, get 1 free.",
     ["Laser hair removal", "IPL photofacial"], ["LASER6"]),
    ("Summer Glow Offer", "seasonal", -25, "Microneedling + peel bundle at 20% off through the season.",
     ["Microneedling", "Chemical peel"], ["GLOW"]),
]
UTTERANCES = {
    Route.BOOKING: ["Can I book Botox for next Friday?", "I'd like to book a HydraFacial, my name is {name}.",
                    "Do you have anything for laser hair removal this week?", "I want my eyes to look less tired "
                    "before my wedding, can I come in?", "I'm new and want a consult for lip filler."],
    Route.REBOOKING: ["I need to reschedule my Botox appointment.", "I'm due for my filler touch up, can I rebook?",
                      "Can I move my peel to next week?"],
    Route.EVENT_FOLLOW_UP: ["I saw the VIP night on Instagram, is there still space?",
                            "I got the email about the open house, what's the deadline to RSVP?",
                            "Is the laser special still on? Do I need a deposit?"],
    Route.MEMBER_SUPPORT: ["I'm a member, do my credits roll over?", "When does my membership renew?",
                           "Can I use my member credits for a HydraFacial?"],
    Route.BUNDLE_HELP: ["How many sessions are left on my laser package?", "Can I use my microneedling bundle "
                        "with a different provider?"],
    Route.STAFF_REVIEW: ["Can I get a refund on the package I didn't use?", "What's the exact price for two "
                         "syringes of filler?", "Can you waive the cancellation fee this once?"],
    Route.PROVIDER_REVIEW: ["I'm breastfeeding, can I still get Botox?", "How many units do I need for my "
                            "forehead?", "I take blood thinners, is filler ok?"],
    Route.SAFETY_ESCALATION: ["Since my filler yesterday my lip looks white and hurts",
                              "I'm having trouble swallowing after my Botox", "My vision is blurry since the "
                              "filler this morning", "I have hives all over after the peel"],
}
WEIGHTS = {Route.BOOKING: 30, Route.REBOOKING: 12, Route.EVENT_FOLLOW_UP: 18, Route.MEMBER_SUPPORT: 14,
           Route.BUNDLE_HELP: 6, Route.STAFF_REVIEW: 8, Route.PROVIDER_REVIEW: 8, Route.SAFETY_ESCALATION: 3}
WINDOWS = ["after 5 pm", "tomorrow morning", "weekdays at lunch", "any time Friday", "mornings before 10"]
OUTCOMES = {Route.SAFETY_ESCALATION: "referred_to_care", Route.PROVIDER_REVIEW: "provider_advised",
            Route.MEMBER_SUPPORT: "member_issue_solved", Route.BUNDLE_HELP: "member_issue_solved",
            Route.STAFF_REVIEW: "other"}


def seed(rng: random.Random, now: datetime, out, calls: int = 300) -> None:
    locations = list(Location.objects.order_by("id"))
    coordinators = {loc.pk: list(User.objects.filter(locations=loc, role__in=["coordinator", "owner"]))
                    for loc in locations}
    owner = User.objects.filter(role="owner").first()
    services = {s.name: s for s in Service.objects.all()}
    versions = {}
    for loc in locations:
        base = CallPlan.current_for(loc)
        versions[loc.pk] = base.plan.publish({**base.wording(), **PLAN}, user=owner, note="Clinic policies")
    events = []
    for li, loc in enumerate(locations):
        for ei, (name, kind, days, offer, svc, codes) in enumerate(EVENTS):
            start = (loc.local(now) + timedelta(days=days + li * 2)).replace(hour=17, minute=0)
            event = Event.objects.create(
                location=loc, name=f"{name} · {loc.name.split()[0]}", kind=kind, starts_at=start,
                ends_at=start + timedelta(hours=3), rsvp_deadline=start - timedelta(days=2), capacity=40,
                offer_text=offer, source_codes=[f"{c}{li}" for c in codes],
                tracking_number=f"+1{'310' if li == 0 else '480'}555{160 + ei:04d}",
            )
            event.services.set([services[s] for s in svc if s in services])
            events.append(event)
    patients = {}
    for loc in locations:
        pool = list(Patient.objects.filter(location=loc).order_by("id"))
        patients[loc.pk] = rng.sample(pool, min(200, len(pool)))
    routes, weights = list(WEIGHTS), list(WEIGHTS.values())
    pending = []
    for _ in range(calls):
        loc = locations[0] if rng.random() < 0.6 else locations[-1]
        route = rng.choices(routes, weights=weights)[0]
        started = now - timedelta(days=rng.uniform(0, 30))
        # UTC hours: daytime, evening and night in Pacific/Arizona time, so some calls land after hours.
        started = min(started.replace(hour=rng.choice([1, 2, 3, 4, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0])),
                      now - timedelta(minutes=10))
        patient = rng.choice(patients[loc.pk]) if patients[loc.pk] and rng.random() < 0.6 else None
        name = patient.full_name if patient else rng.choice(["Ava Chen", "Mia Lopez", "Zoe King", "Lily Shah"])
        area = "310" if loc == locations[0] else "480"
        phone = str(patient.phone) if patient else f"+1{area}555{rng.randrange(2000, 9999)}"
        texts = [rng.choice(UTTERANCES[route]).format(name=name), f"Best time is {rng.choice(WINDOWS)}."]
        channel = rng.choices(["twilio_voice", "voice_agent", "coordinator_form"], weights=[5, 3, 2])[0]
        pending.append((loc, started, patient, name, phone, texts, channel))
    fresh = _freshen(rng, pending, now)

    call_rows, turn_rows, facts_rows = [], [], []
    fresh_calls = set()
    for i, (loc, started, patient, name, phone, texts, channel) in enumerate(pending):
        result = intake.triage_call_text(loc, texts, now=started)
        call = Call(location=loc, channel=channel, external_id=f"DEMO{i:05d}" if channel != "coordinator_form" else "",
                    from_number=phone, caller_name=name, patient=patient, started_at=started,
                    ended_at=started + timedelta(minutes=rng.randint(1, 6)), after_hours=not loc.is_open(started),
                    plan_version=versions[loc.pk], status="completed", finalized_at=started + timedelta(minutes=7),
                    created_by=rng.choice(coordinators[loc.pk]) if channel == "coordinator_form" else None,
                    created_at=started)
        intake.apply_triage(call, result, texts=texts)
        plan = applicable_answers(call.route, call.fields, call.matches, versions[loc.pk], clinic=loc.name)
        call.answers_given, call.not_promised = plan.answers, plan.not_promised
        speaker = "note" if channel == "coordinator_form" else "caller"
        turns = [(speaker, t) for t in texts]
        call.summary = build_summary(CallFacts(
            route=call.route, reasons=call.reasons, matches=call.matches, fields=call.fields, turns=turns,
            caller_name=name, phone=phone, location=loc.name, patient_known=patient is not None,
            event=intake.event_facts(call), answers=plan.answers, not_promised=plan.not_promised,
        ))
        call.next_action = call.summary["next_action"]
        call.completeness = call.summary["completeness"]["score"]
        call_rows.append(call)
        facts_rows.append(turns)
        if i in fresh:
            fresh_calls.add(id(call))
    Call.objects.bulk_create(call_rows, batch_size=500)
    handoffs = []
    for call, turns in zip(call_rows, facts_rows, strict=True):
        for seq, (speaker, text) in enumerate(turns, start=1):
            turn_rows.append(CallTurn(call=call, seq=seq, speaker=speaker, text=text,
                                      at=call.started_at + timedelta(seconds=20 * seq)))
        created = call.ended_at
        handoff = Handoff.objects.open_for(
            call.patient, call.route, Handoff.Source.CALL, location=call.location, save=False,
            title=intake.handoff_title(call), summary=summary_text(call.summary), reasons=call.reasons,
            context={"call_id": call.pk, "fields": call.fields}, caller_name=call.caller_name,
            caller_phone=call.from_number, value=intake.services_value(call.fields.get("service_interest")),
            created_at=created,
        )
        if call.route == Route.SAFETY_ESCALATION:
            handoff.value = 0  # a safety call is about the patient, never about money at stake
        if id(call) not in fresh_calls:
            staff = rng.choice(coordinators[call.location_id])
            handoff.status, handoff.claimed_by, handoff.resolved_by = "done", staff, staff
            handoff.claimed_at = created + timedelta(minutes=rng.randint(5, 90))
            handoff.resolved_at = handoff.claimed_at + timedelta(minutes=rng.randint(2, 30))
            handoff.outcome = OUTCOMES.get(call.route) or rng.choices(
                ["booked_consult", "booked_treatment", "no_answer", "not_interested"], weights=[40, 30, 20, 10])[0]
            handoff.resolution_note = ("Called back; advised to go to urgent care, provider following up."
                                       if call.route == Route.SAFETY_ESCALATION else "")
        handoffs.append(handoff)
    CallTurn.objects.bulk_create(turn_rows, batch_size=1000)
    Handoff.objects.bulk_create(handoffs, batch_size=500)
    for call, handoff in zip(call_rows, handoffs, strict=True):
        call.handoff = handoff
    Call.objects.bulk_update(call_rows, ["handoff"], batch_size=500)
    open_count = sum(1 for h in handoffs if h.status != "done")
    out.write(f"  {len(events)} events, 2 call plans, {len(call_rows)} calls ({open_count} open handoffs)")


FRESH_CALLS = 5  # besides one safety call: what a coordinator finds open on a weekday morning


def _freshen(rng, pending: list, now: datetime) -> set[int]:
    """A Tuesday morning, not a backlog: every older call was handled; a few came in within the last two
    hours (callbacks due later, on time), and one safety call arrived minutes ago and sits on top."""
    safety = [i for i, p in enumerate(pending) if p[5][0] in UTTERANCES[Route.SAFETY_ESCALATION]]
    others = [i for i in range(len(pending)) if i not in safety]
    chosen = rng.sample(others, min(FRESH_CALLS, len(others))) + safety[:1]
    for n, i in enumerate(chosen):
        loc, _started, patient, name, phone, texts, channel = pending[i]
        ago = timedelta(minutes=4) if i in safety else timedelta(minutes=12 + n * rng.randint(10, 22))
        pending[i] = (loc, now - ago, patient, name, phone, texts, channel)
    return set(chosen)
