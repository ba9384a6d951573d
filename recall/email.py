"""Email as a second channel: the recall email and the unsubscribe link every one carries.

`send_touch_email` sends a touch's message through Django's email framework (EMAIL_BACKEND: the console
under `make run`, SMTP or any backend in production). The wording is the text's (same rules: first name,
clinic and the link, never a treatment), without "Reply STOP", plus a one-click unsubscribe link, also in the
`List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058) so mail clients offer it.

The link is `/e/unsubscribe/<token>/`, where the token is the patient id signed with the project's
SECRET_KEY (django.core.signing, its own salt): no login, no expiry, nothing guessable. One click (GET,
or the RFC 8058 one-click POST a mail client sends for `List-Unsubscribe-Post`) unsubscribes the patient
from email at once: `Patient.unsubscribe_email` records it with a ConsentEvent, and every queued email
touch is cancelled. Texts are not touched: email and SMS consent are separate.
"""

import re
from email.utils import formataddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse

from .schedules import cancel_queued

SALT = "recall.email-unsubscribe"


def unsubscribe_token(patient_id: int) -> str:
    return signing.dumps(patient_id, salt=SALT, compress=True)


def unsubscribe_url(patient_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("recall:email_unsubscribe", args=[unsubscribe_token(patient_id)])


def patient_id_for(token: str) -> int | None:
    """The patient a token was made for, or None when it was not made by us (tampered, truncated)."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(patient, source: str) -> bool:
    """Stop email to `patient` now; returns False when they were already unsubscribed."""
    changed = patient.unsubscribe_email(source=source)
    cancel_queued(Q(patient_id=patient.pk, channel="email"), "The patient unsubscribed from email.")
    return changed


# The texts' opt-out sentence ("Reply STOP to opt out."): an email has its unsubscribe link instead.
REPLY_STOP = re.compile(r"\s*Reply STOP\b[^.!]*[.!]?", re.IGNORECASE)
SUBJECTS = {
    "on_time": "Time for your next visit",
    "late": "We'd love to see you again",
    "reactivation": "It's been a while",
}


def email_body(text: str, unsubscribe_link: str) -> str:
    body = REPLY_STOP.sub("", text).strip()
    return (f"{body}\n\n--\nYou get these reminders because you agreed to email from us. "
            f"Unsubscribe (one click): {unsubscribe_link}\n")


def touch_email(touch, *, to: str) -> EmailMessage:
    """The email for `touch` (its patient and location loaded): the text's wording, the link, unsubscribe."""
    patient = touch.patient
    clinic = patient.location.name
    link = unsubscribe_url(patient.pk)
    return EmailMessage(
        subject=f"{SUBJECTS.get(touch.kind, 'A note from us')} - {clinic}",
        body=email_body(touch.body, link),
        from_email=formataddr((clinic, settings.DEFAULT_FROM_EMAIL)),
        to=[to],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"},
    )


def send_touch_email(touch, *, to: str) -> None:
    """Send it; raises what the backend raises (the dispatcher retries or fails the touch)."""
    touch_email(touch, to=to).send(fail_silently=False)
