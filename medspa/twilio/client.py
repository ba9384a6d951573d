"""The official Twilio client, one per process, pointed at TWILIO_API_BASE (a local fake in tests)."""

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

DEFAULT_API_BASE = "https://api.twilio.com"
TIMEOUT = 10.0


class RebasedHttpClient(TwilioHttpClient):
    """Sends every request to `base` instead of Twilio's hard-coded hosts, path unchanged."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        parts = urlsplit(base)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def request(self, method, url, *args, **kwargs):
        return super().request(method, rebase(url, self._scheme, self._netloc), *args, **kwargs)


def rebase(url: str, scheme: str, netloc: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def api_url(url: str) -> str:
    """`url` (a Twilio API address, e.g. a MediaUrl) sent to TWILIO_API_BASE instead."""
    if settings.TWILIO_API_BASE == DEFAULT_API_BASE:
        return url
    base = urlsplit(settings.TWILIO_API_BASE)
    return rebase(url, base.scheme, base.netloc)


@lru_cache(maxsize=4)
def _client(account_sid: str, auth_token: str, api_base: str) -> Client:
    if api_base == DEFAULT_API_BASE:
        http_client = TwilioHttpClient(timeout=TIMEOUT)
    else:
        http_client = RebasedHttpClient(api_base, timeout=TIMEOUT)
    return Client(account_sid, auth_token, http_client=http_client)


def twilio_client() -> Client:
    """The process's client (its HTTP session and connection pool are reused across sends)."""
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to use Twilio.")
    return _client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_API_BASE)
