"""Inbound Twilio webhooks: verified before anything is read or stored, then parsed in one place.

`twilio_webhook` checks the X-Twilio-Signature (against PUBLIC_BASE_URL + path, so it is right behind
a TLS proxy) AND that `AccountSid` is ours: a forged or foreign request gets 403 and leaves no trace.
`parse_inbound_sms` turns the form into an `InboundSms` (E.164 sender, body, OptOutType, media) or
raises BadWebhook for a malformed sender.
"""

import logging
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from ..phones import normalize_phone

log = logging.getLogger(__name__)
MAX_MEDIA = 10  # Twilio delivers at most 10 media per MMS


class BadWebhook(ValueError):
    """A signed request we still cannot accept (malformed sender)."""


def signed_url_candidates(request) -> set[str]:
    """URLs Twilio may have signed: the public origin (behind a TLS proxy) or the one we received."""
    return {settings.PUBLIC_BASE_URL + request.get_full_path(), request.build_absolute_uri()}


def is_valid_twilio_request(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return any(validator.validate(url, request.POST, signature) for url in signed_url_candidates(request))


def is_our_account(request) -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID) and request.POST.get("AccountSid", "") == settings.TWILIO_ACCOUNT_SID


def twilio_webhook(view):
    """csrf_exempt + POST only + X-Twilio-Signature + our AccountSid; otherwise 403 and no trace."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_valid_twilio_request(request):
            log.warning("Rejected Twilio webhook with a bad signature: %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        if not is_our_account(request):
            log.warning("Rejected Twilio webhook for another account (%r): %s",
                        request.POST.get("AccountSid", "")[:40], request.path)
            return HttpResponseForbidden("Unknown AccountSid.")
        return view(request, *args, **kwargs)

    return wrapper


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twiml_ok() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class InboundSms:
    sid: str
    sender: str  # E.164
    to: str  # E.164 or "" when not a phone number
    body: str
    opt_out_type: str = ""
    media: list[Media] = field(default_factory=list)


def parse_inbound_sms(post) -> InboundSms:
    sid = (post.get("MessageSid") or post.get("SmsSid") or "").strip()
    if not sid:
        raise BadWebhook("MessageSid is missing.")
    sender = normalize_phone(post.get("From", ""))
    if not sender:
        raise BadWebhook(f"The sender {post.get('From', '')[:30]!r} is not a phone number.")
    try:
        count = min(int(post.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    media = [Media(url=post[f"MediaUrl{i}"], content_type=post.get(f"MediaContentType{i}", "")[:100])
             for i in range(count) if post.get(f"MediaUrl{i}")]
    return InboundSms(sid=sid[:64], sender=sender, to=normalize_phone(post.get("To", "")) or "",
                      body=post.get("Body", "")[:1600], opt_out_type=post.get("OptOutType", "")[:10], media=media)
