"""The dev phone: try patient texts under `make run` without a real phone or Twilio account.

Only when SMS_BACKEND is "console" (nothing is really sent); anywhere else every page is a 404.
It lists the texts the app sent to each patient (touches and keyword replies, from the database)
and the patient's own texts, and its reply box posts a Twilio-shaped form, signed with Twilio's own
RequestValidator, over HTTP to PUBLIC_BASE_URL + the inbound webhook: the exact path a real reply
takes (signature check, idempotent store, Celery task, triage, inbox).
"""

import urllib.error
import urllib.parse
import urllib.request
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from twilio.request_validator import RequestValidator

from medspa.models import Patient
from medspa.permissions import staff_required

from ..models import InboundMessage, Touch


def enabled() -> bool:
    return settings.SMS_BACKEND == "console"


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=1600, label="Reply as the patient",
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. Yes please, or STOP"}))


def _require_enabled():
    if not enabled():
        raise Http404("The dev phone exists only while texts go to the console.")


@staff_required
def phone_list(request):
    _require_enabled()
    patients = (Patient.objects.visible_to(request.user).exclude(phone="").select_related("location")
                .order_by("first_name", "last_name", "id"))
    texted = set(Touch.objects.filter(patient__in=patients).values_list("patient_id", flat=True).distinct())
    query = request.GET.get("q", "").strip()
    if query:
        patients = patients.search(query)
    elif request.GET.get("all") != "1":
        patients = patients.filter(pk__in=texted)
    page = Paginator(patients, 50).get_page(request.GET.get("page"))
    return render(request, "recall/dev_phone_list.html", {"page": page, "query": query, "texted": texted})


def conversation(patient) -> list[dict]:
    """Every text between the app and this patient's number, oldest first."""
    lines = []
    # Texts only (not emails or logged calls), and a message once (not the touches it carried: Touch.message).
    for t in (Touch.objects.filter(patient=patient, channel=Touch.Channel.SMS, message__isnull=True)
              .exclude(status=Touch.Status.CANCELLED)):
        lines.append({"at": t.sent_at or t.created_at, "ours": True, "body": t.body,
                      "note": t.get_kind_display() + ("" if t.sent_at else f" · {t.get_status_display().lower()}")})
    for m in InboundMessage.objects.filter(from_number=str(patient.phone)):
        lines.append({"at": m.received_at, "ours": False, "body": m.body,
                      "note": m.get_kind_display() if m.processed_at else "Waiting for the worker"})
        if m.reply_body:
            lines.append({"at": m.processed_at or m.received_at, "ours": True, "body": m.reply_body,
                          "note": "Automatic reply"})
    return sorted(lines, key=lambda line: line["at"])


def post_signed_reply(patient, body: str) -> int:
    """POST the reply to our own inbound webhook exactly as Twilio would; returns the HTTP status."""
    url = settings.PUBLIC_BASE_URL + reverse("recall:twilio_inbound")
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
              "From": str(patient.phone), "To": str(patient.location.sms_number or settings.TWILIO_DEFAULT_FROM),
              "Body": body, "NumMedia": "0"}
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(  # noqa: S310 (our own PUBLIC_BASE_URL, http or https)
        url, data=urllib.parse.urlencode(params).encode(), method="POST",
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@staff_required
@require_http_methods(["GET", "POST"])
def phone(request, pk):
    _require_enabled()
    patient = get_object_or_404(Patient.objects.visible_to(request.user).select_related("location"), pk=pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            status = post_signed_reply(patient, form.cleaned_data["body"])
        except OSError as exc:
            messages.error(request, f"Could not reach {settings.PUBLIC_BASE_URL} ({exc}). Set PUBLIC_BASE_URL to "
                                    "the address this server answers on.")
        else:
            if status == 200:
                messages.success(request, "Sent through the signed webhook. The worker files it within seconds.")
            else:
                messages.error(request, f"The webhook answered {status}: check PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN.")
        return redirect("recall:dev_phone", pk=patient.pk)
    return render(request, "recall/dev_phone.html", {"patient": patient, "lines": conversation(patient),
                                                     "form": form})
