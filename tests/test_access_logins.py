"""Logging in: throttling (django-axes), failed logins audited, idle logoff and absolute lifetime,
password change and reset by email, optional two-step login for owners."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from factories import PASSWORD

from medspa.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Many logins per test: a cheap hasher (set before the personas are created)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_a_wrong_password_is_refused_and_recorded(client, alice):
    response = log_in(client, "alice", "not-it")
    assert response.status_code == 200 and "did not match" in response.content.decode()
    rows = AuditLog.objects.filter(action="login.failed")
    assert rows.count() == 1
    assert rows.get().data == {"username": "alice", "ip": "127.0.0.1"}


def test_the_eleventh_wrong_password_in_a_row_is_refused_without_checking(client, alice):
    for _ in range(9):
        assert log_in(client, "alice", "guess").status_code == 200
    assert log_in(client, "alice", "guess").status_code == 429  # the 10th is checked, recorded, and locks
    assert AuditLog.objects.filter(action="login.failed").count() == 10
    # The 11th is refused without checking it: even the right password.
    response = log_in(client, "alice")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/patients/").status_code == 302


def test_a_good_login_resets_the_count(client, alice):
    for _ in range(9):
        log_in(client, "alice", "guess")
    assert log_in(client, "alice").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(9):
        log_in(client, "alice", "guess")
    assert log_in(client, "alice").status_code == 302


def test_fifteen_idle_minutes_log_a_person_out(client, alice, patient):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert log_in(client, "alice").status_code == 302
        clock.shift(timedelta(minutes=10))
        assert client.get(f"/patients/{patient.pk}/").status_code == 200
        clock.shift(timedelta(minutes=14))  # 14 minutes after the last page: still in
        assert client.get(f"/patients/{patient.pk}/").status_code == 200
        # The inbox's background refresh is not activity.
        clock.shift(timedelta(minutes=10))
        assert client.get("/inbox/", HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND="poll").status_code == 200
        clock.shift(timedelta(minutes=6))
        response = client.get(f"/patients/{patient.pk}/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        assert client.get(f"/patients/{patient.pk}/").status_code == 302  # really logged out


def test_an_idle_htmx_request_redirects_the_whole_page(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "alice")
        clock.shift(timedelta(minutes=16))
        response = client.get("/inbox/", HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")


def test_sessions_end_after_their_absolute_lifetime(client, alice, settings):
    settings.SESSION_COOKIE_AGE = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "alice")
        for _ in range(5):  # busy all along
            clock.shift(timedelta(minutes=10))
            assert client.get("/patients/").status_code == 200
        clock.shift(timedelta(minutes=11))  # 11 idle minutes, but 61 since login
        assert client.get("/patients/").status_code == 302


def test_idle_time_is_a_setting(client, alice, settings):
    settings.SESSION_IDLE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, "alice")
        clock.shift(timedelta(seconds=61))
        assert client.get("/patients/").status_code == 302


def test_password_change(client, alice):
    log_in(client, "alice")
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "a-new-long-passphrase-9",
        "new_password2": "a-new-long-passphrase-9"})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    assert log_in(client, "alice", "a-new-long-passphrase-9").status_code == 302


def test_password_reset_by_email(client, alice):
    alice.email = "alice@westside.example"
    alice.save()
    response = client.post("/accounts/password/reset/", {"email": "alice@westside.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@westside.example"]
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "reset-passphrase-42", "new_password2": "reset-passphrase-42"})
    assert response.status_code == 302
    assert log_in(client, "alice", "reset-passphrase-42").status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and mail.outbox == []


def test_owner_turns_on_two_step_login(client, olivia):
    log_in(client, "olivia")
    page = client.get("/accounts/two-step/")
    assert page.status_code == 200 and "authenticator" in page.content.decode()
    device = TOTPDevice.objects.get(user=olivia, confirmed=False)
    wrong = "000000" if totp(device.bin_key) != 0 else "111111"
    assert client.post("/accounts/two-step/", {"token": wrong}).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):  # past the retry delay after a wrong code
        assert client.post("/accounts/two-step/", {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    client.post("/accounts/logout/")

    response = log_in(client, "olivia")  # password alone is not enough now
    assert response.status_code == 200 and "6-digit code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        response = log_in(client, "olivia", otp_token=f"{totp(device.bin_key):06d}")
    assert response.status_code == 302, response.context["form"].errors
    assert AuditLog.objects.filter(actor=olivia, action="two_factor.enabled").exists()


def test_coordinators_have_no_two_step_page(client, alice):
    log_in(client, "alice")
    assert client.get("/accounts/two-step/").status_code == 403
