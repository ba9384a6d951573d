"""Message status callbacks in our vocabulary, and the error policy applied to them.

Twilio's statuses (accepted, scheduled, queued, sending, sent, delivered, read, undelivered, failed,
canceled, partially_delivered, receiving, received) map onto a touch's states; an `ErrorCode` on a
failed or undelivered message is looked up in the same table (`errors.POLICY`) as a send error.
"""

from dataclasses import dataclass

from .errors import Rule, classify

CALLBACK_STATUS = {
    "accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "sending", "sent": "sent",
    "delivered": "delivered", "read": "delivered",
    "partially_delivered": "delivered",  # some segments or media arrived: the patient got the text
    "undelivered": "undelivered", "failed": "failed",
    "canceled": "cancelled",  # a scheduled message cancelled before it left
}


@dataclass(frozen=True)
class StatusUpdate:
    sid: str
    status: str | None  # our touch status, None for statuses we do not track (inbound ones)
    error_code: int | None
    rule: Rule | None  # the policy row for error_code, when the message failed

    @property
    def failed(self) -> bool:
        return self.status in ("undelivered", "failed")


def parse_status(sid: str, status: str, error_code: str | int | None = "") -> StatusUpdate:
    mapped = CALLBACK_STATUS.get((status or "").strip().lower())
    code = int(error_code) if str(error_code or "").strip().isdigit() else None
    rule = classify(code, http_status=400) if code is not None and mapped in ("undelivered", "failed") else None
    return StatusUpdate(sid=sid or "", status=mapped, error_code=code, rule=rule)
