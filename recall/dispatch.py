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

import functools
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from medspa.models import Handoff, Location, Patient, SenderPause
from medspa.routes import Route
from medspa.twilio.errors import ErrorClass, Rule
from medspa.twilio.pauses import pause
from medspa.twilio.transport import SmsError, send_sms

from . import email, member_touches
from .models import ChannelChoice, OwedTouch, RecallRule, RecallSchedule, Touch
from .models.outbox import Channel
from .models.schedules import OWING_STATES
from .outbox_text import materialize
from .queue import enqueue_dispatch, enqueue_owed
from .quiet_hours import may_send, morning_of, next_send_time
from .schedules import PAUSE_ROUTES, refresh_patient

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
REQUEUE_AFTER = timedelta(minutes=2)  # a fresh touch's own task normally runs well before this
MAX_ATTEMPTS = 5
MAX_BACKOFF = 300
SENT_CHANNELS = (Channel.SMS, Channel.EMAIL)  # a touch with channel "call" is a logged call, never sent


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, skipped, held, paused, throttled, cancelled, retry, failed, rerouted (text -> email)
    retry_in: float | None = None


def status_callback_url() -> str:
    return settings.PUBLIC_BASE_URL + _status_path()


@functools.cache
def _status_path() -> str:
    """Reversed once per process: reverse() per message was a fifth of a millisecond of each send."""
    return reverse("recall:twilio_status")


def take_send_token(sender: str) -> bool:
    """Fixed-window token bucket in the shared cache: at most SMS_RATE_PER_SECOND per second per sender."""
    return wait_for_token(sender) == 0


def wait_for_token(sender: str, *, now: float | None = None) -> float:
    """Take a send token for `sender`: 0 when it may send now, else the seconds until the window its turn falls in.

    Fixed windows in the shared cache (SMS_RATE_PER_SECOND per second per sender; 0 or less: no limit, no
    cache call). The n-th request past a window's capacity is told to come back in the window n would fill,
    so a burst of queued touches is spread over the coming windows and each is retried about once instead of
    every second (the worker is never blocked: the task is rescheduled, see send_touch)."""
    rate = float(settings.SMS_RATE_PER_SECOND)
    if rate <= 0:
        return 0.0
    window = max(1, round(1 / rate)) if rate < 1 else 1
    capacity = max(1, int(rate * window))
    now = time.time() if now is None else now
    index = int(now // window)
    key = f"recall:sms-rate:{sender}:{index}"
    cache.add(key, 0, timeout=window + 5)
    try:
        taken = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return 0.0
    if taken <= capacity:
        return 0.0
    ahead = (taken - 1) // capacity  # whole windows already promised to earlier requests
    return round((index + ahead) * window - now, 3) if ahead else float(window)


def backoff(attempts: int, retry_after: float | None = None) -> float:
    return float(min(MAX_BACKOFF, max(retry_after or 0, 5 * 2 ** max(attempts - 1, 0))))


@dataclass
class Message:
    """One message to one patient, claimed (status `sending`): the touch whose task sends it (`lead`) and the
    patient's other recall touches owed the same day (`grouped`), all recorded as part of it."""

    lead: Touch
    grouped: list[Touch]
    channel: str
    to: str
    claimed_at: datetime

    @property
    def ids(self) -> list[int]:
        return [self.lead.pk, *(t.pk for t in self.grouped)]

    @property
    def rows(self):
        return Touch.objects.filter(pk__in=self.ids)


def send_touch(touch_id: int, *, now: datetime | None = None) -> Outcome:
    """Send the message touch `touch_id` leads (claim, record the start, send, record the answer)."""
    return send_touches([touch_id], now=now)[touch_id]


def send_touches(touch_ids: list[int], *, now: datetime | None = None) -> dict[int, Outcome]:
    """Send the messages these touches lead, one after another, with one statement per message between sends.

    One claim for all of them (`claim_messages`); then for each message ONE statement both records the previous
    message's answer (sent, its sid) and commits this one's start (`send_started_at`, channel, address) just
    before its request; the last answer is recorded after the loop. So a worker that dies leaves exactly what
    the recovery rules expect (module docstring): unstarted touches are re-queued, a started one without a
    recorded answer is never resent. Returns an outcome per requested id."""
    now = now or timezone.now()
    messages, outcomes = claim_messages(touch_ids, now=now)
    answered: tuple[Message, str | None] | None = None  # sent; recorded with the next statement
    for message in messages:
        if not start_sending(message, answered):
            answered, outcomes[message.lead.pk] = None, Outcome("skipped")
            continue
        answered = None
        if message.channel == Channel.EMAIL:
            outcome = send_as_email(message)
            if outcome.status == "sent":
                answered = (message, None)
        else:
            lead = message.lead
            try:
                sent = send_sms(to=message.to, body=lead.body, from_=lead.from_number,
                                status_callback=status_callback_url())
            except SmsError as exc:
                outcome = record_error(message, exc, now=timezone.now())
            else:
                outcome, answered = Outcome("sent"), (message, sent.sid)
        outcomes[message.lead.pk] = outcome
    if answered is not None:
        record_sent(answered[0], sid=answered[1])
    return outcomes


def start_sending(message: Message, answered: tuple[Message, str | None] | None) -> bool:
    """One UPDATE: the previous message's answer (if any) and this message's start, channel, address, text and
    the touches it carries (Touch.message). False when this message's touches are no longer ours to send."""
    q = connection.ops.quote_name
    lead, ids = message.lead, message.ids
    marks, _ = _in(ids)
    sets = [f"send_started_at = CASE WHEN id IN ({marks}) THEN %s ELSE send_started_at END",
            f"channel = CASE WHEN id IN ({marks}) THEN %s ELSE channel END",
            f"{q('to')} = CASE WHEN id IN ({marks}) THEN %s ELSE {q('to')} END",
            f"message_id = CASE WHEN id = %s THEN NULL WHEN id IN ({marks}) THEN %s ELSE message_id END",
            "body = CASE WHEN id = %s THEN %s ELSE body END"]  # the lead's text (recall.outbox_text), on record now
    params = [*ids, timezone.now(), *ids, message.channel, *ids, message.to, lead.pk, *ids, lead.pk, lead.pk,
              lead.body]
    where = f"(id IN ({marks}) AND status = %s AND claimed_at = %s AND send_started_at IS NULL)"
    where_params = [*ids, Touch.Status.SENDING, message.claimed_at]
    if answered is not None:
        done, sid = answered
        done_marks, _ = _in(done.ids)
        sets += [f"status = CASE WHEN id IN ({done_marks}) THEN %s ELSE status END",
                 f"sent_at = CASE WHEN id IN ({done_marks}) THEN %s ELSE sent_at END",
                 f"last_error = CASE WHEN id IN ({done_marks}) THEN '' ELSE last_error END",
                 f"error_code = CASE WHEN id IN ({done_marks}) THEN NULL ELSE error_code END",
                 "provider_sid = CASE WHEN id = %s THEN %s ELSE provider_sid END"]
        params += [*done.ids, Touch.Status.SENT, *done.ids, timezone.now(), *done.ids, *done.ids, done.lead.pk, sid]
        where += f" OR (id IN ({done_marks}) AND status = %s)"
        where_params += [*done.ids, Touch.Status.SENDING]
    table = q(Touch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {where} RETURNING id, send_started_at",  # noqa: S608
                       [*params, *where_params])
        mine = set(ids)
        started = {pk for pk, at in cursor.fetchall() if at is not None and pk in mine}
    return started == mine


def record_sent(message: Message, *, sid: str | None) -> None:
    """Every touch of the message is sent (attribution credits each service); only the lead carries the sid,
    which status callbacks find the others through (Touch.message)."""
    update_touches(message.ids, "status = %s, sent_at = %s, last_error = '', error_code = NULL, "
                                "provider_sid = CASE WHEN id = %s THEN %s ELSE NULL END",
                   [Touch.Status.SENT, timezone.now(), message.lead.pk, sid],
                   " AND status = %s", [Touch.Status.SENDING])


def send_as_email(message: Message) -> Outcome:
    lead = message.lead
    try:
        email.send_touch_email(lead, to=message.to)
    except Exception as exc:  # any Django email backend: SMTP refusals, connection errors...
        log.warning("Email for touch %s failed: %s", lead.pk, exc)
        refused = isinstance(exc, smtplib.SMTPRecipientsRefused)
        fields = {"last_error": f"Email not sent: {exc}"[:250]}
        if not refused and lead.attempts < MAX_ATTEMPTS:
            delay = backoff(lead.attempts)
            message.rows.filter(status=Touch.Status.SENDING).update(
                status=Touch.Status.QUEUED, claimed_at=None, send_started_at=None,
                not_before=timezone.now() + timedelta(seconds=delay), **fields)
            return Outcome("retry", retry_in=delay)
        message.rows.filter(status=Touch.Status.SENDING).update(status=Touch.Status.FAILED, **fields)
        return Outcome("failed")
    return Outcome("sent")  # recorded by the caller (send_touches), with the next statement


def choose_channel(choice: str | None, patient: Patient, touch: Touch) -> str | None:
    """The channel this message goes by now, from the rule's choice and the patient's contact facts at this moment
    (consent can change between the sweep and the send); None when neither may reach them (the call list does).

    A text goes only to the number the touch was written for (a changed number is not the one consent was
    given for). Member touchpoints are texts only."""
    text = patient.can_text and str(patient.phone) == touch.to if touch.channel == Channel.SMS else patient.can_text
    if touch.is_member:
        return Channel.SMS if text else None
    mail = patient.can_email
    choice = choice or ChannelChoice.TEXT_FIRST  # no rule (yet): the default
    order = (Channel.EMAIL, Channel.SMS) if choice == ChannelChoice.EMAIL_FIRST else (Channel.SMS, Channel.EMAIL)
    allowed = {Channel.SMS: text, Channel.EMAIL: mail}
    return next((channel for channel in order if allowed[channel]), None)


def _not_owed(touch: Touch, now: datetime) -> str | None:
    """Why this touch is no longer owed (the schedule moved on, a booking, a member change), or None."""
    schedule = touch.schedule
    if schedule is not None and (schedule.stopped_at or schedule.state not in OWING_STATES):
        return f"Schedule is {schedule.get_state_display().lower()}."
    if schedule is not None and schedule.booked_for and schedule.booked_for > now:
        return "A visit is booked."
    if touch.is_member:
        return member_touches.no_longer_owed(touch, touch.patient.location.local(now).date(), now)
    return None


def claim_sql(vendor: str, count: int) -> str:
    """The claim, one statement on PostgreSQL: lock the requested touches and their patients' other recall
    touches owed now (FOR NO KEY UPDATE SKIP LOCKED, the patients' rows too), mark them `sending` where one of
    the patient's requested touches was locked, and return them with what the re-checks read (patient, location,
    schedule, rule, an open concern, a paused sender) as plain columns. Elsewhere (SQLite under `make run`) the
    SELECT part alone; the UPDATE follows in the same transaction (`claimed_rows`)."""
    return _claim_sql(vendor) if vendor == "postgresql" else _claim_sql(vendor).replace(
        "= ANY(%(ids)s)", "IN (" + ", ".join(f"%(id{i})s" for i in range(count)) + ")")


@functools.cache
def _claim_sql(vendor: str) -> str:
    touch, patient, location, schedule, rule, handoff, pause_table = (m._meta.db_table for m in (
        Touch, Patient, Location, RecallSchedule, RecallRule, Handoff, SenderPause))
    routes = ", ".join(f"'{r}'" for r in PAUSE_ROUTES)
    owed = f"""
        t.patient_id IN (SELECT patient_id FROM {touch} WHERE id = ANY(%(ids)s))
        AND t.status = 'queued' AND t.not_before <= %(now)s
        AND (t.id = ANY(%(ids)s) OR (t.source = 'recall' AND t.channel IN ('sms', 'email')))"""  # noqa: S608
    facts = f"""
        p.first_name AS p_first_name, p.last_name AS p_last_name, p.phone AS p_phone,
        p.sms_consent AS p_sms_consent, p.sms_opted_out_at AS p_sms_opted_out_at,
        p.phone_invalid_at AS p_phone_invalid_at, p.email AS p_email, p.email_consent AS p_email_consent,
        p.email_unsubscribed_at AS p_email_unsubscribed_at, p.location_id AS p_location_id,
        l.name AS l_name, l.time_zone AS l_time_zone, l.phone AS l_phone,
        s.state AS s_state, s.stopped_at AS s_stopped_at, s.booked_for AS s_booked_for, r.channel AS r_channel,
        r.id AS r_id, r.on_time_template AS r_on_time_template, r.late_template AS r_late_template,
        r.reactivation_template AS r_reactivation_template,
        EXISTS (SELECT 1 FROM {handoff} h WHERE h.patient_id = t.patient_id AND h.route IN ({routes})
                AND h.status <> '{Handoff.Status.DONE}') AS concern,
        EXISTS (SELECT 1 FROM {pause_table} sp WHERE sp.sender = t.from_number AND sp.resumed_at IS NULL)
            AS sender_paused,
        (SELECT MAX(sent.sent_at) FROM {touch} sent WHERE sent.patient_id = t.patient_id
            AND sent.source = 'recall') AS last_recall_sent_at"""  # noqa: S608
    joins = f"""
        JOIN {patient} p ON p.id = t.patient_id
        JOIN {location} l ON l.id = p.location_id
        LEFT JOIN {schedule} s ON s.id = t.schedule_id
        LEFT JOIN {rule} r ON r.service_id = t.service_id"""
    if vendor != "postgresql":
        return f"SELECT t.*, {facts} FROM {touch} t {joins} WHERE {owed} ORDER BY t.id"  # noqa: S608
    return f"""
        WITH picked AS (
            SELECT t.id, t.patient_id FROM {touch} t JOIN {patient} p ON p.id = t.patient_id
            WHERE {owed}
            FOR NO KEY UPDATE OF t, p SKIP LOCKED
        ), claimed AS (
            UPDATE {touch} AS c SET status = 'sending', claimed_at = %(now)s, attempts = c.attempts + 1,
                                    send_started_at = NULL
            FROM picked WHERE c.id = picked.id AND EXISTS (
                SELECT 1 FROM picked AS asked WHERE asked.patient_id = c.patient_id AND asked.id = ANY(%(ids)s))
            RETURNING c.*
        )
        SELECT t.*, {facts} FROM claimed t {joins} ORDER BY t.id"""  # noqa: S608 (the models' own names)


def claimed_rows(touch_ids: list[int], now: datetime) -> list[Touch]:
    """The touches claimed for `touch_ids` (status `sending`): for each patient with a requested touch that could be
    locked, that touch and the patient's other recall touches owed now."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return [_attach(t) for t in Touch.objects.raw(claim_sql(vendor, len(touch_ids)),
                                                        {"ids": list(touch_ids), "now": now})]
    params = {"now": now, **{f"id{i}": pk for i, pk in enumerate(touch_ids)}}
    with transaction.atomic():
        rows = [_attach(t) for t in Touch.objects.raw(claim_sql(vendor, len(touch_ids)), params)]
        requested = set(touch_ids)
        asked = {t.patient_id for t in rows if t.pk in requested}
        rows = [t for t in rows if t.patient_id in asked]
        if rows:
            update_touches([t.pk for t in rows], "status = %s, claimed_at = %s, attempts = attempts + 1, "
                                                 "send_started_at = NULL", [Touch.Status.SENDING, now])
    for t in rows:
        t.status, t.claimed_at, t.attempts = Touch.Status.SENDING, now, t.attempts + 1
    return rows


def _attach(touch: Touch) -> Touch:
    """Hang the patient, location and schedule read by the claim on the touch (model objects, no query)."""
    location = Location(pk=touch.p_location_id, name=touch.l_name, time_zone=touch.l_time_zone, phone=touch.l_phone)
    touch.patient = Patient(
        pk=touch.patient_id, first_name=touch.p_first_name, last_name=touch.p_last_name, phone=touch.p_phone,
        sms_consent=touch.p_sms_consent, sms_opted_out_at=touch.p_sms_opted_out_at,
        phone_invalid_at=touch.p_phone_invalid_at, email=touch.p_email, email_consent=touch.p_email_consent,
        email_unsubscribed_at=touch.p_email_unsubscribed_at, location=location)
    if touch.schedule_id is not None:
        touch.schedule = RecallSchedule(pk=touch.schedule_id, patient_id=touch.patient_id, state=touch.s_state,
                                        stopped_at=touch.s_stopped_at, booked_for=touch.s_booked_for)
    return touch


def _in(ids) -> tuple[str, list]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def update_touches(ids, sets: str, params: list, where: str = "", where_params=()) -> int:
    """One UPDATE of the touches `ids` (plain SQL: the dispatcher's writes cost no query compilation)."""
    if not ids:
        return 0
    marks, values = _in(ids)
    table = connection.ops.quote_name(Touch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id IN ({marks}){where}",  # noqa: S608
                       [*params, *values, *where_params])
        return cursor.rowcount


def release(touches: list[Touch], sets: str = "", params=()) -> None:
    """Give claimed touches back (queued again, the claim's attempt undone), optionally changing more."""
    update_touches([t.pk for t in touches], "status = %s, claimed_at = NULL, attempts = attempts - 1" + sets,
                   [Touch.Status.QUEUED, *params], " AND status = %s", [Touch.Status.SENDING])


def cancel(touches: list[Touch], reason: str) -> None:
    """Claimed touches no longer owed: cancelled with the reason."""
    update_touches([t.pk for t in touches], "status = %s, claimed_at = NULL, last_error = %s",
                   [Touch.Status.CANCELLED, reason[:250]], " AND status = %s", [Touch.Status.SENDING])


def claim_messages(touch_ids: list[int], *, now: datetime | None = None
                   ) -> tuple[list[Message], dict[int, Outcome]]:
    """Claim the requested touches and each patient's other recall touches owed now, one message per patient
    (`claim_sql`: one statement on PostgreSQL), then re-check what can change after the sweep: consent and the
    number (the channel is chosen now), a booking, the schedule, an open concern (cancel); quiet hours in the
    patient's zone (hold until 08:00); a paused sender (stays queued); the rate limit (rescheduled, never waited
    for). A touch that fails a check is given back or cancelled with one more statement; the common path writes
    nothing more. A worker that dies after the claim leaves touches `sending` without `send_started_at`: the
    sweep re-queues them (requeue_outbox) and they are checked again then.

    Returns the messages to send and an outcome for each requested touch that is not a message's lead."""
    now = now or timezone.now()
    asked = list(dict.fromkeys(touch_ids))
    asked_set = set(asked)
    rows = claimed_rows(asked, now)
    outcomes: dict[int, Outcome] = {}
    by_patient: dict[int, list[Touch]] = {}
    for t in rows:
        by_patient.setdefault(t.patient_id, []).append(t)
    messages = []
    for touches in by_patient.values():
        requested = [t for t in touches if t.pk in asked_set]
        for member in [t for t in requested if t.is_member]:  # member touchpoints have their own wording
            messages.append(_check(member, [], now, outcomes))
        recall = [t for t in touches if not t.is_member]
        leads = [t for t in requested if not t.is_member]
        if leads:
            messages.append(_check(leads[0], [t for t in recall if t is not leads[0]], now, outcomes))
            outcomes.update({t.pk: Outcome("grouped") for t in leads[1:]})
        elif recall:
            release(recall)  # claimed only alongside a member touch: their own tasks send them
    messages = [m for m in messages if m is not None]
    materialize([m.lead for m in messages], now)  # recall leads' text and link, made once while claimed
    sending = {m.lead.pk for m in messages}
    unclaimed = [pk for pk in asked if pk not in outcomes and pk not in sending]
    if unclaimed:  # not claimed (held, taken by another worker, already sent): one look at all of them
        held = set(Touch.objects.filter(pk__in=unclaimed, status=Touch.Status.QUEUED, not_before__gt=now)
                   .values_list("pk", flat=True))
        outcomes.update({pk: Outcome("held" if pk in held else "skipped") for pk in unclaimed})
    return messages, outcomes


def _check(lead: Touch, others: list[Touch], now: datetime, outcomes: dict[int, Outcome]) -> Message | None:
    """The re-checks for one claimed message; None (and the lead's outcome) when it does not go now."""
    touches = [lead, *others]
    patient = lead.patient
    if lead.concern:
        cancel(touches, "An open safety or provider-review concern pauses recall.")
        outcomes[lead.pk] = Outcome("cancelled")
        return None
    channel = choose_channel(lead.r_channel, patient, lead)
    if channel is None:
        cancel(touches, "Patient cannot be texted (no consent, opted out or invalid number)"
                        + (" or emailed." if patient.email and not lead.is_member else "."))
        outcomes[lead.pk] = Outcome("cancelled")
        return None
    reasons = {t.pk: reason for t in touches if (reason := _not_owed(t, now))}
    if lead.pk in reasons:
        cancel([lead], reasons[lead.pk])
        release(others)  # still owed: their own tasks send them
        outcomes[lead.pk] = Outcome("cancelled")
        return None
    for t in others:
        if t.pk in reasons:
            cancel([t], reasons[t.pk])
    members = [t for t in touches if t.pk not in reasons]
    tz = patient.location.tz
    if not may_send(now, tz):
        release(members, ", not_before = %s", [next_send_time(now, tz)])
        outcomes[lead.pk] = Outcome("held")
        return None
    if lead.source == Touch.Source.RECALL and messaged_today(lead.last_recall_sent_at, now, tz):
        # One recall message per patient per local day: a touch that came due after today's message went out
        # (a late import, a visit recorded after the morning's send) waits for tomorrow morning.
        release(members, ", not_before = %s", [morning_of(now.astimezone(tz).date() + timedelta(days=1), tz)])
        outcomes[lead.pk] = Outcome("held")
        return None
    if channel == Channel.SMS and lead.sender_paused:  # stays queued; the resume re-dispatches it
        release(members)
        outcomes[lead.pk] = Outcome("paused")
        return None
    wait = wait_for_token(lead.from_number if channel == Channel.SMS else f"email:{settings.DEFAULT_FROM_EMAIL}")
    if wait:
        release(members, ", not_before = %s", [now + timedelta(seconds=wait)])
        outcomes[lead.pk] = Outcome("throttled", retry_in=wait)
        return None
    to = str(patient.phone) if channel == Channel.SMS else patient.email
    for t in members:
        t.channel, t.to = channel, to
    return Message(lead, [t for t in members if t.pk != lead.pk], channel, to, now)


def messaged_today(last_sent, now: datetime, tz) -> bool:
    """Whether the patient's last recall message went out on `now`'s local day (SQLite returns text)."""
    if isinstance(last_sent, str):
        last_sent = parse_datetime(last_sent)
        if last_sent is not None and timezone.is_naive(last_sent):
            last_sent = timezone.make_aware(last_sent, UTC)
    return last_sent is not None and last_sent.astimezone(tz).date() == now.astimezone(tz).date()


def claim_message(touch_id: int, *, now: datetime | None = None) -> tuple[Message | None, Outcome]:
    """Claim the message touch `touch_id` leads (see claim_messages)."""
    messages, outcomes = claim_messages([touch_id], now=now)
    message = next((m for m in messages if m.lead.pk == touch_id), None)
    return message, outcomes.get(touch_id, Outcome("claimed"))


def claim_touch(touch_id: int, *, now: datetime | None = None) -> tuple[Touch | None, Outcome]:
    """Claim the message `touch_id` leads; returns (its lead touch, outcome), touch None if not claimed."""
    message, outcome = claim_message(touch_id, now=now)
    return (message.lead if message else None), outcome


def record_error(message: Message, exc: SmsError, *, now: datetime) -> Outcome:
    touch = message.lead
    fields = {"last_error": str(exc)[:250], "error_code": exc.code}
    sending = message.rows.filter(status=Touch.Status.SENDING)
    if exc.error_class == ErrorClass.SENDER:
        # Not the patient's fault and not this touch's: hold it, pause the sender, lose nothing.
        sending.update(status=Touch.Status.QUEUED, claimed_at=None, send_started_at=None,
                       attempts=Greatest(F("attempts") - 1, Value(0)), **fields)
        pause(touch.from_number, exc.rule, exc.code)
        return Outcome("paused")
    if exc.error_class == ErrorClass.TRANSIENT and touch.attempts < MAX_ATTEMPTS:
        delay = backoff(touch.attempts, exc.retry_after)
        sending.update(status=Touch.Status.QUEUED, claimed_at=None, send_started_at=None,
                       not_before=now + timedelta(seconds=delay), **fields)
        return Outcome("retry", retry_in=delay)
    if exc.error_class == ErrorClass.TRANSIENT:
        fields["last_error"] = f"Gave up after {touch.attempts} attempts: {exc}"[:250]
    if exc.sid:
        fields["provider_sid"] = exc.sid
    sending.filter(pk=touch.pk).update(status=Touch.Status.FAILED, **fields)
    fields.pop("provider_sid", None)
    sending.exclude(pk=touch.pk).update(status=Touch.Status.FAILED, **fields)
    apply_recipient_rule(touch, exc.rule, exc.code, now)
    if email_instead(message, exc.rule):
        return Outcome("rerouted")
    return Outcome("failed")


def email_instead(message: Message, rule: Rule) -> bool:
    """Text first: a text the number cannot take (not a mobile, invalid, carrier opt-out) goes by email instead,
    the same day, when the patient may be emailed (one text attempt and one email at most). The text's error
    stays on the touch."""
    lead = message.lead
    if lead.is_member or rule.error_class not in (ErrorClass.RECIPIENT, ErrorClass.OPTED_OUT):
        return False
    if (lead.r_channel or ChannelChoice.TEXT_FIRST) != ChannelChoice.TEXT_FIRST:
        return False
    patient = Patient.objects.get(pk=lead.patient_id)
    if not patient.can_email:
        return False
    with transaction.atomic():
        moved = message.rows.filter(status=Touch.Status.FAILED).update(
            status=Touch.Status.QUEUED, channel=Channel.EMAIL, to=patient.email, claimed_at=None,
            send_started_at=None, provider_sid=None, not_before=timezone.now())
        if moved:
            transaction.on_commit(lambda: enqueue_dispatch([lead.pk]))
    return bool(moved)


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
    # One inbox item per message: the touches sent as part of another's (Touch.message) follow their lead.
    for touch in (Touch.objects.filter(status=Touch.Status.SENDING, claimed_at__lt=stale,
                                       send_started_at__isnull=False, provider_sid__isnull=True,
                                       message__isnull=True)
                  .select_related("patient__location")):
        with transaction.atomic():
            if Touch.objects.filter(Q(pk=touch.pk) | Q(message_id=touch.pk), status=Touch.Status.SENDING).update(
                    status=Touch.Status.FAILED, last_error="Unknown outcome: the worker stopped during the send.") != 1:
                continue
            patient = touch.patient
            Handoff.objects.open_for(
                patient, Route.DATA_QUALITY, Handoff.Source.SYSTEM, touch=touch,
                caller_phone=touch.to if touch.channel == Touch.Channel.SMS else str(patient.phone or ""),
                title=f"Check whether a reminder reached {patient.full_name}",
                summary=f"A recall {'email' if touch.channel == Touch.Channel.EMAIL else 'text'} was being sent "
                        "when the worker stopped. It was not resent, to avoid a double message. Check the Twilio "
                        "message log (or the mail log) for this patient and contact them if needed.",
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
    # Owed touches whose make_touches task was lost (broker or worker down): the sweep's own rows are newer.
    owed = list(OwedTouch.objects.filter(created_at__lte=now - REQUEUE_AFTER).order_by("pk")
                .values_list("pk", flat=True)[:5000])
    result.requeued_owed.extend(owed)
    if enqueue and owed:
        transaction.on_commit(lambda: enqueue_owed(owed))


def dispatch_resumed_sender(sender, number: str, **kwargs) -> list[int]:
    """A paused sender works again: send what it owes now (the touches stayed queued meanwhile)."""
    ready = list(Touch.objects.filter(status=Touch.Status.QUEUED, from_number=number, not_before__lte=timezone.now())
                 .order_by("not_before").values_list("pk", flat=True))
    enqueue_dispatch(ready)
    return ready
