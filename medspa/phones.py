"""Phone numbers: everything stored as E.164, parsed by Google's libphonenumber."""

import functools

import phonenumbers
from django.conf import settings


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """'(415) 555-0134' -> '+14155550134'; None when the number is impossible."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return _normalized(raw, region or settings.PHONENUMBER_DEFAULT_REGION)


# Parsing and validating costs about 30 us; the same few numbers come back all day (every inbound text
# carries one of the clinic's own numbers, patients text back and forth), so recent answers are kept.
@functools.lru_cache(maxsize=4096)
def _normalized(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
