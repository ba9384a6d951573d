"""Keeping RecallSchedule rows in step with visits, consent and open clinical concerns.

`decide()` is the single place that turns a schedule + rule + now into a state, the touch owed
(if any) and the next action time. The sweep, the visit hook and `recall_status` all use it.
`sync_schedules()` is the set-based writer used by the visit hook (one pair), the importer and
the demo (many pairs): two aggregate queries and one bulk write whatever the number of pairs.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from medspa.models import Handoff, Patient, Service, Visit, log_action
from medspa.routes import Route

from . import clock
from .models import LinkAction, RecallLink, RecallRule, RecallSchedule, Touch
from .models.schedules import OWING_STATES, State
from .quiet_hours import may_send, morning_of, next_send_time

PAUSE_ROUTES = (Route.SAFETY_ESCALATION, Route.PROVIDER_REVIEW)
PAUSE_RECHECK = timedelta(hours=12)
BOOKED_GRACE = timedelta(days=1)


def open_concerns():
    """Open safety or provider-review handoffs: recall pauses for these patients."""
    return Handoff.objects.filter(route__in=PAUSE_ROUTES).exclude(status=Handoff.Status.DONE)


def paused_subquery(patient_ref="patient_id"):
    return Exists(open_concerns().filter(patient_id=OuterRef(patient_ref)))


@dataclass(frozen=True)
class Decision:
    state: str
    touch: str | None
    next_action_at: datetime | None


def decide(schedule: RecallSchedule, rule: RecallRule | None, now: datetime, *, paused: bool,
           can_text: bool, tz, day: date | None = None) -> Decision:
    """What this schedule should be at `now` (or on `day`, for evaluations that write nothing).

    The state comes from the timeline alone; `can_text` only decides whether a touch is written.
    How the patient may be reached is a separate fact (Patient.text_contact / email_contact)."""
    service_active = rule is not None and rule.is_active and schedule.service.is_active
    if schedule.stopped_at or not schedule.trusted or schedule.last_visit is None or not service_active:
        return Decision(State.CLOSED, None, None)
    today = day or now.astimezone(tz).date()
    if schedule.booked_for and (schedule.booked_for.astimezone(tz).date() >= today if day else
                                schedule.booked_for > now):
        return Decision(State.BOOKED, None, schedule.booked_for + BOOKED_GRACE)
    if paused:
        return Decision(State.PAUSED, None, now + PAUSE_RECHECK)
    last_touch_day = schedule.last_touch_at.astimezone(tz).date() if schedule.last_touch_at else None
    p = clock.plan(today, last_visit=schedule.last_visit, rule=rule, touches_sent=schedule.touches_sent,
                   kinds_sent=schedule.kinds, last_touch_day=last_touch_day, snoozed_until=schedule.snoozed_until)
    if p.touch and not can_text:
        # The state is the timeline's whatever the channel: nothing is written, and the schedule is looked
        # at again when its state next changes (a consent change re-plans at once: recall.signals).
        next_change = clock.next_boundary(today, schedule.last_visit, rule)
        return Decision(p.state, None, morning_of(next_change, tz) if next_change else None)
    if p.touch:
        if day is None and not may_send(now, tz):
            return Decision(p.state, None, next_send_time(now, tz))  # quiet hours: look again at 08:00
        return Decision(p.state, p.touch, now)
    return Decision(p.state, None, morning_of(p.next_check, tz) if p.next_check else None)


def reachable(patient: Patient) -> bool:
    """A recall message may go to the patient (annotated with `textable`, see sync_schedules) by text or by
    email (the dispatcher picks which at send time)."""
    return patient.textable or patient.can_email


def rules_by_service() -> dict[int, RecallRule]:
    rules = {r.service_id: r for r in RecallRule.objects.all()}
    for service in Service.objects.exclude(pk__in=list(rules)):
        rules[service.pk] = RecallRule.for_service(service)
    return rules


def sync_schedules(visits=None, *, now: datetime | None = None, trust: bool = False) -> int:
    """Recompute schedules for every patient x service in `visits` (a Visit queryset; all when None).

    A newer completed visit starts a new cycle (touch counters reset); a future booked visit makes
    the schedule `booked`. Nothing is sent here: a schedule that owes a touch gets next_action_at =
    now and the sweep writes the touch within minutes. `trust=True` (a visit entered by staff)
    clears an import's data-quality flag, because the clinic has just recorded a trustworthy visit.
    """
    now = now or timezone.now()
    visits = Visit.objects.all() if visits is None else visits
    key_list = list(visits.order_by().values_list("patient_id", "service_id").distinct())
    if not key_list:
        return 0
    patient_ids = {p for p, _ in key_list}
    wanted = set(key_list)
    stats = (
        Visit.objects.filter(patient_id__in=patient_ids).order_by().values("patient_id", "service_id")
        .annotate(
            last=Max("starts_at", filter=Q(status=Visit.Status.COMPLETED, starts_at__lte=now)),
            booked=Min("starts_at", filter=Q(status=Visit.Status.BOOKED, starts_at__gt=now)),
        )
    )
    # `textable` is Patient.can_text computed by the database (Patient.objects.textable()), so the phone
    # numbers need not be loaded and parsed: an import syncs thousands of patients per chunk.
    patients = {
        p.pk: p for p in Patient.objects.filter(pk__in=patient_ids).select_related("location").defer("phone")
        .annotate(paused=paused_subquery("pk"),
                  textable=Exists(Patient.objects.textable().filter(pk=OuterRef("pk"))))
    }
    existing = {
        (s.patient_id, s.service_id): s
        for s in RecallSchedule.objects.filter(patient_id__in=patient_ids).select_related("service")
    }
    rules = rules_by_service()
    services = {s.pk: s for s in Service.objects.all()}
    to_create, to_update, stop_sending = [], [], []
    for row in stats:
        key = (row["patient_id"], row["service_id"])
        if key not in wanted:
            continue
        patient = patients[row["patient_id"]]
        tz = patient.location.tz
        schedule = existing.get(key)
        if schedule is None:
            if row["last"] is None:
                continue  # never treated: nothing to recall yet
            schedule = RecallSchedule(patient=patient, service=services[row["service_id"]])
            to_create.append(schedule)
        else:
            schedule.patient = patient
            to_update.append(schedule)
        last_visit = row["last"].astimezone(tz).date() if row["last"] else None
        if last_visit != schedule.last_visit and last_visit is not None and (
                schedule.last_visit is None or last_visit > schedule.last_visit):
            schedule.touches_sent, schedule.kinds_sent, schedule.snoozed_until = 0, "", None
        schedule.last_visit = last_visit
        rule = rules.get(row["service_id"])
        schedule.due_date = clock.due_date(last_visit, rule) if last_visit and rule else None
        schedule.booked_for = row["booked"]
        if trust:
            schedule.trusted, schedule.quality_note = True, ""
        decision = decide(schedule, rule, now, paused=patient.paused, can_text=reachable(patient), tz=tz)
        schedule.state = decision.state
        schedule.next_action_at = decision.next_action_at
        if decision.state not in OWING_STATES and schedule.pk:
            stop_sending.append(schedule.pk)
    RecallSchedule.objects.bulk_create(to_create, batch_size=1000)
    RecallSchedule.objects.bulk_update(
        to_update, ["last_visit", "due_date", "booked_for", "touches_sent", "kinds_sent", "snoozed_until",
                    "trusted", "quality_note", "state", "next_action_at"], batch_size=1000,
    )
    if stop_sending:
        cancel_queued(Q(schedule_id__in=stop_sending), "No longer owed (booked, paused or closed).")
    unreachable = [s.pk for s in to_update if s.pk and not reachable(patients[s.patient_id])]
    if unreachable:
        cancel_queued(Q(schedule_id__in=unreachable), "The patient cannot be texted or emailed any more.")
    return len(to_create) + len(to_update)


def cancel_queued(where: Q, reason: str) -> int:
    return Touch.objects.filter(where, status=Touch.Status.QUEUED).update(
        status=Touch.Status.CANCELLED, last_error=reason[:250])


def refresh_patient(patient_id: int, *, now: datetime | None = None) -> int:
    """Re-evaluate every schedule of one patient (consent changed, a concern opened or closed)."""
    return sync_schedules(Visit.objects.filter(patient_id=patient_id), now=now)


# --- changes the patient makes from the link page (recall.views.patient_link) ---------------------

@transaction.atomic
def ask_for_slot(link: RecallLink, request: dict) -> Handoff:
    """A slot request from the link in a recall or member text: one rebooking handoff (history, the touch
    and member figures attached by Handoff.objects.open_for). A recall link also holds that service's
    reminders for two weeks while the front desk calls."""
    patient, touch, now = link.patient, link.touch, timezone.now()
    when = ", ".join(request["days"]) + " · " + ", ".join(request["times"])
    note = f" Note: {request['note']}" if request["note"] else ""
    context = {"request": request}
    if link.schedule_id is not None:
        schedule = RecallSchedule.objects.select_for_update().select_related("patient__location", "service").get(
            pk=link.schedule_id)
        service = schedule.service
        context["last_visit"] = schedule.last_visit.isoformat() if schedule.last_visit else None
        title = f"{patient.full_name} asked for a {service.name} appointment"
        summary = f"Asked through the recall link for {when}." + note
        schedule.hold_for_callback(now)
    else:
        service = touch.service if touch else None
        title = f"{patient.full_name} asked for " + (f"a {service.name} appointment" if service else "an appointment")
        kind = touch.get_kind_display().lower() if touch else "member"
        summary = f"Asked through the link in a member text ({kind}) for {when}." + note
    if service:
        context["service"] = service.name
    handoff = Handoff.objects.open_for(
        patient, Route.REBOOKING, Handoff.Source.RECALL_LINK, touch=touch, context=context, title=title,
        summary=summary, reasons=[f"Requested a time: {when}"], value=service.typical_value if service else 0,
    )
    LinkAction.objects.create(link=link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff)
    return handoff


def earlier_request(link: RecallLink) -> LinkAction | None:
    """The patient's latest request from this link (or another link for the same reminder schedule)
    that the front desk has not closed yet: the link page shows it and offers to change it."""
    requests = LinkAction.objects.filter(action=LinkAction.Action.REQUEST, handoff__isnull=False).exclude(
        handoff__status=Handoff.Status.DONE)
    requests = (requests.filter(link__schedule_id=link.schedule_id) if link.schedule_id
                else requests.filter(link=link))
    return requests.select_related("handoff").order_by("-created_at", "-id").first()


@transaction.atomic
def change_request(link: RecallLink, earlier: LinkAction, request: dict) -> Handoff:
    """The patient changed their request: the same inbox item now says the new time (no second item)."""
    handoff = Handoff.objects.select_for_update().get(pk=earlier.handoff_id)
    when = ", ".join(request["days"]) + " · " + ", ".join(request["times"])
    handoff.context = {**(handoff.context or {}), "request": request, "previous_request": earlier.data}
    handoff.summary = (f"Changed their request through the link to {when}."
                       + (f" Note: {request['note']}" if request["note"] else ""))
    handoff.reasons = [f"Requested a time: {when}"]
    handoff.save(update_fields=["context", "summary", "reasons"])
    LinkAction.objects.create(link=link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff)
    log_action(None, "recall.request_changed", handoff, location=handoff.location)
    return handoff


@transaction.atomic
def snooze(link: RecallLink, days: int) -> None:
    schedule = RecallSchedule.objects.select_for_update().select_related("patient__location").get(pk=link.schedule_id)
    until = schedule.snooze(timezone.now(), days)
    cancel_queued(Q(schedule_id=schedule.pk), "Patient snoozed reminders.")
    LinkAction.objects.create(link=link, action=LinkAction.Action.SNOOZE, data={"until": until.isoformat()})


@transaction.atomic
def stop(link: RecallLink, *, everything: bool) -> None:
    """Stop this service's reminders, or every text to the patient's number (the Patient save hook in
    recall.signals re-plans their schedules)."""
    schedule = None
    if link.schedule_id is not None:
        schedule = RecallSchedule.objects.select_for_update().select_related("patient").get(pk=link.schedule_id)
    patient = link.patient
    if everything:
        if patient.phone:
            Patient.opt_out_phone(str(patient.phone), source="recall_link", note="Stop all texts on the recall page")
        action = LinkAction.Action.STOP_ALL
    else:
        schedule.stop(timezone.now())
        cancel_queued(Q(schedule_id=schedule.pk), "Patient stopped these reminders.")
        action = LinkAction.Action.STOP_SERVICE
    LinkAction.objects.create(link=link, action=action)
    log_action(None, f"recall.{action}", schedule or patient, location=patient.location)
