"""Logging in and out: the login form (with the optional authenticator code), two-step login setup
for owners, password change and reset (Django's own views), and an audit row for each failed login.

Throttling is django-axes (settings.AXES_*): it counts failures and refuses a locked-out login
before the password is checked.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditLog, User
from .models.audit import log_action
from .permissions import owner_required


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:45] if request is not None else ""


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs):
    """One audit row per failed login (no actor: nobody got in), filed under the account's first location
    so its owners see it."""
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).prefetch_related("locations").first()
    location = account.locations.first() if account else None
    AuditLog.objects.create(action="login.failed", location=location, object_repr=username,
                            ip=client_address(request) or None,
                            path=request.path[:200] if request is not None else "",
                            data={"username": username, "ip": client_address(request)})


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    if request is not None and request.method == "POST":  # the form, not a test's force_login
        log_action(user, "login.succeeded", ip=client_address(request))


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username and password; plus the authenticator code for people who turned two-step login on."""

    otp_token = forms.CharField(
        required=False, label="Authenticator code", max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if you turned on two-step login.",
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    error_messages = {**AuthenticationForm.error_messages,
                      "invalid_login": "Those details did not match an active staff account."}
    otp_error_messages = {**OTPAuthenticationFormMixin.otp_error_messages,
                          "token_required": "Enter the 6-digit code from your authenticator app.",
                          "invalid_token": "That authenticator code is not right (or has expired). Try the next one."}

    def _chosen_device(self, user):
        # One authenticator per person: their confirmed TOTP device (no device picker on the form).
        return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()

    def clean(self):
        data = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return data


class TokenForm(forms.Form):
    token = forms.CharField(label="Code from your authenticator app", max_length=10,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


@owner_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Turn two-step login on (scan or type the key, confirm one code) or off."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if request.method == "POST" and request.POST.get("action") == "off" and confirmed:
        TOTPDevice.objects.filter(user=user).delete()
        log_action(user, "two_factor.disabled")
        messages.success(request, "Two-step login is off.")
        return redirect("two_factor")
    pending = None
    form = TokenForm(request.POST or None)
    if not confirmed:
        pending, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator"})
        if request.method == "POST" and form.is_valid():
            if pending.verify_token(form.cleaned_data["token"].strip()):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                log_action(user, "two_factor.enabled")
                messages.success(request, "Two-step login is on: you will be asked for a code when you log in.")
                return redirect("two_factor")
            form.add_error("token", "That code did not match. Check the time on your phone and try the next code.")
    secret = None
    if pending is not None:
        from base64 import b32encode

        secret = b32encode(pending.bin_key).decode().rstrip("=")
    return render(request, "registration/two_factor.html", {
        "confirmed": confirmed, "pending": pending, "form": form, "secret": secret,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)] if secret else [],
        "otpauth_url": pending.config_url if pending else "",
    }, status=400 if form.errors else 200)


FORM = "registration/account_form.html"
DONE = "registration/account_message.html"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name=FORM), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name=DONE, extra_context={"message": "Your password was changed."}), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name=FORM, success_url=reverse_lazy("password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name=DONE, extra_context={"message": "If that address belongs to a staff account, a link to choose "
                                                      "a new password is on its way. It works for one hour."}),
         name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(template_name=FORM),
         name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name=DONE, extra_context={"message": "Your password is set. You can log in now."}),
         name="password_reset_complete"),
    path("two-step/", two_factor, name="two_factor"),
]
