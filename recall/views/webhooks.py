"""Twilio SMS webhooks: signature-checked, idempotent on MessageSid, answer fast, work in Celery."""

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from medspa.phones import normalize_phone
from medspa.twilio.webhooks import twilio_webhook

from ..models import InboundMessage, Touch

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twiml_ok() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@twilio_webhook
def sms_status(request):
    """Delivery status callback: moves a touch forward only (queued < sending < sent < delivered)."""
    from ..inbound import apply_status
    from ..tasks import apply_status as apply_status_task

    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    code = request.POST.get("ErrorCode", "")
    if sid and not apply_status(sid, status, code) and not Touch.objects.filter(provider_sid=sid).exists():
        # The callback can beat our own write of the sid: look again shortly, once.
        apply_status_task.apply_async((sid, status, code), countdown=30)
    return twiml_ok()


@twilio_webhook
def sms_inbound(request):
    from ..tasks import process_inbound

    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    if not sid:
        return twiml_ok()
    sender = normalize_phone(request.POST.get("From", "")) or request.POST.get("From", "")[:20]
    try:
        with transaction.atomic():
            message, created = InboundMessage.objects.get_or_create(
                message_sid=sid,
                defaults={"from_number": sender, "to_number": request.POST.get("To", "")[:20],
                          "body": request.POST.get("Body", "")[:1600]},
            )
            if created:
                transaction.on_commit(lambda: process_inbound.delay(message.pk))
    except IntegrityError:  # a concurrent retry stored it first
        pass
    return twiml_ok()
