"""The triage engine: classify one utterance (or a whole call) and extract fields.  See the package docstring."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from medspa.catalog import DEFAULT_CATALOG
from medspa.routes import TRIAGE_PRECEDENCE, Route

from . import concepts, dates, extract, lexicon
from .language import wordset
from .text import Normalized, normalize

SAFETY = Route.SAFETY_ESCALATION.value
EVENT = Route.EVENT_FOLLOW_UP.value
BOOKING = Route.BOOKING.value
REBOOKING = Route.REBOOKING.value
STAFF = Route.STAFF_REVIEW.value
PROVIDER = Route.PROVIDER_REVIEW.value
BUNDLE = Route.BUNDLE_HELP.value

DEFAULT_TZ = "America/Los_Angeles"
LIST_FIELDS = ("service_interest", "service_mentions", "dates_mentioned")
TIME_OF_DAY = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a|p)\b|\b(?:morning|afternoon|evening|am|pm)\b")


@dataclass(frozen=True)
class TriageResult:
    route: str
    reasons: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    matches: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "route": self.route,
            "reasons": list(self.reasons),
            "fields": dict(self.fields),
            "matches": {route: list(phrases) for route, phrases in self.matches.items()},
        }

    @property
    def is_safety(self) -> bool:
        return self.route == SAFETY


def _today(now: datetime | None, tz: str) -> date:
    zone = ZoneInfo(tz)
    if now is None:
        return datetime.now(zone).date()
    if now.tzinfo is None:  # a naive moment is taken to be clinic-local already
        return now.date()
    return now.astimezone(zone).date()


def _add(found: list[str], phrase: str) -> None:
    phrase = phrase.strip()
    if phrase and phrase not in found:
        found.append(phrase)


def _route_matches(norm: Normalized, today: date, found_dates: list[dates.FoundDate]) -> dict[str, list[str]]:
    text = norm.text
    matches: dict[str, list[str]] = {}
    benign = [m.span() for m in lexicon.BENIGN.finditer(text)]
    possible: list[str] = []
    possible_spans: list[tuple[int, int]] = []
    for route in TRIAGE_PRECEDENCE:
        phrases: list[str] = []
        rule = lexicon.RULES[route]
        indexed = lexicon.INDEXED.get(route)
        for m in (indexed or rule).finditer(text):
            if route == SAFETY and any(m.start() < e and s < m.end() for s, e in benign):
                continue
            if route == SAFETY and not lexicon.ALWAYS_URGENT.search(m.group()) and concepts.possibility_question(
                    text, m.start(), norm.language):
                # "can botox make your eyelid droop?": a provider question about what might happen
                _add(possible, norm.source(*m.span()))
                continue
            _add(phrases, norm.source(*m.span()))
        if route == SAFETY:
            # Pain: severe/worsening pain, or pain/headache together with a recent treatment, unless asked
            # as a question ("does it hurt a lot?", "will it hurt after the peel?" are provider questions).
            pain = list(lexicon.SAFETY_PAIN.finditer(text))
            after = list(lexicon.PAIN_AFTER.finditer(text))  # cheap; the treatment search only when needed
            if after and (lexicon.POST_TREATMENT.search(text) or concepts.POST_TREATMENT.search(text)):
                pain += after
            for m in sorted(pain, key=lambda m: m.start()):
                if not lexicon.QUESTION_GUARD.search(text[max(0, m.start() - 30) : m.start()]) and not (
                        concepts.possibility_question(text, m.start(), norm.language)):
                    _add(phrases, norm.source(*m.span()))
            # Concepts: body part or function x abnormal state or lost ability (concepts.py).
            for start, end in concepts.find(text, norm.language, possible=possible_spans):
                if not any(start < e and s < end for s, e in benign):
                    _add(phrases, norm.source(start, end))
            for start, end in possible_spans:
                _add(possible, norm.source(start, end))
        if route == PROVIDER:
            for phrase in possible:  # symptoms asked about as possibilities are provider questions
                _add(phrases, phrase)
        if route == REBOOKING:
            # "yes, next Tuesday": an agreement with a date or time is a rebooking reply.
            yes = lexicon.AFFIRMATIVE.search(text)
            if yes:
                ends = [f.end for f in found_dates] + [t.end() for t in TIME_OF_DAY.finditer(text)]
                if ends:
                    _add(phrases, norm.source(yes.start("yes"), min(ends)))
        if phrases:
            matches[route] = phrases
    return matches


# A treatment named in the message, in the clinic's catalog or not ("Morpheus8", "CO2 laser", "relleno"); the
# generic words (treatment, appointment, session, cita...) name none.
GENERIC_TREATMENT = wordset(
    "treatment treatments appointment appt procedure session visit needle needles shots shot injection injections "
    "injected tratamiento cita sesion aplicacion procedimiento fill")
NAMED_TREATMENT = re.compile(r"\b" + concepts.TREATMENT + r"\b")


def _names_a_service(text: str, fields: dict) -> bool:
    return bool(fields.get("service_interest")) or any(
        m.group() not in GENERIC_TREATMENT for m in NAMED_TREATMENT.finditer(text))


def _booking_intent(norm: Normalized, matches: dict[str, list[str]], fields: dict) -> dict[str, list[str]]:
    """booking and rebooking need positive booking intent and nothing a human must see first (the policy).

    - A booking verb or request (lexicon.CLEAR_BOOKING: book, schedule, appointment, come in, available...,
      cita, agendar...) is intent on its own; a softer phrase ("can I get", "do you offer", "I want",
      "<service> please", "me interesa") only beside a named service.
    - When booking or rebooking would win, a symptom word sends the message to provider_review, and so does a
      provider signal (eligibility, dose, pregnancy, medication, "is it safe", "will I bruise"); a staff signal
      (price, refund, cancel, deposit, billing, receipt, gift card, policy, exception, discount...) sends it to
      staff_review.  The words that did so are the reasons.
    """
    text = norm.text
    phrases = matches.get(BOOKING, [])
    clear = [p for p in phrases if lexicon.CLEAR_BOOKING.match(p.lower())]
    booking = phrases if len(clear) == len(phrases) or _names_a_service(text, fields) else clear
    if not booking:
        soft = lexicon.BOOKING_FALLBACK.search(text) or lexicon.SERVICE_PLEASE.search(text)
        if soft and _names_a_service(text, fields):  # "I want lip filler", "Botox please": a named service
            booking = [norm.source(*soft.span()).strip()]
    if booking:
        matches[BOOKING] = booking
    else:
        matches.pop(BOOKING, None)
    if not (matches.get(BOOKING) or matches.get(REBOOKING)) or any(
            matches.get(route) for route in TRIAGE_PRECEDENCE if route not in (BOOKING, REBOOKING)):
        return matches
    benign = [m.span() for m in lexicon.BENIGN.finditer(text)]
    # Booking needs no symptom: a booking request that also names one goes to a clinician first.
    words = [norm.source(s, e) for s, e in concepts.symptom_words(text, norm.language)
             if not any(s < be and bs < e for bs, be in benign)]
    provider = [norm.source(*m.span()) for m in lexicon.BOOKING_BLOCK_PROVIDER.finditer(text)
                if not any(m.start() < be and bs < m.end() for bs, be in benign)]
    if words or provider:
        matches[PROVIDER] = list(dict.fromkeys(words + provider))
    else:
        staff = [norm.source(*m.span()) for m in lexicon.BOOKING_BLOCK_STAFF.finditer(text)]
        if staff:
            matches[STAFF] = list(dict.fromkeys(staff))
    return {route: matches[route] for route in TRIAGE_PRECEDENCE if route in matches}


def _decide(matches: dict[str, list[str]], fields: dict) -> tuple[str, list[str]]:
    fired = [route for route in TRIAGE_PRECEDENCE if matches.get(route)]
    if not fired:
        return STAFF, []  # no confident route: a person reads it (never booking by default)
    route = fired[0]
    if route == EVENT and fields.get("service_interest") and any(
        lexicon.STRONG_BOOKING.match(p.lower()) for p in matches.get(BOOKING, [])
    ):
        route = BOOKING  # deliberate deviation: "Can I book Botox for the VIP night?" is a booking
    return route, list(matches[route])


def _fields(norm: Normalized, today: date, found_dates: list[dates.FoundDate], matches: dict, catalog,
            providers) -> dict:
    text = norm.text
    fields: dict = {}
    if norm.language != "en":
        fields["language"] = norm.language
    table, service_words = extract.compiled_table(catalog)
    services, mentions = extract.find_services(norm, table)
    if services:
        fields["service_interest"] = services
        fields["service_mentions"] = mentions
    source, kind = extract.find_event(text)
    if source:
        fields["event_source"] = source
    if kind:
        fields["event_kind"] = kind
    provider = extract.find_provider(norm, providers, service_words)
    if provider:
        fields["provider_preference"] = provider

    window, callback_date = extract.find_callback(norm, today)
    if window:
        fields["callback_window"] = window
    if callback_date:
        fields["callback_date"] = callback_date
    if found_dates:
        fields["dates_mentioned"] = list(dict.fromkeys(f.value.isoformat() for f in found_dates))
        has_event = bool(kind) or EVENT in matches
        for found in found_dates:
            iso = found.value.isoformat()
            if dates.is_deadline(text, found):
                fields.setdefault("deadline", iso)
            elif has_event and iso != callback_date:
                fields.setdefault("event_date", iso)

    if extract.PATIENT_RETURNING.search(text):
        fields["patient_status"] = "returning"
    elif extract.PATIENT_NEW.search(text):
        fields["patient_status"] = "new"
    if extract.NON_MEMBER.search(text):
        fields["member_status"] = "non_member"
    elif extract.MEMBER.search(text):
        fields["member_status"] = "member"
    for name in extract.find_flags(text):
        fields[name] = True
    if matches.get(BUNDLE):  # the bundle rules already ran in _route_matches
        fields["bundle_question"] = True
    name = extract.find_caller_name(norm.original, service_words)
    if name:
        fields["caller_name"] = name
    email = extract.find_email(norm.original)
    if email:
        fields["email"] = email
    return fields


DEFAULT_CATALOG_KEY = tuple((entry.name, tuple(entry.aliases)) for entry in DEFAULT_CATALOG)


def _catalog(catalog) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if catalog is None:
        return DEFAULT_CATALOG_KEY
    return tuple((name, tuple(aliases)) for name, aliases in catalog)


def triage(text: str, *, now: datetime | None = None, tz: str = DEFAULT_TZ,
           catalog: Iterable[tuple[str, Iterable[str]]] | None = None, providers: Iterable[str] = ()) -> TriageResult:
    """Route one utterance and extract its fields.  Pure: no network, no database."""
    text = text or ""
    norm = normalize(text)
    today = _today(now, tz)
    found_dates = dates.find_dates(norm.text, today)
    matches = _route_matches(norm, today, found_dates)
    fields = _fields(norm, today, found_dates, matches, _catalog(catalog), list(providers))
    matches = _booking_intent(norm, matches, fields)
    route, reasons = _decide(matches, fields)
    return TriageResult(route=route, reasons=reasons, fields=fields, matches=matches)


def merge_fields(base: dict, later: dict) -> dict:
    """Later turns fill gaps and extend lists; they never erase or overwrite what is known."""
    merged = {key: (list(value) if isinstance(value, list) else value) for key, value in base.items()}
    for key, value in later.items():
        if key in LIST_FIELDS or isinstance(value, list):
            items = merged.setdefault(key, [])
            items.extend(v for v in value if v not in items)
        elif merged.get(key) in (None, False):
            merged[key] = value
    return merged


def triage_turns(texts: Iterable[str], **kwargs) -> TriageResult:
    """A whole call or thread: union of matches, the highest-precedence route, fields merged in order."""
    matches: dict[str, list[str]] = {}
    fields: dict = {}
    for text in texts:
        result = triage(text, **kwargs)
        for route, phrases in result.matches.items():
            found = matches.setdefault(route, [])
            for phrase in phrases:
                _add(found, phrase)
        fields = merge_fields(fields, result.fields)
    ordered = {route: matches[route] for route in TRIAGE_PRECEDENCE if route in matches}
    route, reasons = _decide(ordered, fields)
    return TriageResult(route=route, reasons=reasons, fields=fields, matches=ordered)
