"""The unsubscribe link in recall emails: one click, no login, honoured at once (recall.email)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from medspa.models import Patient

from ..email import patient_id_for, unsubscribe


@never_cache
@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a session or token
@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=False)
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token):
    if getattr(request, "limited", False):
        return render(request, "recall/link_gone.html", {"limited": True}, status=429)
    patient_id = patient_id_for(token)
    patient = Patient.objects.select_related("location").filter(pk=patient_id).first() if patient_id else None
    if patient is None:
        return render(request, "recall/link_gone.html", {}, status=404)
    unsubscribe(patient, source="email_link")
    return render(request, "recall/unsubscribed.html", {"first_name": patient.first_name,
                                                          "clinic": patient.location})
