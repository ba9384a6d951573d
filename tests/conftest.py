"""Test setup: real PostgreSQL and Redis (started here unless DATABASE_URL is given), personas,
a local fake Twilio, and Debian's Chromium for Playwright."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from testservers import TestServers  # noqa: E402

_servers: TestServers | None = None

TWILIO_SID = "AC" + "0" * 31 + "1"
TWILIO_TOKEN = "test-auth-token-0123456789abcdef"


def pytest_configure(config):
    """Runs before pytest-django sets Django up (it does that last), so the URLs land in settings."""
    global _servers
    if not os.environ.get("DATABASE_URL") and not hasattr(config, "workerinput"):
        _servers = TestServers()
        os.environ.update(_servers.start())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright + ORM
    Path(os.environ.get("VAR_DIR", "/tmp/medspa-test-var"), "staticfiles").mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "SECRET_KEY": "test-secret-key-" + "x" * 40,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_API_BASE": "http://127.0.0.1:9",  # unroutable until a test starts the fake
            "TWILIO_DEFAULT_FROM": "+14155550100",
            "PUBLIC_BASE_URL": "https://frontdesk.example.com",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1,frontdesk.example.com",
            "VAR_DIR": os.environ.get("VAR_DIR", "/tmp/medspa-test-var"),
        }
    )
    import django

    django.setup()
    _own_redis_database_per_worker()


def _own_redis_database_per_worker():
    """xdist workers share one Redis server; each gets its own database, so one worker's
    cache.clear() (a FLUSHDB) cannot reset another's rate-limit counters mid-test."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (worker.startswith("gw") and settings.REDIS_URL):
        return
    url = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{int(worker[2:]) % 15 + 1}"
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    settings.CACHES["default"]["LOCATION"] = url


def pytest_unconfigure(config):
    if _servers is not None:
        _servers.stop()


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [f"database: {db['ENGINE']} on {db.get('HOST')}:{db.get('PORT')}", f"redis: {settings.REDIS_URL}"]


# --- personas -------------------------------------------------------------------------------

# Factories import models, so they load inside fixtures (after Django is set up).

@pytest.fixture
def westside(db):
    from factories import LocationFactory

    return LocationFactory(name="Westside Aesthetics", time_zone="America/Los_Angeles")


VOICE_LINE = "+14155550101"


@pytest.fixture
def clinic(westside):
    """Westside answering calls on VOICE_LINE, with no on-call number (the voice tests' clinic)."""
    westside.voice_number = VOICE_LINE
    westside.on_call_number = ""
    westside.save()
    return westside


@pytest.fixture
def downtown(db):
    from factories import LocationFactory

    return LocationFactory(name="Downtown Skin Studio", time_zone="America/New_York")


@pytest.fixture
def alice(westside):
    """Coordinator at Westside only."""
    from factories import UserFactory

    return UserFactory(username="alice", role="coordinator", locations=[westside])


@pytest.fixture
def bob(downtown):
    """Coordinator at Downtown only."""
    from factories import UserFactory

    return UserFactory(username="bob", role="coordinator", locations=[downtown])


@pytest.fixture
def olivia(westside, downtown):
    """Owner of both locations."""
    from factories import UserFactory

    return UserFactory(username="olivia", role="owner", locations=[westside, downtown])


@pytest.fixture
def provider(westside):
    from factories import ProviderFactory

    return ProviderFactory(name="Dr. Maya Patel", title="MD", locations=[westside])


@pytest.fixture
def patient(westside):
    from factories import PatientFactory

    return PatientFactory(first_name="Jordan", last_name="Rivera", phone="+14155550134", location=westside)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def owner_client(client, olivia):
    client.force_login(olivia)
    return client


# --- Twilio -----------------------------------------------------------------------------------

@pytest.fixture
def fake_twilio(settings):
    from faketwilio import FakeTwilio

    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    settings.TWILIO_API_BASE = fake.url
    settings.SMS_BACKEND = "twilio"
    yield fake
    fake.stop()
    # Every request we sent and every answer the fake gave must match Twilio's OpenAPI contract.
    assert fake.violations == [], fake.violations


@pytest.fixture
def fast_sender(settings):
    """No throttling between test sends, and a fresh rate-limit window (recall tests opt in)."""
    from django.core.cache import cache

    settings.SMS_RATE_PER_SECOND = 1000
    cache.clear()


@pytest.fixture
def eager_worker():
    """Tasks queued (on commit) run at once, as a worker would run them."""
    from medspa.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def twilio_signed_post(client, settings):
    """POST form data the way Twilio does, signed with RequestValidator over the public URL."""
    from twilio.request_validator import RequestValidator

    def post(path: str, data: dict, *, signature: str | None = None):
        data = {"AccountSid": TWILIO_SID, **data}  # Twilio sends it on every webhook
        url = settings.PUBLIC_BASE_URL + path
        if signature is None:
            signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, data)
        return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)

    return post


# --- Chromium ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def login(page, live_server):
    """Log a persona in through the real login form; returns the page."""

    def do(user, password="demo-pass-123"):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return do
