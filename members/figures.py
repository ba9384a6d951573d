"""A patient's member figures in the two shapes the front desk uses, named by settings.MEMBER_FIGURES.

- `member_context(patient)` -> what staff see: Handoff.context["member"] on every inbox item (calls, texts,
  recall links), the call summary and the intake form's live panel. One shape whatever the source.
- `figures(patient)` -> the placeholder values approved wording may say to a verified caller ({balance},
  {renewal_date}, {cancel_by}, {sessions_left}, {bundle_expires}, {plan}).
"""

from datetime import date

from .balances import member_snapshot


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
