"""Paging the on-call provider by text when a safety call's <Dial> went unanswered.

The page carries no patient details, only the clinic and a link to the inbox item (login required).
It is sent at most once per item: the claim is written before the request to Twilio.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medspa.models import Handoff, log_action
from medspa.twilio.transport import SmsError, send_sms

log = logging.getLogger(__name__)


def page(handoff_id: int) -> str:
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().select_related("location").filter(pk=handoff_id).first()
        if handoff is None or not handoff.location.on_call_number:
            return "no on-call number"
        on_call = dict((handoff.context or {}).get("on_call") or {})
        if on_call.get("paged_at"):
            return "already paged"
        on_call["paged_at"] = timezone.now().isoformat()
        handoff.context = {**handoff.context, "on_call": on_call}
        handoff.save(update_fields=["context", "priority"])
    link = settings.PUBLIC_BASE_URL + reverse("inbox_item", args=[handoff.pk])
    body = (f"URGENT {handoff.location.name}: a safety call reached no one on the on-call phone. "
            f"Call the patient now: {link}")
    try:
        sent = send_sms(to=str(handoff.location.on_call_number), body=body,
                        from_=str(handoff.location.sms_number or "") or None)
    except SmsError as exc:
        log.error("On-call page for handoff %s failed: %s", handoff_id, exc)
        _note(handoff_id, page_error=str(exc)[:200])
        return "failed"
    _note(handoff_id, page_sid=sent.sid)
    log_action(None, "call.on_call_paged", handoff, location=handoff.location, sid=sent.sid)
    return "paged"


@transaction.atomic
def _note(handoff_id: int, **fields) -> None:
    handoff = Handoff.objects.select_for_update().get(pk=handoff_id)
    handoff.context = {**handoff.context, "on_call": {**(handoff.context.get("on_call") or {}), **fields}}
    handoff.save(update_fields=["context", "priority"])
