"""The SMS gateway: one small interface, one backend per provider.

`send_sms()` returns the provider's message id or raises SmsError carrying the error policy's rule
(`medspa.twilio.errors`): recipient, opted_out, sender, transient or rejected. Callers (the recall
dispatcher, keyword replies, on-call pages) own retries and state; none of them reads Twilio codes.
"""

import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioException, TwilioRestException

from .client import twilio_client
from .errors import ErrorClass, Rule, classify

log = logging.getLogger(__name__)

FAILED_REPLY_STATUSES = {"failed", "undelivered", "canceled"}


class SmsError(Exception):
    def __init__(self, message: str, *, code: int | None = None, rule: Rule, retry_after: float | None = None,
                 sid: str = ""):
        super().__init__(message)
        self.code, self.rule, self.retry_after, self.sid = code, rule, retry_after, sid

    @property
    def error_class(self) -> ErrorClass:
        return self.rule.error_class

    @property
    def permanent(self) -> bool:
        return self.rule.error_class != ErrorClass.TRANSIENT


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

    def probe(self, sender: str) -> str:
        return ""


class TwilioBackend:
    def send(self, *, to: str, body: str, from_: str, status_callback: str | None = None) -> SentMessage:
        kwargs = {"to": to, "from_": from_, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = twilio_client().messages.create(**kwargs)
        except TwilioRestException as exc:
            rule = classify(exc.code, http_status=exc.status)
            retry_after = 5 if exc.status == 429 else None
            raise SmsError(exc.msg or str(exc), code=exc.code, rule=rule, retry_after=retry_after) from exc
        except (TwilioException, requests.RequestException) as exc:  # connection errors, timeouts
            raise SmsError(str(exc), rule=classify(None)) from exc
        status = message.status or "queued"
        if status in FAILED_REPLY_STATUSES:  # created, but Twilio already gave up on it
            rule = classify(message.error_code, http_status=400)
            raise SmsError(message.error_message or f"Twilio answered status {status}", code=message.error_code,
                           rule=rule, sid=message.sid)
        return SentMessage(sid=message.sid, status=status)

    def probe(self, sender: str) -> str:
        """"" when the account is active and `sender` can send texts; otherwise what is wrong."""
        client = twilio_client()
        try:
            account = client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).fetch()
            if account.status != "active":
                return f"The Twilio account is {account.status}."
            if sender:
                numbers = client.incoming_phone_numbers.list(phone_number=sender, limit=1)
                if not numbers:
                    return f"{sender} is not a number on this Twilio account."
                if not (numbers[0].capabilities or {}).get("sms"):
                    return f"{sender} cannot send texts."
        except TwilioRestException as exc:
            return f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}"
        except (TwilioException, requests.RequestException) as exc:
            return f"No answer from Twilio: {exc}"
        return ""


BACKENDS = {"console": "medspa.twilio.transport.ConsoleBackend", "twilio": "medspa.twilio.transport.TwilioBackend"}


def get_backend():
    return import_string(BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND))()


def sender_for(from_: str | None) -> str:
    return str(from_ or settings.TWILIO_DEFAULT_FROM or "")


def send_sms(*, to: str, body: str, from_: str | None = None, status_callback: str | None = None) -> SentMessage:
    sender = sender_for(from_)
    if not sender:
        raise SmsError("No sending number: set the location's SMS number or TWILIO_DEFAULT_FROM.",
                       rule=Rule(ErrorClass.REJECTED, "No sending number is configured"))
    return get_backend().send(to=str(to), body=body, from_=sender, status_callback=status_callback)
