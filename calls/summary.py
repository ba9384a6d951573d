"""The coordinator summary of a call: a pure function of its turns, fields and the plan answers given.

Completeness = captured / applicable, where the applicable fields depend on the call's route:

==================  =====================================================================================
route               applicable fields
==================  =====================================================================================
safety_escalation   caller_name, phone, adverse_event_language  (no callback window: staff call at once)
provider_review     caller_name, phone, callback_window, patient_status, clinical_question
staff_review        caller_name, phone, callback_window, patient_status, staff_question
member_support      caller_name, phone, callback_window, patient_status, member_status
bundle_help         caller_name, phone, callback_window, patient_status, service_interest, bundle_context
event_follow_up     caller_name, phone, callback_window, patient_status, event_source, event_date,
                    service_interest
rebooking           caller_name, phone, callback_window, patient_status, service_interest
booking             caller_name, phone, callback_window, patient_status, service_interest
==================  =====================================================================================

A known patient (matched by phone) counts as patient_status "returning". Email is shown but never
required: many callers will not spell it on the phone.
"""

from dataclasses import dataclass, field

from medspa.routes import Route

BASE = ("caller_name", "phone", "callback_window", "patient_status")
APPLICABLE: dict[str, tuple[str, ...]] = {
    Route.SAFETY_ESCALATION: ("caller_name", "phone", "adverse_event_language"),
    Route.PROVIDER_REVIEW: (*BASE, "clinical_question"),
    Route.STAFF_REVIEW: (*BASE, "staff_question"),
    Route.MEMBER_SUPPORT: (*BASE, "member_status"),
    Route.BUNDLE_HELP: (*BASE, "service_interest", "bundle_context"),
    Route.EVENT_FOLLOW_UP: (*BASE, "event_source", "event_date", "service_interest"),
    Route.REBOOKING: (*BASE, "service_interest"),
    Route.BOOKING: (*BASE, "service_interest"),
}
FIELD_LABELS = {
    "caller_name": "Caller name", "phone": "Phone", "callback_window": "Callback window",
    "patient_status": "New or returning", "service_interest": "Service interest", "event_source": "Event source",
    "event_date": "Event date", "member_status": "Member status", "bundle_context": "Bundle context",
    "clinical_question": "Clinical question (exact words)", "staff_question": "Staff-only question (exact words)",
    "adverse_event_language": "Symptom language (exact words)",
}
NEXT_ACTION = {
    Route.SAFETY_ESCALATION: "URGENT: clinical team calls back now (safety)",
    Route.PROVIDER_REVIEW: "Provider review, then call back",
    Route.STAFF_REVIEW: "Staff review, then call back",
    Route.MEMBER_SUPPORT: "Member support call back",
    Route.BUNDLE_HELP: "Bundle help call back",
    Route.EVENT_FOLLOW_UP: "Event follow-up: call back to book",
    Route.REBOOKING: "Call back to rebook",
    Route.BOOKING: "Call back to book a consult",
}


@dataclass
class CallFacts:
    """Everything the summary needs, already read from the database."""

    route: str
    reasons: list[str]
    matches: dict[str, list[str]]
    fields: dict
    turns: list[tuple[str, str]]  # (speaker, text) in order
    caller_name: str = ""
    phone: str = ""
    email: str = ""
    location: str = ""
    patient_known: bool = False
    event: dict | None = None  # {"name","kind","date","deadline","offer"}
    answers: list[dict] = field(default_factory=list)
    not_promised: list[str] = field(default_factory=list)
    triaged_speakers: tuple[str, ...] = ("caller", "note")
    member: dict | None = None  # the patient's member figures (calls.members_bridge.member_context)


def quote(phrases: list[str], turns: list[tuple[str, str]], speakers) -> list[dict]:
    """Each phrase exactly as said, with the full utterance that contained it."""
    utterances = [text for speaker, text in turns if speaker in speakers]
    out = []
    for phrase in dict.fromkeys(phrases):
        said = next((u for u in utterances if phrase in u), None)
        if said is None:
            said = next((u for u in utterances if phrase.lower() in u.lower()), phrase)
        out.append({"phrase": phrase, "utterance": said})
    return out


def _present(value) -> bool:
    return value not in (None, "", [], {}, False)


def build_summary(facts: CallFacts) -> dict:
    f = facts.fields
    event = facts.event or {}
    patient_status = f.get("patient_status") or ("returning" if facts.patient_known else "")
    adverse = quote(facts.matches.get(Route.SAFETY_ESCALATION, []), facts.turns, facts.triaged_speakers)
    clinical = quote(facts.matches.get(Route.PROVIDER_REVIEW, []), facts.turns, facts.triaged_speakers)
    staff = quote(facts.matches.get(Route.STAFF_REVIEW, []), facts.turns, facts.triaged_speakers)
    values = {
        "caller_name": facts.caller_name or f.get("caller_name", ""),
        "phone": facts.phone,
        "email": facts.email or f.get("email", ""),
        "patient_status": patient_status,
        "location": facts.location,
        "callback_window": f.get("callback_window", ""),
        "event_source": f.get("event_source", "") or (event.get("kind_label", "") if event else ""),
        "event_name": event.get("name", ""),
        "event_date": f.get("event_date", "") or event.get("date", ""),
        "deadline": f.get("deadline", "") or event.get("deadline", ""),
        "offer": event.get("offer", ""),
        "service_interest": list(f.get("service_interest") or []),
        "provider_preference": f.get("provider_preference", ""),
        "member_status": f.get("member_status", "") or ("member" if (facts.member or {}).get("plan") else ""),
        "credit_question": bool(f.get("credit_question")),
        "renewal_question": bool(f.get("renewal_question")),
        "renewal_timing": f.get("renewal_date", "") or f.get("renewal_timing", ""),
        "bundle_context": bool(f.get("bundle_question")) or bool(f.get("bundle_use"))
        or bool((facts.member or {}).get("bundles")),
        "cancellation_question": bool(f.get("cancellation_question")),
        "deposit_question": bool(f.get("deposit_question")),
        "financing_question": bool(f.get("financing_question")),
        "clinical_question": clinical,
        "staff_question": staff,
        "adverse_event_language": adverse,
    }
    applicable = APPLICABLE.get(facts.route, BASE)
    captured = [name for name in applicable if _present(values[name])]
    missing = [name for name in applicable if name not in captured]
    score = round(len(captured) / len(applicable), 3) if applicable else 1.0
    return {
        "route": facts.route,
        "reasons": list(facts.reasons),
        "caller": {k: values[k] for k in ("caller_name", "phone", "email", "patient_status", "location",
                                          "callback_window")},
        "event": {k: values[k] for k in ("event_source", "event_name", "event_date", "deadline", "offer",
                                         "service_interest", "provider_preference")},
        "member": {k: values[k] for k in ("member_status", "credit_question", "renewal_question", "renewal_timing",
                                          "bundle_context", "cancellation_question", "deposit_question",
                                          "financing_question")},
        "member_figures": facts.member,
        "verification": verification(f),
        "staff_only": staff,
        "clinical_sensitive": clinical,
        "adverse_event": adverse,
        "answered": list(facts.answers),
        "not_promised": list(facts.not_promised),
        "next_action": NEXT_ACTION.get(facts.route, "Staff review"),
        "completeness": {"score": score, "applicable": list(applicable), "captured": captured, "missing": missing},
    }


def verification(fields: dict) -> dict | None:
    """Whether the voice flow verified a member caller, and the figures it said (None: no check was made)."""
    if "member_verified" not in fields:
        return None
    stated = dict(fields.get("member_figures_stated") or {})
    if fields["member_verified"]:
        if "balance" in stated:
            line = f"Balance stated to verified caller: {stated['balance']}"
        elif stated:
            line = "Verified caller; figures stated: " + ", ".join(f"{k}: {v}" for k, v in stated.items())
        else:
            line = "Verified caller: no balance given (no approved wording for the figures)"
    else:
        reason = fields.get("member_check") or "not verified"
        line = f"Not verified: no balance given ({reason})"
    return {"verified": bool(fields["member_verified"]), "stated": stated, "line": line}


def member_lines(member: dict | None) -> list[str]:
    """The patient's figures from the ledger and plan, for staff."""
    if not member:
        return []
    lines = []
    if member.get("plan"):
        bits = [f"Member: {member['plan']} ({member['status']})", f"balance {member['balance']}"]
        if member.get("renewal_date"):
            bits.append(f"renews {member['renewal_date']}")
        if member.get("cancel_by"):
            bits.append(f"last day to cancel before the next charge {member['cancel_by']}")
        if member.get("ends_on"):
            bits.append(f"ends {member['ends_on']}")
        lines.append(" · ".join(bits))
    if member.get("bundles"):
        lines.append("Bundles: " + member["bundles"])
    if member.get("deposits_held"):
        lines.append("Deposits held: " + member["deposits_held"])
    return lines


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def summary_text(summary: dict) -> str:
    """Plain text for the inbox item (Handoff.summary)."""
    c, e, m = summary["caller"], summary["event"], summary["member"]
    lines = [f"Next action: {summary['next_action']}"]
    if summary["adverse_event"]:
        lines.append("ADVERSE-EVENT LANGUAGE (exact words):")
        lines += [f"  “{q['phrase']}” in: “{q['utterance']}”" for q in summary["adverse_event"]]
    lines.append(
        f"Caller: {c['caller_name'] or 'name not given'} · {c['phone'] or 'no number'}"
        f"{' · ' + c['email'] if c['email'] else ''} · {c['patient_status'] or 'new/returning unknown'}"
        f" · {c['location']}"
    )
    lines.append(f"Callback window: {c['callback_window'] or 'not given'}")
    event_bits = [f"{label}: {e[key]}" for key, label in (
        ("event_name", "Event"), ("event_source", "Source"), ("event_date", "Date"), ("deadline", "Deadline"),
        ("offer", "Offer"), ("provider_preference", "Provider preference")) if e[key]]
    if e["service_interest"]:
        event_bits.insert(0, "Interested in: " + ", ".join(e["service_interest"]))
    if event_bits:
        lines.append(" · ".join(event_bits))
    member_bits = []
    if m["member_status"]:
        member_bits.append(f"Member status: {m['member_status']}")
    for key, label in (("credit_question", "credit question"), ("renewal_question", "renewal question"),
                       ("bundle_context", "bundle"), ("cancellation_question", "cancellation question"),
                       ("deposit_question", "deposit question"), ("financing_question", "financing question")):
        if m[key]:
            member_bits.append(f"{label}: {_yes(m[key])}")
    if m["renewal_timing"]:
        member_bits.append(f"renewal timing: {m['renewal_timing']}")
    if member_bits:
        lines.append(" · ".join(member_bits))
    lines += member_lines(summary.get("member_figures"))
    if summary.get("verification"):
        lines.append(summary["verification"]["line"])
    for title, key in (("Clinical-sensitive (exact words)", "clinical_sensitive"),
                       ("Staff-only question (exact words)", "staff_only")):
        if summary[key]:
            lines.append(f"{title}:")
            lines += [f"  “{q['phrase']}” in: “{q['utterance']}”" for q in summary[key]]
    if summary["answered"]:
        lines.append("What was answered (approved wording):")
        lines += [f"  [{a['topic']} v{a['version']}] {a['wording']}" for a in summary["answered"]]
    if summary["not_promised"]:
        lines.append("Not promised: " + "; ".join(summary["not_promised"]))
    comp = summary["completeness"]
    missing = ", ".join(FIELD_LABELS.get(k, k) for k in comp["missing"])
    lines.append(f"Completeness: {round(comp['score'] * 100)}%" + (f" (missing: {missing})" if missing else ""))
    return "\n".join(lines)
