"""Phone numbers: everything stored as E.164, parsed by Google's libphonenumber."""

import phonenumbers
from django.conf import settings


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """'(415) 555-0134' -> '+14155550134'; None when the number is impossible."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
