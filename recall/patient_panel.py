"""The recall section of the patient page (`recall/_patient_recall.html`, listed in settings.PATIENT_PANELS).

Four small queries whatever the history: the patient's schedules with their service, the rules for
those services, the last few touches (recall and member), and the recall texts a sweep owes them that
the dispatcher has not made into touches yet (seconds, normally: shown as queued). The next touch is
computed by the same pure clock the sweep uses; nothing is written.
"""

from django.utils import timezone

from . import clock
from .models import OwedTouch, RecallRule, Touch
from .models.schedules import CLOCK_STATES

RECENT_TOUCHES = 5


def patient_recall_context(patient, user=None, now=None) -> dict:
    now = now or timezone.now()
    tz = patient.location.tz
    today = now.astimezone(tz).date()
    schedules = list(patient.recall_schedules.select_related("service").order_by("due_date", "id"))
    rules = {r.service_id: r for r in RecallRule.objects.filter(service_id__in=[s.service_id for s in schedules])}
    rows = []
    for schedule in schedules:
        rule = rules.get(schedule.service_id) or RecallRule.defaults_for(schedule.service)
        upcoming = None
        if schedule.state in CLOCK_STATES and schedule.last_visit and rule.is_active:
            last_touch_day = schedule.last_touch_at.astimezone(tz).date() if schedule.last_touch_at else None
            upcoming = clock.next_touch(
                today, last_visit=schedule.last_visit, rule=rule, touches_sent=schedule.touches_sent,
                kinds_sent=schedule.kinds, last_touch_day=last_touch_day, snoozed_until=schedule.snoozed_until)
        rows.append({"schedule": schedule, "next_touch_on": upcoming[0] if upcoming else None,
                     "next_touch_kind": clock_kind_label(upcoming[1]) if upcoming else ""})
    owed = [Touch(schedule=o.schedule, service=o.schedule.service, patient=patient, kind=o.kind, number=o.number,
                  created_at=o.created_at, status=Touch.Status.QUEUED)
            for o in OwedTouch.objects.filter(schedule__patient=patient).select_related("schedule__service")]
    touches = sorted(owed, key=lambda t: t.created_at, reverse=True) + list(
        Touch.objects.filter(patient=patient).select_related("service")
        .order_by("-created_at", "-id")[:RECENT_TOUCHES])
    return {"recall_panel": {"rows": rows, "touches": touches[:RECENT_TOUCHES], "textable": patient.can_text}}


def clock_kind_label(kind: str) -> str:
    return Touch.Kind(kind).label
