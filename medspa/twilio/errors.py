"""The error policy: what each Twilio error code means for us, in one table.

Every place that learns about a Twilio error -- the HTTP answer to a send, the `status` of the create
reply, a status callback's `ErrorCode` -- looks the code up here. No other module compares codes.

| class       | codes                                      | what happens                                         |
|-------------|--------------------------------------------|------------------------------------------------------|
| `recipient` | 21211 invalid, 21614 not mobile, 21612     | that message fails; the patient's number is marked   |
|             | not reachable by SMS, 30003 unreachable,   | not textable with the reason; a data-quality inbox   |
|             | 30005 unknown handset, 30006 landline      | item asks a person to correct the number             |
| `opted_out` | 21610 (the patient texted STOP to Twilio)  | that message fails; the patient is opted out (reason |
|             |                                            | recorded); only the patient can undo it (START)      |
| `sender`    | 20003 auth, 10001/20005/30002 account not  | sending PAUSES for that sender: touches stay queued, |
|             | active or suspended, 21606 From cannot     | the owner sees a banner and an inbox item, a probe   |
|             | send, 21408 region not enabled             | every minute resumes sending when it succeeds        |
| `transient` | 429 / 20429, any 5xx, timeouts, network,   | back off and try again (at most MAX_ATTEMPTS)        |
|             | 30001 queue overflow                       |                                                      |
| `rejected`  | anything else Twilio refuses               | that message fails, the code is stored               |
"""

from dataclasses import dataclass
from enum import StrEnum


class ErrorClass(StrEnum):
    RECIPIENT = "recipient"  # the number cannot take texts: a person can fix the record
    OPTED_OUT = "opted_out"  # the patient opted out at the carrier
    SENDER = "sender"  # account or sending number: pause that sender, lose nothing
    TRANSIENT = "transient"  # try again later
    REJECTED = "rejected"  # this one message was refused for another reason


@dataclass(frozen=True)
class Rule:
    error_class: ErrorClass
    reason: str


POLICY: dict[int, Rule] = {
    21211: Rule(ErrorClass.RECIPIENT, "The number is not a valid phone number"),
    21614: Rule(ErrorClass.RECIPIENT, "The number is not a mobile number"),
    21612: Rule(ErrorClass.RECIPIENT, "The number cannot be reached by text (landline or unsupported carrier)"),
    30003: Rule(ErrorClass.RECIPIENT, "The handset is unreachable"),
    30005: Rule(ErrorClass.RECIPIENT, "The number is unknown or no longer in service"),
    30006: Rule(ErrorClass.RECIPIENT, "The number is a landline or its carrier cannot take texts"),
    21610: Rule(ErrorClass.OPTED_OUT, "The patient opted out by texting STOP to this number"),
    20003: Rule(ErrorClass.SENDER, "Twilio refused our credentials (authentication failed)"),
    10001: Rule(ErrorClass.SENDER, "The Twilio account is not active"),
    20005: Rule(ErrorClass.SENDER, "The Twilio account is not active"),
    30002: Rule(ErrorClass.SENDER, "The Twilio account is suspended"),
    21606: Rule(ErrorClass.SENDER, "This sending number cannot send texts"),
    21408: Rule(ErrorClass.SENDER, "Texting to this region is not enabled on the Twilio account"),
    20429: Rule(ErrorClass.TRANSIENT, "Twilio rate limit"),
    30001: Rule(ErrorClass.TRANSIENT, "Twilio queue overflow"),
}


def classify(code: int | str | None, *, http_status: int | None = None) -> Rule:
    """The rule for an error `code` (and, when the code is unknown, the HTTP status it came with)."""
    try:
        code = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    if code in POLICY:
        return POLICY[code]
    if http_status is not None and (http_status == 429 or http_status >= 500):
        return Rule(ErrorClass.TRANSIENT, f"Twilio answered {http_status}")
    if http_status == 401:
        return POLICY[20003]
    if code is None and http_status is None:
        return Rule(ErrorClass.TRANSIENT, "No answer from Twilio (timeout or network error)")
    return Rule(ErrorClass.REJECTED, f"Twilio refused the message (error {code or http_status})")
