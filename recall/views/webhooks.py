"""Twilio SMS webhooks: verified and parsed by medspa.twilio, idempotent on MessageSid, work in Celery."""

import logging

from django.db import transaction
from django.db.transaction import non_atomic_requests
from django.http import HttpResponse

from medspa.models import Patient, log_action
from medspa.twilio.keywords import STOP, read_keyword
from medspa.twilio.webhooks import BadWebhook, parse_inbound_sms, twilio_webhook, twiml_ok

from ..inbound import apply_status
from ..inbound_store import is_our_number, store_inbound
from ..models import Touch
from ..queue import hand_off_inbound
from ..tasks import apply_status as apply_status_task

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


@non_atomic_requests  # autocommit: the one INSERT commits itself; no BEGIN/SAVEPOINT/COMMIT around it
@twilio_webhook
def sms_inbound(request):
    """Signature (decorator), ONE statement (store the text unless already stored or not to our number),
    hand-off to the inbound queue. Everything else happens in `recall.tasks.process_inbound`."""
    try:
        sms = parse_inbound_sms(request.POST)
    except BadWebhook as exc:
        log.warning("Rejected inbound SMS: %s", exc)
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    message_id = store_inbound(sms)
    if message_id is not None:
        # Runs at once in autocommit; if the broker is down the row waits for the sweep (requeue_inbound).
        transaction.on_commit(lambda: hand_off_inbound(message_id))
    elif not is_our_number(sms.to):  # nothing stored: a retry of a stored text, or a number no location owns
        refuse_unowned(sms)
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
