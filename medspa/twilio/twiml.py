"""TwiML helpers for the voice flow (calls.voice owns the call flow itself)."""

from django.http import HttpResponse
from twilio.twiml.voice_response import VoiceResponse

ON_CALL_RING_SECONDS = 20  # then Twilio posts DialCallStatus=no-answer to the action URL


def twiml(response: VoiceResponse | str) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def hangup() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response


def dial(response: VoiceResponse, number: str, *, caller_id: str | None, action: str) -> VoiceResponse:
    """Ring `number` for ON_CALL_RING_SECONDS; whatever happens, Twilio then posts to `action`."""
    response.dial(str(number), caller_id=caller_id or None, timeout=ON_CALL_RING_SECONDS, action=action,
                  method="POST")
    return response


def dial_answered(dial_call_status: str) -> bool:
    """The `DialCallStatus` Twilio posts to a Dial action: "completed" / "answered" mean someone picked up."""
    return (dial_call_status or "").lower() in ("completed", "answered")
