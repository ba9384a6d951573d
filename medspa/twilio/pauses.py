"""Sender pauses: an account or sender-level Twilio error stops sending from that number, loses nothing.

`pause()` is called by whoever met the error (the dispatcher, a status callback). The touches stay
queued; the owner sees a banner on every page and an inbox item. `probe_paused()` (every minute, from
beat) asks Twilio whether the account and the number work again and, when they do, ends the pause,
resolves the inbox item and sends `sender_resumed` so the outbox is dispatched at once.
"""

import logging
from datetime import timedelta

import django.dispatch
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Handoff, Location, SenderPause
from ..routes import Route
from .errors import Rule

log = logging.getLogger(__name__)

# Sent (on commit) with `sender` when a pause ends; recall connects its outbox to it.
sender_resumed = django.dispatch.Signal()
PROBE_EVERY = timedelta(minutes=1)
# A probe cannot see everything (geo permissions, for one): a sender paused again within RELAPSE_WINDOW
# of resuming keeps its inbox item and is probed less often (doubling, at most MAX_PROBE_GAP).
RELAPSE_WINDOW = timedelta(hours=1)
MAX_PROBE_GAP = timedelta(hours=1)


def is_paused(sender: str) -> bool:
    return SenderPause.objects.active().filter(sender=str(sender)).exists()


def locations_for(sender: str):
    """The locations that text from `sender`; every active location when it is the shared default."""
    owners = Location.objects.filter(is_active=True, sms_number=sender)
    return owners if owners.exists() else Location.objects.filter(is_active=True)


def pause(sender: str, rule: Rule, code: int | None) -> SenderPause:
    """Start (or keep) the pause for `sender`. Idempotent: one active pause and one inbox item per sender."""
    sender = str(sender)
    existing = SenderPause.objects.active().filter(sender=sender).first()
    if existing:
        return existing
    now = timezone.now()
    previous = (SenderPause.objects.filter(sender=sender, resumed_at__gte=now - RELAPSE_WINDOW)
                .order_by("-resumed_at").first())
    try:
        with transaction.atomic():
            if previous is not None:
                return relapse(previous, sender, rule, code, now)
            paused = SenderPause.objects.create(sender=sender, error_code=code, reason=rule.reason[:250])
            for location in locations_for(sender):
                paused.handoffs.add(Handoff.objects.open_for(
                    None, Route.STAFF_REVIEW, Handoff.Source.SYSTEM, location=location,
                    title=f"Texting paused for {sender}: {rule.reason}",
                    summary=(f"Twilio answered error {code}: {rule.reason}. Reminders from {sender} are held in "
                             "the outbox, not lost; sending resumes by itself as soon as Twilio accepts our "
                             "account and number again (checked every minute). Check the Twilio console: "
                             "credentials, account status, the number's messaging setup and geo permissions."),
                    reasons=[f"Twilio error {code}"], context={"sender_pause": {"sender": sender, "code": code}},
                ))
    except IntegrityError:  # another worker paused it first
        return SenderPause.objects.active().get(sender=sender)
    log.error("Texting paused for %s: Twilio error %s (%s)", sender, code, rule.reason)
    return paused


def relapse(previous: SenderPause, sender: str, rule: Rule, code: int | None, now) -> SenderPause:
    """Paused again soon after a resume: same inbox items (reopened), fewer probes."""
    relapses = previous.relapses + 1
    gap = min(PROBE_EVERY * 2 ** relapses, MAX_PROBE_GAP)
    paused = SenderPause.objects.create(sender=sender, error_code=code, reason=rule.reason[:250], relapses=relapses,
                                        next_probe_at=now + gap)
    handoffs = list(previous.handoffs.all())
    paused.handoffs.add(*handoffs)
    for handoff in handoffs:
        handoff.status, handoff.outcome, handoff.resolved_at = Handoff.Status.OPEN, "", None
        handoff.resolution_note = f"Paused again at {now:%H:%M} UTC (error {code}); next check in {gap}."
        handoff.save(update_fields=["status", "outcome", "resolved_at", "resolution_note", "priority"])
    log.error("Texting paused again for %s: Twilio error %s; next probe in %s", sender, code, gap)
    return paused


def probe_paused(probe) -> list[str]:
    """Probe every paused sender that is due with `probe(sender) -> ""` (works) or a problem.

    Returns the resumed senders."""
    resumed = []
    for paused in SenderPause.objects.active().filter(next_probe_at__lte=timezone.now()):
        problem = probe(paused.sender)
        now = timezone.now()
        if problem:
            SenderPause.objects.filter(pk=paused.pk).update(last_probe_at=now, last_probe_result=problem[:250],
                                                            next_probe_at=now + PROBE_EVERY)
            continue
        if resume(paused, now):
            resumed.append(paused.sender)
    return resumed


@transaction.atomic
def resume(paused: SenderPause, now) -> bool:
    if SenderPause.objects.filter(pk=paused.pk, resumed_at__isnull=True).update(
            resumed_at=now, last_probe_at=now, last_probe_result="ok") != 1:
        return False
    note = f"Twilio accepted the account and {paused.sender} again; held reminders are being sent."
    for handoff in paused.handoffs.exclude(status=Handoff.Status.DONE):
        handoff.status, handoff.outcome, handoff.resolution_note = Handoff.Status.DONE, Handoff.Outcome.OTHER, note
        handoff.resolved_at = now
        handoff.save(update_fields=["status", "outcome", "resolution_note", "resolved_at", "priority"])
    log.warning("Texting resumed for %s", paused.sender)
    sender = paused.sender
    transaction.on_commit(lambda: sender_resumed.send(sender=SenderPause, number=sender))
    return True
