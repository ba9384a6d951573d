"""Every page and API needs a login (and webhooks a Twilio signature): walk the whole URL map."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from factories import UserFactory

pytestmark = pytest.mark.django_db

# Deliberately reachable without a staff login, and why.
PUBLIC = {
    "login": "the login form",
    "logout": "logging out",
    "healthz": "load balancer health check",
    "recall:link": "patients open their signed recall link on their phone (opaque token, rate-limited)",
    "recall:email_unsubscribe": "one-click unsubscribe in a recall email (signed token, rate-limited, email only)",
    "password_reset": "asking for a reset link by email (same answer whether or not the address exists)",
    "password_reset_done": "the 'link sent' notice",
    "password_reset_confirm": "the emailed one-time link (signed token, expires in an hour)",
    "password_reset_complete": "the 'password set' notice",
}
SIGNED = {"calls:voice_incoming", "calls:voice_gather", "calls:voice_status", "recall:twilio_status",
          "recall:twilio_inbound"}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (namespace + p.name if p.name else None), prefix + str(p.pattern)


def example_path(route: str) -> str:
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # regex groups (DRF routers)
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:slug|str|path)?:?\w+>", "x", route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\Z", "")


def app_urls():
    for name, route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/")) or "format" in route:
            continue
        yield name, example_path(route)


def test_the_url_map_is_walked():
    urls = list(app_urls())
    assert len(urls) > 45
    assert all("^" not in path and "(" not in path for _, path in urls)
    names = {name for name, _ in urls}
    for expected in ["inbox", "patients", "calls:list", "recall:dashboard", "members:list", "dashboards:roi"]:
        assert expected in names


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_requests_never_reach_a_page(client, method):
    leaks = []
    for name, path in app_urls():
        if name in PUBLIC:
            continue
        response = getattr(client, method)(path)
        if name in SIGNED:
            ok = response.status_code in (403, 405)
        else:
            ok = response.status_code in (401, 403, 405) or (
                response.status_code == 302 and "/accounts/login/" in response.url)
        if not ok:
            leaks.append((name, path, response.status_code))
    assert leaks == []


def test_a_user_without_a_role_location_sees_no_data(client, patient):
    client.force_login(UserFactory(username="nobody", role="coordinator"))  # no locations
    for path in ["/patients/", "/inbox/", "/calls/", "/members/", "/recall/", "/api/v1/patients/"]:
        body = client.get(path).content.decode()
        assert "Rivera" not in body, path
