"""The SMS gateway: one small interface, one backend per provider.

`send_sms()` returns the provider's message id or raises SmsError saying whether trying
again could help. Callers (the recall dispatcher, keyword replies) own retries and state.
"""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Twilio error codes that no retry will fix.
OPTED_OUT = 21610  # recipient replied STOP to this sender
INVALID_NUMBER = 21211  # 'To' number is not a valid phone number
PERMANENT_CODES = {OPTED_OUT, INVALID_NUMBER, 21408, 21612, 21614, 30003, 30005, 30006}


class SmsError(Exception):
    def __init__(self, message: str, *, code: int | None = None, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.code, self.permanent, self.retry_after = code, permanent, retry_after


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


class ConsoleBackend:
    """Prints messages instead of sending them (local use and demos). Keeps an in-memory outbox."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str, from_: str, status_callback: str | None = None) -> SentMessage:
        sid = "SM" + uuid.uuid4().hex
        self.outbox.append({"sid": sid, "to": to, "from": from_, "body": body})
        log.info("SMS (console, not sent) to %s from %s: %s", to, from_, body)
        return SentMessage(sid=sid, status="sent")


class TwilioBackend:
    def send(self, *, to: str, body: str, from_: str, status_callback: str | None = None) -> SentMessage:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        from .client import twilio_client

        kwargs = {"to": to, "from_": from_, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = twilio_client().messages.create(**kwargs)
        except TwilioRestException as exc:
            if exc.status == 429:
                raise SmsError("Twilio rate limit", code=exc.code, permanent=False, retry_after=5) from exc
            if exc.status >= 500:
                raise SmsError(f"Twilio server error {exc.status}", code=exc.code, permanent=False) from exc
            raise SmsError(exc.msg or str(exc), code=exc.code, permanent=True) from exc
        except TwilioException as exc:  # connection errors, timeouts
            raise SmsError(str(exc), permanent=False) from exc
        return SentMessage(sid=message.sid, status=message.status or "queued")


BACKENDS = {"console": "medspa.twilio.transport.ConsoleBackend", "twilio": "medspa.twilio.transport.TwilioBackend"}


def get_backend():
    return import_string(BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND))()


def send_sms(*, to: str, body: str, from_: str | None = None, status_callback: str | None = None) -> SentMessage:
    sender = from_ or settings.TWILIO_DEFAULT_FROM
    if not sender:
        raise SmsError("No sending number: set the location's SMS number or TWILIO_DEFAULT_FROM.", permanent=True)
    return get_backend().send(to=str(to), body=body, from_=str(sender), status_callback=status_callback)
