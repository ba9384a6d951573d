"""The one pipeline every intake path goes through: triage, attribution, plan answers, summary, handoff.

Twilio Voice feeds it turn by turn; the voice-agent API and the coordinator form feed it a whole call.
Safety is sticky: once a call is a safety escalation nothing downgrades it, and its urgent handoff is
opened the moment the words are heard (`escalate`), not when the call ends.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from medspa.models import Handoff, Location, Patient, Service, log_action
from medspa.routes import Route
from medspa.triage import triage_turns

from . import members_bridge
from .attribution import attribute_event
from .models import Call, CallPlan, CallTurn
from .plan import PlanAnswers, applicable_answers
from .summary import CallFacts, build_summary, summary_text

# Fields a person or agent may supply directly; they fill what the transcript did not say.
DIRECT_FIELDS = (
    "caller_name", "email", "callback_window", "patient_status", "member_status", "provider_preference",
    "event_source", "event_kind", "event_date", "deadline", "service_interest", "credit_question",
    "renewal_question", "cancellation_question", "deposit_question", "financing_question", "bundle_question",
    "refund_request", "exception_request",
)


def triage_call_text(location: Location, texts: list[str], now: datetime | None = None):
    providers = tuple(location.providers.filter(is_active=True).values_list("name", flat=True))
    catalog = [(name, aliases) for name, aliases in Service.objects.active().values_list("name", "aliases")]
    return triage_turns(texts, now=now or timezone.now(), tz=location.time_zone, providers=providers,
                        catalog=catalog)


def match_patient(location: Location, phone: str) -> Patient | None:
    if not phone:
        return None
    return Patient.objects.filter(phone=phone, location=location).order_by("id").first()


def triaged_texts(call: Call) -> list[str]:
    return [t.text for t in call.turns.all()
            if t.speaker in CallTurn.TRIAGED and t.text != members_bridge.DOB_TURN_TEXT]


def apply_triage(call: Call, result, *, direct_fields: dict | None = None, flagged_safety: bool = False,
                 texts: list[str] | None = None) -> None:
    """Copy a triage result onto the call (not saved). Never downgrades a safety escalation."""
    route = result.route
    reasons = list(result.reasons)
    matches = {str(k): list(v) for k, v in (result.matches or {}).items()}
    if route != Route.SAFETY_ESCALATION and (call.route == Route.SAFETY_ESCALATION or flagged_safety):
        route = Route.SAFETY_ESCALATION
        if flagged_safety and not call.reasons:
            reasons.insert(0, "Flagged as a safety escalation by the voice agent")
        else:
            reasons = list(dict.fromkeys([*call.reasons, *reasons]))
            matches = {**matches, Route.SAFETY_ESCALATION.value: call.matches.get(Route.SAFETY_ESCALATION, [])}
    fields = {k: v for k, v in (result.fields or {}).items() if v not in (None, "", [])}
    if route in members_bridge.MEMBER_ROUTES and members_bridge.pause_requested(matches):
        # Pausing or freezing a membership is an exception: staff decide, the system never answers it.
        phrases = [p for p in matches.get(route, []) if any(w in p.lower() for w in members_bridge.PAUSE_WORDS)]
        fields["pause_request"] = True
        route = Route.STAFF_REVIEW
        matches[route.value] = list(dict.fromkeys([*matches.get(route.value, []), *phrases]))
        reasons = list(dict.fromkeys([*phrases, *reasons]))
    call.route, call.reasons, call.matches = route, reasons, matches
    # Precedence: what a person typed or stated in answer to a direct question, then the transcript, then
    # whatever earlier turns established.
    for key, value in (direct_fields or {}).items():
        if key in DIRECT_FIELDS and value not in (None, "", []):
            fields[key] = value
    for key, value in (call.fields or {}).items():
        fields.setdefault(key, value)
    call.fields = fields
    call.caller_name = call.caller_name or str(fields.get("caller_name") or "")[:160]
    call.email = call.email or str(fields.get("email") or "")[:254]
    if call.event_id is None:
        call.event = attribute_event(call.location, at=call.started_at, fields=fields, to_number=call.to_number,
                                     text=" ".join(texts if texts is not None else triaged_texts(call)))


def plan_answers(call: Call) -> PlanAnswers:
    """What the plan answers. A member's own figures fill the wording only for a caller the voice flow
    verified (number on file + date of birth); every other path leaves figure wording to staff."""
    if call.plan_version is None:
        call.plan_version = CallPlan.current_for(call.location)
    verified = call.fields.get("member_verified") is True and not members_bridge.exception(call.fields, call.matches)
    figures = members_bridge.figures(call.patient) if verified else None
    return applicable_answers(call.route or Route.STAFF_REVIEW, call.fields, call.matches, call.plan_version,
                              clinic=call.location.name, figures=figures)


def event_facts(call: Call) -> dict | None:
    event = call.event
    if event is None:
        return None
    loc = call.location
    return {
        "name": event.name, "kind_label": event.get_kind_display(),
        "date": loc.local(event.starts_at).date().isoformat(),
        "deadline": loc.local(event.rsvp_deadline).date().isoformat() if event.rsvp_deadline else "",
        "offer": event.offer_text,
    }


def summarize(call: Call, turns: list[tuple[str, str]] | None = None) -> dict:
    if turns is None:
        turns = [(t.speaker, t.text) for t in call.turns.all()] if call.pk else []
    facts = CallFacts(
        route=call.route or Route.STAFF_REVIEW, reasons=call.reasons, matches=call.matches, fields=call.fields,
        turns=turns, caller_name=call.caller_name, phone=call.from_number, email=call.email,
        location=call.location.name, patient_known=call.patient_id is not None, event=event_facts(call),
        answers=call.answers_given, not_promised=call.not_promised,
        member=members_bridge.member_context(call.patient),
    )
    return build_summary(facts)


def services_value(names) -> Decimal:
    if not names:
        return Decimal(0)
    return sum((s.typical_value for s in Service.objects.filter(name__in=list(names))), Decimal(0))


def handoff_title(call: Call) -> str:
    who = call.caller_name or call.from_number or "Unknown caller"
    bits = [who]
    if call.event_id:
        bits.append(call.event.name)
    interest = call.fields.get("service_interest") or []
    if interest:
        bits.append(", ".join(interest))
    return " · ".join(bits)[:200]


def ensure_handoff(call: Call, *, at: datetime | None = None) -> Handoff:
    """Create the call's one handoff, or bring it up to date. Route can escalate (by route precedence), never
    downgrade: a member_support handoff opened mid-call becomes staff_review if the caller then asks for a refund."""
    summary = call.summary or summarize(call)
    facts = {"call_id": call.pk, "fields": call.fields}
    if call.event_id:
        facts["event"] = {"id": call.event_id, "name": call.event.name}  # the inbox filters by it
    member = summary.get("member_figures")  # what the summary said; else Handoff.objects looks them up
    values = {
        "title": handoff_title(call), "summary": summary_text(summary), "reasons": call.reasons,
        "caller_name": call.caller_name, "caller_phone": call.from_number,
        "value": services_value(call.fields.get("service_interest")),
    }
    handoff = call.handoff
    if handoff is None:
        handoff = Handoff.objects.open_for(call.patient, call.route or Route.STAFF_REVIEW, Handoff.Source.CALL,
                                           location=call.location, member=member, context=facts,
                                           created_at=at, **values)
        call.handoff = handoff
        Call.objects.filter(pk=call.pk).update(handoff=handoff)
        return handoff
    kept = {k: v for k, v in (handoff.context or {}).items() if k == "on_call"}  # set by the voice flow
    values.update(location=call.location, patient=call.patient,
                  context={**Handoff.objects.context_for(call.patient, member=member, **facts), **kept})
    if "On-call not reached" in handoff.reasons and "On-call not reached" not in values["reasons"]:
        values["reasons"] = [*values["reasons"], "On-call not reached"]
    for key, value in values.items():
        setattr(handoff, key, value)
    order = list(Route.values)
    if call.route in order and handoff.route in order and order.index(call.route) < order.index(handoff.route):
        handoff.route, handoff.due_at = call.route, None  # escalated: new priority and SLA
    handoff.save()
    return handoff


@transaction.atomic
def escalate(call: Call, *, at: datetime | None = None) -> Handoff:
    """Safety language was just heard: the urgent handoff exists before anything else is said."""
    call.answers_given = merge_answers(call.answers_given, plan_answers(call).answers)
    call.summary = summarize(call)
    call.save()
    handoff = ensure_handoff(call, at=at)
    log_action(None, "call.safety_escalation", call, location=call.location, handoff=handoff.pk,
               reasons=call.reasons)
    return handoff


def merge_answers(given: list[dict], new: list[dict]) -> list[dict]:
    seen = {a["topic"] for a in given}
    return [*given, *[a for a in new if a["topic"] not in seen]]


@transaction.atomic
def finalize(call_id: int, *, at: datetime | None = None) -> Call | None:
    """Summary + handoff for a call that has ended. Safe to run twice (the second run changes nothing new)."""
    call = Call.objects.select_for_update(of=("self",)).select_related("location", "event", "patient", "handoff",
                                                            "plan_version").filter(pk=call_id).first()
    if call is None:
        return None
    if call.finalized_at and call.handoff_id:
        return call
    now = at or timezone.now()
    texts = triaged_texts(call)
    if texts and not call.route:  # every path triages as turns arrive; this catches a call that never did
        apply_triage(call, triage_call_text(call.location, texts, now=call.started_at))
    call.route = call.route or Route.STAFF_REVIEW
    plan = plan_answers(call)
    if call.channel != Call.Channel.TWILIO_VOICE:
        # Agent and coordinator calls: the approved wording that applies is what may be (and was) read out.
        call.answers_given = merge_answers(call.answers_given, plan.answers)
    call.not_promised = plan.not_promised
    call.status = Call.Status.COMPLETED
    call.ended_at = call.ended_at or now
    call.summary = summarize(call)
    call.next_action = call.summary["next_action"]
    call.completeness = call.summary["completeness"]["score"]
    call.finalized_at = now
    call.save()
    ensure_handoff(call, at=now)
    return call


@transaction.atomic
def record_call(*, location: Location, channel: str, turns: list[dict], external_id: str = "",
                from_number: str = "", caller_name: str = "", email: str = "", started_at=None, ended_at=None,
                direct_fields: dict | None = None, event=None, flagged_safety: bool = False,
                created_by=None) -> Call:
    """A whole call at once (voice agent, coordinator form): store it, triage it, summarise it, hand it off."""
    started_at = started_at or timezone.now()
    call = Call(
        location=location, channel=channel, external_id=external_id, from_number=from_number,
        caller_name=caller_name[:160], email=email, started_at=started_at, ended_at=ended_at or timezone.now(),
        after_hours=not location.is_open(started_at), event=event, created_by=created_by,
        patient=match_patient(location, from_number), plan_version=CallPlan.current_for(location),
    )
    call.save()
    CallTurn.objects.bulk_create(
        CallTurn(call=call, seq=i, speaker=t["speaker"], text=t["text"], at=t.get("at") or started_at)
        for i, t in enumerate(turns, start=1)
    )
    result = triage_call_text(location, triaged_texts(call), now=started_at)
    apply_triage(call, result, direct_fields=direct_fields, flagged_safety=flagged_safety)
    call.save()
    if call.is_safety:
        escalate(call)
    finalize(call.pk)
    call.refresh_from_db()
    log_action(created_by, "call.recorded", call, location=location, channel=channel, route=call.route)
    return call


def preview(*, location: Location, notes: str, direct_fields: dict, event=None, from_number: str = ""):
    """What saving the coordinator's notes would produce, without saving anything (the live panel)."""
    texts = [line.strip() for line in notes.splitlines() if line.strip()]
    call = Call(location=location, channel=Call.Channel.COORDINATOR_FORM, from_number=from_number,
                caller_name=str(direct_fields.get("caller_name") or ""), event=event,
                patient=match_patient(location, from_number), plan_version=CallPlan.current_for(location))
    result = triage_call_text(location, texts) if texts else None
    if result is not None:
        apply_triage(call, result, direct_fields=direct_fields, texts=texts)
    else:
        call.fields = {k: v for k, v in direct_fields.items() if k in DIRECT_FIELDS and v}
        call.route = ""
    plan = plan_answers(call)
    call.answers_given, call.not_promised = plan.answers, plan.not_promised
    summary = summarize(call, turns=[("note", t) for t in texts])
    return call, plan, summary
