"""Inbound texts and delivery callbacks, processed in Celery after the webhook answered 200.

What a text asks for is read by `medspa.twilio.keywords` (Twilio's keywords and OptOutType, Spanish,
plain-language revocations; an ambiguous one opts out and asks staff to confirm). STOP opts the number
out everywhere; START opts back in; HELP answers with the clinic's name and phone. The app confirms a
keyword only where Twilio did not already answer it (settings.TWILIO_KEYWORD_REPLIES), and at most
once. Anything else goes through the triage engine into the inbox, carrying the patient's treatment
history, the touch that prompted the reply and any photos (a photo soon after a treatment goes to a
person as a safety escalation, like a symptom).

A reply that triages as a safety escalation (a current symptom after a treatment) is an URGENT inbox item
at once and gets the clinic's approved emergency wording back (the call plan's emergency script, in Spanish
when the text is Spanish and the plan has Spanish wording): never reassurance, and at most one emergency
reply per conversation (patient number + clinic number) per 24 hours.  Inbound texts are processed on their
own Celery queue (``inbound``, settings.CELERY_TASK_ROUTES) by their own worker (Procfile ``inbound``), so
they never wait behind queued recall sends.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calls.models import CallPlan, Topic  # the call plan owns the approved wording (emergency script)
from calls.plan import answer
from medspa.models import Handoff, Location, Patient, Provider, Service, Visit
from medspa.routes import Route
from medspa.triage import triage
from medspa.twilio import media as twilio_media
from medspa.twilio.errors import ErrorClass
from medspa.twilio.keywords import HELP, START, STOP, Keyword, read_keyword
from medspa.twilio.status import parse_status
from medspa.twilio.transport import SmsError, send_sms
from medspa.twilio.webhooks import Media

from .dispatch import apply_recipient_rule
from .models import InboundMessage, Touch
from .models.outbox import FINAL_STATUSES, STATUS_RANK

log = logging.getLogger(__name__)

REPLY_WINDOW = timedelta(days=30)
EMERGENCY_REPLY_EVERY = timedelta(hours=24)
# A photo this soon after a completed treatment is read like a symptom report: a person looks now.
PHOTO_AFTER_TREATMENT = timedelta(days=14)
CLINICAL_ROUTES = (Route.SAFETY_ESCALATION, Route.PROVIDER_REVIEW)


def apply_status(sid: str, status: str, error_code: str = "") -> int:
    """Move a touch forward (queued < sending < sent < delivered | undelivered | failed | cancelled); never back.

    A failure's ErrorCode gets the same treatment as a send error (the policy table in medspa.twilio.errors).
    """
    update = parse_status(sid, status, error_code)
    if not update.sid or update.status is None:
        return 0
    earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[update.status]]
    fields = {"status": update.status}
    if update.status == "delivered":
        fields["delivered_at"] = timezone.now()
    if update.failed and update.error_code is not None:
        fields["error_code"] = update.error_code
        fields["last_error"] = (f"Carrier reported {update.status} (error {update.error_code}): "
                                f"{update.rule.reason}")[:250]
    with transaction.atomic():
        # The message's lead carries the sid; the touches sent as part of it (Touch.message) follow it.
        lead = Touch.objects.filter(provider_sid=update.sid).values("pk")
        changed = (Touch.objects.filter(Q(pk__in=lead) | Q(message_id__in=lead), status__in=earlier)
                   .exclude(status__in=FINAL_STATUSES).update(**fields))
        if changed and update.rule is not None and update.rule.error_class != ErrorClass.TRANSIENT:
            touch = Touch.objects.select_related("patient__location").get(provider_sid=update.sid)
            apply_recipient_rule(touch, update.rule, update.error_code, timezone.now())
    return changed


def find_patients(phone: str, to_number: str):
    patients = list(Patient.objects.filter(phone=phone).select_related("location"))
    patients.sort(key=lambda p: (str(p.location.sms_number) != to_number, -p.pk))
    return patients


def prompting_touch(phone: str, now):
    return (Touch.objects.filter(to=phone, channel=Touch.Channel.SMS, sent_at__gte=now - REPLY_WINDOW,
                                 sent_at__lte=now)
            .exclude(status__in=["failed", "undelivered", "cancelled"])
            .select_related("patient__location", "service").order_by("-sent_at").first())


def location_for(message: InboundMessage, patient) -> Location | None:
    """The patient's location; else the one location that owns the number texted; else none (not filed)."""
    if patient is not None:
        return patient.location
    owners = list(Location.objects.filter(is_active=True, sms_number=message.to_number)[:2])
    if len(owners) == 1:
        return owners[0]
    active = list(Location.objects.filter(is_active=True)[:2])
    return active[0] if len(active) == 1 and message.to_number == settings.TWILIO_DEFAULT_FROM else None


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


def app_replies(keyword: Keyword) -> bool:
    """Never two replies: Advanced Opt-Out (OptOutType) always answered; Twilio's standard keywords too,
    unless the clinic turned Twilio's replies off (TWILIO_KEYWORD_REPLIES="app")."""
    if keyword.source == "optouttype":
        return False
    return keyword.source == "app" or settings.TWILIO_KEYWORD_REPLIES == "app"


def handle(message: InboundMessage) -> None:
    now = timezone.now()
    patients = find_patients(message.from_number, message.to_number)
    touch = prompting_touch(message.from_number, now)
    patient = touch.patient if touch else (patients[0] if patients else None)
    location = location_for(message, patient)
    opted_out = any(p.sms_opted_out_at for p in patients)
    keyword = read_keyword(message.body, opt_out_type=message.opt_out_type, opted_out=opted_out)
    message.kind = keyword.kind
    message.patient, message.touch = patient, touch
    clinic = location.name if location else "the clinic"
    reply = ""
    if keyword.kind == STOP:  # opting out and in re-plans the patient's schedules (signals)
        Patient.opt_out_phone(message.from_number, source=f"sms_{keyword.source}", note=message.body[:200])
        reply = (f"{clinic}: you're unsubscribed and will get no more texts from us. "
                 "Reply START to opt back in.")
        if location is not None and (keyword.ambiguous or keyword.source == "app" or message.media):
            message.handoff = open_opt_out_handoff(message, patient, location, touch, keyword)
    elif keyword.kind == START:
        Patient.opt_in_phone(message.from_number, source=f"sms_{keyword.source}", note=message.body[:200])
        reply = f"{clinic}: you're opted back in to texts. Reply STOP to opt out, HELP for help."
    elif keyword.kind == HELP:
        phone = location.phone.as_national if location and location.phone else "the front desk"
        reply = f"{clinic}: call us at {phone} for help. Reply STOP to opt out."
    elif location is not None:
        message.handoff = open_reply_handoff(message, patient, location, touch)
        if message.handoff.route == Route.SAFETY_ESCALATION:
            reply = emergency_reply(message, location, now)
    else:
        log.warning("Inbound SMS %s from an unknown sender to a shared number: not filed", message.message_sid)
    if reply and app_replies(keyword):
        message.reply_body = reply


def open_opt_out_handoff(message, patient, location, touch, keyword: Keyword) -> Handoff | None:
    """A plain-language opt-out still gets a person when it says something clinical or is ambiguous."""
    result = run_triage(message.body, location)
    if result.get("route") in CLINICAL_ROUTES or message.media:
        return open_reply_handoff(message, patient, location, touch, result=result,
                                  note="The patient was opted out of texts by this message; reply by phone.")
    if not keyword.ambiguous:
        return None
    name = patient.full_name if patient else ""
    return Handoff.objects.open_for(
        patient, Route.STAFF_REVIEW, Handoff.Source.SMS, location=location,
        title=f"Confirm opt-out: {name or message.from_number}",
        summary=(f"“{message.body[:300]}” was read as an opt-out, so texts have stopped. If that is not what "
                 "the patient meant, call them; they can reply START to get texts again."),
        reasons=[f"Possible opt-out: {keyword.matched}"], caller_name=name, caller_phone=message.from_number,
        context={"message": message.body, "opt_out": {"matched": keyword.matched, "ambiguous": True}},
    )


def recent_treatment(patient, now) -> Visit | None:
    if patient is None:
        return None
    return (Visit.objects.filter(patient=patient, status=Visit.Status.COMPLETED,
                                 starts_at__gte=now - PHOTO_AFTER_TREATMENT, starts_at__lte=now)
            .select_related("service").order_by("-starts_at").first())


def open_reply_handoff(message: InboundMessage, patient, location, touch, *, result: dict | None = None,
                       note: str = "") -> Handoff:
    result = result or run_triage(message.body, location)
    route = result.get("route") or Route.REBOOKING
    if route == Route.BOOKING and touch is not None:
        route = Route.REBOOKING  # an existing patient answering a recall reminder
    reasons = list(result.get("reasons") or [])
    name = patient.full_name if patient else ""
    service = touch.service if touch else None
    context = {"message": message.body, "fields": result.get("fields") or {}}
    if service:
        context["service"] = service.name
    if message.media:
        visit = recent_treatment(patient, timezone.now())
        if visit is not None:  # the photo may be the complication itself: a person looks now
            route = Route.SAFETY_ESCALATION
            days = (timezone.now() - visit.starts_at).days
            reasons.append(f"Photo sent {days} day(s) after {visit.service.name}")
        elif route not in CLINICAL_ROUTES:
            route = Route.PROVIDER_REVIEW
            reasons.append("Photo sent by text")
        context["media_count"] = len(message.media)
    if note:
        context["note"] = note
    kind = "Photo" if message.media and not message.body.strip() else "Text reply"
    handoff = Handoff.objects.open_for(
        patient, route, Handoff.Source.SMS, location=location, touch=touch, context=context,
        title=f"{kind} from {name or message.from_number}",
        summary=(message.body[:500] or f"{len(message.media)} photo(s), no text"), reasons=reasons,
        caller_name=name, caller_phone=message.from_number,
        value=service.typical_value if service else 0,
    )
    if message.media:
        twilio_media.store(location=location, handoff=handoff, message_sid=message.message_sid,
                           media=[Media(url=m["url"], content_type=m.get("content_type", "")) for m in message.media])
    return handoff


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
