"""Inbound Twilio webhooks: verified before anything is read or stored, then parsed in one place.

`twilio_webhook` checks the X-Twilio-Signature (against PUBLIC_BASE_URL + path, so it is right behind
a TLS proxy) AND that `AccountSid` is ours: a forged or foreign request gets 403 and leaves no trace.
`parse_inbound_sms` turns the form into an `InboundSms` (E.164 sender, body, OptOutType, media) or
raises BadWebhook for a malformed sender.
Work is bounded whatever is posted: a body over MAX_WEBHOOK_BYTES is refused (413) before it is parsed or
hashed, a text over 1,600 characters is cut (logged), at most MAX_MEDIA media are read.
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
MAX_BODY_CHARS = 1600  # Twilio's limit for one (concatenated) message
MAX_MEDIA_URL_CHARS = 2000
# The largest form Twilio sends (1,600 four-byte characters percent-encoded, 10 media URLs, the rest) is about
# 25 KB: anything over 64 KB is refused before it is parsed or its signature computed, so no request can
# make a webhook read, hash or store more than that.
MAX_WEBHOOK_BYTES = 64 * 1024


class BadWebhook(ValueError):
    """A signed request we still cannot accept (malformed sender)."""


def signed_url_candidates(request) -> list[str]:
    """URLs Twilio may have signed: the public origin (behind a TLS proxy) first, then the one we received
    if it differs. In this order, always: a set's order changes with each process's string hashing, and a
    request signed over the public URL then paid a second signature computation in about half the workers."""
    return list(dict.fromkeys([settings.PUBLIC_BASE_URL + request.get_full_path(), request.build_absolute_uri()]))


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
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = MAX_WEBHOOK_BYTES + 1
        if size > MAX_WEBHOOK_BYTES:
            log.warning("Rejected Twilio webhook of %s bytes (over %s, not read): %s", request.META.get(
                "CONTENT_LENGTH", "")[:20], MAX_WEBHOOK_BYTES, request.path)
            return HttpResponse(f"Request body over {MAX_WEBHOOK_BYTES} bytes.", status=413, content_type="text/plain")
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
    body = post.get("Body", "")
    if len(body) > MAX_BODY_CHARS:  # signed, so from Twilio: keep the text, as much as Twilio allows
        log.warning("Inbound SMS %s has a body of %d characters; stored the first %d",
                    sid[:64], len(body), MAX_BODY_CHARS)
        body = body[:MAX_BODY_CHARS]
    return InboundSms(sid=sid[:64], sender=sender, to=normalize_phone(post.get("To", "")) or "", body=body,
                      opt_out_type=post.get("OptOutType", "")[:10], media=read_media(post, sid[:64]))


def read_media(post, sid: str) -> list[Media]:
    """At most MAX_MEDIA items, whatever NumMedia says; a URL too long to be Twilio's is left out (logged)."""
    try:
        count = max(0, min(int(post.get("NumMedia", "")[:4] or 0), MAX_MEDIA))
    except ValueError:
        count = 0
    media = []
    for i in range(count):
        url = post.get(f"MediaUrl{i}", "")
        if len(url) > MAX_MEDIA_URL_CHARS:
            log.warning("Inbound SMS %s: MediaUrl%d of %d characters left out", sid, i, len(url))
        elif url:
            media.append(Media(url=url, content_type=post.get(f"MediaContentType{i}", "")[:100]))
    return media
