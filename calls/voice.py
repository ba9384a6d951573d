"""Twilio Voice: greet, listen, triage every utterance, answer only with approved wording, hand off.

Member questions (credits, renewal, bundles, cancelling): a figure from the ledger is said only to a verified
caller -- the call comes from the patient's number on file AND they say their date of birth (one retry). An
unknown number or a failed check hears that a coordinator will call back, and the member_support handoff is
opened at once. Refunds, transfers, pauses and waivers are never answered (staff_review).

Three signature-checked webhooks. Every response is stored per gather sequence number, so a Twilio retry
of the same post gets the same TwiML back and stores nothing twice. The gather action URL carries the
sequence number; a caller turn is also keyed by a hash of CallSid + SpeechResult + sequence.
"""

import hashlib
import logging

from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from twilio.twiml.voice_response import Gather, VoiceResponse

from medspa.models import Handoff, Location, log_action
from medspa.twilio.twiml import dial, dial_answered, hangup, twiml
from medspa.twilio.webhooks import twilio_webhook

from . import intake, members_bridge
from .attribution import event_for_number
from .models import Call, CallPlan, CallTurn, Topic
from .plan import answer, prompts
from .tasks import finalize_call, page_on_call

log = logging.getLogger(__name__)

MAX_CALLER_TURNS = 4  # after this many caller turns we confirm what we have and close
FINAL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}
NAME_MAX_WORDS = 5
ANSWER_MAX_WORDS = 12


# Twilio voices and speech recognition per triage language: a caller heard in Spanish is answered with the
# plan's Spanish wording (where the owner approved it) in a Spanish voice, and listened to in Spanish.
VOICE_LANGUAGE = {"en": "en-US", "es": "es-MX"}


def gather_verb(seq: int, language: str = "en") -> Gather:
    action = reverse("calls:voice_gather") + f"?seq={seq}"
    return Gather(input="speech", action=action, method="POST", speech_timeout="auto",
                  language=VOICE_LANGUAGE.get(language, "en-US"))


def say(verb, line) -> None:
    """Say one line: a plain string (English) or (text, language) for wording in another language."""
    text, language = line if isinstance(line, tuple) else (line, "en")
    if language == "en":
        verb.say(text)
    else:
        verb.say(text, language=VOICE_LANGUAGE[language])


def spoken(given: dict):
    """An approved answer as a line to say, in the language its wording is in."""
    return (given["wording"], given["language"]) if given.get("language", "en") != "en" else given["wording"]


def text_of(line) -> str:
    return line[0] if isinstance(line, tuple) else line


def listen(response: VoiceResponse, seq: int, *lines, language: str = "en") -> VoiceResponse:
    """Say `lines` inside a speech gather; if the caller says nothing, come back without a SpeechResult."""
    gather = gather_verb(seq, language)
    for line in lines:
        say(gather, line)
    response.append(gather)
    response.redirect(reverse("calls:voice_gather") + f"?seq={seq}", method="POST")
    return response


def location_for_number(to_number: str) -> tuple[Location | None, object]:
    event = event_for_number(to_number)
    if event:
        return event.location, event
    location = Location.objects.filter(is_active=True, voice_number=to_number).first()
    if location is None:
        location = Location.objects.filter(is_active=True, phone=to_number).first()
    return location, None


def add_turn(call: Call, speaker: str, text: str, dedupe_key: str = "") -> CallTurn:
    seq = (call.turns.aggregate(n=Max("seq"))["n"] or 0) + 1
    return CallTurn.objects.create(call=call, seq=seq, speaker=speaker, text=text, dedupe_key=dedupe_key)


@twilio_webhook
def incoming(request):
    sid = request.POST.get("CallSid", "")
    to_number, from_number = request.POST.get("To", ""), request.POST.get("From", "")
    if not sid:
        return HttpResponse("CallSid missing.", status=400)
    location, event = location_for_number(to_number)
    if location is None:  # refused and logged, never filed under some location
        log.warning("Voice call to a number no location uses: %s", to_number)
        log_action(None, "twilio.call_refused", call_sid=sid[:64], to=to_number[:20],
                   reason="no location owns the number")
        response = VoiceResponse()
        response.say("Sorry, this number is not in service.")
        response.hangup()
        return twiml(response)
    with transaction.atomic():
        now = timezone.now()
        patient = intake.match_patient(location, from_number)
        call, created = Call.objects.get_or_create(
            channel=Call.Channel.TWILIO_VOICE, external_id=sid,
            defaults={
                "location": location, "from_number": from_number, "to_number": to_number, "started_at": now,
                "after_hours": not location.is_open(now), "event": event, "patient": patient,
                "caller_name": patient.full_name if patient else "",
                "plan_version": CallPlan.current_for(location),
            },
        )
        call = Call.objects.select_for_update().get(pk=call.pk)
        if created:
            greeting = answer(call.plan_version, Topic.GREETING, clinic=location.name)
            add_turn(call, "system", greeting["wording"])
            call.answers_given = [greeting]
            call.voice_state = {"greeting": greeting["wording"], "responses": {}}
            call.save(update_fields=["answers_given", "voice_state"])
        if call.status == Call.Status.COMPLETED:
            response = VoiceResponse()
            response.hangup()
            return twiml(response)
        return twiml(listen(VoiceResponse(), 1, call.voice_state["greeting"]))


def _dedupe_key(sid: str, speech: str, seq: int) -> str:
    return hashlib.sha256(f"{sid}\x1f{speech}\x1f{seq}".encode()).hexdigest()[:64]


def _close(call: Call, response: VoiceResponse, state: dict) -> None:
    window = call.fields.get("callback_window", "")
    language = state.get("language", "en")
    lines = []
    if window:
        confirm = answer(call.plan_version, Topic.CALLBACK_CONFIRMATION, clinic=call.location.name, window=window,
                         language=language)
        if confirm:
            lines.append(confirm)
    closing = answer(call.plan_version, Topic.CLOSING, clinic=call.location.name, language=language)
    lines.append(closing)
    for line in lines:
        say(response, spoken(line))
        add_turn(call, "system", line["wording"])
    call.answers_given = intake.merge_answers(call.answers_given, lines)
    response.hangup()
    call.status = Call.Status.COMPLETED
    call.ended_at = timezone.now()
    finalize_call.delay_on_commit(call.pk)


@twilio_webhook
def gather(request):
    sid = request.POST.get("CallSid", "")
    speech = " ".join(request.POST.get("SpeechResult", "").split())
    try:
        seq = int(request.GET.get("seq", ""))
    except ValueError:
        return HttpResponse("seq missing.", status=400)
    with transaction.atomic():
        call = (Call.objects.select_for_update(of=("self",)).select_related("location", "plan_version", "patient")
                .filter(channel=Call.Channel.TWILIO_VOICE, external_id=sid).first())
        if call is None:
            response = VoiceResponse()
            response.hangup()
            return twiml(response)
        state = call.voice_state or {"responses": {}}
        cached = state.get("responses", {}).get(str(seq))
        if cached:  # Twilio retried this very post: same answer, nothing stored twice
            return twiml(cached)
        if call.status == Call.Status.COMPLETED:
            response = VoiceResponse()
            response.hangup()
            return twiml(response)
        response = respond(call, state, sid=sid, speech=speech, seq=seq)
        state.setdefault("responses", {})[str(seq)] = str(response)
        call.voice_state = state
        call.save()
        return twiml(response)


def _record_check(call: Call, *, verified: bool, reason: str) -> None:
    call.fields = {**call.fields, "member_verified": verified, "member_check": reason}


def _check_date_of_birth(call: Call, state: dict, speech: str) -> str:
    """The caller's answer to the date-of-birth question. Returns the retry prompt, or "" when decided."""
    heard = intake.triage_call_text(call.location, [speech], now=call.started_at).fields.get("dates_mentioned", [])
    if members_bridge.check_caller(call, speech, heard):
        _record_check(call, verified=True, reason="number on file and date of birth match")
        return ""
    state["dob_failures"] = state.get("dob_failures", 0) + 1
    if state["dob_failures"] < 2:
        return prompts(state.get("language", "en"))["date_of_birth_retry"]
    _record_check(call, verified=False, reason="date of birth did not match")
    return ""


def _member_gate(call: Call) -> str:
    """"ask" when a member question needs the caller verified first; "unverified" when they cannot be."""
    if "member_verified" in call.fields or not members_bridge.member_question(call):
        return ""
    if members_bridge.exception(call.fields, call.matches):
        return ""  # refund, transfer, pause, waiver: staff decide, no figure is said
    reason = members_bridge.unverified_reason(call)
    if reason:
        _record_check(call, verified=False, reason=reason)
        return "unverified"
    return "ask"


def _prompt(state: dict, key: str):
    """A fixed prompt as a line to say, in the caller's language."""
    language = state.get("language", "en")
    text = prompts(language)[key]
    return (text, language) if language != "en" else text


def respond(call: Call, state: dict, *, sid: str, speech: str, seq: int) -> VoiceResponse:
    response = VoiceResponse()
    awaiting = state.pop("awaiting", "")
    PROMPT = lambda key: _prompt(state, key)  # noqa: E731
    if not speech:
        state["silences"] = state.get("silences", 0) + 1
        if state["silences"] > 1 or seq > MAX_CALLER_TURNS + 2:
            _close(call, response, state)
            return response
        prompt = PROMPT("date_of_birth") if awaiting == "date_of_birth" else PROMPT("reprompt")
        add_turn(call, "system", text_of(prompt))
        state["awaiting"] = awaiting
        return listen(response, seq + 1, prompt, language=state.get("language", "en"))

    if awaiting == "date_of_birth":
        # The date itself is never stored or triaged: it only goes to the clinic's caller check.
        add_turn(call, "caller", members_bridge.DOB_TURN_TEXT, dedupe_key=_dedupe_key(sid, speech, seq))
        retry = _check_date_of_birth(call, state, speech)
        if retry:
            add_turn(call, "system", retry)
            state["awaiting"] = "date_of_birth"
            language = state.get("language", "en")
            return listen(response, seq + 1, (retry, language) if language != "en" else retry, language=language)
    else:
        add_turn(call, "caller", speech, dedupe_key=_dedupe_key(sid, speech, seq))
        result = intake.triage_call_text(call.location, intake.triaged_texts(call), now=call.started_at)
        # The caller's answer to the question we just asked is recorded in their own words.
        stated = state.setdefault("stated", {})
        if awaiting == "callback_window" and len(speech.split()) <= ANSWER_MAX_WORDS:
            stated["callback_window"] = speech.rstrip(".")[:120]
        if awaiting == "caller_name" and not result.fields.get("caller_name") and len(speech.split()) <= NAME_MAX_WORDS:
            stated["caller_name"] = speech.rstrip(".")[:160]
        intake.apply_triage(call, result, direct_fields=stated)
        call.save()
        if result.fields.get("language") == "es":
            state["language"] = "es"  # heard in Spanish: answer and listen in Spanish from here on
    language = state.get("language", "en")

    if call.is_safety:
        handoff = intake.escalate(call)  # the urgent handoff exists before Twilio hears our answer
        emergency = answer(call.plan_version, Topic.EMERGENCY, clinic=call.location.name, language=language)
        say(response, spoken(emergency))
        add_turn(call, "system", emergency["wording"])
        if call.location.on_call_number:
            action = reverse("calls:voice_on_call") + f"?handoff={handoff.pk}"
            dial(response, str(call.location.on_call_number), caller_id=call.to_number, action=action)
        else:
            on_call_not_reached(handoff, "No on-call number is set for this location.")
            response.hangup()
        state["safety_handoff"] = handoff.pk
        call.status = Call.Status.COMPLETED
        finalize_call.delay_on_commit(call.pk)
        return response

    gate = _member_gate(call)
    plan = intake.plan_answers(call)  # figures fill the wording only once the caller is verified
    new = [a for a in plan.answers if a["topic"] not in {g["topic"] for g in call.answers_given}]
    lines = [spoken(a) for a in new]
    call.answers_given = intake.merge_answers(call.answers_given, new)
    stated_figures = {k: v for a in new for k, v in a.get("figures", {}).items()}
    if stated_figures:
        call.fields = {**call.fields, "member_figures_stated": {
            **call.fields.get("member_figures_stated", {}), **stated_figures}}
    if gate == "ask":
        lines.append(PROMPT("date_of_birth"))
        state["awaiting"] = "date_of_birth"
        for line in lines:
            add_turn(call, "system", text_of(line))
        return listen(response, seq + 1, *lines, language=language)
    if call.fields.get("member_verified") is False and not state.get("member_callback"):
        lines.append(PROMPT("member_callback"))
        state["member_callback"] = state["noted_for_staff"] = True
        # The member_support handoff exists now, not only when the call ends.
        call.not_promised = plan.not_promised
        call.summary = intake.summarize(call)
        call.save()
        intake.ensure_handoff(call)
    if plan.not_promised and not state.get("noted_for_staff"):
        lines.append(PROMPT("staff_follow_up"))
        state["noted_for_staff"] = True
    missing = [k for k in ("caller_name", "callback_window")
               if not (call.caller_name if k == "caller_name" else call.fields.get(k))]
    caller_turns = call.turns.filter(speaker="caller").exclude(text=members_bridge.DOB_TURN_TEXT).count()
    if missing and caller_turns < MAX_CALLER_TURNS:
        lines.append(PROMPT(missing[0]))
        state["awaiting"] = missing[0]
        for line in lines:
            add_turn(call, "system", text_of(line))
        return listen(response, seq + 1, *lines, language=language)
    for line in lines:
        say(response, line)
        add_turn(call, "system", text_of(line))
    _close(call, response, state)
    return response


@twilio_webhook
def status(request):
    sid = request.POST.get("CallSid", "")
    call_status = request.POST.get("CallStatus", "")
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(channel=Call.Channel.TWILIO_VOICE, external_id=sid).first()
        if call is not None and call_status in FINAL_STATUSES:
            changed = []
            if call.ended_at is None:
                call.ended_at = timezone.now()
                changed.append("ended_at")
            if call.status != Call.Status.COMPLETED:
                call.status = Call.Status.COMPLETED
                changed.append("status")
            if changed:
                call.save(update_fields=changed)
            if call.finalized_at is None:
                finalize_call.delay_on_commit(call.pk)
    return HttpResponse(status=204)


def on_call_not_reached(handoff: Handoff, why: str, dial_status: str = "") -> bool:
    """Mark the safety item "on-call not reached" and page the on-call number once (on commit)."""
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    on_call = (handoff.context or {}).get("on_call") or {}
    if on_call.get("status") == "not reached":
        return False
    handoff.context = {**(handoff.context or {}), "on_call": {
        "status": "not reached", "why": why, "dial_status": dial_status, "at": timezone.now().isoformat()}}
    handoff.reasons = [*handoff.reasons, "On-call not reached"]
    handoff.save(update_fields=["context", "reasons", "priority"])
    log_action(None, "call.on_call_not_reached", handoff, location=handoff.location, why=why)
    if handoff.location.on_call_number:
        page_on_call.delay_on_commit(handoff.pk)
    return True


@twilio_webhook
def on_call(request):
    """The safety <Dial>'s action: Twilio posts DialCallStatus when the on-call leg ends (or never started)."""
    dial_status = request.POST.get("DialCallStatus", "")
    try:
        handoff_id = int(request.GET.get("handoff", ""))
    except ValueError:
        return HttpResponse("handoff missing.", status=400)
    sid = request.POST.get("CallSid", "")
    with transaction.atomic():
        handoff = (Handoff.objects.select_related("location").filter(
            pk=handoff_id, context__call_id__isnull=False).first())
        call = Call.objects.filter(channel=Call.Channel.TWILIO_VOICE, external_id=sid).first()
        if handoff is None or call is None or handoff.context.get("call_id") != call.pk:
            return twiml(hangup())
        if dial_answered(dial_status):
            log_action(None, "call.on_call_reached", handoff, location=handoff.location)
            return twiml(hangup())
        on_call_not_reached(handoff, f"The on-call phone was not answered ({dial_status or 'no status'}).",
                            dial_status)
        language = (call.voice_state or {}).get("language", "en")
        response = VoiceResponse()
        say(response, _prompt({"language": language}, "on_call_unreached"))
        emergency = answer(call.plan_version, Topic.EMERGENCY, clinic=call.location.name, language=language)
        say(response, spoken(emergency))
        response.hangup()
        return twiml(response)
