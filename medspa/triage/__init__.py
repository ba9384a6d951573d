"""Triage engine: route a caller's words to the right queue and pull out the useful fields.

Pure Python and deterministic: no network, no database.  Public interface::

    from medspa.triage import triage, triage_turns, TriageResult

Routes, highest precedence first (medspa.routes.TRIAGE_PRECEDENCE); the highest route any rule fires wins:

safety_escalation > provider_review > staff_review > member_support > bundle_help > event_follow_up
> rebooking > booking

How the rules work
- Rules run on a normalised copy of the text (lower case, fillers like "um" dropped, commas collapsed,
  misspelled symptom words corrected: explicit variants plus Damerau-Levenshtein <= 1 for words of six
  letters or more).  Every reason and every phrase in ``matches`` is an exact substring of the input as
  typed (original case).
- Safety rules need a *symptom phrase*, never a body word alone: "my lip looks white" fires, "my lips look
  thin" does not; "burning question", "dying to try", "breathtaking", "fever blister" (cold sore history,
  a provider question) are masked out.
- Hedging never downgrades: "is it normal that my lip is white?" is safety.
- Negation is deliberately ignored for safety: "no trouble breathing" still escalates.  Front-desk staff
  must never reassure on symptoms; a clinician decides.  (Other routes ignore negation too.)
- Pain or a headache together with a recent treatment ("it hurts since my filler") is safety, unless it is
  asked as a question about the future ("does it hurt after the peel?", which is provider_review).
- Mild, expected symptoms without a red flag (swelling, bruising, soreness, lumps) are provider_review.

Deliberate choices others must know
- Default route: when no rule fires, the route is ``booking`` (reasons []) if a catalog service is named,
  otherwise ``staff_review`` (reasons []): an unclassifiable message ("Y", "stop", "ok thanks") goes to a human.
- Booking vs event_follow_up: event words alone ("saw the VIP night post") give event_follow_up.  An
  explicit booking phrase (book/schedule/appointment/appt/reserve/openings/availability/"get me in"/
  "sign me up") *together with a named service* outranks event_follow_up: "Can I book Botox for the VIP
  night?" is booking (fields still carry event_kind "vip_night").  This is the only departure from the
  precedence list.
- "yes" + a date or time ("yes next tues pm") is rebooking; a bare "Y" is the staff_review default.
- Cancelling an appointment, and any price question ("how much?"), go to staff_review; "how much botox do
  I need" also fires provider_review, which wins.
- "credit card" and "care credit" are not membership credits; "not a member" does not fire member_support.
- Questions about credits, renewals, cancellation, deposits and financing are flagged in ``fields`` even
  when a higher route wins ("refund my deposit" -> staff_review with deposit_question and refund_request).

Dates (see dates.py): resolved in the clinic time zone; "next Friday" = Friday of next calendar week
(weeks start Monday), "Friday"/"this Friday" = next Friday on or after today, "the 12th" = next 12th on or
after today.  Dates after "RSVP by / deadline / ends / expires / until / last day / by / before" are the
``deadline``; other dates in a message about an event are the ``event_date``; all go in ``dates_mentioned``.

Event source: ``event_source`` is the channel the caller heard through (instagram, facebook, tiktok, email,
newsletter, google, website, referral, text_message, flyer, radio); when no channel is named but an event
is, it is the event itself (open_house, vip_night, injectable_day, laser_special, seasonal_offer).
``event_kind`` is the event type named (open_house, vip_night, injectable_day, laser_special, seasonal).

triage_turns: each turn is triaged alone; matches are unioned, the route is decided on the union (same
rules), and fields merge in order: later turns fill gaps and extend lists but never erase or overwrite.
"""

from .engine import TriageResult, merge_fields, triage, triage_turns

__all__ = ["TriageResult", "merge_fields", "triage", "triage_turns"]
