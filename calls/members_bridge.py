"""Where calls meet members: a patient's member figures for staff, the caller check, and the
figures a verified caller may hear. Calls never import the members app: the figures come through
`medspa.member_figures` (settings.MEMBER_FIGURES names `members.figures`).

- `member_context(patient)` -> the figures staff see (call summary, Handoff.context["member"], the intake
  form's live panel, SMS reply handoffs from recall). Staff are logged in, so they always see them.
- `figures(patient)` -> the placeholder values approved wording may say ({balance}, {renewal_date},
  {cancel_by}, {sessions_left}, {bundle_expires}, {plan}); said only to a caller `medspa.callers.verify_caller`
  accepted (number on file + date of birth).
- `member_question(call)` / `exception(fields, matches)` -> whether the caller asked about their account, and
  whether they asked for something only staff decide (refund, transfer, pause, waiver).
"""

from datetime import date

from medspa.callers import parse_date_of_birth, verify_caller
from medspa.member_figures import for_caller as figures
from medspa.member_figures import for_staff as member_context
from medspa.routes import Route

__all__ = ["DOB_TURN_TEXT", "MEMBER_ROUTES", "check_caller", "exception", "figures", "member_context",
           "member_question", "pause_requested", "unverified_reason"]

MEMBER_ROUTES = (Route.MEMBER_SUPPORT, Route.BUNDLE_HELP)
QUESTION_FIELDS = ("credit_question", "renewal_question", "cancellation_question", "bundle_question")
EXCEPTION_FIELDS = ("refund_request", "exception_request", "pause_request")
PAUSE_WORDS = ("pause", "freez")
DOB_TURN_TEXT = "[date of birth given]"  # the transcript never keeps the date itself


def pause_requested(matches: dict) -> bool:
    phrases = matches.get(Route.MEMBER_SUPPORT, []) + matches.get(Route.BUNDLE_HELP, [])
    return any(word in phrase.lower() for phrase in phrases for word in PAUSE_WORDS)


def exception(fields: dict, matches: dict) -> bool:
    """Refund, transfer, pause, waiver...: staff decide, the system never answers."""
    return bool(matches.get(Route.STAFF_REVIEW)) or any(fields.get(key) for key in EXCEPTION_FIELDS)


def member_question(call) -> bool:
    return call.route in MEMBER_ROUTES or any(call.fields.get(key) for key in QUESTION_FIELDS)


def check_caller(call, spoken: str, dates_heard: list[str] = ()) -> bool:
    """The clinic's check: the call's number is the one on file AND the spoken date of birth matches."""
    said = parse_date_of_birth(spoken.strip().rstrip(".!?"))
    candidates = [said] if said else [date.fromisoformat(d) for d in dates_heard]
    return any(verify_caller(call.patient, call.from_number, dob) for dob in candidates)


def unverified_reason(call) -> str:
    if call.patient is None:
        return "number not on file"
    if call.patient.date_of_birth is None:
        return "no date of birth on file"
    return ""
