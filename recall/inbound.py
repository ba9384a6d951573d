"""Inbound texts and delivery callbacks, processed in Celery after the webhook answered 200.

Keywords follow the carriers' rules: STOP-family words opt the number out everywhere with one
confirmation; START/UNSTOP opt back in; YES opts back in only when the number is currently opted
out (otherwise "yes" answers a reminder and goes to the front desk); HELP/INFO answer with the
clinic's name and phone. Anything else goes through the triage engine into the inbox, carrying the
patient's treatment history and the touch that prompted the reply.

A reply that triages as a safety escalation (a current symptom after a treatment) is an URGENT inbox item
at once and gets the clinic's approved emergency wording back (the call plan's emergency script, in Spanish
when the text is Spanish and the plan has Spanish wording): never reassurance, and at most one emergency
reply per conversation (patient number + clinic number) per 24 hours.  Inbound texts are processed on their
own Celery queue (``inbound``, settings.CELERY_TASK_ROUTES) by their own worker (Procfile ``inbound``), so
they never wait behind queued recall sends.
"""

import logging
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from calls.models import CallPlan, Topic  # the call plan owns the approved wording (emergency script)
from calls.plan import answer
from medspa.models import Handoff, Location, Patient, Provider, Service
from medspa.routes import Route
from medspa.sms import SmsError, send_sms
from medspa.triage import triage

from .models import InboundMessage, Touch
from .models.outbox import FINAL_STATUSES, STATUS_RANK

log = logging.getLogger(__name__)

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out", "stop all"}
START_WORDS = {"start", "unstop"}
YES_WORDS = {"yes", "y"}
HELP_WORDS = {"help", "info"}
STOP_PHRASES = re.compile(
    r"\b(stop|quit|no more)\s+(texting|texts|messaging|messages|sending|contacting|these|this)\b"
    r"|\b(please|pls|plz)\s+stop\b|\bstop\s+(please|pls|plz|now)\b|\bunsubscribe\b|\bopt[\s-]?out\b"
    r"|\b(don'?t|do not|never)\s+(text|message|contact)\s+me\b|\bremove me\b|\btake me off\b",
    re.IGNORECASE,
)
REPLY_WINDOW = timedelta(days=30)
EMERGENCY_REPLY_EVERY = timedelta(hours=24)
CALLBACK_STATUS = {"accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "sending",
                   "sent": "sent", "delivered": "delivered", "read": "delivered", "undelivered": "undelivered",
                   "failed": "failed"}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'-]", " ", text or "")).strip().lower()


def classify(text: str, *, opted_out: bool) -> str:
    words = normalise(text)
    if words in STOP_WORDS or STOP_PHRASES.search(text or ""):
        return InboundMessage.Kind.STOP
    if words in START_WORDS or (opted_out and words in YES_WORDS):
        return InboundMessage.Kind.START
    if words in HELP_WORDS:
        return InboundMessage.Kind.HELP
    return InboundMessage.Kind.REPLY


def apply_status(sid: str, status: str, error_code: str = "") -> int:
    """Move a touch forward (queued < sending < sent < delivered | undelivered | failed); never back."""
    new = CALLBACK_STATUS.get((status or "").lower())
    if not sid or new is None:
        return 0
    earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[new]]
    fields = {"status": new}
    if new == "delivered":
        fields["delivered_at"] = timezone.now()
    if new in ("undelivered", "failed") and str(error_code).isdigit():
        fields["error_code"] = int(error_code)
        fields["last_error"] = f"Carrier reported {new} (error {error_code})."
    return (Touch.objects.filter(provider_sid=sid, status__in=earlier).exclude(status__in=FINAL_STATUSES)
            .update(**fields))


def find_patients(phone: str, to_number: str):
    patients = list(Patient.objects.filter(phone=phone).select_related("location"))
    patients.sort(key=lambda p: (str(p.location.sms_number) != to_number, -p.pk))
    return patients


def prompting_touch(phone: str, now):
    return (Touch.objects.filter(to=phone, channel=Touch.Channel.SMS, sent_at__gte=now - REPLY_WINDOW,
                                 sent_at__lte=now)
            .exclude(status__in=["failed", "undelivered", "cancelled"])
            .select_related("patient__location", "service").order_by("-sent_at").first())


def process(message_id: int) -> str:
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.processed_at is None:
            handle(message)
            message.processed_at = timezone.now()
            message.save()
    send_reply(message_id)
    return message.kind


def handle(message: InboundMessage) -> None:
    now = timezone.now()
    patients = find_patients(message.from_number, message.to_number)
    touch = prompting_touch(message.from_number, now)
    patient = touch.patient if touch else (patients[0] if patients else None)
    location = (patient.location if patient else
                Location.objects.filter(sms_number=message.to_number).first() or Location.objects.first())
    opted_out = any(p.sms_opted_out_at for p in patients)
    message.kind = classify(message.body, opted_out=opted_out)
    message.patient, message.touch = patient, touch
    clinic = location.name if location else "the clinic"
    if message.kind == InboundMessage.Kind.STOP:
        Patient.opt_out_phone(message.from_number, source="sms_keyword", note=message.body[:200])  # re-plans (signals)
        message.reply_body = (f"{clinic}: you're unsubscribed and will get no more texts from us. "
                              "Reply START to opt back in.")
    elif message.kind == InboundMessage.Kind.START:
        Patient.opt_in_phone(message.from_number, source="sms_keyword", note=message.body[:200])  # re-plans (signals)
        message.reply_body = f"{clinic}: you're opted back in to texts. Reply STOP to opt out, HELP for help."
    elif message.kind == InboundMessage.Kind.HELP:
        phone = location.phone.as_national if location and location.phone else "the front desk"
        message.reply_body = f"{clinic}: call us at {phone} for help. Reply STOP to opt out."
    elif location is not None:
        message.handoff = open_reply_handoff(message, patient, location, touch)
        if message.handoff.route == Route.SAFETY_ESCALATION:
            message.reply_body = emergency_reply(message, location, now)


def open_reply_handoff(message: InboundMessage, patient, location, touch) -> Handoff:
    result = run_triage(message.body, location)
    route = result.get("route") or Route.REBOOKING
    if route == Route.BOOKING and touch is not None:
        route = Route.REBOOKING  # an existing patient answering a recall reminder
    name = patient.full_name if patient else ""
    service = touch.service if touch else None
    context = {"message": message.body, "fields": result.get("fields") or {}}
    if service:
        context["service"] = service.name
    return Handoff.objects.open_for(
        patient, route, Handoff.Source.SMS, location=location, touch=touch, context=context,
        title=f"Text reply from {name or message.from_number}",
        summary=message.body[:500], reasons=result.get("reasons") or [],
        caller_name=name, caller_phone=message.from_number,
        value=service.typical_value if service else 0,
    )


def emergency_reply(message: InboundMessage, location, now) -> str:
    """The clinic's approved emergency wording for this texter, or "" if this conversation already got it
    in the last 24 hours."""
    already = (InboundMessage.objects.filter(from_number=message.from_number, to_number=message.to_number,
                                             received_at__gte=now - EMERGENCY_REPLY_EVERY,
                                             handoff__route=Route.SAFETY_ESCALATION)
               .exclude(pk=message.pk).exclude(reply_body="").exists())
    if already:
        return ""
    language = (message.handoff.context.get("fields") or {}).get("language", "en")
    given = answer(CallPlan.current_for(location), Topic.EMERGENCY, clinic=location.name, language=language)
    return given["wording"] if given else ""


def run_triage(text: str, location) -> dict:
    catalog = [(s.name, s.aliases or []) for s in Service.objects.all()]
    providers = Provider.objects.filter(locations=location, is_active=True).values_list("name", flat=True)
    return triage(text, tz=location.time_zone, catalog=catalog, providers=list(providers)).to_dict()


def send_reply(message_id: int) -> None:
    """Send the keyword confirmation at most once, whatever retries happen."""
    claimed = (InboundMessage.objects.filter(pk=message_id, reply_claimed_at__isnull=True).exclude(reply_body="")
               .update(reply_claimed_at=timezone.now()))
    if claimed != 1:
        return
    message = InboundMessage.objects.get(pk=message_id)
    try:
        sent = send_sms(to=message.from_number, body=message.reply_body, from_=message.to_number or None)
    except SmsError:
        log.exception("Reply to inbound %s failed (not retried: at most once)", message_id)
        return
    InboundMessage.objects.filter(pk=message_id).update(reply_sid=sent.sid)
