"""The patient's page behind the link in each recall or member text: no login, first name and clinic only.

The token is opaque (128 random bits, only its SHA-256 is stored) and expires after 30 days. An
unknown, tampered or expired token gets a friendly page with the clinic's phone when we know it.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from ..forms import DAYS, TIMES, SlotRequestForm, SnoozeForm
from ..models import LinkAction, RecallLink, Touch
from ..schedules import ask_for_slot, change_request, earlier_request, snooze, stop


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
                if earlier:  # a second submission changes the open request instead of opening another
                    change_request(link, earlier, request_form.slot_request())
                    done = "changed"
                else:
                    ask_for_slot(link, request_form.slot_request())
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


def due_for(link: RecallLink) -> list[dict]:
    """What the patient is due for and since when, for the page (never in the message itself): the link's
    service and every other service its message carried (one message per patient per day, Touch.message)."""
    if link.schedule is None:  # member texts (renewals, credits) are not about a treatment coming due
        return []
    schedules = [link.schedule]
    if link.touch_id:
        schedules += [t.schedule for t in Touch.objects.filter(message_id=link.touch_id, schedule__isnull=False)
                      .select_related("schedule__service").order_by("pk")]
    tz = link.patient.location.tz
    today = timezone.now().astimezone(tz).date()
    return [{"service": s.service.name, "last_visit": s.last_visit,
             "days_since": (today - s.last_visit).days if s.last_visit else None,
             "interval_days": s.service.return_interval_days} for s in schedules]


def _form_initial(action: LinkAction) -> dict:
    data = action.data or {}
    return {"days": [value for value, label in DAYS if label in data.get("days", [])],
            "times": [value for value, label in TIMES if label.lower() in data.get("times", [])],
            "note": data.get("note", "")}
