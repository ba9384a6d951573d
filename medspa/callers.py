"""How a caller is verified before any member figure is said out loud.

`verify_caller(patient, from_number, date_of_birth)` is the clinic's identity check: a balance may be
stated to a caller only when BOTH
  1. the call comes from the phone number on the patient's record (compared in E.164), and
  2. the date of birth the caller says or keys in matches the record.
A patient with no date of birth on file can never be verified this way: the flow must hand the
question to staff (member_support handoff). Caller ID alone is not enough (it can be spoofed, and
family members share phones); a date of birth alone is not enough (it is guessable).
"""

import re
from datetime import date, datetime

from .phones import normalize_phone

_DOB_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y", "%B %d %Y", "%b %d %Y", "%d %B %Y",
                "%m%d%Y")
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)


def parse_date_of_birth(value) -> date | None:
    """A date from what a caller keys in (04121990, 4/12/1990) or says ("April 12th, 1990")."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _ORDINAL.sub(r"\1", str(value or "")).replace(",", " ").strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        return None
    for fmt in _DOB_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year < 1900 or parsed > date.today():
            continue  # a two-digit year read into the future, or nonsense
        return parsed
    return None


def verify_caller(patient, from_number, date_of_birth) -> bool:
    """True only when the call is from the number on file AND the date of birth matches (see module doc)."""
    if patient is None or not patient.phone or patient.date_of_birth is None:
        return False
    caller = normalize_phone(str(from_number or ""))
    if caller is None or caller != str(patient.phone):
        return False
    return parse_date_of_birth(date_of_birth) == patient.date_of_birth


