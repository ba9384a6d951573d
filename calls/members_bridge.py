"""Where calls meet the members app: a patient's member figures for staff, the caller check, and the
figures a verified caller may hear.

- `member_context(patient)` -> the figures staff see (call summary, Handoff.context["member"], the intake
  form's live panel, SMS reply handoffs from recall). Staff are logged in, so they always see them.
- `figures(patient)` -> the placeholder values approved wording may say ({balance}, {renewal_date},
  {cancel_by}, {sessions_left}, {bundle_expires}, {plan}); said only to a caller `members.balances.verify_caller`
  accepted (number on file + date of birth).
- `member_question(call)` / `exception(fields, matches)` -> whether the caller asked about their account, and
  whether they asked for something only staff decide (refund, transfer, pause, waiver).
"""

from datetime import date

from medspa.routes import Route
from members.balances import member_snapshot, parse_date_of_birth, verify_caller

MEMBER_ROUTES = (Route.MEMBER_SUPPORT, Route.BUNDLE_HELP)
QUESTION_FIELDS = ("credit_question", "renewal_question", "cancellation_question", "bundle_question")
EXCEPTION_FIELDS = ("refund_request", "exception_request", "pause_request")
PAUSE_WORDS = ("pause", "freez")
DOB_TURN_TEXT = "[date of birth given]"  # the transcript never keeps the date itself


def _day(value: str | None) -> str:
    return f"{date.fromisoformat(value):%B %-d, %Y}" if value else ""


def _bundle_text(bundle: dict) -> str:
    n, service = bundle["remaining"], bundle["service"]
    text = f"{n} {service} session{'' if n == 1 else 's'}"
    return text + (f" (use by {_day(bundle['expires_on'])})" if bundle["expires_on"] else "")


def member_context(patient) -> dict | None:
    """Handoff.context["member"] for a patient who is a member or has bundle sessions left; None otherwise.

    Keys: plan, status, balance, renewal_date (the inbox's four) + cancel_by (last day to cancel before the
    next charge), ends_on (a cancelling membership), bundles and deposits_held (text, "; "-separated, so the
    inbox shows them as they are)."""
    if patient is None:
        return None
    snap = member_snapshot(patient)
    bundles = [b for b in snap["bundles"] if not b["expired"]]
    if not snap["member"] and not bundles:
        return None
    context = dict(snap["context"])
    if snap["member"]:
        context["cancel_by"] = snap["cancellation"]["deadline"] or ""
        if snap["cancellation"]["effective_on"]:
            context["ends_on"] = snap["cancellation"]["effective_on"]
    if bundles:
        context["bundles"] = "; ".join(_bundle_text(b) for b in bundles)
    if snap["deposits_held"]:
        context["deposits_held"] = "; ".join(
            f"${d['amount']} held since {d['taken_on']}" + (f" for {d['event']}" if d["event"] else "")
            for d in snap["deposits_held"])
    return context


def figures(patient) -> dict:
    """Placeholder -> words, for a verified caller. A figure that does not exist (no membership, no renewal
    coming, no bundle) is absent, so wording that needs it is not said."""
    if patient is None:
        return {}
    snap = member_snapshot(patient)
    out = {}
    if snap["member"]:
        out["plan"] = snap["plan"]
        out["balance"] = snap["balance"]["text"]
        if snap["renewal_date"]:
            out["renewal_date"] = _day(snap["renewal_date"])
        if snap["cancellation"]["deadline"]:
            out["cancel_by"] = _day(snap["cancellation"]["deadline"])
    bundles = [b for b in snap["bundles"] if not b["expired"]]
    if bundles:
        out["sessions_left"] = " and ".join(_bundle_text(b) for b in bundles)
        expiries = [b["expires_on"] for b in bundles if b["expires_on"]]
        if expiries:
            out["bundle_expires"] = _day(min(expiries))
    return out


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
