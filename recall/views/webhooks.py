"""Twilio SMS webhooks: verified and parsed by medspa.twilio, idempotent on MessageSid, work in Celery."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse

from medspa.models import Location, Patient, log_action
from medspa.twilio.keywords import STOP, read_keyword
from medspa.twilio.webhooks import BadWebhook, parse_inbound_sms, twilio_webhook, twiml_ok

from ..inbound import apply_status
from ..models import InboundMessage, Touch
from ..tasks import apply_status as apply_status_task
from ..tasks import process_inbound

log = logging.getLogger(__name__)


@twilio_webhook
def sms_status(request):
    """Delivery status callback: moves a touch forward only (queued < sending < sent < delivered)."""
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    code = request.POST.get("ErrorCode", "")
    if sid and not apply_status(sid, status, code) and not Touch.objects.filter(provider_sid=sid).exists():
        # The callback can beat our own write of the sid: look again shortly, once.
        apply_status_task.apply_async((sid, status, code), countdown=30)
    return twiml_ok()


def is_our_number(number: str) -> bool:
    return bool(number) and (number == settings.TWILIO_DEFAULT_FROM
                             or Location.objects.filter(is_active=True, sms_number=number).exists())


@twilio_webhook
def sms_inbound(request):
    try:
        sms = parse_inbound_sms(request.POST)
    except BadWebhook as exc:
        log.warning("Rejected inbound SMS: %s", exc)
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    if not is_our_number(sms.to):
        refuse_unowned(sms)
        return twiml_ok()
    try:
        with transaction.atomic():
            message, created = InboundMessage.objects.get_or_create(
                message_sid=sms.sid,
                defaults={"from_number": sms.sender, "to_number": sms.to, "body": sms.body,
                          "opt_out_type": sms.opt_out_type,
                          "media": [{"url": m.url, "content_type": m.content_type} for m in sms.media]},
            )
            if created:
                transaction.on_commit(lambda: process_inbound.delay(message.pk))
    except IntegrityError:  # a concurrent retry stored it first
        pass
    return twiml_ok()


def refuse_unowned(sms) -> None:
    """A text to a number no location owns: filed nowhere, logged; an opt-out is still honoured (no reply)."""
    keyword = read_keyword(sms.body, opt_out_type=sms.opt_out_type)
    log.warning("Refused inbound SMS %s to %s, a number no location owns", sms.sid, sms.to or "(none)")
    if keyword.kind == STOP:  # re-plans the patient's schedules (signals)
        Patient.opt_out_phone(sms.sender, source="sms_unowned_number",
                              note=f"Texted {keyword.matched!r} to {sms.to}, a number no location owns")
    log_action(None, "twilio.sms_refused", sid=sms.sid, to=sms.to, sender="…" + sms.sender[-4:],
               reason="no location owns the number", opted_out=keyword.kind == STOP)
