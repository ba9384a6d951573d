"""The site `python -m bench webhook` serves under gunicorn: the project's URLs plus two reference views.

- `/bench/signature-only/`: the same `twilio_webhook` check (POST, CSRF-exempt, X-Twilio-Signature)
  and the same empty TwiML answer, nothing stored: the floor for a signed webhook.
- `/bench/bare/`: an empty TwiML answer, no check at all: what Django + gunicorn cost by themselves.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from medspa.urls import urlpatterns as project_urls

try:  # where the twilio rewrite puts the signature check
    from medspa.twilio.webhooks import twilio_webhook
except ImportError:
    from medspa.webhooks import twilio_webhook

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@twilio_webhook
def signature_only(request):
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
def bare(request):
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


urlpatterns = [
    path("bench/signature-only/", signature_only),
    path("bench/bare/", bare),
    *project_urls,
]
