"""Session limits: idle logoff and an absolute lifetime, both from settings.

The session remembers when the person logged in and when they last did something. A request after
SESSION_IDLE_SECONDS of inactivity, or SESSION_COOKIE_AGE after login, logs them out and goes to the
login page (htmx requests get an `HX-Redirect`, so a polled panel does not fill with the login form).
Background polls (`X-Background: poll`, sent by the inbox's refresh) do not count as activity.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# Write the session at most this often for activity alone (not on every request).
TOUCH_EVERY_SECONDS = 30


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    """Every login a person makes is a POST (the login form, the admin's): both clocks start now. A session
    without the stamps (a test's force_login) has only Django's own cookie age."""
    if request is not None and hasattr(request, "session") and request.method == "POST":
        request.session[LOGIN_AT] = request.session[SEEN_AT] = int(time.time())


def session_expired(session, now: float) -> str:
    """Why this session must end now ('' if it may go on)."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is not None and now - login_at > settings.SESSION_COOKIE_AGE:
        return "Your session reached its maximum length. Please log in again."
    if seen_at is not None and now - seen_at > settings.SESSION_IDLE_SECONDS:
        return "You were logged out after a period of inactivity. Please log in again."
    return ""


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            reason = session_expired(request.session, now)
            if reason:
                logout(request)
                login_url = f"{reverse('login')}?next={request.path}&expired=1"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                if request.path.startswith("/api/"):
                    return HttpResponse("Session expired.", status=401, content_type="text/plain")
                return redirect(login_url)
            background = request.headers.get("X-Background") == "poll"
            seen_at = request.session.get(SEEN_AT)
            if seen_at is not None and not background and now - seen_at >= TOUCH_EVERY_SECONDS:
                request.session[SEEN_AT] = int(now)
        return self.get_response(request)
