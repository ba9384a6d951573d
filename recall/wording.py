"""Recall message wording: GSM-7 only, at most two segments, first name + clinic + link only.

Owners edit the templates; `validate_template` refuses anything that could break those promises
once rendered with the longest realistic values, and `render` keeps real values GSM-7 safe.
"""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

from medspa.models import Service

# GSM 03.38 basic character set and the extension table (extension characters cost two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 2
SINGLE_SEGMENT = 160
MULTIPART_SEGMENT = 153  # 7 septets of each part carry the concatenation header
PLACEHOLDERS = ("first_name", "clinic", "link")
# Longest realistic values a message is rendered with when an owner saves a template.
LONGEST_FIRST_NAME = "Maximilianna"  # 12; longer names are shortened by `render`
MAX_FIRST_NAME = len(LONGEST_FIRST_NAME)
LONGEST_CLINIC = "Westside Aesthetics & Laser Center"  # 34; longer names are shortened by `render`
MAX_CLINIC = len(LONGEST_CLINIC)
LONGEST_LINK_PATH = "/r/" + "x" * 22 + "/"
_FIELD = re.compile(r"\{([^{}]*)\}")


def septets(text: str) -> int | None:
    """Length in GSM-7 septets, or None when the text needs UCS-2."""
    total = 0
    for ch in text:
        if ch in GSM7_BASIC:
            total += 1
        elif ch in GSM7_EXTENDED:
            total += 2
        else:
            return None
    return total


def segments(text: str) -> int:
    n = septets(text)
    if n is None:
        raise ValueError("not GSM-7")
    return 1 if n <= SINGLE_SEGMENT else -(-n // MULTIPART_SEGMENT)


def to_gsm7(value: str) -> str:
    """Best-effort transliteration of a name into GSM-7 ('Zoë' -> 'Zoe'); drops what cannot map."""
    out = []
    for ch in value:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append("".join(c for c in base if c in GSM7_BASIC))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _catalog_names() -> list[str]:
    names = []
    for name, aliases in Service.objects.values_list("name", "aliases"):
        names.extend([name, *(aliases or [])])
    return [n for n in names if n.strip()]


def validate_template(text: str, *, public_base_url: str | None = None) -> None:
    text = text or ""
    problems = []
    fields = _FIELD.findall(text)
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        problems.append("Only {first_name}, {clinic} and {link} may be used; remove "
                        + ", ".join("{" + f + "}" for f in unknown) + ".")
    if "{link}" not in text:
        problems.append("Include {link} so the patient can ask for a time or stop reminders.")
    stray = _FIELD.sub("", text)
    if "{" in stray or "}" in stray:
        problems.append("Curly braces are only for {first_name}, {clinic} and {link}.")
    bad = sorted({ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED})
    if bad:
        problems.append("These characters would turn the text into a costly Unicode message: "
                        + " ".join(repr(ch) for ch in bad) + " (use plain quotes and dashes).")
    lowered = text.lower()
    named = sorted({n for n in _catalog_names() if re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lowered)})
    if named:
        problems.append("Texts never name a treatment (privacy): remove " + ", ".join(f"“{n}”" for n in named) + ".")
    if not problems:
        base = (public_base_url or settings.PUBLIC_BASE_URL).rstrip("/")
        longest = render_text(text, first_name=LONGEST_FIRST_NAME, clinic=LONGEST_CLINIC,
                              link=base + LONGEST_LINK_PATH)
        count = septets(longest)
        limit = MULTIPART_SEGMENT * MAX_SEGMENTS
        if count is not None and count > limit:
            problems.append(f"Too long: with a long name and clinic it comes to {count} characters; "
                            f"keep it under {limit} (two text segments).")
    if problems:
        raise ValidationError(problems)


def render_text(template: str, *, first_name: str, clinic: str, link: str) -> str:
    values = {"first_name": first_name, "clinic": clinic, "link": link}
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def render(template: str, *, first_name: str, clinic: str, link: str) -> str:
    """The message a patient receives: names made GSM-7 safe and kept to realistic lengths."""
    first = to_gsm7(first_name)[:MAX_FIRST_NAME].strip() or "there"
    clinic_name = to_gsm7(clinic)[:MAX_CLINIC].strip()
    first = first.split(" ")[0] if len(first) > MAX_FIRST_NAME else first
    return render_text(template, first_name=first, clinic=clinic_name, link=link)


