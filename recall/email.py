"""Email as a second channel: the unsubscribe link every recall email carries.

The link is `/e/unsubscribe/<token>/`, where the token is the patient id signed with the project's
SECRET_KEY (django.core.signing, its own salt): no login, no expiry, nothing guessable. One click (GET,
or the RFC 8058 one-click POST a mail client sends for `List-Unsubscribe-Post`) unsubscribes the patient
from email at once: `Patient.unsubscribe_email` records it with a ConsentEvent, and every queued email
touch is cancelled. Texts are not touched: email and SMS consent are separate.
"""

from django.conf import settings
from django.core import signing
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
