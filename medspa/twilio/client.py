"""The official Twilio client, pointed at TWILIO_API_BASE (a local fake in tests)."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

DEFAULT_API_BASE = "https://api.twilio.com"


class RebasedHttpClient(TwilioHttpClient):
    """Sends every request to `base` instead of Twilio's hard-coded hosts, path unchanged."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        parts = urlsplit(base)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def twilio_client(timeout: float = 10.0) -> Client:
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to use Twilio.")
    if settings.TWILIO_API_BASE == DEFAULT_API_BASE:
        http_client = TwilioHttpClient(timeout=timeout)
    else:
        http_client = RebasedHttpClient(settings.TWILIO_API_BASE, timeout=timeout)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
