"""The patient's page behind the link in each recall or member text: no login, first name and clinic only.

The token is opaque (128 random bits, only its SHA-256 is stored) and expires after 30 days. An
unknown, tampered or expired token gets a friendly page with the clinic's phone when we know it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from medspa.models import Handoff, Patient, log_action
from medspa.routes import Route

from ..dispatch import touch_context
from ..forms import DAYS, TIMES, SlotRequestForm, SnoozeForm
from ..models import LinkAction, RecallLink, RecallSchedule
from ..schedules import cancel_queued, refresh_patient


def link_gone(request, link=None, *, status=404):
    clinic = link.patient.location if link else None
    return render(request, "recall/link_gone.html", {"clinic": clinic}, status=status)


@never_cache
@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=False)
@require_http_methods(["GET", "POST"])
def patient_link(request, token):
    if getattr(request, "limited", False):
        return render(request, "recall/link_gone.html", {"limited": True}, status=429)
    link = RecallLink.objects.find(token)
    if link is None:
        return link_gone(request)
    if link.is_expired():
        return link_gone(request, link, status=410)
    schedule, patient = link.schedule, link.patient
    clinic = patient.location
    if link.opened_at is None:
        RecallLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    earlier = earlier_request(link)
    changing = request.GET.get("change") == "1"
    request_form = SlotRequestForm(initial=_form_initial(earlier) if earlier else None)
    snooze_form, done = SnoozeForm(), None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "request":
            request_form = SlotRequestForm(request.POST)
            changing = True
            if request_form.is_valid():
                if earlier:
                    change_request(link, earlier, request_form.cleaned_data)
                    done = "changed"
                else:
                    ask_for_slot(link, request_form.cleaned_data)
                    done = "request"
                earlier = earlier_request(link)
        elif action == "snooze" and schedule is not None:
            snooze_form = SnoozeForm(request.POST)
            if snooze_form.is_valid():
                snooze(link, snooze_form.cleaned_data["days"])
                done = "snooze"
        elif action == "stop_all" or (action == "stop_service" and schedule is not None):
            stop(link, everything=action == "stop_all")
            done = action
    return render(request, "recall/link.html", {
        "first_name": patient.first_name, "clinic": clinic, "request_form": request_form,
        "snooze_form": snooze_form, "done": done, "opted_out": bool(patient.sms_opted_out_at),
        "for_schedule": schedule is not None, "earlier": earlier, "changing": changing,
        "due": due_for(link),
    })


def due_for(link: RecallLink) -> dict | None:
    """What the patient is due for and since when, for the page (never in the SMS itself)."""
    schedule = link.schedule
    if schedule is None:  # member texts (renewals, credits) are not about a treatment coming due
        return None
    service, last, tz = schedule.service, schedule.last_visit, link.patient.location.tz
    today = timezone.now().astimezone(tz).date()
    return {"service": service.name, "last_visit": last, "days_since": (today - last).days if last else None,
            "interval_days": service.return_interval_days}


def earlier_request(link: RecallLink) -> LinkAction | None:
    """The patient's latest request from this link (or another link for the same reminder schedule)
    that the front desk has not closed yet: the page shows it and offers to change it."""
    requests = LinkAction.objects.filter(action=LinkAction.Action.REQUEST, handoff__isnull=False).exclude(
        handoff__status=Handoff.Status.DONE)
    requests = (requests.filter(link__schedule_id=link.schedule_id) if link.schedule_id
                else requests.filter(link=link))
    return requests.select_related("handoff").order_by("-created_at", "-id").first()


def _form_initial(action: LinkAction) -> dict:
    data = action.data or {}
    return {"days": [value for value, label in DAYS if label in data.get("days", [])],
            "times": [value for value, label in TIMES if label.lower() in data.get("times", [])],
            "note": data.get("note", "")}


@transaction.atomic
def change_request(link: RecallLink, earlier: LinkAction, data: dict) -> Handoff:
    """The patient changed their request: the same inbox item now says the new time (no second item)."""
    handoff = Handoff.objects.select_for_update().get(pk=earlier.handoff_id)
    request = slot_request(data)
    when = ", ".join(request["days"]) + " · " + ", ".join(request["times"])
    handoff.context = {**(handoff.context or {}), "request": request, "previous_request": earlier.data}
    handoff.summary = (f"Changed their request through the link to {when}."
                       + (f" Note: {request['note']}" if request["note"] else ""))
    handoff.reasons = [f"Requested a time: {when}"]
    handoff.save(update_fields=["context", "summary", "reasons"])
    LinkAction.objects.create(link=link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff)
    log_action(None, "recall.request_changed", handoff, location=handoff.location)
    return handoff


def slot_request(data: dict) -> dict:
    days = [label for value, label in DAYS if value in data["days"]]
    times = [label.lower() for value, label in TIMES if value in data["times"]]
    return {"days": days, "times": times, "note": data.get("note", "")}


@transaction.atomic
def ask_for_slot(link: RecallLink, data: dict) -> Handoff:
    if link.schedule_id is None:
        return ask_for_member_slot(link, data)
    schedule = RecallSchedule.objects.select_for_update().select_related("patient__location", "service").get(
        pk=link.schedule_id)
    patient, service = schedule.patient, schedule.service
    request = slot_request(data)
    days, times = request["days"], request["times"]
    context = {"service": service.name, "history": patient.treatment_history(), "request": request,
               "last_visit": schedule.last_visit.isoformat() if schedule.last_visit else None}
    if link.touch:
        context["touch"] = touch_context(link.touch)
    when = ", ".join(days) + " · " + ", ".join(times)
    handoff = Handoff.objects.create(
        location=patient.location, patient=patient, route=Route.REBOOKING, source=Handoff.Source.RECALL_LINK,
        title=f"{patient.full_name} asked for a {service.name} appointment",
        summary=f"Asked through the recall link for {when}." + (f" Note: {request['note']}" if request["note"] else ""),
        reasons=[f"Requested a time: {when}"], context=context, caller_name=patient.full_name,
        caller_phone=str(patient.phone), value=service.typical_value,
    )
    # The front desk will call: no more reminders for two weeks while they do.
    schedule.snoozed_until = max(schedule.snoozed_until or timezone.localdate(),
                                 timezone.now().astimezone(patient.location.tz).date() + timedelta(days=14))
    schedule.next_action_at = timezone.now()
    schedule.save(update_fields=["snoozed_until", "next_action_at", "updated_at"])
    LinkAction.objects.create(link=link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff)
    return handoff


def ask_for_member_slot(link: RecallLink, data: dict) -> Handoff:
    """A slot request from a member touchpoint's link: a rebooking handoff carrying the member's figures
    (staff see them in the inbox; the patient's page never shows them)."""
    from members.balances import member_snapshot

    patient, touch = link.patient, link.touch
    service = touch.service if touch else None
    request = slot_request(data)
    when = ", ".join(request["days"]) + " · " + ", ".join(request["times"])
    what = f"a {service.name} appointment" if service else "an appointment"
    context = {"history": patient.treatment_history(), "request": request,
               "member": member_snapshot(patient)["context"]}
    if service:
        context["service"] = service.name
    if touch:
        context["touch"] = touch_context(touch)
    handoff = Handoff.objects.create(
        location=patient.location, patient=patient, route=Route.REBOOKING, source=Handoff.Source.RECALL_LINK,
        title=f"{patient.full_name} asked for {what}",
        summary=f"Asked through the link in a member text ({touch.get_kind_display().lower() if touch else 'member'}) "
                f"for {when}." + (f" Note: {request['note']}" if request["note"] else ""),
        reasons=[f"Requested a time: {when}"], context=context, caller_name=patient.full_name,
        caller_phone=str(patient.phone), value=service.typical_value if service else 0,
    )
    LinkAction.objects.create(link=link, action=LinkAction.Action.REQUEST, data=request, handoff=handoff)
    return handoff


@transaction.atomic
def snooze(link: RecallLink, days: int) -> None:
    schedule = RecallSchedule.objects.select_for_update().select_related("patient__location").get(pk=link.schedule_id)
    until = timezone.now().astimezone(schedule.patient.location.tz).date() + timedelta(days=days)
    schedule.snoozed_until = until
    schedule.next_action_at = timezone.now()  # the sweep re-plans around the snooze
    schedule.save(update_fields=["snoozed_until", "next_action_at", "updated_at"])
    cancel_queued(Q(schedule_id=schedule.pk), "Patient snoozed reminders.")
    LinkAction.objects.create(link=link, action=LinkAction.Action.SNOOZE, data={"until": until.isoformat()})


@transaction.atomic
def stop(link: RecallLink, *, everything: bool) -> None:
    schedule = None
    if link.schedule_id is not None:
        schedule = RecallSchedule.objects.select_for_update().select_related("patient").get(pk=link.schedule_id)
    patient = link.patient
    if everything:
        if patient.phone:
            Patient.opt_out_phone(str(patient.phone), source="recall_link", note="Stop all texts on the recall page")
        refresh_patient(patient.pk)
        action = LinkAction.Action.STOP_ALL
    else:
        schedule.stopped_at, schedule.state, schedule.next_action_at = timezone.now(), schedule.State.CLOSED, None
        schedule.save(update_fields=["stopped_at", "state", "next_action_at", "updated_at"])
        cancel_queued(Q(schedule_id=schedule.pk), "Patient stopped these reminders.")
        action = LinkAction.Action.STOP_SERVICE
    LinkAction.objects.create(link=link, action=action)
    log_action(None, f"recall.{action}", schedule or patient, location=patient.location)
