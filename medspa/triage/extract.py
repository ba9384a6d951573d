"""Field extraction: services, provider, event source/kind, dates, callback window, status flags.

Every function takes the normalised text (see text.py) and returns plain JSON-safe values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from . import dates
from .lexicon import IndexedRules
from .text import Normalized

# Everyday words for catalog services, used only when the target service exists in the catalog.
EXTRA_ALIASES = {
    "botox": "neurotoxin", "tox": "neurotoxin", "baby botox": "neurotoxin", "wrinkle relaxer": "neurotoxin",
    "lips": "lip filler", "lip injections": "lip filler", "lip flip": "neurotoxin",
    "filler": "dermal filler", "cheek filler": "dermal filler",
    "laser hair": "laser hair removal", "hair removal": "laser hair removal",
    "facial": "hydrafacial", "hydra facial": "hydrafacial",
    "micro needling": "microneedling", "micro-needling": "microneedling",
    "peel": "chemical peel", "photo facial": "ipl photofacial",
}


def service_table(catalog: Iterable[tuple[str, Iterable[str]]]) -> list[tuple[str, str]]:
    """(lower-case alias, service name) pairs, longest alias first."""
    table: dict[str, str] = {}
    by_lower: dict[str, str] = {}
    for name, aliases in catalog:
        by_lower[name.lower()] = name
        for key in [name, *aliases]:
            key = " ".join(key.lower().split())
            if key:
                table.setdefault(key, name)
    for alias, target in EXTRA_ALIASES.items():
        if target in by_lower:
            table.setdefault(alias, by_lower[target])
    return sorted(table.items(), key=lambda kv: (-len(kv[0]), kv[0]))


def _alias_pattern(alias: str) -> str:
    words = [re.escape(w) for w in alias.split()]
    return r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?:s|es)?(?![\w-])"


@lru_cache(maxsize=64)
def compiled_table(catalog: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple, frozenset[str]]:
    """The service table of a catalog with each alias's pattern compiled, and every word of every alias
    (cached per catalog: a clinic's catalog changes rarely, messages arrive constantly)."""
    table = service_table(catalog)
    compiled = tuple((alias.split()[0], re.compile(_alias_pattern(alias)), name) for alias, name in table)
    return compiled, frozenset(word for alias, _ in table for word in alias.split())


def find_services(norm: Normalized, table) -> tuple[list[str], list[str]]:
    """Service names (in order of mention) and the alias text as typed; longest alias wins overlaps.

    `table`: (first word, compiled pattern, service name) from compiled_table, longest alias first."""
    hits: list[tuple[int, int, str]] = []
    text = norm.text
    for first, pattern, name in table:
        if first not in text:  # the alias cannot match without its first word: skip the regex
            continue
        for m in pattern.finditer(text):
            if not any(m.start() < e and s < m.end() for s, e, _ in hits):
                hits.append((m.start(), m.end(), name))
    hits.sort()
    services: list[str] = []
    mentions: list[str] = []
    for start, end, name in hits:
        if name not in services:
            services.append(name)
        mention = norm.source(start, end)
        if mention not in mentions:
            mentions.append(mention)
    return services, mentions


TITLES = frozenset({"dr", "doctor", "rn", "np", "pa", "pa-c", "md", "do", "bsn", "msn", "lvn", "aprn", "fnp",
                    "nurse", "injector", "le", "lme", "cns"})
SAME_PROVIDER = re.compile(
    r"\bsame (?:injector|provider|nurse|doctor|dr|person|girl|lady|guy|practitioner|aesthetician|one)"
    r"(?: as (?:last time|before|i had|i saw))?\b"
)
STOPWORDS = frozenset({
    "i", "the", "a", "an", "my", "your", "our", "me", "you", "him", "her", "them", "us", "it", "this", "that",
    "botox", "filler", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "today", "tomorrow", "tonight", "someone", "somebody", "anyone", "everyone", "friend",
    "friends", "sister", "mom", "husband", "wife", "partner", "daughter", "son", "boyfriend", "girlfriend",
    "family",
})


def _name_regex(words: list[str]) -> str:
    return r"\b" + r"\.?\s+".join(re.escape(w) for w in words) + r"\b"


def find_provider(norm: Normalized, providers: Iterable[str], service_words: set[str]) -> str | None:
    best: tuple[int, int, str] | None = None  # (position, -key length, provider)
    for provider in providers:
        words = [w.strip(".,").lower() for w in provider.split()]
        core = [w for w in words if w not in TITLES]
        if not core:
            continue
        keys = [words, core]
        if words[0] in ("dr", "doctor"):
            keys += [["dr", core[-1]], ["doctor", core[-1]]]
        elif len(core[0]) >= 3:
            keys += [[core[0]], ["nurse", core[0]]]
        for key in keys:
            m = re.search(_name_regex(key), norm.text)
            if m and (best is None or (m.start(), -len(key)) < best[:2]):
                best = (m.start(), -len(key), provider)
    if best:
        return best[2]
    if SAME_PROVIDER.search(norm.text):
        return "same as last time"
    m = re.search(r"\b(?:with|see|prefer|request)\s+(?:dr\.?|doctor)\s+([a-z][a-z'-]+)", norm.text)
    if m:
        return "Dr. " + norm.source(*m.span(1)).capitalize()
    m = re.search(r"\b(?:with|see|prefer|request|nurse|injector)\s+([A-Z][a-z]+)\b", norm.original)
    if m and m[1].lower() not in STOPWORDS and m[1].lower() not in service_words:
        return m[1]
    return None


CHANNELS = [
    ("instagram", r"\b(?:instagram|insta|ig)\b"),
    ("facebook", r"\b(?:facebook|fb)\b"),
    ("tiktok", r"\btik ?tok\b"),
    ("newsletter", r"\bnewsletter\b"),
    ("email", r"(?<!my )\be-?mails?\b(?!\s*(?:me\b|is\b|address|you\b|back\b|:|[\w.+-]+@))"),
    ("google", r"\bgoogl\w*"),
    ("website", r"\b(?:website|web site|your site)\b"),
    ("referral", r"\b(?:referr?al|referred|recommended (?:you|me|your)|word of mouth|(?:a|my) (?:friend|sister|mom"
                 r"|coworker|cousin|neighbou?r)\s+(?:[\w']+\s+)?(?:told|recommended|referred|said|raves?))\b"),
    ("text_message", r"\b(?:your|the|a|that) text(?: message)?\b|\btext message\b|\bsms\b"),
    ("flyer", r"\b(?:flyer|flier|mailer|postcard|brochure)s?\b"),
    ("radio", r"\b(?:radio|podcast)\b"),
]
# Every pattern here starts at a word: the leading look-behind lets the regex skip mid-word positions at once.
WORD_FIRST = "(?<![\\w'])"
CHANNEL_RE = re.compile(WORD_FIRST + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in CHANNELS) + ")")
EVENT_KINDS = [
    ("open_house", r"\bopen[- ]house\b"),
    ("vip_night", r"\bvip\b"),
    ("injectable_day", r"\binjectables?\s+(?:day|night|event|party)\b|\b(?:botox|tox|filler)\s+(?:party|day|night"
                       r"|event|bash)\b"),
    ("laser_special", r"\blaser\s+(?:special|sale|event|day|night|deal)s?\b"),
    ("seasonal", r"\b(?:seasonal|holiday|summer|spring|fall|autumn|winter|black friday|cyber monday|valentine'?s?"
                 r"|mother'?s day|christmas|new year'?s?)\s+(?:special|sale|promo\w*|offer|deal|event)s?\b"),
]
EVENT_KIND_RE = re.compile(WORD_FIRST + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in EVENT_KINDS)
                           + ")")
KIND_TO_SOURCE = {"seasonal": "seasonal_offer"}


def find_event(text: str) -> tuple[str | None, str | None]:
    """(event_source, event_kind).  The source is the channel; without one, the named event stands in."""
    channel = CHANNEL_RE.search(text)
    kind = EVENT_KIND_RE.search(text)
    kind_name = kind.lastgroup if kind else None
    source = channel.lastgroup if channel else KIND_TO_SOURCE.get(kind_name, kind_name)
    return source, kind_name


CALLBACK_CUE = re.compile(
    r"\b(?:call|ring|text|reach|contact|phone)\s+(?:me|us)\b|\bcall\s*back\b|\bget back to me\b|\bbest time"
    r"|\b(?:i'?m|i am|im)\s+(?:free|available|around|off work)\b|\bavailable\b|\bcallback\b"
)
_DAY = (r"(?:mondays?|tuesdays?|tues|wednesdays?|thursdays?|thurs|fridays?|saturdays?|sundays?|tomorrow|today"
        r"|tonight|weekdays?|weekends?)")
_TIME = r"\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|am|pm|a|p)?"
WINDOW = re.compile(
    rf"\bbetween\s+{_TIME}\s+(?:and|-|to)\s+{_TIME}(?![\w.])"
    rf"|\b(?:after|before|around|by|at|past)\s+{_TIME}(?![\w.])"
    rf"|\b(?:(?:this|next)\s+)?(?:{_DAY}\s+)?(?:in the\s+)?(?:mornings?|afternoons?|evenings?|nights?)\b"
    r"|\bany\s?time\b|\b(?:at |during |around |on my )?lunch(?:time| break)?\b"
    rf"|\b(?:on\s+)?{_DAY}\b|\bend of (?:the )?day\b"
)


TIME_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|am|pm|a|p)?(?![\w.])")


def _hour(m: re.Match) -> str:
    """'5' -> '5pm', '9' -> '9am', '5 p.m.' -> '5pm': bare hours 1-7 and 12 are afternoon/evening."""
    hour, minutes = int(m[1]), m[2]
    suffix = (m[3] or "").replace(".", "")
    if suffix in ("a", "p"):
        suffix += "m"
    if not suffix:
        suffix = "pm" if (1 <= hour <= 7 or hour == 12) else "am"
    return f"{hour}{':' + minutes if minutes else ''}{suffix}"


def normalise_window(raw: str) -> str:
    text = " ".join(raw.lower().split())
    if re.fullmatch(r"any\s?time", text):
        return "anytime"
    if "lunch" in text:
        return "lunch"
    text = re.sub(r"\bin the\s+", "", text)
    text = re.sub(r"^on\s+", "", text)
    text = TIME_RE.sub(_hour, text)
    text = re.sub(r"\btues\b", "tuesday", text)
    text = re.sub(r"\bthurs\b", "thursday", text)
    return re.sub(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", lambda m: m[1].capitalize(), text)


def find_callback(norm: Normalized, today: date) -> tuple[str | None, str | None]:
    cue = CALLBACK_CUE.search(norm.text)
    if not cue:
        return None, None
    windows = list(WINDOW.finditer(norm.text, cue.start()))
    if not windows:
        windows = list(WINDOW.finditer(norm.text))
    if not windows:
        return None, None
    # Join a day and a part of day said next to each other ("tuesday after 5").
    first = windows[0]
    start, end = first.span()
    if len(windows) > 1 and windows[1].start() - end <= 1:
        end = windows[1].end()
    window = normalise_window(norm.text[start:end])
    callback_date = None
    for found in dates.find_dates(norm.text[start:end], today):
        callback_date = found.value.isoformat()
        break
    return window, callback_date


PATIENT_NEW = re.compile(
    r"\bfirst (?:time|visit|appointment)\b|\bnever (?:been|had|tried|done)\b|\bnew (?:patient|client|here)\b"
    r"|\bhaven'?t been (?:there |in )?before\b"
)
PATIENT_RETURNING = re.compile(  # run as IndexedRules below: its look-behinds are slow at every position
    r"\blast (?:time|appointment|visit)\b|(?<!never )(?<!not )\b(?:i'?ve|i have|ive) been (?:there |in |coming )"
    r"?(?:before|for)\b|\bmy last (?:appointment|visit|session|treatment)\b|\b(?:i'?m|i am|im) (?:a|an existing"
    r"|a current|a regular|your) (?:client|patient|customer)\b|\bexisting (?:client|patient)\b"
    r"|\breturning (?:client|patient)\b|\bmy usual\b|\bcame in (?:last|before|a few)\b"
)
PATIENT_RETURNING = IndexedRules([PATIENT_RETURNING.pattern]).regex
NON_MEMBER = re.compile(
    r"\bnot (?:a |an |yet a )?members?\b|\bnon[- ]?members?\b|\b(?:don'?t|do not|dont) have (?:a |the )?"
    r"membership\b|\baren'?t members\b|\bnot on (?:the|a) membership\b"
)
MEMBER = re.compile(
    r"\b(?:i'?m|i am|im|we'?re|as) (?:a |an |already a )?(?:vip |glow |current )?members?\b|\bmy membership\b"
    r"|\bmember since\b|\bmy monthly\b|\bon the membership\b|\bmy (?:member|membership) (?:credits|perks)\b"
)
FLAGS = {
    "credit_question": r"(?<!care )\bcredits?\b(?!\s+cards?)",
    "renewal_question": r"\brenew\w*",
    "cancellation_question": r"\bcancel\w*",
    "deposit_question": r"\bdeposits?\b",
    "financing_question": r"\bfinanc\w*|\bpayment plans?\b|\b(?:cherry|care ?credit|affirm|klarna|afterpay)\b"
                          r"|\binstall?ments?\b|\bpay (?:over time|monthly)\b",
    "refund_request": r"\brefund\w*|\bmoney back\b|\breimburs\w*",
    "exception_request": r"\bexceptions?\b|\bwaiv\w*|\bcourtesy\b|\blet it slide\b",
    "guest_question": r"\bbring\s+(?:a |my |along )?(?:friend|guest|plus one|\+1|sister|mom|mother|husband|wife"
                      r"|partner|daughter|boyfriend|girlfriend|bestie|coworker|someone)\b|\bplus one\b|\bguests?\b",
}
FLAG_RES = {name: re.compile(f"{WORD_FIRST}(?:{pattern})") for name, pattern in FLAGS.items()}
# All flags in one pass (the words of one flag never overlap another's): names in FLAGS order.
FLAGS_RE = re.compile(WORD_FIRST + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in FLAGS.items()) + ")")


def find_flags(text: str) -> list[str]:
    found = {m.lastgroup for m in FLAGS_RE.finditer(text)}
    return [name for name in FLAGS if name in found]

NAME_AFTER = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bname is|\bthis is)\s+([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?)"
)
NAME_LOWER = re.compile(r"(?i:\bmy name is|\bmy name's)\s+([a-z][a-z'-]+)")
NAME_STOP = STOPWORDS | {"calling", "just", "so", "not", "about", "regarding", "wondering", "interested", "from",
                         "still", "really", "going", "and", "but", "um", "uh", "like", "the", "in", "on", "for"}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def find_caller_name(original: str, service_words: set[str]) -> str | None:
    for m in NAME_AFTER.finditer(original):
        words = [w for w in m[1].split() if w.lower() not in NAME_STOP and w.lower() not in service_words]
        if words and words[0] == m[1].split()[0]:
            return " ".join(words)
    m = NAME_LOWER.search(original)
    if m and m[1].lower() not in NAME_STOP and m[1].lower() not in service_words:
        return m[1].capitalize()
    return None


def find_email(original: str) -> str | None:
    m = EMAIL.search(original)
    return m.group() if m else None
