"""Inbound Twilio webhooks: signature-checked before anything is read or stored."""

import logging
from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def signed_url_candidates(request) -> set[str]:
    """URLs Twilio may have signed: the public origin (behind a TLS proxy) or the one we received."""
    return {settings.PUBLIC_BASE_URL + request.get_full_path(), request.build_absolute_uri()}


def is_valid_twilio_request(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return any(validator.validate(url, request.POST, signature) for url in signed_url_candidates(request))


def twilio_webhook(view):
    """csrf_exempt + POST only + X-Twilio-Signature; a forged request gets 403 and leaves no trace."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.TWILIO_VALIDATE_WEBHOOKS and not is_valid_twilio_request(request):
            log.warning("Rejected Twilio webhook with a bad signature: %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, *args, **kwargs)

    return wrapper
