"""Sending touches exactly once.

A touch moves queued -> sending -> sent (-> delivered / undelivered by status callback), or ends
failed / cancelled. The dispatcher:

1. takes a token from a per-sender rate limiter (settings.SMS_RATE_PER_SECOND, shared via the cache);
2. claims the row with SELECT ... FOR UPDATE SKIP LOCKED; a touch that is not `queued` (already sent,
   claimed by another worker, final) is left alone. Before claiming it re-checks everything that can
   change after the sweep wrote the row: consent/opt-out/phone, a future booking, an open safety or
   provider-review concern (cancel), and quiet hours in the patient's time zone (hold until 08:00);
3. commits `send_started_at` in its own transaction just before the HTTP request to Twilio;
4. records the provider's sid (`sent`) or the error.

A worker can die anywhere. The sweep recovers claims older than STALE_CLAIM:
- no `send_started_at`: the request was never made, so the touch goes back to `queued` and is sent
  once (the acceptance test kills the dispatcher exactly there);
- `send_started_at` but no sid: Twilio may or may not have accepted it. Twilio offers no idempotency
  key for Messages, so resending risks a double text; the touch is marked `failed` with "unknown
  outcome" and a data-quality handoff asks a person to check the Twilio log. We prefer one missed
  reminder over two texts.

Errors follow the policy table in `medspa.twilio.errors` (the README shows it): a recipient error
(invalid, not mobile, landline, unreachable) fails the touch, marks the number not textable with the
reason and opens one data-quality item; 21610 opts the patient out; an account or sender error puts
the touch back in the queue untouched and PAUSES its sender (nothing is lost; sending resumes by itself
when Twilio's probe succeeds, see `medspa.twilio.pauses`); 429 / 5xx / network errors go back to
`queued` with exponential backoff, at most MAX_ATTEMPTS attempts, then `failed`.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from medspa.models import Handoff, Patient
from medspa.routes import Route
from medspa.twilio.errors import ErrorClass, Rule
from medspa.twilio.pauses import is_paused, pause
from medspa.twilio.transport import SmsError, send_sms

from . import member_touches
from .models import Touch
from .models.schedules import OWING_STATES
from .outbox_text import materialize
from .queue import enqueue_dispatch
from .quiet_hours import may_send, next_send_time
from .schedules import open_concerns, refresh_patient

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
REQUEUE_AFTER = timedelta(minutes=2)  # a fresh touch's own task normally runs well before this
MAX_ATTEMPTS = 5
MAX_BACKOFF = 300


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, skipped, held, paused, throttled, cancelled, retry, failed
    retry_in: float | None = None


def status_callback_url() -> str:
    return settings.PUBLIC_BASE_URL + reverse("recall:twilio_status")


def take_send_token(sender: str) -> bool:
    """Fixed-window token bucket in the shared cache: at most SMS_RATE_PER_SECOND per second per sender."""
    rate = float(settings.SMS_RATE_PER_SECOND)
    window = max(1, round(1 / rate)) if rate < 1 else 1
    capacity = max(1, int(rate * window))
    key = f"recall:sms-rate:{sender}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key) <= capacity
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return True


def backoff(attempts: int, retry_after: float | None = None) -> float:
    return float(min(MAX_BACKOFF, max(retry_after or 0, 5 * 2 ** max(attempts - 1, 0))))


def send_touch(touch_id: int, *, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    row = Touch.objects.filter(pk=touch_id).values("status", "from_number", "not_before").first()
    if row is None or row["status"] != Touch.Status.QUEUED:
        return Outcome("skipped")
    if row["not_before"] > now:
        return Outcome("held")
    if is_paused(row["from_number"]):  # stays queued; the resume re-dispatches it
        return Outcome("paused")
    if not take_send_token(row["from_number"]):
        return Outcome("throttled", retry_in=1.0)
    touch, outcome = claim_touch(touch_id, now=now)
    if touch is None:
        return outcome
    started = timezone.now()
    if Touch.objects.filter(pk=touch.pk, status=Touch.Status.SENDING, claimed_at=touch.claimed_at,
                            send_started_at__isnull=True).update(send_started_at=started) != 1:
        return Outcome("skipped")
    try:
        message = send_sms(to=touch.to, body=touch.body, from_=touch.from_number,
                           status_callback=status_callback_url())
    except SmsError as exc:
        return record_error(touch, exc, now=timezone.now())
    Touch.objects.filter(pk=touch.pk, status=Touch.Status.SENDING).update(
        status=Touch.Status.SENT, provider_sid=message.sid, sent_at=timezone.now(), last_error="", error_code=None)
    return Outcome("sent")


def claim_touch(touch_id: int, *, now: datetime | None = None) -> tuple[Touch | None, Outcome]:
    """Lock and claim a queued touch (queued -> sending). Returns (touch, outcome); touch None if not claimed."""
    now = now or timezone.now()
    with transaction.atomic():
        touch = (
            Touch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient__location", "schedule")
            .filter(pk=touch_id).first()
        )
        if touch is None or touch.status != Touch.Status.QUEUED:
            return None, Outcome("skipped")
        if touch.not_before > now:
            return None, Outcome("held")
        schedule, patient = touch.schedule, touch.patient
        reason = None
        if not patient.can_text:
            reason = "Patient cannot be texted (no consent, opted out or invalid number)."
        elif str(patient.phone) != touch.to:
            reason = "The patient's phone number changed after this touch was written."
        elif schedule is not None and (schedule.stopped_at or schedule.state not in OWING_STATES):
            reason = f"Schedule is {schedule.get_state_display().lower()}."
        elif schedule is not None and schedule.booked_for and schedule.booked_for > now:
            reason = "A visit is booked."
        elif open_concerns().filter(patient_id=patient.pk).exists():
            reason = "An open safety or provider-review concern pauses recall."
        elif touch.is_member:
            reason = member_touches.no_longer_owed(touch, patient.location.local(now).date(), now)
        if reason:
            touch.status, touch.last_error = Touch.Status.CANCELLED, reason
            touch.save(update_fields=["status", "last_error"])
            return None, Outcome("cancelled")
        tz = patient.location.tz
        if not may_send(now, tz):
            touch.not_before = next_send_time(now, tz)
            touch.save(update_fields=["not_before"])
            return None, Outcome("held")
        materialize(touch, now)  # a recall touch's text and link, made once, under this lock (recall.outbox_text)
        touch.status, touch.claimed_at, touch.attempts = Touch.Status.SENDING, now, touch.attempts + 1
        touch.send_started_at = None
        touch.save(update_fields=["status", "claimed_at", "attempts", "send_started_at", "body"])
    return touch, Outcome("claimed")


def record_error(touch: Touch, exc: SmsError, *, now: datetime) -> Outcome:
    fields = {"last_error": str(exc)[:250], "error_code": exc.code}
    if exc.sid:
        fields["provider_sid"] = exc.sid
    sending = Touch.objects.filter(pk=touch.pk, status=Touch.Status.SENDING)
    if exc.error_class == ErrorClass.SENDER:
        # Not the patient's fault and not this touch's: hold it, pause the sender, lose nothing.
        sending.update(status=Touch.Status.QUEUED, claimed_at=None, send_started_at=None,
                       attempts=max(touch.attempts - 1, 0), **fields)
        pause(touch.from_number, exc.rule, exc.code)
        return Outcome("paused")
    if exc.error_class == ErrorClass.TRANSIENT and touch.attempts < MAX_ATTEMPTS:
        delay = backoff(touch.attempts, exc.retry_after)
        sending.update(status=Touch.Status.QUEUED, claimed_at=None, send_started_at=None,
                       not_before=now + timedelta(seconds=delay), **fields)
        return Outcome("retry", retry_in=delay)
    if exc.error_class == ErrorClass.TRANSIENT:
        fields["last_error"] = f"Gave up after {touch.attempts} attempts: {exc}"[:250]
    sending.update(status=Touch.Status.FAILED, **fields)
    apply_recipient_rule(touch, exc.rule, exc.code, now)
    return Outcome("failed")


def apply_recipient_rule(touch: Touch, rule: Rule, code: int | None, now: datetime) -> None:
    """What a failed send or a failed status callback means for the patient (the policy table)."""
    if rule.error_class == ErrorClass.OPTED_OUT:
        Patient.opt_out_phone(touch.to, source=f"carrier_{code}", note=f"{rule.reason} (touch {touch.pk})")
        _refresh_phone(touch.to, now)
    elif rule.error_class == ErrorClass.RECIPIENT:
        mark_phone_invalid(touch, rule, code, now)
    elif rule.error_class == ErrorClass.SENDER:
        pause(touch.from_number, rule, code)


def _refresh_phone(phone: str, now: datetime) -> None:
    for patient_id in Patient.objects.filter(phone=phone).values_list("pk", flat=True):
        refresh_patient(patient_id, now=now)


@transaction.atomic
def mark_phone_invalid(touch: Touch, rule: Rule, code: int | None, now: datetime) -> None:
    """The number cannot take texts: not textable, reason recorded, one data-quality item to fix it."""
    patient = touch.patient
    newly = Patient.mark_phone_unreachable(touch.to, reason=f"{rule.reason} (Twilio error {code})", now=now)
    if newly:
        Handoff.objects.open_for(
            patient, Route.DATA_QUALITY, Handoff.Source.SYSTEM, touch=touch, caller_phone=touch.to,
            title=f"Phone number cannot receive texts: {patient.full_name}",
            summary=f"{rule.reason} (Twilio error {code}). Recall texts are stopped until the number is "
                    "corrected on the patient record.",
            reasons=[f"Twilio error {code}: {rule.reason}"],
        )
    _refresh_phone(touch.to, now)


def requeue_outbox(now: datetime, result, *, enqueue: bool = True) -> None:
    """Pick up what a lost task or a dead worker left behind (see the module docstring)."""
    stale = now - STALE_CLAIM
    # Claimed but the HTTP request never started: safe to send.
    reclaimed = list(Touch.objects.filter(status=Touch.Status.SENDING, claimed_at__lt=stale,
                                          send_started_at__isnull=True).values_list("pk", flat=True))
    if reclaimed:
        Touch.objects.filter(pk__in=reclaimed, status=Touch.Status.SENDING, send_started_at__isnull=True).update(
            status=Touch.Status.QUEUED, claimed_at=None, not_before=now)
    # The request started and we never learned the answer: do not risk a second text.
    for touch in (Touch.objects.filter(status=Touch.Status.SENDING, claimed_at__lt=stale,
                                       send_started_at__isnull=False, provider_sid__isnull=True)
                  .select_related("patient__location")):
        with transaction.atomic():
            if Touch.objects.filter(pk=touch.pk, status=Touch.Status.SENDING).update(
                    status=Touch.Status.FAILED, last_error="Unknown outcome: the worker stopped during the send.") != 1:
                continue
            patient = touch.patient
            Handoff.objects.open_for(
                patient, Route.DATA_QUALITY, Handoff.Source.SYSTEM, touch=touch, caller_phone=touch.to,
                title=f"Check whether a reminder reached {patient.full_name}",
                summary="A recall text was being sent when the worker stopped. It was not resent, to avoid a "
                        "double text. Check the Twilio message log for this number and text the patient if needed.",
                reasons=["Unknown send outcome"],
            )
        result.unknown_outcome.append(touch.pk)
    ready = list(
        Touch.objects.filter(status=Touch.Status.QUEUED, not_before__lte=now)
        .filter(pk__in=reclaimed).values_list("pk", flat=True)
    ) + list(
        # (touches this sweep just wrote have not_before = now, so they are never among these)
        Touch.objects.filter(status=Touch.Status.QUEUED, not_before__lte=now - REQUEUE_AFTER)
        .exclude(pk__in=reclaimed).order_by("not_before")
        .values_list("pk", flat=True)[:5000]
    )
    result.requeued.extend(ready)
    if enqueue and ready:
        transaction.on_commit(lambda: enqueue_dispatch(ready))


def dispatch_resumed_sender(sender, number: str, **kwargs) -> list[int]:
    """A paused sender works again: send what it owes now (the touches stayed queued meanwhile)."""
    ready = list(Touch.objects.filter(status=Touch.Status.QUEUED, from_number=number, not_before__lte=timezone.now())
                 .order_by("not_before").values_list("pk", flat=True))
    enqueue_dispatch(ready)
    return ready
